"""Issue 18: one result for proposal and decision. A review is an overlay on the result, and one
recompute, by the engine's own rule and arithmetic, gives the reviewed result; the signed
scorecard leads with it."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess

import pytest
from web_support import SEEDS, Reviewer, reviewed_total, seed_bytes

from scorer.engine import Scorer, with_tables
from scorer.report.format import fmt_score, fmt_time
from scorer.result import ScoreResult, judged_satisfaction, judged_weight, level_for
from scorer.review import LevelDecision, QuoteMark, Review, reviewed, reviewed_result
from scorer.web.app import create_app


@pytest.fixture(scope="module")
def machine() -> ScoreResult:
    return Scorer.load("court").score_path(SEEDS[1])


def mark(e) -> QuoteMark:
    return QuoteMark(start=e.start, end=e.end, text=e.text)


def quoted(result: ScoreResult):
    """A criterion with points and quotes."""
    return next(c for c in result.criteria() if c.score > 0 and c.quotable())


def test_the_result_carries_the_rubric_tables(machine):
    info = machine.rubric
    assert [lv.id for lv in info.levels] == ["A", "B", "C", "D"] and info.levels[1].share == 0.66
    assert info.levels[0].label and info.grades[0].tier == "excellent" and info.veto_grade
    assert info.judge_rule is not None and info.judge_rule.show == Scorer.load("court").rubric.judge.show
    assert info.discounts  # the marks' reasons
    # a result with no decision on it is its own reviewed result
    assert reviewed_result(machine, Review(opinion="同意。")) is machine


def test_striking_every_quote_leaves_no_evidence_and_lowers_the_total(machine):
    c = quoted(machine)
    review = Review(struck={c.id: [mark(e) for e in c.quotable()]})
    r = reviewed_result(machine, review)
    after = r.criterion(c.id)
    lowest = machine.rubric.levels[-1]
    assert after.level == lowest.id and after.score == round(c.max * lowest.share, 1)
    assert after.evidence == [] and after.shown() == []
    assert r.total == pytest.approx(round(machine.total - c.score, 1))
    # the dimension and the grade follow by the same arithmetic as the engine's
    dim = next(d for d in r.dimensions if any(x.id == c.id for x in d.criteria))
    assert dim.score == round(sum(x.score for x in dim.criteria), 1)
    assert (r.grade, r.tier) == _grade(machine, r.total)
    # the machine's result is untouched
    assert machine.criterion(c.id).level == c.level and machine.criterion(c.id).evidence


def _grade(result, total):
    from scorer.result import grade_for

    return grade_for(result.rubric.grades, result.rubric.veto_grade, total, result.vetoed)


def test_striking_one_of_several_quotes_re_weighs_the_rest(machine):
    c = next(c for c in machine.criteria() if len(c.quotable()) >= 2)
    struck = c.quotable()[0]
    r = reviewed_result(machine, Review(struck={c.id: [mark(struck)]}))
    after = r.criterion(c.id)
    rule = machine.rubric.judge_rule
    rest = [e for e in c.evidence if (e.start, e.end) != (struck.start, struck.end)]
    sat = judged_satisfaction([judged_weight(e.probability, e.specificity, rule) for e in rest], rule)
    assert after.level == level_for(machine.rubric.levels, sat).id
    assert (struck.start, struck.end) not in {(e.start, e.end) for e in after.evidence}


def test_an_added_quote_raises_a_criterion_the_way_the_levels_say(machine):
    c = next(c for c in machine.criteria() if c.score == 0 and c.max > 0 and not c.evidence)
    source = quoted(machine).quotable()[0]  # a concrete sentence of the report
    r = reviewed_result(machine, Review(added={c.id: [mark(source)]}))
    after = r.criterion(c.id)
    rule = machine.rubric.judge_rule
    added = next(e for e in after.evidence if e.added)
    assert added.text == source.text and added.probability == 1.0
    level = level_for(machine.rubric.levels, judged_satisfaction([judged_weight(1.0, added.specificity, rule)], rule))
    assert after.level == level.id and after.score == round(c.max * level.share, 1) > 0
    assert r.total > machine.total
    assert after.shown() == [added]  # shown like any other quote


def test_a_level_the_reviewer_sets_stands_over_the_quotes(machine):
    c = quoted(machine)
    review = Review(struck={c.id: [mark(e) for e in c.quotable()]},
                    levels={c.id: LevelDecision(level="B", reason="台账可查")})
    after = reviewed_result(machine, review).criterion(c.id)
    assert after.level == "B" and after.score == round(c.max * 0.66, 1)
    rv = reviewed(machine, review)
    assert rv.criterion(c.id).reason == "台账可查" and rv.criterion(c.id).changed


def test_a_dismissed_veto_leaves_the_reviewed_result():
    from web_support import VETO_SENTENCE

    s = Scorer.load("court")
    machine = s.score_text(SEEDS[0].read_text("utf-8") + "\n" + VETO_SENTENCE + "\n")
    assert machine.vetoed
    from scorer.review import veto_key

    r = reviewed_result(machine, Review(vetoes_dismissed={veto_key(v): "系外人员" for v in machine.vetoes}))
    assert not r.vetoed and r.vetoes == [] and r.grade != machine.grade


def test_a_result_stored_before_the_tables_gets_them_from_its_rubric(machine):
    old = json.loads(machine.model_dump_json())
    for k in ("levels", "grades", "veto_grade", "judge_rule"):
        old["rubric"].pop(k)
    legacy = ScoreResult.model_validate(old)
    assert not legacy.rubric.has_tables
    filled = with_tables(legacy)
    assert filled.rubric.levels == machine.rubric.levels and filled.rubric.grades == machine.rubric.grades
    assert filled.rubric.judge_rule == machine.rubric.judge_rule


def test_times_are_shown_in_china_standard_time_unless_configured(monkeypatch):
    monkeypatch.delenv("CIVSCORE_TZ", raising=False)
    assert fmt_time("2026-12-06T10:07:43.120Z") == "2026-12-06 18:07 UTC+08:00"
    monkeypatch.setenv("CIVSCORE_TZ", "Europe/Berlin")
    assert fmt_time("2026-12-06T10:07:43.120Z") == "2026-12-06 11:07 UTC+01:00"
    from scorer.report.format import display_zone

    assert fmt_time("2026-12-06T10:07:43Z", display_zone("UTC"), seconds=True) == "2026-12-06 10:07:43 UTC+00:00"
    with pytest.raises(ValueError):
        display_zone("Mars/Olympus")


def test_china_standard_time_needs_no_time_zone_database(monkeypatch):
    import zoneinfo

    from scorer.report.format import display_zone

    def missing(name):
        raise zoneinfo.ZoneInfoNotFoundError(name)

    monkeypatch.delenv("CIVSCORE_TZ", raising=False)
    monkeypatch.setattr(zoneinfo, "ZoneInfo", missing)
    assert fmt_time("2026-12-06T20:07:43Z", display_zone()) == "2026-12-07 04:07 UTC+08:00"
    with pytest.raises(ValueError):
        display_zone("Europe/Berlin")


# -- the workbench and the signed scorecard --------------------------------------------------


def pdf_pages(data: bytes, tmp_path) -> list[str]:
    p = tmp_path / "card.pdf"
    p.write_bytes(data)
    out = subprocess.run(["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True).stdout
    return out.split("\f")


def test_the_signed_scorecard_leads_with_the_decision(tmp_path, monkeypatch):
    monkeypatch.delenv("CIVSCORE_TZ", raising=False)
    app = create_app(tmp_path / "data")
    rv = Reviewer(app)
    rid = rv.new_round()
    page = rv.upload(rid, SEEDS[1].name, seed_bytes(1))
    url = str(page.url.path)
    machine = Scorer.load("court").score_path(SEEDS[1])
    c = quoted(machine)
    only = c.quotable()
    version = 0
    for e in only:  # strike every quote of the criterion
        r = rv.post(url + "/strike", {"version": str(version), "crit": c.id, "strike": e.key, "reason": "非本单位做法"})
        assert r.status_code == 200
        version += 1
    lowered = round(machine.total - c.score, 1)
    assert reviewed_total(r.text) == fmt_score(lowered)
    block = re.search(rf'data-crit="{re.escape(c.id)}">(.*?)</article>', r.text, re.S).group(1)
    assert 'class="lvl level-d"' in block and "按评分标准重新评定为 D" in block
    # a quote added to a criterion with nothing raises it
    empty = next(x for x in machine.criteria() if x.score == 0 and x.max > 0 and not x.evidence)
    source = next(x for x in machine.criteria() if x.quotable() and x.id != c.id).quotable()[0]
    r = rv.post(url + "/add", {"version": str(version), "crit": empty.id, "start": source.start, "end": source.end,
                               "reason": "台账可查"})
    assert r.status_code == 200
    version += 1
    raised = float(reviewed_total(r.text))
    assert raised > lowered
    # the reviewer signs with their own name: the change log names them
    r = rv.post(url + "/opinion", {"version": str(version), "opinion": "依据已核。", "reviewer": "王五", "checker": "赵六"})
    assert r.status_code == 200
    log = r.text[r.text.index('id="log"'):]
    assert "<td>王五</td>" in log
    assert "时间（UTC+08:00）" in log and re.search(r"<td>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d</td>", log)
    assert re.search(r"王五</strong>|value=\"王五\"", r.text)
    pages = pdf_pages(rv.get(url + "/scorecard.pdf").content, tmp_path)
    first = pages[0]
    assert "评审认定" in first and fmt_score(raised) in first
    assert re.search(rf"机器初评\s*{re.escape(fmt_score(machine.total))}（{machine.grade}）", first)
    # the total on page 1 is the decision's, before the machine's
    assert first.index(fmt_score(raised)) < first.index("机器初评")
    assert re.search(r"评审人（签字）\s+王五\s+日\s*期\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\+08:00", "\n".join(pages))
    details = "\n".join(pages[1:])
    assert "评审删除" in details and "评审补充" in details and "非本单位做法" in details
    assert "修改记录" in "\n".join(pages) and "王五" in "\n".join(pages)


def test_the_time_zone_is_a_setting(tmp_path, monkeypatch):
    monkeypatch.delenv("CIVSCORE_TZ", raising=False)
    app = create_app(tmp_path / "data", tz="UTC")
    rv = Reviewer(app)
    rid = rv.new_round()
    url = str(rv.upload(rid, SEEDS[0].name, seed_bytes(0)).url.path)
    r = rv.post(url + "/opinion", {"version": "0", "opinion": "同意。", "reviewer": "王五", "checker": ""})
    assert "时间（UTC+00:00）" in r.text and re.search(r"\d\d:\d\d UTC\+00:00 签署|value=\"王五\"", r.text)
    assert "UTC+08:00" not in r.text
    pdf = "\n".join(pdf_pages(rv.get(url + "/scorecard.pdf").content, tmp_path))
    assert re.search(r"评审人（签字）\s+王五\s+日\s*期\s+\d{4}-\d\d-\d\d \d\d:\d\d UTC\+00:00", pdf)


def test_stored_reviews_load_and_get_the_new_reviewed_total(tmp_path):
    """A review stored before struck quotes changed points: it loads as it was stored, and its
    reviewed total (for the ranking) is recomputed when the workbench opens the database."""
    data = tmp_path / "data"
    app = create_app(data)
    rv = Reviewer(app)
    rid = rv.new_round()
    url = str(rv.upload(rid, SEEDS[1].name, seed_bytes(1)).url.path)
    machine = Scorer.load("court").score_path(SEEDS[1])
    c = quoted(machine)
    state = Review(struck={c.id: [mark(e) for e in c.quotable()]})
    db = sqlite3.connect(data / "results.sqlite")
    item_id = int(url.rsplit("/", 1)[1])
    # as an earlier version stored it: the machine's total beside a struck quote, and a result
    # without the rubric's tables
    old = json.loads(db.execute("SELECT result_json FROM web_items WHERE id = ?", (item_id,)).fetchone()[0])
    for k in ("levels", "grades", "veto_grade", "judge_rule"):
        old["rubric"].pop(k)
    db.execute("UPDATE web_items SET result_json = ? WHERE id = ?", (json.dumps(old, ensure_ascii=False), item_id))
    db.execute("INSERT INTO web_reviews (item_id, version, state, reviewed_total, reviewed_grade, reviewed_vetoed, "
               "adjusted, updated_by, updated_at) VALUES (?, 1, ?, ?, ?, 0, 1, 'x', '2026-01-01T00:00:00Z')",
               (item_id, state.model_dump_json(), machine.total, machine.grade))
    db.execute("DELETE FROM web_meta WHERE key = 'review_rule'")
    db.commit()
    db.close()
    app = create_app(data)
    rv = Reviewer(app)
    expected = fmt_score(round(machine.total - c.score, 1))
    assert reviewed_total(rv.get(url).text) == expected
    assert expected in rv.get(f"/rounds/{rid}").text


def test_a_change_from_a_browser_that_gave_no_name_is_never_logged_under_the_signer(tmp_path, monkeypatch):
    """On loopback without login, signing names the signing; a later change from another browser
    that gave no name is 本机评审人's, not the signer's."""
    monkeypatch.delenv("CIVSCORE_TZ", raising=False)
    app = create_app(tmp_path / "data")
    signer = Reviewer(app)
    rid = signer.new_round()
    url = str(signer.upload(rid, SEEDS[0].name, seed_bytes(0)).url.path)
    r = signer.post(url + "/opinion", {"version": "0", "opinion": "同意。", "reviewer": "张三", "checker": ""})
    assert r.status_code == 200
    other = Reviewer(app)  # a second browser: its own cookie, no name given
    other.get(url)
    crit = Scorer.load("court").score_path(SEEDS[0]).dimensions[1].criteria[0]
    level = "D" if crit.level != "D" else "C"
    r = other.post(url + "/level", {"version": "1", "crit": crit.id, "level": level, "reason": "复核"})
    assert r.status_code == 200
    log = r.text[r.text.index('id="log"'):]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", log, re.S)
    level_row = next(x for x in rows if "等级" in x and f"→ {level}" in x)
    sign_row = next(x for x in rows if "张三" in x)
    assert "本机评审人" in level_row and "张三" not in level_row
    assert "本机评审人" not in sign_row
