"""Ranking order, scorecard names and discovery: deterministic whatever the file system does."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook

from scorer.batch.discover import discover, scorecard_names
from scorer.batch.ranking import Dim, csv_bytes, rank, write_xlsx
from scorer.batch.summary import DimScore, Summary

DIMS = [Dim("a", "甲维度", 50.0), Dim("b", "乙维度", 50.0)]


def summary(total: float, *, vetoed: bool = False, unit: str = "某法院", vetoes=()) -> Summary:
    return Summary(
        sha256=f"{total}-{vetoed}-{unit}", path=f"/x/{unit}.txt", unit=unit, title=None, total=total,
        max_total=110.0, grade="不合格（一票否决）" if vetoed else "合格", vetoed=vetoed,
        dimensions=(DimScore("a", "甲维度", total / 2, 50.0), DimScore("b", "乙维度", total / 2, 50.0)),
        vetoes=tuple(vetoes),
    )


def test_order_total_then_file_vetoed_last():
    entries = [
        ("b.txt", summary(70.0), None),
        ("a.txt", summary(70.0), None),
        ("v.txt", summary(95.0, vetoed=True, vetoes=["职工刑事案件"]), None),
        ("c.txt", summary(88.5), None),
        ("u.txt", summary(20.0, vetoed=True), None),
    ]
    rows = rank(entries)
    assert [(r.rank, r.file) for r in rows] == [(1, "c.txt"), (2, "a.txt"), (3, "b.txt"), (4, "v.txt"), (5, "u.txt")]
    assert rank(list(reversed(entries))) == rows  # input order does not matter


def test_csv_columns_come_from_the_rubric_and_scores_print_as_in_json():
    rows = rank([("a.txt", summary(81.4, vetoes=["甲", "乙"]), None), ("b.txt", summary(60.0, unit=""), None)])
    data = csv_bytes(rows, DIMS)
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == ["名次", "申报单位", "总分", "等级", "评分标准", "甲维度", "乙维度", "一票否决", "文件"]
    assert table[1] == ["1", "某法院", "81.4", "合格", "", "40.7", "40.7", "甲；乙", "a.txt"]
    assert table[2] == ["2", "", "60", "合格", "", "30", "30", "", "b.txt"]
    assert csv_bytes(rows, DIMS) == data


def test_xlsx_cells(tmp_path):
    rows = rank([("a.txt", summary(81.4), None)])
    write_xlsx(tmp_path / "r.xlsx", rows, DIMS)
    ws = load_workbook(tmp_path / "r.xlsx")["ranking"]
    assert [c.value for c in ws[1]] == ["名次", "申报单位", "总分", "等级", "评分标准", "甲维度", "乙维度", "一票否决", "文件"]
    assert [c.value for c in ws[2]] == [1, "某法院", 81.4, "合格", None, 40.7, 40.7, None, "a.txt"]


def test_scorecard_names_are_unique_and_keep_folders():
    rels = ["a.txt", "a.docx", "a.txt.pdf", "sub/a.txt", "sub/B.md", "sub/b.html", "overview.txt", "x/y/z.pdf"]
    names = scorecard_names(rels)
    assert names == ["a.txt.pdf", "a.docx.pdf", "a.txt~2.pdf", "sub/a.pdf", "sub/B.md.pdf", "sub/b.html.pdf",
                     "overview~2.pdf", "x/y/z.pdf"]
    assert len({n.casefold() for n in names}) == len(names)


def test_discover_sorted_recursive_skips_hidden_and_out(tmp_path):
    src = tmp_path / "in"
    for rel in ["b.txt", "a/c.md", "a/.hidden.txt", ".git/x.txt", "~$lock.docx", "notes.xyz", "Z.TXT",
                "out/old.pdf"]:
        p = src / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text("x")
    subs = discover(src, exclude=src / "out")
    assert [s.rel for s in subs] == ["Z.TXT", "a/c.md", "b.txt"]
    assert [s.index for s in subs] == [0, 1, 2]
    assert all(s.path.is_absolute() for s in subs)
