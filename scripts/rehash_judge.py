"""Re-point a judge at its rubric after a change that leaves the rubric's content identical.

    python scripts/rehash_judge.py OLD.yaml rubric/court.yaml

A judge file records the sha256 of the rubric it was trained for (`rubric_sha256`), and a
scorer flags it stale when the rubric's sha256 differs. Moving a rubric's values into a
base it extends, or any edit that changes bytes but not the validated rubric, changes the
sha256 without changing what the judge was trained for. This script checks exactly that —
OLD's sha256 is the one the judge records, and OLD and NEW validate to the same rubric —
and then rewrites only the recorded hash: the judge's numbers are copied bit for bit (the
file format round-trips its float32 arrays exactly), so every score stays the same.
Anything else is refused; retrain with `civscore train` instead.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    from scorer.judge.model import JudgeModel
    from scorer.rubric import load_rubric
    from scorer.score import _judge_path

    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2].strip(), file=sys.stderr)
        return 2
    old, new = load_rubric(argv[0]), load_rubric(argv[1])
    path = _judge_path(new)
    model = JudgeModel.load(path)
    recorded = model.meta.get("rubric_sha256")
    if recorded == new.sha256:
        print(f"{path}: already records {new.sha256[:12]}")
        return 0
    if recorded != old.sha256:
        print(f"{path}: records {str(recorded)[:12]}, not {argv[0]}'s {old.sha256[:12]}; retrain", file=sys.stderr)
        return 1
    if old.rubric != new.rubric:
        print(f"{argv[0]} and {argv[1]} are not the same rubric; retrain", file=sys.stderr)
        return 1
    before = model.to_bytes()
    model.meta["rubric_sha256"] = new.sha256
    data = model.to_bytes()
    again = JudgeModel.from_bytes(data)
    same = JudgeModel.from_bytes(before)
    from scorer.judge.model import ARRAYS

    assert all((getattr(again, a) == getattr(same, a)).all() for a in ARRAYS)
    path.write_bytes(data)
    print(f"{path}: rubric {old.sha256[:12]} → {new.sha256[:12]}, numbers unchanged")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
