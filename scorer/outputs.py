"""Output safety: how civscore writes a file, and which files it may replace.

- `atomic_write(path)`: a temporary file beside the target, fsynced, moved over
  it with `os.replace`. A new file gets the mode the umask allows (0644 under
  umask 022); a replaced file keeps its mode. An `OSError` (read-only file
  system, full disk, a parent that is a regular file …) becomes an `OutputError`
  naming the target.
- Markers: every file civscore writes carries a mark it can check before it
  replaces that file — PDF: the document's Creator; XLSX: the workbook's creator;
  SQLite: `PRAGMA application_id`; CSV and Markdown: their first line; the fitted
  rubric: its first comment line. `is_own_output(path)` reads the mark.
- `OutputGuard`: resolves every output of a run before any work is done and
  refuses one that is an input of the run, lies under an input's place as a file
  civscore did not write, names a folder, or collides with another output.
- `safe_cell(value)`: a spreadsheet cell that cannot become a formula (OWASP CSV
  injection: text that starts with = + - @ tab or CR gets a leading ').
- `dumps_json(obj)`: JSON without NaN or Infinity.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import tempfile
import threading
import zipfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO, Callable, Iterable, Iterator

from .errors import OutputError, UsageProblem

CREATOR = "civscore"
# PRAGMA application_id of a results database ("CIVS" as a big-endian int32).
SQLITE_APPLICATION_ID = int.from_bytes(b"CIVS", "big")
# First lines that mark a CSV / Markdown / YAML file as civscore's own.
CSV_HEADERS = (
    "rank,unit,total,grade,",  # batch ranking.csv (before its headers were Chinese)
    "file,kind,id,name,before,after,delta,",  # diff --csv
)
# The ranking's first line (its Chinese headers, scorer.batch.ranking).
RANKING_HEADERS = ("名次,申报单位,总分,等级,评分标准",)
MARKDOWN_HEADER = "# Rubric diff: "
FITTED_HEADER = "# Points fitted by `civscore calibrate --fit`"

_umask_lock = threading.Lock()


def new_file_mode() -> int:
    """0o666 less the process umask (read without changing it for long)."""
    with _umask_lock:
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def _reason(err: OSError) -> str:
    import errno

    names = {
        errno.EROFS: "read-only file system",
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded",
        errno.EACCES: "permission denied",
        errno.EPERM: "permission denied",
        errno.ENOTDIR: "a part of the path is a file, not a folder",
        errno.EISDIR: "is a folder, not a file",
        errno.ENAMETOOLONG: "file name too long",
        errno.EEXIST: "a part of the path is a file, not a folder",
    }
    return names.get(err.errno, err.strerror or type(err).__name__)


def output_error(path: str | Path, err: OSError) -> OutputError:
    return OutputError(path, "output.cannot-write", reason=_reason(err))


@contextmanager
def atomic_write(target: str | Path, *, check: Callable[[Path], None] | None = None) -> Iterator[BinaryIO]:
    """Yield a binary file beside `target`; on success it is fsynced and moved over
    `target`. On any failure, or a kill, `target` keeps its old bytes and no temp
    file is left. OSErrors become `OutputError(target, …)`. `check(temp_path)` may
    inspect the complete temp file and raise to keep the old target."""
    target = Path(target)
    try:
        if target.is_dir():
            raise OutputError(target, "output.is-folder")
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            mode = stat.S_IMODE(target.stat().st_mode)
        except FileNotFoundError:
            mode = new_file_mode()
        fd, tmp_name = tempfile.mkstemp(prefix=_temp_prefix(target), suffix=".tmp", dir=target.parent)
    except OSError as e:
        raise output_error(target, e) from None
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        if check is not None:
            check(tmp)
        os.replace(tmp, target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise output_error(target, e) from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:  # the rename itself survives a power cut once the folder is synced
        dfd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)
    except OSError:
        pass


def _temp_prefix(target: Path) -> str:
    """`.NAME.` — cut so that the temp name fits the 255-byte limit of a file name."""
    name = target.name.encode("utf-8", "surrogateescape")[:160].decode("utf-8", "ignore")
    return f".{name}."


def write_bytes(target: str | Path, data: bytes) -> Path:
    with atomic_write(target) as fh:
        fh.write(data)
    return Path(target)


def write_text(target: str | Path, text: str) -> Path:
    return write_bytes(target, text.encode("utf-8"))


# -- markers -------------------------------------------------------------------------


def _first_line(path: Path, n: int = 4096) -> str:
    with open(path, "rb") as fh:
        head = fh.read(n)
    return head.decode("utf-8-sig", errors="replace").splitlines()[0] if head else ""


def _pdf_creator(source: str | bytes) -> str:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(source)
    try:
        meta = doc.get_metadata_dict()
    finally:
        doc.close()
    return meta.get("Creator") or ""


def _pdf_is_own(path: Path) -> bool:
    return _pdf_creator(str(path)).startswith(CREATOR)


def _xlsx_creator(source) -> str | None:
    from xml.etree import ElementTree

    with zipfile.ZipFile(source) as z:
        core = ElementTree.fromstring(z.read("docProps/core.xml"))
    creator = core.find("{http://purl.org/dc/elements/1.1/}creator")
    return None if creator is None else creator.text


def _xlsx_is_own(path: Path) -> bool:
    creator = _xlsx_creator(path)
    if creator == CREATOR:
        return True
    # A ranking.xlsx from before the mark: openpyxl's default creator, our sheet and header.
    if creator != "openpyxl":
        return False
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        ws = wb.active
        head = next(ws.iter_rows(min_row=1, max_row=1, max_col=4, values_only=True), ())
        return ws.title == "ranking" and tuple(head) == ("rank", "unit", "total", "grade")
    finally:
        wb.close()


def sqlite_uri(path: str | Path, mode: str = "ro") -> str:
    """An SQLite URI for `path` (every character that means something in a URI escaped)."""
    from urllib.parse import quote

    return f"file:{quote(os.path.abspath(path))}?mode={mode}"


def _sqlite_is_own(path: Path) -> bool:
    """Read the application id through SQLite, read-only. Never open() the file: closing any
    descriptor of a file drops every POSIX lock the process holds on it, and a server that
    lost its locks on a WAL database lets the next process that closes its connection
    checkpoint and delete the -wal and -shm under it."""
    db = sqlite3.connect(sqlite_uri(path), uri=True)
    try:
        app_id = db.execute("PRAGMA application_id").fetchone()[0]
        if app_id == SQLITE_APPLICATION_ID:
            return True
        # A results database from before the application id: it has our two tables.
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        return {"results", "scorecards"} <= names
    except sqlite3.DatabaseError:  # not a database (or not one SQLite can read)
        return False
    finally:
        db.close()


def _judge_is_own(path: Path) -> bool:
    """A sentence judge `civscore train` wrote: gzip whose first line names its format."""
    import gzip

    with gzip.open(path, "rb") as f:
        return b'"format": "civscore-judge/' in f.readline(1 << 24)


def is_own_output(path: str | Path) -> bool:
    """True when the file at `path` carries civscore's mark (see the module doc)."""
    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if not path.is_file():
            return False
        if path.stat().st_size == 0:
            return False
        if suffix == ".pdf":
            return _pdf_is_own(path)
        if suffix == ".xlsx":
            return _xlsx_is_own(path)
        if suffix in (".sqlite", ".db", ".sqlite3"):
            return _sqlite_is_own(path)
        first = _first_line(path)
        if suffix == ".csv":
            return first.startswith(CSV_HEADERS + RANKING_HEADERS)
        if suffix in (".md", ".markdown"):
            return first.startswith(MARKDOWN_HEADER)
        if suffix in (".yaml", ".yml"):
            return first.startswith(FITTED_HEADER)
        if suffix == ".judge":
            return _judge_is_own(path)
    except Exception:  # unreadable or not what its name says: not ours
        return False
    return False


