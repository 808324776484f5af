"""`civscore score`: score reports, show them, and write scorecards."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path, PurePosixPath
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from ..errors import CivscoreError, InputError, OutputError, printable
from ..result import ScoreResult
from .common import (
    ChoosingRubricOpt, MaxSizeOpt, console, console_err, detail, error_message, fail, info, max_bytes, new_app,
    report_error, startup_over,
)

app = new_app()

STDIN = "-"
STDIN_NAME = "<stdin>"


def load_scorer(rubric: str | None):
    """The named rubric's scorer; without a name (or `auto`), one that chooses the rubric by unit kind."""
    from ..engine import load_scorer as load

    return load(rubric)  # a RubricError goes to the one error handler


def _short(text: str, n: int = 48) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def print_result(result: ScoreResult) -> None:
    sub = result.submission
    head = Text()
    head.append(sub.unit or Path(sub.path).name, style="bold")
    if sub.title:
        head.append(f"  {sub.title}", style="dim")
    console.print(head)
    if sub.hidden_chars:
        console.print(Text(f"已忽略 {sub.hidden_chars} 个隐藏字符", style="bold yellow"))
    if result.rubric.chosen_by:
        console.print(Text(f"评分标准 {result.rubric.id}：{result.rubric.chosen_by}", style="dim"), soft_wrap=True)
    if result.material is not None and result.material.flagged:
        console.print(Text(f"本文读来不像某一单位自身的申报材料（判定概率 {result.material.probability:.2f}，"
                           f"阈值 {result.material.threshold:.2f}）：各项不计分，请人工核实", style="bold yellow"),
                      soft_wrap=True)
    elif result.material is not None and result.material.scale < 1:
        m = result.material
        console.print(Text(f"本文读来不完全像某一单位自身的申报材料（判定概率 {m.probability:.2f}，自 {m.start:.2f} 起递减，"
                           f"至阈值 {m.threshold:.2f} 不计分）：各句判定可信度按 ×{m.scale:.2f} 计", style="yellow"),
                      soft_wrap=True)
    grade_style = result.grade_style
    console.print(
        Text.assemble(
            ("总分 ", ""), (f"{result.total:g}", "bold"), (f" / {result.max_total:g}  ", ""),
            (result.grade, grade_style),
            (f"   基础分 {result.base:g}/{result.max_base:g}  特色加分 {result.bonus.score:g}/{result.bonus.max:g}", "dim"),
        )
    )
    table = Table(show_lines=False, expand=False)
    table.add_column("维度")
    table.add_column("得分", justify="right")
    table.add_column("主要依据")
    for d in result.dimensions:
        best = max(d.criteria, key=lambda c: (c.score, len(c.evidence)))
        shown = best.shown(1)
        quote = shown[0].text if shown else "未见相关材料"
        table.add_row(f"{d.name}", f"{d.score:g}/{d.max:g}", Text(_short(quote)))
    console.print(table)
    for v in result.vetoes:
        console.print(Text.assemble(("一票否决 ", "bold red"), (f"{v.name}: ", "red"), _short(v.text, 80)))
    console.print()


