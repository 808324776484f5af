"""The ranking of a batch: who is first, as ranking.csv and ranking.xlsx.

Order: units with a veto (一票否决) come after every unit without one, whatever
their total — a vetoed unit cannot be named 文明单位, so ranking it among the others
would mislead a committee. Within each group: total, highest first; ties broken by
the file's relative path, so the order never depends on which worker finished
first. Ranks are 1..n with no shared places (the tie-break decides).

Columns (Chinese headers, for reviewers): 名次, 申报单位, 总分, 等级, 评分标准 (the
rubric's id), one column per dimension (headed by the dimension's name, in rubric
order), 一票否决, 文件. A round scored with several rubrics (chosen by unit kind) gets
each rubric's dimension columns, headed "name（rubric id）"; the workbook adds a sheet
per rubric with only its units and its own dimensions, so no unit shows blanks there.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from scorer.report.format import fmt_score

from scorer.outputs import CREATOR, atomic_write, safe_cell

from .summary import Summary

CSV_NAME = "ranking.csv"
XLSX_NAME = "ranking.xlsx"
VETO_SEPARATOR = "；"


@dataclass(frozen=True)
class Dim:
    id: str
    name: str
    max: float
    rubric: str = ""  # the rubric's id ("" when the table has one rubric and need not say)


@dataclass(frozen=True)
class RankedRow:
    rank: int
    file: str  # relative to the intake folder
    summary: Summary
    scorecard: str | None = None  # relative to --out

    def dim_score(self, dim: "Dim | str") -> float | None:
        """The row's score on `dim`; None when the row was scored with another rubric."""
        if isinstance(dim, Dim):
            if dim.rubric and self.summary.rubric_id and dim.rubric != self.summary.rubric_id:
                return None
            dim = dim.id
        for d in self.summary.dimensions:
            if d.id == dim:
                return d.score
        return None


def dims_of(rubric) -> list[Dim]:
    return [Dim(d.id, d.name, d.points, rubric.id) for d in rubric.dimensions]


def rubric_ids(dims: list[Dim]) -> list[str]:
    """The rubrics the dimension columns come from, in column order."""
    return list(dict.fromkeys(d.rubric for d in dims))


def used_dims(rows: list["RankedRow"], dims: list[Dim]) -> list[Dim]:
    """The columns of the rubrics that scored at least one row (all of them for an empty table)."""
    used = {r.summary.rubric_id for r in rows}
    if not rows or "" in used:
        return dims
    return [d for d in dims if not d.rubric or d.rubric in used]


def rank(entries: list[tuple[str, Summary, str | None]]) -> list[RankedRow]:
    """`entries`: (relative file, summary, scorecard) for every scored report."""
    ordered = sorted(entries, key=lambda e: (e[1].vetoed, -round(e[1].total, 6), e[0]))
    return [RankedRow(i + 1, f, s, card) for i, (f, s, card) in enumerate(ordered)]


HEAD_START = ["名次", "申报单位", "总分", "等级", "评分标准"]
HEAD_END = ["一票否决", "文件"]


def header(dims: list[Dim]) -> list[str]:
    mixed = len(rubric_ids(dims)) > 1
    return [*HEAD_START, *(f"{d.name}（{d.rubric}）" if mixed else d.name for d in dims), *HEAD_END]


def _cells(row: RankedRow, dims: list[Dim]) -> list:
    """The row's values; every text cell is spreadsheet-safe (a leading ' before = + - @ tab CR)."""
    s = row.summary
    return [row.rank, safe_cell(s.unit or ""), s.total, safe_cell(s.grade), safe_cell(s.rubric_id),
            *(row.dim_score(d) for d in dims), safe_cell(VETO_SEPARATOR.join(s.vetoes)), safe_cell(row.file)]


def csv_bytes(rows: list[RankedRow], dims: list[Dim]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel shows the Chinese; scores as in the JSON."""
    dims = used_dims(rows, dims)
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([safe_cell(h) for h in header(dims)])
    for row in rows:
        w.writerow(["" if v is None else fmt_score(v) if isinstance(v, float) else v for v in _cells(row, dims)])
    return buf.getvalue().encode("utf-8-sig")


def write_csv(path: Path, rows: list[RankedRow], dims: list[Dim]) -> Path:
    data = csv_bytes(rows, dims)
    with atomic_write(path) as fh:
        fh.write(data)
    return path


def write_xlsx(path: Path, rows: list[RankedRow], dims: list[Dim]) -> Path:
    """Sheet "ranking": every row, as the CSV. With several rubrics, one more sheet per rubric
    (named by its id): its rows, ranked as in the round, with its own dimensions only."""
    from openpyxl import Workbook

    dims = used_dims(rows, dims)
    wb = Workbook()
    wb.properties.creator = CREATOR  # the mark a later run checks before replacing this file
    ws = wb.active
    ws.title = "ranking"
    _fill_sheet(ws, rows, dims)
    rubrics = rubric_ids(dims)
    if len(rubrics) > 1:
        for rid in rubrics:
            own = [d for d in dims if d.rubric == rid]
            _fill_sheet(wb.create_sheet(rid[:31]), [r for r in rows if r.summary.rubric_id == rid], own)
    with atomic_write(path) as fh:
        wb.save(fh)
    return path


def _fill_sheet(ws, rows: list[RankedRow], dims: list[Dim]) -> None:
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    for r, values in enumerate([[safe_cell(h) for h in header(dims)], *(_cells(row, dims) for row in rows)], start=1):
        for c, value in enumerate(values, start=1):
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: never a formula
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.freeze_panes = "C2"
    if rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(ws.max_column)}{ws.max_row}"
    widths = [6, 36, 8, 18, 10, *([12] * len(dims)), 30, 40]
    for i, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = w
    first_dim = len(HEAD_START) + 1
    score_cols = [3, *range(first_dim, first_dim + len(dims))]
    for r in ws.iter_rows(min_row=2):
        for c in score_cols:
            r[c - 1].number_format = "0.0#"
