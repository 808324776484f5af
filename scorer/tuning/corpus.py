"""A corpus: the reports in a folder, read once, scored by one or more rubrics."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ..errors import CivscoreError, InputError
from ..messages import language
from ..ingest import SUPPORTED_SUFFIXES, Document
from ..ingest import find_reports as _reports_under
from ..resources import data_dir


def default_corpus() -> Path | None:
    """The bundled seed reports, when this installation has them (a source checkout)."""
    seeds = data_dir("seeds")
    return seeds if seeds.is_dir() and any(find_reports_in(seeds)) else None


def find_reports_in(folder: Path) -> list[Path]:
    """The reports directly in `folder` (a corpus is one folder, not a tree)."""
    return _reports_under(folder, recursive=False)


def find_reports(target: Path) -> list[Path]:
    """The report files of a folder (not recursive, sorted by name), or the one file given."""
    if not target.exists():
        raise InputError(target, "input.no-folder")
    if target.is_file():
        return [target]
    found = find_reports_in(target)
    if not found:
        raise InputError(target, "input.no-reports", suffixes=", ".join(SUPPORTED_SUFFIXES))
    return found


@dataclass
class Corpus:
    """Reports read and normalized once. `failures` holds one line per report that could not be read."""

    documents: list[Document] = field(default_factory=list)
    paths: list[Path] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def __len__(self) -> int:
        return len(self.documents)

    def __iter__(self):
        return iter(zip(self.paths, self.documents))


def read_corpus(target: Path, *, max_bytes: int | None = None) -> Corpus:
    """Read every report under `target` once. Unreadable reports are listed, not fatal."""
    from ..ingest import load_document

    corpus = Corpus()
    limits = {"max_bytes": max_bytes} if max_bytes else {}
    for path in find_reports(target):
        try:
            doc = load_document(path, **limits)
        except CivscoreError as e:
            corpus.failures.append(e.text(language()))  # shown as `skipped: …`
            continue
        corpus.paths.append(path)
        corpus.documents.append(doc)
    return corpus


def display_name(path: Path, root: Path) -> str:
    """The path relative to the corpus folder (its name for a single file)."""
    try:
        return str(path.relative_to(root)) if root.is_dir() else path.name
    except ValueError:
        return str(path)
