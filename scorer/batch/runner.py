"""Score a whole intake: discover, skip what is stored, score the rest in parallel,
store results as they arrive, then write the ranking, the scorecards and the
overview. The same code path for a local process pool and a Dask cluster."""

from __future__ import annotations

import dataclasses
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from scorer.errors import CivscoreError, InputError
from scorer.ingest import SUPPORTED_SUFFIXES
from scorer.outputs import output_error

from .backends import DaskBackend, LocalBackend, default_workers
from .discover import OVERVIEW_NAME, Submission, discover, file_sha256, special_files
from .files import remove_stale_temp_files
from .overview import Failure, write_overview
from .ranking import (
    CSV_NAME,
    XLSX_NAME,
    RankedRow,
    dims_of,
    rank,
    write_csv,
    write_xlsx,
)
from .store import DB_NAME, PendingWrites, ResultStore, utc_now
from .summary import Summary
from .worker import Outcome, Task, WorkerConfig

MB = 1024 * 1024
LOCK_NAME = ".civscore-batch.lock"
IDLE_COMMIT = 0.25  # seconds without a result after which the results received are committed


@dataclass
class BatchOptions:
    source: Path
    out: Path
    rubric: str | None = None  # None or "auto": each report gets the shipped rubric for its unit kind
    workers: int | None = None  # None: all cores
    pdf: bool = True
    force: bool = False
    scheduler: str | None = None  # a Dask scheduler address
    max_bytes: int = 20 * MB


@dataclass
class BatchReport:
    files: int = 0
    scored: int = 0
    skipped: int = 0  # already in the store with this rubric
    failures: list[tuple[str, str]] = field(default_factory=list)  # (relative file, one-line reason)
    # The errors behind them (code and fields), by relative file, for saying them in Chinese.
    failure_errors: dict[str, CivscoreError] = field(default_factory=dict)
    # Passed over, with the reason: special files (FIFOs, sockets, devices, link loops,
    # dangling links) in the intake, and damaged rows of the store.
    skipped_files: list[tuple[str, str]] = field(default_factory=list)
    vetoed: int = 0
    scorecards: int = 0  # scorecards written this run
    elapsed: float = 0.0
    work_seconds: float = 0.0  # from the first task handed out to the last result in
    workers: int = 0
    worker_peak_mb: dict[int, float] = field(default_factory=dict)  # pid -> ru_maxrss
    ranking: list[RankedRow] = field(default_factory=list)
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failures


class BatchProgress(Protocol):
    def start(self, to_do: int, skipped: int, workers: int) -> None: ...
    def advance(self, sub: Submission, outcome: Outcome) -> None: ...
    def stage(self, text: str) -> None: ...
    def stop(self) -> None: ...


class _Quiet:
    def start(self, to_do, skipped, workers): pass
    def advance(self, sub, outcome): pass
    def stage(self, text): pass
    def stop(self): pass


class _Lock:
    """One batch at a time per output folder (released by the OS if the process dies).
    filelock: flock on POSIX, msvcrt on Windows, so scorer.batch imports everywhere."""

    def __init__(self, out: Path):
        from filelock import FileLock, Timeout

        self.lock = FileLock(str(out / LOCK_NAME), timeout=0)
        try:
            self.lock.acquire()
        except Timeout:
            raise InputError(out, "input.batch-busy") from None
        except OSError as e:
            raise output_error(out, e) from None

    def release(self) -> None:
        self.lock.release()


