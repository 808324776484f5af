"""`civscore diff`, `suggest`, `calibrate`: tune a rubric against a folder of reports."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from ..errors import InputError, printable
from .common import RubricOpt, console, console_err, fail, info, new_app, report_error, warn

app = new_app()

DirArg = Annotated[Path, typer.Argument(help="Folder of reports (or one report).", show_default=False)]
OptDirArg = Annotated[Optional[Path], typer.Argument(help="Folder of reports (or one report).", show_default=False)]
FromReviewsOpt = Annotated[
    Optional[Path],
    typer.Option("--from-reviews", help="Use the reviewers' decisions in this workbench database (results.sqlite or "
                 "the serve --data folder) instead of REPORTS and --labels."),
]


def _load(rubric: str | Path | None):
    """A scorer for this rubric, loaded afresh (not from the process cache)."""
    from ..engine import load_scorer

    return load_scorer(rubric, choose=False, fresh=True)  # a RubricError goes to the one error handler


def _read(folder: Path):
    from ..tuning.corpus import read_corpus

    corpus = read_corpus(folder)
    for line in corpus.failures:
        warn("skipped", line)
    if not len(corpus):
        raise InputError(folder, "input.none-readable")
    return corpus


def _guard(outputs, inputs, intakes=()):
    """Check every output before any work: none replaces an input or a file civscore did not write."""
    from ..outputs import check_outputs

    return check_outputs([(p, opt) for p, opt in outputs if p is not None], inputs=inputs, intakes=intakes)


def _input_files(*paths) -> list[Path]:
    from ..tuning.corpus import find_reports_in

    out: list[Path] = []
    for p in paths:
        if p is None:
            continue
        p = Path(p)
        out.extend(find_reports_in(p) if p.is_dir() else [p])
    return out


def _short(text: str, n: int = 70) -> str:
    text = text.replace("\n", " ")
    return text if len(text) <= n else text[: n - 1] + "…"


def _signed(x: float) -> str:
    return "±0" if abs(x) < 1e-9 else f"{x:+g}"


# -- diff -----------------------------------------------------------------------


@app.command("diff")
def diff_cmd(
    base: Annotated[str, typer.Option("--base", help="The rubric before the edit (file or bundled name).")],
    reports: OptDirArg = None,
    rubric: RubricOpt = None,
    out: Annotated[
        Optional[Path],
        typer.Option("--out", "-o", help="Also write the changes to this file: Markdown for .md, else CSV."),
    ] = None,
    csv_out: Annotated[Optional[Path], typer.Option("--csv", help="Also write the changes as CSV here.")] = None,
    markdown: Annotated[Optional[Path], typer.Option("--markdown", help="Also write the changes as Markdown here.")] = None,
    watch: Annotated[
        bool, typer.Option("--watch", help="Run again whenever either rubric or a report changes (Ctrl-C stops).")
    ] = False,
    from_reviews: FromReviewsOpt = None,
) -> None:
    """Show what a rubric edit does to every report: totals, dimensions, criteria, evidence gained and lost."""
    if from_reviews is not None:
        if watch or out is not None or csv_out is not None or markdown is not None:
            fail("usage.from-reviews-only")
        return _diff_reviews(from_reviews, _load(base), _load(rubric))
    if reports is None:
        fail("usage.diff-source")
    if out is not None:
        if out.suffix.lower() in (".md", ".markdown"):
            markdown = markdown or out
        else:
            csv_out = csv_out or out
    if watch:
        from ..tuning.watch import rubric_target, watch as watch_loop

        targets = rubric_target(base) + rubric_target(rubric) + [reports]
        watch_loop(
            targets,
            lambda: diff_cmd(reports=reports, base=base, rubric=rubric, out=None, csv_out=csv_out,
                             markdown=markdown),
            console=console_err,
            on_error=report_error,
        )
        return
    from ..outputs import write_text
    from ..tuning.diff import diff_corpus, to_csv, to_markdown

    old = _load(base)
    new = _load(rubric)
    _guard([(csv_out, "--csv"), (markdown, "--markdown")],
           inputs=[old.loaded.path, new.loaded.path, *_input_files(reports)],
           intakes=[reports if reports.is_dir() else reports.parent])
    corpus = _read(reports)
    root = reports if reports.is_dir() else reports.parent
    diffs = diff_corpus(old, new, corpus, root)
    print_diff(diffs, old.loaded.path, new.loaded.path)
    from ..tuning.show import judge_lines

    for label, s in (("before", old), ("after", new)):
        console.print(Text(f"sentence judge {label}:", style="bold"))
        for line in judge_lines(s):
            console.print(Text(printable(f"  • {line}")), soft_wrap=True)
    if csv_out:
        write_text(csv_out, to_csv(diffs))
        info(f"csv: {csv_out}")
    if markdown:
        write_text(markdown, to_markdown(diffs, str(old.loaded.path), str(new.loaded.path)))
        info(f"markdown: {markdown}")


def print_diff(diffs, base_path, new_path) -> None:
    changed = [d for d in diffs if d.changed]
    console.print(Text.assemble(("rubric diff ", "bold"), printable(f"{base_path} → {new_path}")), soft_wrap=True)
    if diffs:
        dims = [(dim.id, dim.name) for dim in diffs[0].dimensions]
        table = Table(expand=False)
        table.add_column("报告", no_wrap=True, overflow="ellipsis", max_width=18)
        table.add_column("总分", justify="right", no_wrap=True)
        table.add_column("Δ", justify="right", no_wrap=True)
        for did, _ in dims:
            table.add_column(did.lstrip("+"), justify="right", overflow="fold", min_width=4)
        for d in diffs:
            by_id = {dim.id: dim for dim in d.dimensions}
            cells = []
            for did, _ in dims:
                dim = by_id.get(did)
                if dim is None:
                    cells.append("")
                elif abs(dim.delta) < 1e-9:
                    cells.append(Text(f"{dim.after:g}", style="dim"))
                else:
                    cells.append(Text(f"{dim.before:g}→{dim.after:g}", style="green" if dim.delta > 0 else "red"))
            style = "" if d.changed else "dim"
            delta_style = "green" if d.delta > 0 else ("red" if d.delta < 0 else "dim")
            table.add_row(
                Text(printable(d.name), style=style), Text(f"{d.total_before:g}→{d.total_after:g}", style=style),
                Text(_signed(d.delta), style=delta_style), *cells,
            )
        console.print(table)
    for d in changed:
        head = f"{printable(d.name)}: {d.total_before:g} → {d.total_after:g} ({_signed(d.delta)})"
        if d.grade_before != d.grade_after:
            head += f", {d.grade_before} → {d.grade_after}"
        console.print(Text(head, style="bold"))
        for c in d.criteria:
            console.print(
                Text.assemble(
                    "  ", (c.id, "bold"), f" {c.name}: {c.before:g} → {c.after:g} ",
                    (f"({_signed(c.delta)})", "green" if c.delta > 0 else ("red" if c.delta < 0 else "dim")),
                    f" level {c.level_before}→{c.level_after}",
                )
            )
            room = max(20, (console.width - 8) // 2)  # Chinese characters are two columns wide
            for s in c.gained:
                console.print(Text.assemble(("    + ", "green"), _short(s, room)), no_wrap=True)
            for s in c.lost:
                console.print(Text.assemble(("    − ", "red"), _short(s, room)), no_wrap=True)
    moved = [d.delta for d in diffs]
    console.print(
        Text(
            f"{len(diffs)} report{'s' if len(diffs) != 1 else ''}, {len(changed)} changed"
            + (f"; total Δ from {min(moved):+g} to {max(moved):+g}" if changed else "; no score or evidence changed"),
            style="dim",
        )
    )


# -- suggest --------------------------------------------------------------------


@app.command("suggest")
def suggest_cmd(
    reports: DirArg,
    rubric: RubricOpt = None,
    dimension: Annotated[
        Optional[str],
        typer.Option("--dimension", "-d", help="Only sentences that already carry evidence for this dimension (its id)."),
    ] = None,
    top: Annotated[int, typer.Option("--top", "-n", min=1, help="How many candidates to show.")] = 20,
    min_count: Annotated[int, typer.Option("--min-count", min=1, help="Ignore words seen fewer times.")] = 2,
) -> None:
    """Suggest terms the rubric does not cover yet (jieba TF-IDF and TextRank over the reports)."""
    from ..tuning import suggest as sg
    from ..tuning.corpus import display_name

    scorer = _load(rubric)
    r = scorer.rubric
    if dimension is not None and dimension not in {d.id for d in r.dimensions}:
        fail("usage.no-dimension", r.id, dimension=dimension, dimensions=", ".join(d.id for d in r.dimensions))
    corpus = _read(reports)
    root = reports if reports.is_dir() else reports.parent
    names = [display_name(p, root) for p in corpus.paths]
    if dimension is None:
        scope = sg.whole_reports([(n, d.text) for n, d in zip(names, corpus.documents)])
        where = f"{len(corpus)} reports"
    else:
        results = [(n, scorer.score_document(d)) for n, d in zip(names, corpus.documents)]
        scope = sg.evidence_sentences(results, dimension)
        where = f"{len(scope.sentences)} evidence sentences of {dimension} in {len(corpus)} reports"
    found = sg.suggest(scope, sg.rubric_vocabulary(r), top=top, min_count=min_count)
    console.print(Text.assemble(("candidate terms ", "bold"), f"not in {r.id} {r.version}, from {where}"))
    if not found:
        console.print(Text("no candidates (every frequent word is already covered, or the scope is empty)", style="dim"))
        return
    width = max(len(c.term) for c in found)
    for i, c in enumerate(found, 1):
        console.print(
            Text.assemble(
                f"{i:>3}. ", (c.term, "bold"), "　" * (width - len(c.term)),
                (f"  score {c.score:.2f} · {c.count}× in {c.reports} report{'s' if c.reports != 1 else ''} · "
                 f"{'+'.join(c.methods)}", "dim"),
            ),
            soft_wrap=True,
        )
        for e in c.examples:
            line = Text("       · " + e)
            line.highlight_words([c.term], style="bold yellow")
            console.print(line, soft_wrap=True)


# -- calibrate ------------------------------------------------------------------


def _fmt_stat(x: float, digits: int = 3) -> str:
    import math

    return "n/a" if x is None or math.isnan(x) else f"{x:.{digits}f}"


@app.command("calibrate")
def calibrate_cmd(
    reports: OptDirArg = None,
    labels: Annotated[
        Optional[Path], typer.Option("--labels", help="CSV with columns file,total and optionally one per dimension id.")
    ] = None,
    rubric: RubricOpt = None,
    top: Annotated[int, typer.Option("--top", "-n", min=0, help="How many disagreeing reports to show.")] = 3,
    fit: Annotated[
        Optional[Path],
        typer.Option("--fit", "--out", "-o", help="Fit criterion points to the labels and write the rubric here."),
    ] = None,
    ridge: Annotated[
        float, typer.Option("--ridge", min=0.0, help="How strongly the fit keeps points the labels cannot tell apart.")
    ] = 0.05,
    from_reviews: FromReviewsOpt = None,
    allow_few_labels: Annotated[
        bool, typer.Option("--allow-few-labels", help="Fit even with fewer labels than criterion points (prints a "
                           "warning; the out-of-sample figures say what such a fit is worth).")
    ] = False,
) -> None:
    """Compare the tool's scores with reviewers' (Spearman, Kendall, mean absolute error); optionally fit the points.

    --fit is judged out of sample (leave-one-out) and refused when there are fewer labels (totals
    and dimension scores) than the criterion points it would fit, unless --allow-few-labels.
    With --from-reviews each reviewed submission is compared with the rubric it was reviewed
    with (--rubric: only the submissions reviewed with that rubric's id)."""
    from ..tuning import calibrate as cal
    from ..tuning.corpus import display_name

    if from_reviews is not None:
        return _calibrate_from_reviews(from_reviews, rubric, top=top, fit=fit, ridge=ridge, allow=allow_few_labels)
    scorer = _load(rubric)
    if reports is None or labels is None:
        fail("usage.calibrate-source")
    r = scorer.rubric
    if fit is not None:
        _guard([(fit, "--fit")], inputs=[scorer.loaded.path, labels, *_input_files(reports)],
               intakes=[reports if reports.is_dir() else reports.parent])
    lab = cal.read_labels(labels, [d.id for d in r.dimensions])
    corpus = _read(reports)
    root = reports if reports.is_dir() else reports.parent
    names = [display_name(p, root) for p in corpus.paths]
    docs = dict(zip(names, corpus.documents))
    matched, unmatched = cal.match_reports(lab, names)
    for key in unmatched:
        warn("skipped", f"{labels}: {key}: no such report in {reports}")
    if not matched:
        raise InputError(labels, "input.labels-no-report", folder=str(reports))
    if fit is not None:
        _enough_labels(labels, sum(len(lab.rows[k]) for k in matched), r, allow_few_labels)
    pairs = [cal.Pair(name, scorer.score_document(docs[name]), lab.rows[key]) for key, name in matched.items()]
    console.print(
        Text.assemble(
            ("calibration ", "bold"), printable(f"{r.id} {r.version} against {labels}: {len(pairs)} labelled reports"),
            (f", {len(names) - len(pairs)} without labels" if len(names) > len(pairs) else "", "dim"),
        )
    )
    table = Table(expand=False)
    for col, just in (("", "left"), ("n", "right"), ("Spearman", "right"), ("Kendall", "right"), ("MAE", "right"),
                      ("tool − label", "right")):
        table.add_column(col, justify=just)
    for a in cal.agreements(pairs, lab.columns):
        table.add_row(a.column, str(a.n), _fmt_stat(a.spearman), _fmt_stat(a.kendall), _fmt_stat(a.mae, 2),
                      _fmt_stat(a.bias, 2))
    console.print(table)
    worst = cal.disagreements(pairs, top)
    if worst:
        console.print(Text("where the tool and the reviewers disagree most", style="bold"))
    for w in worst:
        print_disagreement(w, lab.columns)
    if fit is not None:
        _fit(scorer, pairs, fit, labels, ridge)


def print_disagreement(w, columns) -> None:
    res = w.pair.result
    console.print(
        Text.assemble(
            (printable(w.pair.name), "bold"), f": tool {w.tool:g} vs reviewers {w.label:g} ",
            (f"({w.gap:+.1f})", "red" if w.gap < 0 else "green"), f", rank {w.rank_tool} vs {w.rank_label}",
        ),
        soft_wrap=True,
    )
    for d in res.dimensions:
        label = w.pair.labels.get(d.id)
        head = f"  {d.id} {d.score:g}/{d.max:g}" + (f" (reviewers {label:g})" if label is not None else "")
        best = sorted((c for c in d.criteria if c.evidence), key=lambda c: -c.score)
        quote = f"「{_short(best[0].evidence[0].text, 60)}」 {best[0].id}" if best else "no evidence"
        console.print(Text.assemble((head, "bold" if label is not None else ""), " ", (quote, "dim")), soft_wrap=True)
        empty = [c.name for c in d.criteria if c.score == 0]
        if empty:
            console.print(Text(f"      nothing found for: {'、'.join(empty)}", style="dim"), soft_wrap=True)


def _enough_labels(source: Path, n_labels: int, r, allow: bool) -> None:
    """A fit needs at least as many labels as the points it fits, or an explicit --allow-few-labels."""
    from ..tuning import calibrate as cal

    n_points = len(cal.criterion_ids(r))
    if n_labels >= n_points:
        return
    what = f"{n_labels} label{'s' if n_labels != 1 else ''} for {n_points} criterion points of {r.id}"
    if not allow:
        fail("usage.too-few-labels", source, labels=n_labels, plural="s" if n_labels != 1 else "", points=n_points,
             rubric=r.id)
    warn("warning", f"{source}: {what}: the fit is underdetermined; its in-sample gain means nothing, "
                    "read the out-of-sample (leave-one-out) figures")


def _fit(scorer, pairs, out: Path, labels: Path, ridge: float) -> None:
    from datetime import date

    from ..tuning import calibrate as cal

    result = cal.fit_points(scorer.rubric, pairs, ridge=ridge)
    r = scorer.rubric
    table = Table(title="fitted points", expand=False)
    table.add_column("criterion")
    table.add_column("now", justify="right")
    table.add_column("fitted", justify="right")
    table.add_column("Δ", justify="right")
    for cid in result.ids:
        delta = result.new[cid] - result.old[cid]
        style = "green" if delta > 0 else ("red" if delta < 0 else "dim")
        table.add_row(cid, f"{result.old[cid]:g}", f"{result.new[cid]:g}", Text(_signed(delta), style=style))
    console.print(table)
    for note in result.notes:
        console.print(Text(f"note: {note}", style="yellow"), soft_wrap=True)
    hb, ha = result.held_out_before, result.held_out_after
    if hb is not None and ha is not None:
        console.print(
            f"total, out of sample (leave-one-out over {ha.n} reports: each total predicted by points fitted "
            f"without it): Spearman {_fmt_stat(hb.spearman)} → {_fmt_stat(ha.spearman)}, "
            f"MAE {_fmt_stat(hb.mae, 2)} → {_fmt_stat(ha.mae, 2)} (current → fitted points)",
            soft_wrap=True,
        )
        if ha.mae > hb.mae:
            console.print(Text("the fitted points predict held-out totals worse than the current points",
                               style="yellow"), soft_wrap=True)
    else:
        console.print(Text("total, out of sample: n/a (fewer than 3 labelled totals to leave out); the in-sample "
                           "figures below cannot tell a fit from an overfit", style="yellow"), soft_wrap=True)
    console.print(
        Text(f"total, in sample (the labels the fit saw, optimistic): Spearman {_fmt_stat(result.before.spearman)} → "
             f"{_fmt_stat(result.after.spearman)}, MAE {_fmt_stat(result.before.mae, 2)} → "
             f"{_fmt_stat(result.after.mae, 2)}", style="dim"),
        soft_wrap=True,
    )
    header = (
        f"Points fitted by `civscore calibrate --fit` on {date.today().isoformat()} to {labels.name} "
        f"({len(pairs)} reports, {result.rows} labels, ridge {ridge:g});\nbased on {r.id} {r.version} "
        f"(sha256 {scorer.loaded.sha256[:12]}). Only the points changed."
    )
    cal.write_fitted(scorer.loaded, out, result, header)
    console.print(Text(printable(f"fitted rubric: {out}"), style="bold"), soft_wrap=True)


# -- the workbench's reviews as labels (calibrate --from-reviews, diff --from-reviews) ---------


def _reviewed(db: Path):
    from ..web.loop import reviewed_submissions

    subs = reviewed_submissions(db)  # an InputError (no database there) goes to the one error handler
    if not subs:
        fail("usage.no-reviews", db=str(db))
    return subs


def _reviewed_with(db: Path, subs, rubric_id: str):
    """The submissions reviewed with this rubric (by id); the others are compared with nothing."""
    mine = [s for s in subs if s.machine.rubric.id == rubric_id]
    others: dict[str, int] = {}
    for s in subs:
        if s.machine.rubric.id != rubric_id:
            others[s.machine.rubric.id] = others.get(s.machine.rubric.id, 0) + 1
    for rid, n in others.items():
        warn("skipped", f"{db}: {n} submission{'s' if n != 1 else ''} reviewed with rubric {rid}, "
                        f"not {rubric_id} (name it with --rubric {rid})")
    if not mine:
        fail("usage.no-reviews-for-rubric", db, rubric=rubric_id, others=", ".join(sorted(others)))
    return mine


def _calibrate_from_reviews(db: Path, rubric: str | None, *, top: int, fit: Path | None, ridge: float,
                            allow: bool) -> None:
    """Each reviewed submission against the rubric it was reviewed with: one comparison per
    rubric, or (--rubric) only the submissions reviewed with that rubric's id."""
    from ..web import loop

    if rubric is not None:
        scorer = _load(rubric)
        if fit is not None:
            _guard([(fit, "--fit")], inputs=[scorer.loaded.path, loop.db_path(db)])
        groups = [(scorer, _reviewed_with(db, _reviewed(db), scorer.rubric.id))]
    else:
        subs = _reviewed(db)
        by_rubric: dict[str, list] = {}
        for s in subs:
            by_rubric.setdefault(s.machine.rubric.id, []).append(s)
        if fit is not None and len(by_rubric) > 1:
            fail("usage.fit-one-rubric", db=str(db), rubrics=", ".join(sorted(by_rubric)))
        groups = [(_load(loop.rubric_ref(group[0])), group) for group in by_rubric.values()]
        if fit is not None:
            _guard([(fit, "--fit")], inputs=[groups[0][0].loaded.path, loop.db_path(db)])
    for scorer, subs in groups:
        _calibrate_reviewed(db, scorer, subs, top=top, fit=fit, ridge=ridge, allow=allow)


def _calibrate_reviewed(db: Path, scorer, subs, *, top: int, fit: Path | None, ridge: float, allow: bool) -> None:
    from ..tuning import calibrate as cal
    from ..web import loop

    r = scorer.rubric
    columns = ["total"] + [d.id for d in r.dimensions]
    labels = [{k: v for k, v in loop.labels_of(s).items() if k in columns} for s in subs]
    if fit is not None:
        _enough_labels(Path(db), sum(len(x) for x in labels), r, allow)
    results = loop.rescore(scorer, subs)
    pairs = [cal.Pair(s.name, res, lab) for s, res, lab in zip(subs, results, labels)]
    console.print(Text.assemble(("calibration ", "bold"), printable(
        f"{r.id} {r.version} against reviewers' decisions in {db}: {len(pairs)} reviewed submissions "
        f"(those reviewed with {r.id})")),
        soft_wrap=True)
    table = Table(expand=False)
    for col, just in (("", "left"), ("n", "right"), ("Spearman", "right"), ("Kendall", "right"), ("MAE", "right"),
                      ("tool − reviewers", "right")):
        table.add_column(col, justify=just)
    for a in cal.agreements(pairs, columns):
        table.add_row(a.column, str(a.n), _fmt_stat(a.spearman), _fmt_stat(a.kendall), _fmt_stat(a.mae, 2),
                      _fmt_stat(a.bias, 2))
    console.print(table)
    order = {lv.id: i for i, lv in enumerate(r.levels)}
    crits = loop.criterion_agreement(subs, results, order)
    hit, n = loop.level_hits(results, subs)
    ct = Table(title=f"criterion levels: the rubric agrees with the reviewers on {hit} of {n}", expand=False)
    for col, just in (("criterion", "left"), ("n", "right"), ("same", "right"), ("lowered", "right"),
                      ("raised", "right")):
        ct.add_column(col, justify=just, overflow="fold")
    moved = [a for a in crits if a.same != a.n]
    for a in moved:
        ct.add_row(Text(printable(f"{a.id} {a.name}")), str(a.n), str(a.same), str(a.lowered), str(a.raised))
    console.print(ct)
    # the reasons on lines of their own: a table cell would break a sentence mid-word
    for a in moved:
        if a.reasons:
            console.print(Text.assemble(("reviewers' reasons ", "dim"), printable(f"{a.id}: " + "；".join(a.reasons[:3]))),
                          soft_wrap=True)
    worst = cal.disagreements(pairs, top)
    if worst:
        console.print(Text("where the tool and the reviewers disagree most", style="bold"))
    for w in worst:
        print_disagreement(w, columns)
    if fit is not None:
        _fit(scorer, pairs, fit, Path(db), ridge)


def _diff_reviews(db: Path, old, new) -> None:
    from ..web import loop

    subs = _reviewed_with(db, _reviewed(db), old.rubric.id)  # reviews made with the base rubric only
    before, after = loop.rescore(old, subs), loop.rescore(new, subs)
    console.print(Text.assemble(("rubric diff on the reviewed round ", "bold"), printable(
        f"{old.loaded.path} → {new.loaded.path}: {len(subs)} reviewed submissions")), soft_wrap=True)
    table = Table(expand=False)
    for col, just in (("报告", "left"), ("评审认定", "right"), ("基准", "right"), ("新标准", "right"),
                      ("与评审差距", "right")):
        table.add_column(col, justify=just)
    for s, b, a in sorted(zip(subs, before, after), key=lambda t: -abs(t[2].total - t[1].total)):
        gap_b, gap_a = abs(b.total - s.review.total), abs(a.total - s.review.total)
        style = "green" if gap_a < gap_b - 1e-9 else ("red" if gap_a > gap_b + 1e-9 else "dim")
        table.add_row(Text(printable(s.name)), f"{s.review.total:g}", f"{b.total:g}", f"{a.total:g}",
                      Text(f"{gap_b:.1f} → {gap_a:.1f}", style=style))
    console.print(table)
    hb, n = loop.level_hits(before, subs)
    ha, _ = loop.level_hits(after, subs)
    console.print(
        f"mean |total − reviewed total|: {loop.mean_gap(before, subs):.2f} → {loop.mean_gap(after, subs):.2f}; "
        f"criterion levels as the reviewers set them: {hb}/{n} → {ha}/{n}"
    )