# What each mark says a file is (own_output_kind): the PDF's Creator after "civscore ",
# the first line of a text file.
PDF_KINDS = {"scorecard": "scorecard", "overview": "overview"}


def own_output_kind(data: bytes) -> str | None:
    """Which of civscore's own outputs these bytes are, by the mark it writes — "scorecard",
    "overview", "ranking", "rubric diff", "fitted rubric" — or None for anything else
    (a submission must not be civscore's own output: a scorecard scores high on its own quotes)."""
    try:
        if b"%PDF-" in data[:1032]:
            creator = _pdf_creator(data)
            if not creator.startswith(CREATOR):
                return None
            word = creator[len(CREATOR):].strip()
            return PDF_KINDS.get(word, "scorecard")
        if data.startswith(b"PK\x03\x04"):
            import io

            return "ranking" if _xlsx_creator(io.BytesIO(data)) == CREATOR else None
    except Exception:  # not a document these readers open: not ours (the reader says what it is)
        return None
    head = data[:4096].decode("utf-8-sig", errors="replace").splitlines()
    first = head[0] if head else ""
    if first.startswith(CSV_HEADERS[0]) or first.startswith(RANKING_HEADERS):
        return "ranking"
    if first.startswith(CSV_HEADERS[1:]) or first.startswith(MARKDOWN_HEADER):
        return "rubric diff"
    if first.startswith(FITTED_HEADER):
        return "fitted rubric"
    return None


# -- guard ---------------------------------------------------------------------------


def _resolve(p: Path) -> Path:
    try:
        return Path(os.path.realpath(p))
    except (OSError, ValueError):
        return Path(os.path.abspath(p))


def _under(p: Path, root: Path) -> bool:
    return p == root or root in p.parents


