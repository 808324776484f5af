"""eval/collect/check.py: a candidate for a held-out set is refused when its address is used or
reserved, when it is too short, or when it repeats an earlier text; one from a new page passes."""

from __future__ import annotations

import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import opencc

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "eval" / "collect" / "check.py"


def sources() -> list[dict]:
    with (ROOT / "eval" / "sources.tsv").open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def run(folder: Path, reserved: Path, **env) -> dict[str, str]:
    out = subprocess.run([sys.executable, str(CHECK), str(folder)], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "CIVSCORE_RESERVED": str(reserved), **env})
    assert out.returncode == 0, out.stderr
    return dict(line.split(": ", 1) for line in out.stdout.splitlines() if ": " in line)


def write(folder: Path, rows: list[tuple[str, str, str, str]], bom: bool = False) -> None:
    """rows: (id, unit, url, text)."""
    folder.mkdir(parents=True)
    with (folder / "meta.tsv").open("w", encoding="utf-8-sig" if bom else "utf-8") as f:
        f.write("id\tkind\tsubkind\tunit\turl\ttitle\n")
        for id_, unit, url, text in rows:
            f.write(f"{id_}\tother\tsummary\t{unit}\t{url}\t(t)\n")
            (folder / f"{id_}.txt").write_text(text, encoding="utf-8")


def fresh_text() -> str:
    """A real text no corpus file holds: every other clause of a seed, cut to its first six Chinese
    characters, so no 8-gram of it stands in the seed or anywhere else."""
    seed = sorted((ROOT / "seeds").glob("*.txt"))[1].read_text(encoding="utf-8")
    clauses = ["".join(re.findall(r"[\u4e00-\u9fff]", c)) for c in re.split(r"[，,。；;！？、\n]", seed)]
    return "，".join(c[:6] for c in [c for c in clauses if len(c) >= 8][::2][:40]) + "。"


def test_used_reserved_short_and_copied_candidates_are_refused_and_a_new_text_passes(tmp_path):
    rows = sources()
    used = next(r for r in rows if r["file"] == "700.txt")
    unit = next(r["unit"] for r in rows if r["file"] >= "701.txt" and r["unit"] != "-")
    text_used = (ROOT / "eval" / "corpus" / "700.txt").read_text(encoding="utf-8")
    text_703 = (ROOT / "eval" / "corpus" / "703.txt").read_text(encoding="utf-8")
    seed = sorted((ROOT / "seeds").glob("*.txt"))[0].read_text(encoding="utf-8")
    fresh = fresh_text()
    reserved = tmp_path / "reserved.txt"
    reserved.write_text("# kept\nhttp://example.org/kept/page.html\n", encoding="utf-8")
    write(tmp_path / "round" / "A", [
        ("A01", "某某单位甲", used["url"], "这是一段新的文字。" * 30),
        ("A02", "某某单位乙", "https://www.example.org/kept/page.html", "这是另一段新文字。" * 30),
        ("A03", "某某单位丙", "http://example.org/short", "太短的文字。"),
        ("A04", "某某单位丁", "http://example.org/copy", text_used),
        ("A05", "某某单位戊", "http://example.org/seed", seed),
        ("A06", unit, "http://example.org/unit", "又一段新的文字。" * 30),
        ("A07", "某某单位庚", "http://example.org/fresh", fresh),
        ("A08", "某某单位辛", "http://example.org/fresh2", fresh),
        ("A09", "某某单位癸", "http://example.org/hant", opencc.OpenCC("s2t").convert(text_703)),
        ("A10", "某某单位子", "http://example.org/gbk", ""),
    ])
    (tmp_path / "round" / "A" / "A10.txt").write_bytes(("这是一段用国标码保存的文字。" * 20).encode("gb18030"))
    got = run(tmp_path / "round" / "A", reserved)
    assert "address already used" in got["A01"]
    assert got["A02"].startswith("RESERVED")  # the scheme and www. do not hide a reserved page
    assert "only 5 Chinese characters (need >= 150)" in got["A03"]  # 太短的文字
    assert "with corpus/700.txt" in got["A04"]
    assert "with seed/" in got["A05"]
    assert f"unit {unit} already in the corpus" in got["A06"]
    # two candidates of one collector that are the same text: each is refused for the other
    assert "with A/A08" in got["A07"] and "with A/A07" in got["A08"]
    assert "with corpus/703.txt" in got["A09"]  # a 繁體 copy of a used page is the same page
    assert got["A10"] == "A10.txt missing or not UTF-8 text"
    write(tmp_path / "alone" / "B", [("B01", "某某单位庚", "http://example.org/fresh", fresh)], bom=True)
    assert run(tmp_path / "alone" / "B", reserved) == {"B01": "OK"}
    # a training round may take a unit again, nothing else
    write(tmp_path / "train" / "T", [("T01", unit, "http://example.org/t", fresh),
                                     ("T02", "某某单位壬", used["url"], "这是训练用的另一段文字。" * 20)])
    got = run(tmp_path / "train" / "T", reserved, TRAIN="1")
    assert got["T01"] == "OK" and "address already used" in got["T02"]
