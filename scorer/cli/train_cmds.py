"""`civscore train`: rebuild a rubric's sentence judge from annotations and reviewed rounds."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from .common import console, info, new_app

app = new_app()


@app.command("train")
def train_cmd(
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="The rubric whose judge to train (file or bundled name).")] = "court",
    annotations: Annotated[
        Optional[list[Path]], typer.Option("--annotations", help="An annotation folder: sentences.tsv, "
                           "labels/<annotator>/*.tsv, adjudication.tsv (eval/ANNOTATION.md says how they are made). "
                           "Repeat it to train on several annotated rounds. Default: eval/annotation.")
    ] = None,
    from_reviews: Annotated[
        Optional[Path], typer.Option("--from-reviews", help="Also learn from the reviewers' decisions in this workbench "
                                     "folder: a struck quote is a negative, an added quote a positive.")
    ] = None,
    out: Annotated[
        Optional[Path], typer.Option("--out", "-o", help="Where to write the judge. Default: the file the rubric's "
                                     "judge.file names, beside the rubric.")
    ] = None,
    root: Annotated[Path, typer.Option("--root", help="The folder the annotated texts' paths start from.")] = Path("."),
    vetoes: Annotated[
        Optional[list[Path]], typer.Option("--vetoes", help="A veto set: sentences.tsv and labels_A/B/C.tsv of real "
                           "sentences labelled blind (eval/vetoes/COLLECTION.md). Repeat it for several. Default: every "
                           "eval/vetoes* folder under --root. The veto judgement is trained from these and the "
                           "annotation's veto column.")
    ] = None,
) -> None:
    """Train the rubric's sentence judge, print its cross-validated figures, and write it.

    Cross-validation is grouped by text, and each seed is left out in turn. A judge trained
    on too few annotated texts or evidence pairs is refused (exit 2). The same annotations
    and rubric give a byte-identical file, which records the hash of its training data and
    of the rubric; every result and scorecard shows both.

    Example: civscore train --rubric court   (writes rubric/court.judge)
    """
    from ..engine import load_scorer, resolve_rubric
    from ..errors import UsageProblem
    from ..judge.train import reviews_from, train
    from ..judge.veto import missing_columns
    from ..outputs import check_outputs, write_bytes
    from ..rubric import load_rubric
    from ..score import CompiledRubric

    try:
        import sklearn  # noqa: F401  (training only: scoring never imports it)
    except ImportError:
        raise UsageProblem(None, "usage.needs-sklearn") from None
    loaded = load_rubric(resolve_rubric(rubric))
    if loaded.rubric.judge is None and out is None:
        raise UsageProblem(loaded.path, "usage.no-judge-block")
    target = out or loaded.path.parent / loaded.rubric.judge.file
    check_outputs([(target, "--out")], inputs=[loaded.path])
    annotations = annotations or [Path("eval/annotation")]
    for folder in annotations:
        if not (folder / "sentences.tsv").is_file():
            raise UsageProblem(folder, "usage.no-sentences")

    if vetoes is None:
        veto_sets = sorted(p for p in (root / "eval").glob("vetoes*") if (p / "sentences.tsv").is_file())
    else:
        veto_sets = list(vetoes)
        for folder in veto_sets:
            if not (folder / "sentences.tsv").is_file() or not (folder / "labels_A.tsv").is_file():
                raise UsageProblem(folder, "usage.no-veto-set")
    for folder in veto_sets:  # checked before the minutes of training, not after
        bad = missing_columns(folder)
        if bad is not None:
            raise UsageProblem(bad[0], "usage.veto-set-columns", columns=", ".join(bad[1]))

    # The kinds of unit the bundled rubrics claim: whose unit a veto set's row is about.
    claimed = [r.rubric.applies_to for r in load_scorer().loaded_rubrics
               if r.rubric.applies_to is not None and not r.rubric.applies_to.fallback]

    class _Trainee:  # what training reads of a scorer: the rubric compiled without its old judge
        pass

    trainee = _Trainee()
    trainee.loaded, trainee.rubric = loaded, loaded.rubric
    trainee.compiled = CompiledRubric(loaded, with_judge=False)
    reviews = None
    if from_reviews is not None:
        reviews = [r for r in reviews_from(from_reviews) if r["rubric"] == loaded.rubric.id]
        info(f"{len(reviews)} reviewed items of rubric {loaded.rubric.id} in {from_reviews}")
    with console.status(f"training the {loaded.rubric.id} judge (cross-validated by text) …"):
        model, figures = train(trainee, annotations, root, reviews=reviews, veto_sets=veto_sets, claimed=claimed)
    table = Table(title=f"{model.meta['version']}: cross-validated figures", show_header=True)
    table.add_column("figure")
    table.add_column("value", justify="right")
    for k, v in figures.items():
        table.add_row(k, f"{v:.3f}" if isinstance(v, float) else str(v))
    console.print(table)
    if model.meta.get("veto_left_out"):
        console.print(f"the veto judgement is left out, the rules decide alone: {model.meta['veto_left_out']}")
    if model.meta.get("material_left_out"):
        console.print(f"the material judgement is left out: {model.meta['material_left_out']}")
    write_bytes(target, model.to_bytes())
    console.print(f"wrote {target} (training data {model.meta['training_sha256'][:12]}, rubric {loaded.sha256[:12]})")