def run_batch(opts: BatchOptions, progress: BatchProgress | None = None) -> BatchReport:
    """Run a batch. Raises `CivscoreError` for what stops the whole batch (no such
    folder, no reports, a bad rubric, no fonts); a bad report is a failure in the report."""
    t_start = time.perf_counter()
    progress = progress or _Quiet()
    source = Path(opts.source)
    if not source.is_dir():
        raise InputError(source, "input.no-folder" if not source.exists() else "input.not-folder")
    out = Path(opts.out).resolve()
    if out.exists() and not out.is_dir():
        raise InputError(out, "input.out-is-file")
    if out == source.resolve():
        raise InputError(out, "input.out-is-intake")

    rubrics = _RunRubrics.of(opts.rubric)
    if opts.pdf:
        from scorer.report.environment import check_pdf_environment

        check_pdf_environment()

    subs = discover(source, exclude=out)
    specials = special_files(source, exclude=out)
    if not subs:
        suffixes = ", ".join(sorted(SUPPORTED_SUFFIXES))
        if specials:
            raise InputError(source, "input.no-reports-found-special", suffixes=suffixes, specials=len(specials))
        raise InputError(source, "input.no-reports-found", suffixes=suffixes)

    # Every output is checked before any work: none may replace a submission, the
    # rubric, or any file civscore did not write.
    _guard_outputs(opts, source, out, [r.path for r in rubrics.loaded], subs)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise output_error(out, e) from None
    lock = _Lock(out)
    try:
        report = _run(opts, progress, rubrics, subs, out, t_start)
    finally:
        lock.release()
    report.skipped_files[:0] = specials
    return report


@dataclass
class _RunRubrics:
    """The rubric(s) of a run: one named rubric, or every shipped one for the chooser by unit
    kind. `choice_sha256` is what the workers must load; `worker_rubric` what they are told."""

    loaded: list
    choice_sha256: str
    worker_rubric: str
    auto: bool

    @classmethod
    def of(cls, rubric: str | None) -> "_RunRubrics":
        from scorer.engine import AUTO, choice_sha256, resolve_rubric
        from scorer.resources import bundled_rubrics
        from scorer.rubric import load_rubric

        if rubric is None or str(rubric) == AUTO:
            loaded = [load_rubric(p) for p in bundled_rubrics()]  # as RubricChooser() loads them
            return cls(loaded, choice_sha256(loaded), AUTO, True)
        one = load_rubric(resolve_rubric(rubric))
        return cls([one], one.sha256, str(one.path.resolve()), False)

    def dims(self):
        return [d for r in self.loaded for d in dims_of(r.rubric)]

    def grade_order(self) -> list[str]:
        names = [g.name for r in self.loaded for g in r.rubric.grades] + [r.rubric.veto_grade for r in self.loaded]
        return list(dict.fromkeys(names))

    def infos(self):
        from scorer.result import RubricInfo

        return [RubricInfo(id=r.rubric.id, version=r.rubric.version, sha256=r.sha256, title=r.rubric.title,
                           path=str(r.path)) for r in self.loaded]


def _known_scorecards(out: Path) -> set[str]:
    """Scorecards an earlier batch recorded in this folder's store, and its overview: PDFs
    written before they carried the mark."""
    import sqlite3

    from scorer.outputs import is_own_output, sqlite_uri

    db_path = out / DB_NAME
    if not is_own_output(db_path):
        return set()
    try:
        db = sqlite3.connect(sqlite_uri(db_path), uri=True)
        try:
            return {row[0] for row in db.execute("SELECT path FROM scorecards")} | {str(out / OVERVIEW_NAME)}
        finally:
            db.close()
    except sqlite3.Error:
        return set()


def _guard_outputs(opts: BatchOptions, source: Path, out: Path, rubrics: list[Path], subs: list[Submission]) -> None:
    from scorer.outputs import OutputGuard

    known = _known_scorecards(out) if opts.pdf else set()
    guard = OutputGuard()
    guard.add_inputs([s.path for s in subs] + list(rubrics))
    guard.add_intake(source)
    names = [(CSV_NAME, "--out"), (XLSX_NAME, "--out"), (DB_NAME, "--out")]
    if opts.pdf:
        names.append((OVERVIEW_NAME, "--out"))
        names.extend((s.scorecard, "--out (scorecard)") for s in subs)
    for name, option in names:
        guard.add_output(out / name, option, known_own=str(out / name) in known)


