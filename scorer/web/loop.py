"""Close the loop: reviewers' decisions in the workbench as labels for the rubric.

    civscore calibrate --from-reviews DATA/results.sqlite [--rubric R] [--fit out.yaml]
    civscore diff --base court --rubric new.yaml --from-reviews DATA/results.sqlite

A reviewed submission is one a reviewer decided something on (a level, a veto, an
opinion or a signature). Its labels: the reviewed total, the reviewed dimension
scores, and per criterion the reviewed level (the machine's where the reviewer let
it stand). The submission's normalized text is in the stored result, so a rubric
under test scores it again without the original file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from scorer.batch.store import DB_NAME
from scorer.errors import InputError
from scorer.result import ScoreResult

from .review import RubricRules, Reviewed, reviewed


@dataclass
class ReviewedSubmission:
    name: str
    machine: ScoreResult  # as stored (the rubric that scored it then)
    review: Reviewed

    @property
    def levels(self) -> dict[str, str]:
        """criterion id → the level the reviewers settled on."""
        return {c.item.id: c.level for s in self.review.sections for c in s.criteria}

    @property
    def reasons(self) -> dict[str, str]:
        return {c.item.id: c.reason for s in self.review.sections for c in s.criteria if c.changed}


def db_path(path: Path) -> Path:
    p = Path(path)
    if p.is_dir():
        p = p / DB_NAME
    if not p.is_file():
        raise InputError(path, "no workbench database here (give DATA/results.sqlite or the --data folder of civscore serve)")
    return p


def reviewed_submissions(path: Path) -> list[ReviewedSubmission]:
    from scorer.engine import Scorer, resolve_rubric
    from scorer.errors import CivscoreError
    from scorer.rubric import load_rubric

    from .store import WebStore

    store = WebStore(db_path(path).parent)
    rules: dict[str, RubricRules] = {}
    out, seen = [], set()
    for item, state, result_json in store.all_reviews():
        result = ScoreResult.model_validate_json(result_json)
        sha = result.rubric.sha256
        if sha not in rules:
            rubric = None
            for ref in (result.rubric.path, result.rubric.id, None):
                try:
                    loaded = load_rubric(resolve_rubric(ref))
                except (CivscoreError, OSError, ValueError):
                    continue
                if loaded.sha256 == sha or ref != result.rubric.path:
                    rubric = loaded.rubric
                    break
            rules[sha] = RubricRules.of(rubric or Scorer.load().rubric)
        name = item.filename
        if name in seen:
            name = f"{item.filename} #{item.id}"
        seen.add(name)
        out.append(ReviewedSubmission(name, result, reviewed(result, state, rules[sha])))
    store.close()
    return out


def rescore(scorer, subs: list[ReviewedSubmission]) -> list[ScoreResult]:
    """Score each reviewed text with `scorer` (the text is already normalized)."""
    results = []
    for s in subs:
        r = scorer.score_text(s.machine.text, path=s.machine.submission.path, normalize=False)
        results.append(r.model_copy(update={"submission": s.machine.submission}))
    return results


def labels_of(sub: ReviewedSubmission) -> dict[str, float]:
    """calibrate's label row: total and every dimension, as the reviewers settled them."""
    row = {"total": sub.review.total}
    for s in sub.review.sections:
        if s.id != "bonus":
            row[s.id] = s.score
    return row


@dataclass
class CriterionAgreement:
    id: str
    name: str
    n: int
    same: int
    lowered: int
    raised: int
    reasons: list[str]

    @property
    def rate(self) -> float:
        return self.same / self.n if self.n else float("nan")


def criterion_agreement(subs: list[ReviewedSubmission], results: list[ScoreResult],
                        order: dict[str, int]) -> list[CriterionAgreement]:
    """Per criterion: how often the rubric's level is the reviewers' level, and which way they moved it."""
    from . import evidence as ev

    rows: dict[str, CriterionAgreement] = {}
    for sub, res in zip(subs, results):
        wanted, reasons = sub.levels, sub.reasons
        for ref in ev.criteria(res):
            c = ref.item
            if c.id not in wanted:
                continue
            a = rows.setdefault(c.id, CriterionAgreement(c.id, c.name, 0, 0, 0, 0, []))
            a.n += 1
            tool, label = order.get(c.level, 0), order.get(wanted[c.id], 0)
            if c.level == wanted[c.id]:
                a.same += 1
            elif label < tool:  # order: A=0 … D=3; a smaller number is a better level
                a.raised += 1
            else:
                a.lowered += 1
            if c.id in reasons and reasons[c.id] not in a.reasons:
                a.reasons.append(reasons[c.id])
    return sorted(rows.values(), key=lambda a: (a.rate, -a.n, a.id))


def mean_gap(results: list[ScoreResult], subs: list[ReviewedSubmission]) -> float:
    if not results:
        return float("nan")
    return sum(abs(r.total - s.review.total) for r, s in zip(results, subs)) / len(results)


