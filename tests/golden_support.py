"""The golden record: every total, level, shown quote, missing line and veto of the seeds and
the evaluation corpus under both shipped rubrics.

A refactor must leave it identical (tests/test_golden.py). A change meant to alter scores
rewrites it on purpose, in the same commit, with `python tests/golden_support.py --write`,
so the diff of tests/fixtures/golden/ shows exactly what moved.
"""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "fixtures" / "golden" / "results.json.gz"
RUBRICS = ("court", "general")


def texts() -> list[Path]:
    return sorted((ROOT / "seeds").glob("*.txt")) + sorted((ROOT / "eval" / "corpus").glob("*.txt"))


def digest(result) -> dict:
    """What a reader of the result sees, rounded where floats are."""
    crits = []
    for d in result.dimensions:
        for c in d.criteria:
            crits.append(_criterion(c))
    return {
        "total": round(result.total, 3),
        "grade": result.grade,
        "vetoed": result.vetoed,
        "dimensions": [round(d.score, 3) for d in result.dimensions],
        "criteria": crits,
        "bonus": [_criterion(c) for c in result.bonus.items],
        "vetoes": [[v.id, v.start, v.end] for v in result.vetoes],
    }


def _criterion(c) -> list:
    return [
        c.id, c.level, round(c.score, 3),
        [[e.start, e.end, None if e.probability is None else round(e.probability, 4)] for e in c.shown()],
        [[m.status, m.label] for m in c.missing],
    ]


def snapshot() -> dict:
    from scorer.engine import Scorer

    out: dict = {}
    for rid in RUBRICS:
        scorer = Scorer.load(rid)
        for p in texts():
            r = scorer.score_text(p.read_text(encoding="utf-8"), path=p.name)
            out[f"{rid}/{p.parent.name}/{p.name}"] = digest(r)
    return out


def snapshot_in_fresh_process() -> dict:
    """snapshot() in a new interpreter, as --write takes it. jieba's dictionary is process-wide
    and every compiled rubric adds its terms to it (scorer/match/lexicon.py), so in a process
    that compiled other rubrics first (the tests before this one) some sentences cut otherwise."""
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--print"], cwd=ROOT,
                         capture_output=True, text=True, check=False)
    assert out.returncode == 0, out.stderr[-2000:]
    return json.loads(out.stdout.splitlines()[-1])  # the last line: anything printed before is not ours


def load() -> dict:
    with gzip.open(GOLDEN, "rt", encoding="utf-8") as f:
        return json.load(f)


def write() -> None:
    data = json.dumps(snapshot(), ensure_ascii=False, sort_keys=True, indent=0)
    GOLDEN.parent.mkdir(parents=True, exist_ok=True)
    with open(GOLDEN, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(data.encode("utf-8"))


if __name__ == "__main__":
    if sys.argv[1:] not in (["--write"], ["--print"]):
        sys.exit("usage: python tests/golden_support.py --write")
    sys.path.insert(0, str(ROOT))
    if sys.argv[1] == "--print":
        print(json.dumps(snapshot()))
        sys.exit(0)
    write()
    print(f"wrote {GOLDEN.relative_to(ROOT)}")