@app.command(
    epilog=(
        "Examples:  civscore score report.docx  ·  civscore score seeds/*.txt --json > results.json  ·  "
        "civscore score report.pdf -o card.pdf  ·  civscore score drafts/* -o reports/ --rubric general  ·  "
        "civscore score - < report.txt"
    )
)
def score(
    files: Annotated[
        list[Path],
        typer.Argument(help="Report files (.txt .md .docx .pdf .html); - reads one from standard input.",
                       show_default=False),
    ],
    rubric: ChoosingRubricOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result model as JSON (a list for several files).")] = False,
    out: Annotated[
        Optional[Path],
        typer.Option("--out", "-o", help="Scorecards: a FILE.pdf for one report, else a folder (one PDF per report)."),
    ] = None,
    pdf: Annotated[Optional[Path], typer.Option("--pdf", help="Write the scorecard PDF here (one report).")] = None,
    pdf_dir: Annotated[
        Optional[Path], typer.Option("--pdf-dir", help="Write one scorecard PDF per report into this folder.")
    ] = None,
    max_size_mb: MaxSizeOpt = 20.0,
    watch: Annotated[
        bool, typer.Option("--watch", help="Score again whenever the rubric or a report changes (Ctrl-C stops).")
    ] = False,
    advice: Annotated[
        bool, typer.Option("--advice", help="After each table, the self-check advice of `civscore check`.")
    ] = False,
) -> None:
    """Score reports against the rubric and show the points, with the sentences that earned them."""
    pdf, pdf_dir = _out_option(files, out, pdf, pdf_dir)
    limit = max_bytes(max_size_mb)
    if watch:
        if STDIN in map(str, files):
            fail("usage.watch-stdin")
        from ..tuning.watch import rubric_target, watch as watch_loop

        startup_over()  # watching runs long
        watch_loop(
            rubric_target(rubric) + list(files),
            lambda: _score(files, rubric, as_json, pdf, pdf_dir, limit, advice),
            console=console_err,
            on_error=report_error,
        )
        return
    if not (pdf or pdf_dir):
        return _score(files, rubric, as_json, pdf, pdf_dir, limit, advice)
    from ..report import prewarm

    prewarm.start()  # WeasyPrint loads in a child while the engine loads and scores here
    try:
        _score(files, rubric, as_json, pdf, pdf_dir, limit, advice)
    finally:
        prewarm.stop()


def _score(files, rubric, as_json, pdf, pdf_dir, limit, advice) -> None:
    """`score` once: through the renderer child when one was started (--watch starts none: its
    long-lived process renders warm itself)."""
    stdin_data = _read_stdin(files, limit)
    scorer = load_scorer(rubric)
    # Every output is resolved and checked before any report is scored.
    targets, refused = _pdf_targets(files, pdf, pdf_dir, rubrics=scorer.rubric_paths())
    if pdf and refused:
        raise refused[files[0]]
    writer = None
    if targets:
        from ..report import prewarm

        writer = prewarm.writer()  # after the PDF environment check
    results: list[ScoreResult] = []
    failures: list[str] = []
    for i, path in enumerate(files):
        if i:
            startup_over()  # the first report ended start-up (scorer.cli.process)
        try:
            if path in refused:
                raise refused[path]
            if str(path) == STDIN:
                result = _score_stdin(scorer, stdin_data, limit)
            else:
                result = scorer.score_path(path, max_bytes=limit)
            if writer:
                writer(result, targets[path])
        except CivscoreError as e:
            failures.append(error_message(e))
            report_error(e)
            continue
        results.append(result)
        if not as_json:
            print_result(result)
            if advice:
                print_advice(advice_for(scorer, result))
            if writer:
                info(f"scorecard: {targets[path]}")
        detail(f"{printable(str(path))}: sha256 {result.submission.sha256[:12]}, rubric {result.rubric.id} "
               f"{result.rubric.version}")
    if as_json:
        from ..outputs import dumps_json

        payload = [r.model_dump(mode="json") for r in results]
        doc = payload[0] if len(files) == 1 and payload else payload
        text = dumps_json(doc, what=files[0] if len(files) == 1 else "--json", ensure_ascii=False, indent=1)
        sys.stdout.write(text + "\n")
    if failures:
        if len(files) > 1:
            console_err.print(Text(f"{len(failures)} of {len(files)} failed:", style="red"))
            for f in failures:
                console_err.print(Text(f"  {printable(f)}"), soft_wrap=True)
        raise typer.Exit(2)


def advice_for(scorer, result: ScoreResult, *, verify: int = 8):
    """The advice for one result, from the rubric that scored it (the chooser's choice too)."""
    from ..advice import advise
    from ..engine import Scorer, load_scorer

    own = scorer if isinstance(scorer, Scorer) else load_scorer(result.rubric.path, choose=False)
    return advise(result, own, verify=verify)