def level_hits(results: list[ScoreResult], subs: list[ReviewedSubmission]) -> tuple[int, int]:
    from . import evidence as ev

    hit = n = 0
    for res, sub in zip(results, subs):
        wanted = sub.levels
        for ref in ev.criteria(res):
            if ref.item.id in wanted:
                n += 1
                hit += ref.item.level == wanted[ref.item.id]
    return hit, n


# -- the two commands' bodies (called from scorer/cli/tuning_cmds.py) --------------------


def calibrate_from_reviews(db: Path, scorer, *, top: int, fit: Path | None, ridge: float) -> None:
    from rich.table import Table
    from rich.text import Text

    from scorer.cli.app import console, fail
    from scorer.cli.tuning_cmds import _fit, _fmt_stat, print_disagreement
    from scorer.errors import CivscoreError
    from scorer.tuning import calibrate as cal

    try:
        subs = reviewed_submissions(db)
    except CivscoreError as e:
        fail(e.message)
    if not subs:
        fail(f"{db}: no reviewed submissions yet (a reviewer must change a level, a veto or sign in the workbench)")
    r = scorer.rubric
    results = rescore(scorer, subs)
    columns = ["total"] + [d.id for d in r.dimensions]
    pairs = [cal.Pair(s.name, res, {k: v for k, v in labels_of(s).items() if k in columns})
             for s, res in zip(subs, results)]
    console.print(Text.assemble(("calibration ", "bold"),
                                f"{r.id} {r.version} against reviewers' decisions in {db}: {len(pairs)} reviewed submissions"))
    table = Table(expand=False)
    for col, just in (("", "left"), ("n", "right"), ("Spearman", "right"), ("Kendall", "right"), ("MAE", "right"),
                      ("tool − reviewers", "right")):
        table.add_column(col, justify=just)
    for a in cal.agreements(pairs, columns):
        table.add_row(a.column, str(a.n), _fmt_stat(a.spearman), _fmt_stat(a.kendall), _fmt_stat(a.mae, 2),
                      _fmt_stat(a.bias, 2))
    console.print(table)
    order = {lv.id: i for i, lv in enumerate(r.levels)}
    crits = criterion_agreement(subs, results, order)
    hit, n = level_hits(results, subs)
    ct = Table(title=f"criterion levels: the rubric agrees with the reviewers on {hit} of {n}", expand=False)
    for col, just in (("criterion", "left"), ("n", "right"), ("same", "right"), ("lowered", "right"),
                      ("raised", "right"), ("reviewers' reasons", "left")):
        ct.add_column(col, justify=just, overflow="fold")
    for a in crits:
        if a.same == a.n:
            continue
        ct.add_row(f"{a.id} {a.name}", str(a.n), str(a.same), str(a.lowered), str(a.raised),
                   Text("；".join(a.reasons[:3])))
    console.print(ct)
    worst = cal.disagreements(pairs, top)
    if worst:
        console.print(Text("where the tool and the reviewers disagree most", style="bold"))
    for w in worst:
        print_disagreement(w, columns)
    if fit is not None:
        _fit(scorer, pairs, fit, Path(db), ridge)


def diff_reviews(db: Path, old, new) -> None:
    from rich.table import Table
    from rich.text import Text

    from scorer.cli.app import console, fail
    from scorer.errors import CivscoreError

    try:
        subs = reviewed_submissions(db)
    except CivscoreError as e:
        fail(e.message)
    if not subs:
        fail(f"{db}: no reviewed submissions yet")
    before, after = rescore(old, subs), rescore(new, subs)
    console.print(Text.assemble(("rubric diff on the reviewed round ", "bold"),
                                f"{old.loaded.path} → {new.loaded.path}: {len(subs)} reviewed submissions"))
    table = Table(expand=False)
    for col, just in (("报告", "left"), ("评审认定", "right"), ("基准", "right"), ("新标准", "right"),
                      ("与评审差距", "right")):
        table.add_column(col, justify=just)
    for s, b, a in sorted(zip(subs, before, after), key=lambda t: -abs(t[2].total - t[1].total)):
        gap_b, gap_a = abs(b.total - s.review.total), abs(a.total - s.review.total)
        style = "green" if gap_a < gap_b - 1e-9 else ("red" if gap_a > gap_b + 1e-9 else "dim")
        table.add_row(s.name, f"{s.review.total:g}", f"{b.total:g}", f"{a.total:g}",
                      Text(f"{gap_b:.1f} → {gap_a:.1f}", style=style))
    console.print(table)
    hb, n = level_hits(before, subs)
    ha, _ = level_hits(after, subs)
    console.print(
        f"mean |total − reviewed total|: {mean_gap(before, subs):.2f} → {mean_gap(after, subs):.2f}; "
        f"criterion levels as the reviewers set them: {hb}/{n} → {ha}/{n}"
    )