@dataclass
class OutputGuard:
    """Collects a run's inputs and outputs, then checks them all before any work.

    `inputs`: files the run reads (reports, rubrics, labels). `intakes`: folders the
    run reads reports from; a file under one is replaced only when it is civscore's
    own output. Any existing file is replaced only when it carries civscore's mark."""

    inputs: list[Path] = field(default_factory=list)
    intakes: list[Path] = field(default_factory=list)
    outputs: dict[Path, str] = field(default_factory=dict)  # resolved -> how the user named it
    # The inputs resolved, and their (device, inode), with how many inputs they were made from.
    _paths: tuple[int, set[Path]] | None = field(default=None, init=False, repr=False, compare=False)
    _ids: tuple[int, set[tuple[int, int]]] | None = field(default=None, init=False, repr=False, compare=False)

    def add_inputs(self, paths: Iterable[str | Path]) -> None:
        self.inputs.extend(Path(p) for p in paths)

    # Each input is resolved (and stat'ed) once for all outputs, not once per output: a batch
    # checks a scorecard per report against every report, and that was n² realpath calls (~5 s of
    # CPU for 300 reports, before any worker started; ~1 min for 1,000).
    def _input_paths(self) -> set[Path]:
        if self._paths is None or self._paths[0] != len(self.inputs):
            self._paths = (len(self.inputs), {_resolve(i) for i in self.inputs})
        return self._paths[1]

    def _input_ids(self) -> set[tuple[int, int]]:
        """(device, inode) of every existing input: what os.path.samefile compares."""
        if self._ids is None or self._ids[0] != len(self.inputs):
            ids = set()
            for i in self.inputs:
                if i.exists():
                    try:
                        st = os.stat(i)
                    except OSError:
                        continue
                    ids.add((st.st_dev, st.st_ino))
            self._ids = (len(self.inputs), ids)
        return self._ids[1]

    def add_intake(self, folder: str | Path) -> None:
        self.intakes.append(Path(folder))

    def add_output(self, path: str | Path, option: str = "output", *, known_own: bool = False) -> Path:
        """Check one output now; returns its resolved path. Raises OutputError/UsageProblem.
        `known_own`: the caller has its own record that civscore wrote this file
        (a batch's store lists the scorecards it wrote), so no mark is needed."""
        shown = Path(path)
        resolved = _resolve(shown)
        if resolved in self.outputs:
            raise UsageProblem(shown, "usage.same-output-file", option=option)
        try:
            self._check(shown, resolved, option, known_own)
        except OSError as e:
            raise OutputError(shown, "output.check", option=option, reason=_reason(e)) from None
        self.outputs[resolved] = str(shown)
        return resolved

    def _check(self, shown: Path, resolved: Path, option: str, known_own: bool = False) -> None:
        for parent in resolved.parents:
            if parent.exists():
                if not parent.is_dir():
                    raise OutputError(shown, "output.parent-is-file", option=option, parent=str(parent))
                break
        if resolved.is_dir():
            raise OutputError(shown, "output.option-is-folder", option=option)
        same = resolved in self._input_paths()
        if not same and self.inputs and resolved.exists():
            try:
                st = os.stat(resolved)
                same = (st.st_dev, st.st_ino) in self._input_ids()  # os.path.samefile with each input
            except OSError:
                same = False
        if same:
            raise OutputError(shown, "output.overwrite-input", option=option)
        if os.path.lexists(resolved) and not resolved.is_file():
            raise OutputError(shown, "output.not-regular", option=option)
        if resolved.exists() and not known_own and not is_own_output(resolved):
            # Not an input of this run (that was refused above): say only where it is.
            where = next((r for r in self.intakes if _under(resolved, _resolve(r))), None)
            if where is not None:
                raise OutputError(shown, "output.not-own-in-intake", option=option, intake=str(where))
            raise OutputError(shown, "output.not-own", option=option)


def check_outputs(outputs: Iterable[tuple[str | Path, str]], inputs: Iterable[str | Path] = (),
                  intakes: Iterable[str | Path] = ()) -> OutputGuard:
    guard = OutputGuard()
    guard.add_inputs(inputs)
    for folder in intakes:
        guard.add_intake(folder)
    for path, option in outputs:
        guard.add_output(path, option)
    return guard


# -- spreadsheet cells and JSON --------------------------------------------------------

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    """Text a spreadsheet would read as a formula gets a leading ' (OWASP); other values pass."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def dumps_json(obj, *, what: str | Path = "<json>", **kwargs) -> str:
    """json.dumps that refuses NaN and Infinity (they are not JSON) with a named error."""
    try:
        return json.dumps(obj, allow_nan=False, **kwargs)
    except ValueError:
        raise OutputError(what, "output.not-finite") from None


__all__ = [
    "CREATOR", "OutputGuard", "atomic_write", "check_outputs", "dumps_json", "is_own_output", "new_file_mode",
    "own_output_kind",
    "safe_cell", "sqlite_uri", "write_bytes", "write_text",
]
