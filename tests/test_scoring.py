"""What issue 2 must show, on the real seed reports and the default court rubric."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scorer.cli import app
from scorer.engine import Scorer

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "seeds").glob("*.txt"))
OFFTOPIC = sorted((Path(__file__).parent / "fixtures" / "offtopic").glob("*.txt"))
DIMENSIONS = ["leadership", "culture", "education", "volunteer", "judicial"]
# Volunteer work and social aid, including legal outreach (法治志愿服务: 法官六进, 法制宣传) and
# pairing with villages and firms (双包双联), which the volunteer dimension counts.
VOLUNTEER_MARKERS = re.compile(r"志愿|雷锋|扶贫|帮扶|捐款|捐物|献爱心|献血|微心愿|结对|双包双联|法官六进|法制宣传|普法")


@pytest.fixture(scope="module")
def scorer() -> Scorer:
    return Scorer.load()


@pytest.fixture(scope="module")
def seed_results(scorer):
    return {p.name: scorer.score_path(p) for p in SEEDS}


def test_five_seeds_are_shipped():
    assert len(SEEDS) == 5


def test_default_rubric_has_the_five_dimensions(scorer):
    assert [d.id for d in scorer.rubric.dimensions] == DIMENSIONS
    assert scorer.rubric.total == 100


def test_cli_json_on_all_seeds(tmp_path):
    result = CliRunner().invoke(app, ["score", *map(str, SEEDS), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert isinstance(payload, list) and [Path(p["submission"]["path"]).name for p in payload] == [p.name for p in SEEDS]
    for res in payload:
        assert set(res) >= {"submission", "rubric", "total", "max_total", "grade", "dimensions", "bonus", "vetoes", "text"}
        assert set(res["submission"]) >= {"path", "sha256", "chars", "title", "unit"}
        assert set(res["rubric"]) >= {"id", "version", "sha256"}
        text = res["text"]
        assert res["submission"]["chars"] == len(text)
        assert [d["id"] for d in res["dimensions"]] == DIMENSIONS
        for d in res["dimensions"]:
            assert d["score"] == pytest.approx(sum(c["score"] for c in d["criteria"]), abs=0.05)
            for c in d["criteria"]:
                assert c["level"] in {"A", "B", "C", "D"}
                if c["score"] > 0:
                    assert c["evidence"], f"{c['id']} scored without evidence"
                for ev in c["evidence"]:
                    assert text[ev["start"] : ev["end"]] == ev["text"]
                    assert ev["matches"]  # every evidence names the rules that matched it
                    assert all(m["rule"].startswith(c["id"] + "#") and m["type"] for m in ev["matches"])
        assert res["total"] == pytest.approx(sum(d["score"] for d in res["dimensions"]) + res["bonus"]["score"], abs=0.05)
        assert res["vetoes"] == [], f"{res['submission']['path']} raised a veto: {res['vetoes']}"


def test_single_file_json_is_one_object(scorer):
    result = CliRunner().invoke(app, ["score", str(SEEDS[0]), "--json"])
    assert result.exit_code == 0
    assert json.loads(result.stdout)["submission"]["path"] == str(SEEDS[0])


def test_json_is_the_model_dumped(scorer, seed_results):
    # seed_results come from the court scorer itself: name the rubric (no chosen_by).
    result = CliRunner().invoke(app, ["score", str(SEEDS[1]), "--json", "--rubric", "court"])
    assert json.loads(result.stdout) == seed_results[SEEDS[1].name].model_dump(mode="json")


def test_seeds_score_well_above_offtopic_text(scorer, seed_results):
    assert len(OFFTOPIC) >= 2
    off = {p.name: scorer.score_path(p).total for p in OFFTOPIC}
    for name, total in off.items():
        assert total <= 10, f"off-topic {name} scored {total}"
    for name, res in seed_results.items():
        assert res.total >= max(off.values()) + 25, f"{name} scored only {res.total}"


def test_pasting_a_seed_twice_changes_little(scorer, seed_results, tmp_path):
    for p in SEEDS:
        doubled = tmp_path / p.name
        raw = p.read_text(encoding="utf-8")
        doubled.write_text(raw + "\n\n" + raw, encoding="utf-8")
        again = scorer.score_path(doubled)
        assert abs(again.total - seed_results[p.name].total) <= 1, p.name


def test_keyword_stuffing_scores_below_every_seed(scorer, seed_results, tmp_path):
    terms = sorted(
        {
            s
            for c in scorer.rubric.criteria()
            for m in c.matchers
            for group in ([getattr(m, "terms", None)] + list(getattr(m, "groups", []) or []) + [getattr(m, "context", None)])
            if group
            for t in group
            for s in t.surfaces
        }
    )
    floor = min(r.total for r in seed_results.values())
    variants = {
        "list": "、".join(terms * 50),
        "lines": "\n".join(terms * 50),
        "sentences": "。".join(f"加强{t}" for t in terms * 50) + "。",
    }
    for name, text in variants.items():
        f = tmp_path / f"stuffed_{name}.txt"
        f.write_text(text, encoding="utf-8")
        total = scorer.score_path(f).total
        assert total < floor, f"stuffing ({name}) scored {total}, lowest seed {floor}"


def _without_volunteer_paragraphs(text: str) -> str:
    return "\n".join(p for p in text.split("\n") if not VOLUNTEER_MARKERS.search(p))


def test_removing_volunteer_paragraphs(scorer, seed_results):
    checked = 0
    for seed, before in seed_results.items():
        vol_before = before.dimension("volunteer").score
        # The volunteer work must be told in volunteer paragraphs for their removal to take it away:
        # seed 002 is a party-building report whose few volunteer points come from sentences inside
        # party-building paragraphs (a 法庭党支部 handing out legal leaflets on its village rounds).
        quotes = [e for c in before.dimension("volunteer").criteria for e in c.evidence]  # what earns its points
        paragraphs = before.text.split("\n")
        told = sum(bool(VOLUNTEER_MARKERS.search(p)) for e in quotes
                   for p in [paragraphs[before.text.count("\n", 0, e.start)]])
        if vol_before <= 3 or told * 2 < len(quotes):
            continue
        checked += 1
        after = scorer.score_text(_without_volunteer_paragraphs(before.text), normalize=False)
        assert after.dimension("volunteer").score <= vol_before / 2, seed
        # "Within 10 %" of each other dimension's scale: a level step of one small
        # criterion (a third of 3 points) may move with a mixed paragraph, no more.
        for dim in DIMENSIONS:
            if dim == "volunteer":
                continue
            b, a = before.dimension(dim).score, after.dimension(dim).score
            assert abs(b - a) <= 0.1 * before.dimension(dim).max, f"{seed} {dim}: {b} → {a}"
    assert checked >= 3


NEGATED = [
    "2013年以来，没有一名干警受到上级法院和纪检监察部门处分，成为全旗上下公认的风清气正的好队伍。",
    "近年来全院未发生干警违法违纪案件，未发生重大安全事故。",
    "严格执行“十个严禁”“人民法院工作人员处分条例”等规定。",
    "坚决杜绝干警受贿、枉法裁判等问题发生。",
    "教育干警防止出现违纪违法问题，严防发生安全生产事故。",
    "五年来没有一名干警被判处刑罚或者被追究刑事责任。",
    "全院未发生干警被开除公职的情况。",
]


@pytest.mark.parametrize("sentence", NEGATED)
def test_negated_statements_raise_no_veto(scorer, seed_results, sentence):
    base = seed_results[SEEDS[0].name].text
    r = scorer.score_text(base + "\n" + sentence, normalize=False)
    assert r.vetoes == [], r.vetoes


@pytest.mark.parametrize(
    "sentence",
    ["一名干警因受贿被判处有期徒刑。", "2019年，该院一名副院长因严重违纪被开除党籍。"],
)
def test_plain_violation_raises_a_veto(scorer, seed_results, sentence):
    base = seed_results[SEEDS[0].name].text
    r = scorer.score_text(base + "\n" + sentence, normalize=False)
    assert r.vetoed and r.grade == scorer.rubric.veto_grade
    assert any(v.text == sentence for v in r.vetoes)
    for v in r.vetoes:
        assert r.text[v.start : v.end] == v.text


def test_exit_code_2_for_a_broken_rubric(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: x\nversion: 1\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["score", str(SEEDS[0]), "--rubric", str(bad)])
    assert result.exit_code == 2
    assert "bad.yaml:" in result.stderr and "Traceback" not in result.output


def test_rubric_check_on_the_shipped_rubric():
    result = CliRunner().invoke(app, ["rubric", "check", str(ROOT / "rubric" / "court.yaml")])
    assert result.exit_code == 0 and "ok" in result.stdout