def print_advice(items, *, everything: bool = False) -> None:
    """Each criterion with points still to gain (all with `everything`), most points first."""
    shown = [a for a in items if everything or a.gain > 0]
    console.print(Text("自查建议：按可增分值从高到低", style="bold"))
    if not shown:
        console.print(Text("  各项均已得满分。", style="green"))
    for n, a in enumerate(shown, 1):
        console.print(Text.assemble(
            (f"{n:2d}. {a.dimension} › {a.name}", "bold"),
            (f"  {a.score:g}/{a.max:g} 分（{a.level}）", ""),
            (f"，可增 {a.gain:g} 分" if a.gain > 0 else "，已满分", "yellow" if a.gain > 0 else "green"),
        ), soft_wrap=True)
        if a.have:
            for q in a.have:
                console.print(Text.assemble(("    已有：", "green"), _short(q, 70)), soft_wrap=True)
        elif a.weak:
            for q in a.weak:
                console.print(Text.assemble(("    已有（可信度不足，未作引用）：", "yellow"), _short(q, 70)), soft_wrap=True)
            console.print(Text.assemble(("    ", ""), ("把这样的句子写具体（自己做了什么、次数、人数、结果），才能作为依据", "dim")),
                          soft_wrap=True)
        else:
            console.print(Text.assemble(("    已有：", "green"), ("未见能作为依据的句子", "dim")), soft_wrap=True)
        if a.missing:
            console.print(Text.assemble(("    缺少：", "red"), "；".join(a.missing)), soft_wrap=True)
        if a.hint:
            console.print(Text.assemble(("    怎么写：", "cyan"), a.hint), soft_wrap=True)
        if a.terms:
            console.print(Text.assemble(("    材料中还没有的说法：", "cyan"), "、".join(a.terms)), soft_wrap=True)
        if a.example:
            console.print(Text.assemble(("    例句（已验证：加入后本项得分提高）：", "cyan"), a.example), soft_wrap=True)
    console.print()


def _advice_json(result: ScoreResult, items) -> dict:
    return {
        "path": result.submission.path, "rubric": result.rubric.id, "total": result.total,
        "advice": [
            {"id": a.id, "name": a.name, "dimension": a.dimension, "score": a.score, "max": a.max,
             "gain": a.gain, "level": a.level, "have": a.have, "weak": a.weak, "missing": a.missing, "hint": a.hint,
             "terms": a.terms, "example": a.example, "verified": a.verified}
            for a in items
        ],
    }


@app.command(
    epilog="Examples:  civscore check draft.docx  ·  civscore check draft.txt --all  ·  civscore check draft.txt --json"
)
def check(
    files: Annotated[
        list[Path],
        typer.Argument(help="Draft files (.txt .md .docx .pdf .html); - reads one from standard input.",
                       show_default=False),
    ],
    rubric: ChoosingRubricOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the advice as JSON (a list for several files).")] = False,
    everything: Annotated[bool, typer.Option("--all", help="List the criteria already at full points too.")] = False,
    max_size_mb: MaxSizeOpt = 20.0,
) -> None:
    """Self-check a draft: for each criterion, what it already shows, what is missing and what
    kind of sentence would evidence it, with the criteria worth the most points first.

    An example sentence is offered only when civscore has checked that adding it to the draft
    raises that criterion."""
    limit = max_bytes(max_size_mb)
    stdin_data = _read_stdin(files, limit)
    scorer = load_scorer(rubric)
    payload, failures = [], 0
    for i, path in enumerate(files):
        if i:
            startup_over()  # the first report ended start-up (scorer.cli.process)
        try:
            result = _score_stdin(scorer, stdin_data, limit) if str(path) == STDIN else scorer.score_path(
                path, max_bytes=limit)
        except CivscoreError as e:
            failures += 1
            report_error(e)
            continue
        items = advice_for(scorer, result)
        if as_json:
            payload.append(_advice_json(result, items))
        else:
            print_result(result)
            print_advice(items, everything=everything)
    if as_json:
        from ..outputs import dumps_json

        doc = payload[0] if len(files) == 1 and payload else payload
        sys.stdout.write(dumps_json(doc, what=files[0] if len(files) == 1 else "--json", ensure_ascii=False,
                                    indent=1) + "\n")
    if failures:
        raise typer.Exit(2)