def _run(opts, progress, rubrics: _RunRubrics, subs, out, t_start) -> BatchReport:
    report = BatchReport(files=len(subs))
    remove_stale_temp_files(out)
    config = WorkerConfig(rubric=rubrics.worker_rubric, rubric_sha256=rubrics.choice_sha256, pdf=opts.pdf,
                          max_bytes=opts.max_bytes)

    summaries: dict[int, Summary] = {}
    failures: dict[int, str] = {}
    by_index = {s.index: s for s in subs}
    target = {s.index: str(out / s.scorecard) for s in subs} if opts.pdf else {}

    # Local workers start now and load jieba, the rubric and the fonts while this
    # process hashes the files and asks the store what is already done.
    if opts.scheduler:
        backend = DaskBackend(config, opts.scheduler)
    else:
        backend = LocalBackend(config, min(opts.workers or default_workers(), len(subs)))
        backend.start()
    finished = False
    try:
        with ResultStore(out / DB_NAME) as store:
            tasks, twins = _plan(opts, subs, store, rubrics, target, report, summaries)
            report.skipped_files.extend(("results.sqlite", line) for line in store.bad_rows)
            to_do = len(tasks) + sum(len(v) for v in twins.values())
            if not tasks:
                backend.close(cancel=True)
            elif opts.scheduler:
                backend.start()
            report.workers = backend.workers if tasks else 0
            t_work = time.perf_counter()
            progress.start(to_do, report.skipped, report.workers)
            pending = PendingWrites(store)
            try:
                for task in tasks:
                    backend.submit(task)
                for outcome in backend.results(idle=IDLE_COMMIT) if tasks else ():
                    if outcome is None:  # nothing came for a moment: commit what has
                        pending.flush()
                        continue
                    sub = by_index[outcome.index]
                    _take(outcome, sub, pending, rubrics, out, report, summaries, failures)
                    progress.advance(sub, outcome)
                    # Files with the same bytes as this one share its result; each gets its own scorecard.
                    for twin in twins.pop(sub.index, []):
                        if outcome.summary is None:
                            twin_failed = Outcome.failed(twin.index, CivscoreError(twin.path, "batch.twin-failed",
                                                                                    twin=str(sub.rel)))
                            failures[twin.index] = twin_failed.error
                            report.failure_errors[twin.rel] = twin_failed.failure
                            progress.advance(twin, twin_failed)
                            continue
                        summaries[twin.index] = outcome.summary
                        report.scored += 1
                        if opts.pdf and outcome.result_json is not None:
                            backend.submit(Task(twin.index, str(twin.path), target[twin.index], outcome.result_json))
                        else:
                            progress.advance(twin, outcome)
                pending.flush()
                finished = True
            finally:
                if not finished:  # Ctrl-C, SIGTERM, a failure: keep every result received
                    _flush_quietly(pending)
                report.work_seconds = time.perf_counter() - t_work
                progress.stop()
    finally:
        backend.close(cancel=not finished)  # interrupted: drop what is queued

    # Ranking: every file of this intake with a result, whenever it was scored.
    entries = []
    for s in subs:
        if s.index in summaries:
            card = s.scorecard if opts.pdf and (out / s.scorecard).is_file() else None
            entries.append((s.rel, summaries[s.index], card))
    report.ranking = rank(entries)
    report.vetoed = sum(1 for r in report.ranking if r.summary.vetoed)
    report.failures = [(by_index[i].rel, _reason(failures[i], by_index[i])) for i in sorted(failures)]

    progress.stage("writing the ranking")
    dims = rubrics.dims()
    report.outputs["csv"] = write_csv(out / CSV_NAME, report.ranking, dims)
    report.outputs["xlsx"] = write_xlsx(out / XLSX_NAME, report.ranking, dims)
    report.outputs["store"] = out / DB_NAME
    if opts.pdf:
        progress.stage("rendering the overview")
        report.outputs["overview"] = write_overview(
            out / OVERVIEW_NAME, report.ranking, dims, title=out.name, rubrics=rubrics.infos(),
            grade_order=rubrics.grade_order(),
            failures=[Failure(f, why) for f, why in report.failures],
        )
    report.elapsed = time.perf_counter() - t_start
    return report


