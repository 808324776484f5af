"""`civscore rubric …`: check (schema + lint) and show rubric files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from ..errors import RubricError, UsageProblem, printable
from .common import QUIET, VERBOSE, console, new_app, verbosity, warn

app = new_app(help="Check and inspect rubric files.", no_args_is_help=True)

_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


@app.command("check")
def rubric_check(
    file: Annotated[Path, typer.Argument(help="Rubric YAML file to check, or a bundled rubric's name (court, general).")],
    corpus: Annotated[
        Optional[Path],
        typer.Option(
            "--corpus",
            help="Folder of reports for the corpus rules (unreached criteria, unused synonyms). "
            "Default: the bundled seed reports, when present.",
        ),
    ] = None,
    no_corpus: Annotated[bool, typer.Option("--no-corpus", help="Skip the rules that need reports.")] = False,
    no_info: Annotated[
        bool, typer.Option("--no-info", help="Do not list info findings (the default; kept for old scripts).")
    ] = False,
) -> None:
    """Validate a rubric and lint it.

    Schema: unknown keys, points that add up, unique ids, patterns that compile.
    Lint: a keyword in two criteria, criteria no report reaches, synonyms that never
    occur, patterns that backtrack catastrophically. One line per error and warning,
    `file:line: severity: …`, then a one-line summary; info findings (synonyms the corpus
    never uses) are counted, and listed with -v; -q prints errors and the summary only.
    The corpus rules read only the reports of the rubric's own kind of unit (a court's
    report does not count against `general`). Exit 2 when any finding is an error.
    """
    from ..rubric import load_rubric
    from ..tuning import lint
    from ..tuning.corpus import default_corpus

    from ..engine import resolve_rubric

    shown = str(file)
    try:
        # `rubric show court` and `rubric check court` name the shipped rubric alike.
        file = resolve_rubric(file)
        shown = str(file)
        loaded = load_rubric(file)
    except RubricError as e:
        findings = lint.schema_findings(e, file, shown)
        for f in findings:
            _print_finding(f)
        c = lint.counts(findings)
        console.print(Text(printable(f"{shown}: {c['error']} error{'s' if c['error'] != 1 else ''}: "
                                     "the rubric does not load")), soft_wrap=True)
        raise typer.Exit(2)

    corpus_dir = None if no_corpus else (corpus or default_corpus())
    stats = None
    note = "no corpus"
    if corpus_dir is not None:
        if not corpus_dir.is_dir():
            raise UsageProblem(corpus_dir, "usage.no-folder")
        try:
            stats, failures = lint.corpus_stats(loaded, corpus_dir)
        except RubricError:
            # It loads but does not compile (an unsafe pattern): the lint rules below
            # say why, with the line; the rules that need the corpus are skipped.
            note = "corpus not scored: the rubric does not compile"
        else:
            for fail_line in failures:
                warn("skipped", fail_line)
            note = f"corpus: {stats.reports} reports in {corpus_dir}"
            if stats.other_kind:
                note += (f"; {stats.other_kind} of another kind of unit left out"
                         + (f" (this rubric serves {stats.kind})" if stats.kind else ""))
    findings = lint.run_rules(lint.LintContext(loaded, shown, stats))
    level = verbosity()
    shown_severities = {"error"} if level <= QUIET else {"error", "warning", "info"} if level >= VERBOSE else {"error", "warning"}
    if no_info:
        shown_severities.discard("info")
    for f in findings:
        if f.severity in shown_severities:
            _print_finding(f)
    c = lint.counts(findings)
    r = loaded.rubric
    n = sum(len(d.criteria) for d in r.dimensions)
    verdict = "ok" if c["error"] == 0 else "FAILED"
    console.print(
        Text(printable(
            f"{shown}: {verdict} — {r.id} {r.version}, {len(r.dimensions)} dimensions, {n} criteria, "
            f"{r.total:g} points + {r.bonus.max:g} bonus, {len(r.vetoes)} veto items; "
            f"{c['error']} errors, {c['warning']} warnings, {c['info']} info ({note})"
            + ("" if "info" in shown_severities or not c["info"] else "; -v lists the info")
        )),
        soft_wrap=True,
    )
    if c["error"]:
        raise typer.Exit(2)


def _print_finding(f) -> None:
    line = Text(printable(str(f)))
    start = len(printable(f"{f.path}:{f.line}: "))
    line.stylize(_STYLE[f.severity], start, start + len(f.severity))
    console.print(line, soft_wrap=True)


@app.command("show")
def rubric_show(
    file: Annotated[str, typer.Argument(help="Rubric YAML file, or a bundled rubric's name (court, general).")],
) -> None:
    """Show a rubric as a table: dimension, criterion, points, what earns them and how they are matched."""
    from ..engine import resolve_rubric
    from ..rubric import load_rubric
    from ..tuning.show import mark_lines, phrase_set_lines, provenance, rubric_rows

    loaded = load_rubric(resolve_rubric(file))  # a RubricError goes to the one error handler
    r = loaded.rubric
    console.print(Text.assemble((r.title, "bold"), f"  {r.id} {r.version}", style=""))
    console.print(
        Text(
            f"{r.total:g} points in {len(r.dimensions)} dimensions, {r.bonus.name} up to {r.bonus.max:g}, "
            f"{len(r.vetoes)} veto items; levels "
            + " / ".join(f"{lv.id} {lv.share:.0%}" for lv in r.levels),
            style="dim",
        )
    )
    table = Table(show_lines=True, expand=True)
    table.add_column("维度", ratio=2, overflow="fold")
    table.add_column("指标", ratio=2, overflow="fold")
    table.add_column("分值", justify="right", no_wrap=True)
    table.add_column("满分标准", ratio=5, overflow="fold")
    table.add_column("匹配规则", ratio=5, overflow="fold")
    from ..engine import load_scorer
    from ..tuning.show import judge_lines

    scorer = load_scorer(loaded.path, choose=False)
    for section, dim, crit, points, full, matchers in rubric_rows(r, scorer.compiled.veto_head is not None):
        style = {"bonus": "green", "veto": "red"}.get(section, "")
        table.add_row(Text(dim, style="bold"), Text(crit, style=style), points, Text(full), Text(matchers, style="dim"))
    console.print(table)
    console.print(Text("Sentence judge (decides which sentence evidences which item):", style="bold"))
    for line in judge_lines(scorer):
        console.print(Text(printable(f"  • {line}")), soft_wrap=True)
    if len(loaded.chain) > 1:
        # The merged rubric above; here, which file each part comes from.
        console.print(Text("Where each part comes from (the rubric extends "
                           + " → ".join(printable(str(p)) for p in loaded.chain[1:]) + "):", style="bold"))
        for i, (where, parts) in enumerate(provenance(loaded)):
            own = " (own)" if where == str(loaded.path) else " (base)"
            console.print(Text(printable(f"  {where}{own}: ") + printable("; ".join(parts))), soft_wrap=True)
    sets = phrase_set_lines(loaded)
    if sets:
        console.print(Text("Phrase sets (named once; a matcher uses one in unless_sentence_sets, or as "
                           "{set: name} in a term or phrase list; judge.veto_unless may name one too):", style="bold"))
        for line in sets:
            console.print(Text(printable(f"  • {line}")), soft_wrap=True)
    marks = mark_lines(r)
    if marks:
        console.print(Text("Sentences marked on a quote (shown last among an item's quotes):", style="bold"))
        for line in marks:
            console.print(Text(f"  • {line}"))