def _out_option(files, out, pdf, pdf_dir):
    """`--out/-o`: a .pdf file for one report, otherwise a folder; --pdf/--pdf-dir are its old spellings."""
    given = [n for n, v in (("--out", out), ("--pdf", pdf), ("--pdf-dir", pdf_dir)) if v is not None]
    if len(given) > 1:
        fail("usage.same-output", options=" and ".join(given))
    if out is not None:
        if out.suffix.lower() == ".pdf" and not out.is_dir():
            pdf = out
        else:
            pdf_dir = out
    if pdf and len(files) != 1:
        fail("usage.pdf-one-report", option="-o" if out is not None else "--pdf",
             several="-o FOLDER/" if out is not None else "--pdf-dir")
    return pdf, pdf_dir


def _read_stdin(files: list[Path], limit: int) -> bytes | None:
    if sum(1 for f in files if str(f) == STDIN) > 1:
        fail("usage.stdin-twice")
    if STDIN not in map(str, files):
        return None
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise InputError(STDIN_NAME, "input.stdin-too-large", limit=limit)
    return data


def _score_stdin(scorer, data: bytes, limit: int) -> ScoreResult:
    """Score bytes from standard input: ingest reads a file, so they go to a private temp file first."""
    with tempfile.TemporaryDirectory(prefix="civscore-stdin-") as tmp:
        path = Path(tmp) / "stdin"
        path.write_bytes(data)
        try:
            result = scorer.score_path(path, max_bytes=limit)
        except CivscoreError as e:
            raise InputError(STDIN_NAME, e.code, **e.fields) from None
    sub = result.submission.model_copy(update={"path": STDIN_NAME})
    return result.model_copy(update={"submission": sub})


def scorecard_names(files: list[Path]) -> dict[Path, str]:
    """Scorecard paths relative to --pdf-dir. Each keeps its path relative to the
    reports' common folder, so `a/report.txt` and `b/report.txt` give `a/report.pdf`
    and `b/report.pdf` (the rule `civscore batch` uses)."""
    from ..batch.discover import scorecard_names as names_for

    real = [f for f in files if str(f) != STDIN]
    out: dict[Path, str] = {}
    if real:
        absolute = [Path(os.path.abspath(f)) for f in real]
        root = Path(os.path.commonpath([str(a.parent) for a in absolute]))
        rels = [PurePosixPath(*a.relative_to(root).parts).as_posix() for a in absolute]
        out.update(zip(real, names_for(rels)))
    for f in files:
        if str(f) == STDIN:
            out[f] = "stdin.pdf"
    return out


def _pdf_targets(files: list[Path], pdf: Path | None, pdf_dir: Path | None, *, rubrics: list[Path]):
    """(report → scorecard path, report → the error that refuses its scorecard)."""
    from ..outputs import OutputGuard

    if pdf:
        wanted = {files[0]: pdf}
    elif pdf_dir:
        if pdf_dir.exists() and not pdf_dir.is_dir():
            raise OutputError(pdf_dir, "output.pdf-dir-is-file")
        wanted = {f: pdf_dir / name for f, name in scorecard_names(files).items()}
    else:
        return {}, {}
    guard = OutputGuard()
    guard.add_inputs(f for f in files if str(f) != STDIN)
    guard.add_inputs(rubrics)
    for f in files:
        if str(f) != STDIN:
            guard.add_intake(Path(f).parent)
    option = "--pdf" if pdf else "--pdf-dir"
    targets, refused = {}, {}
    for f, target in wanted.items():
        try:
            guard.add_output(target, option)
        except CivscoreError as e:
            refused[f] = e
        except OSError as e:
            refused[f] = OutputError(target, "output.check", option=option, reason=e.strerror or str(e))
        else:
            targets[f] = target
    return targets, refused


__all__ = ["advice_for", "app", "check", "load_scorer", "print_advice", "print_result", "score", "scorecard_names"]