def _plan(opts, subs, store, rubrics: _RunRubrics, target, report, summaries):
    """What to dispatch. The skip check happens here, in the main process, before
    anything is dispatched: a killed batch resumes where it stopped, and a changed
    rubric (another sha256) scores everything again. With the chooser by unit kind,
    a report's stored result is the one of the rubric the chooser gave it, under the
    same set of rubrics (store.stored_choices)."""
    shas = {s.index: file_sha256(s.path) for s in subs}
    if opts.force:
        stored = {}
    elif rubrics.auto:
        stored = store.stored_choices(rubrics.choice_sha256, shas.values())
    else:
        one = rubrics.loaded[0].sha256
        stored = {sha: (one, summary) for sha, summary in store.stored(one, shas.values()).items()}
    ids = {r.sha256: r.rubric.id for r in rubrics.loaded}
    tasks: list[Task] = []
    first: dict[str, int] = {}  # sha -> the file of this batch that is scored
    twins: dict[int, list[Submission]] = {}  # that file's index -> later files with the same bytes
    for s in subs:
        sha = shas[s.index]
        card = target.get(s.index)
        if sha is not None and sha in stored:
            rubric_sha, summary = stored[sha]
            if not summary.rubric_id:  # stored before summaries named their rubric
                summary = dataclasses.replace(summary, rubric_id=ids.get(rubric_sha, ""))
            summaries[s.index] = summary
            report.skipped += 1
            # Re-render only a missing scorecard (or one left from another rubric).
            if card and not store.scorecard_is_current(card, sha, rubric_sha):
                tasks.append(Task(s.index, str(s.path), card, store.result_json(sha, rubric_sha)))
        elif sha is not None and sha in first:
            twins.setdefault(first[sha], []).append(s)
        else:
            if sha is not None:
                first[sha] = s.index
            tasks.append(Task(s.index, str(s.path), card))
    return tasks, twins


def _reason(message: str, sub: Submission) -> str:
    """The one-line error without the file's path (the ranking and summary name the file)."""
    prefix = f"{sub.path}: "
    return message[len(prefix):] if message.startswith(prefix) else message


def _take(outcome: Outcome, sub: Submission, pending: PendingWrites, rubrics: _RunRubrics, out: Path,
          report: BatchReport, summaries: dict[int, Summary], failures: dict[int, str]) -> None:
    """Hand a worker's result to the store (committed with the next group: a kill loses only
    what is in flight and the last moment's results)."""
    scored = outcome.result_json is not None and outcome.summary is not None
    carded = outcome.scorecard_written and outcome.summary is not None
    if scored or carded:
        sha = outcome.summary.sha256
        pending.add(
            result=(outcome.summary, outcome.result_json, outcome.rubric_sha256, outcome.rubric_id,
                    outcome.rubric_version, utc_now()) if scored else None,
            choice=(sha, rubrics.choice_sha256, outcome.rubric_sha256) if scored else None,
            scorecard=(str(out / sub.scorecard), sha, outcome.rubric_sha256, utc_now()) if carded else None,
        )
    if scored:
        report.scored += 1
    if outcome.summary is not None:
        summaries[sub.index] = outcome.summary
    if carded:
        report.scorecards += 1
    if outcome.error is not None:
        failures[sub.index] = outcome.error
        if outcome.failure is not None:
            report.failure_errors[sub.rel] = outcome.failure
    if outcome.pid:
        peak = report.worker_peak_mb.get(outcome.pid, 0.0)
        report.worker_peak_mb[outcome.pid] = max(peak, outcome.maxrss_mb)


def _flush_quietly(pending: PendingWrites) -> None:
    """Commit what was received before the batch stopped; a store that fails again (the error
    that stopped it) is not the error to report."""
    try:
        pending.flush()
    except (CivscoreError, sqlite3.Error):
        pass
