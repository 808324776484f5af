"""Close the loop: reviewers' decisions in the workbench as labels for the rubric.

    civscore calibrate --from-reviews DATA/results.sqlite [--rubric R] [--fit out.yaml]
        (each reviewed submission against the rubric it was reviewed with)
    civscore diff --base court --rubric new.yaml --from-reviews DATA/results.sqlite

The commands' printing is in scorer/cli/tuning_cmds.py; this module only reads the
reviews and compares levels.

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

from scorer.review import Reviewed, reviewed


@dataclass
class ReviewedSubmission:
    name: str
    machine: ScoreResult  # as stored (the rubric that scored it then)
    review: Reviewed

    @property
    def levels(self) -> dict[str, str]:
        """criterion id → the level the reviewers settled on."""
        return self.review.levels

    @property
    def reasons(self) -> dict[str, str]:
        return self.review.reasons


def db_path(path: Path) -> Path:
    p = Path(path)
    if p.is_dir():
        p = p / DB_NAME
    if not p.is_file():
        raise InputError(path, "input.no-workbench-db")
    return p


def reviewed_submissions(path: Path) -> list[ReviewedSubmission]:
    from scorer.engine import with_tables

    from .store import WebStore

    store = WebStore(db_path(path).parent)
    out, seen = [], set()
    for item, review, result_json in store.all_reviews():
        result = with_tables(ScoreResult.model_validate_json(result_json))
        name = item.filename
        if name in seen:
            name = f"{item.filename} #{item.id}"
        seen.add(name)
        out.append(ReviewedSubmission(name, result, reviewed(result, review)))
    store.close()
    return out


def rubric_ref(sub: ReviewedSubmission) -> str:
    """The rubric the submission was reviewed with: the file it was scored with while that file
    is unchanged, else the bundled rubric of the same id."""
    from scorer.rubric import load_rubric

    info = sub.machine.rubric
    if info.path and Path(info.path).is_file():
        try:
            if load_rubric(info.path).sha256 == info.sha256:
                return info.path
        except Exception:  # unreadable now: fall back to the id
            pass
    return info.id


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
        if not s.is_bonus:
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
    rows: dict[str, CriterionAgreement] = {}
    for sub, res in zip(subs, results):
        wanted, reasons = sub.levels, sub.reasons
        for c in res.criteria():
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
    hit = n = 0
    for res, sub in zip(results, subs):
        wanted = sub.levels
        for c in res.criteria():
            if c.id in wanted:
                n += 1
                hit += c.level == wanted[c.id]
    return hit, n
