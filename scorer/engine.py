"""The one entry point: a `Scorer` holds a compiled rubric and scores documents.

Load it once per process (jieba's dictionary, the rubric and its automaton are
built once) and call it for every report.
"""

from __future__ import annotations

import hashlib
import threading
from functools import cached_property
from pathlib import Path

from .errors import RubricError
from .rubric.problems import Problem
from .ingest import Document
from .result import ScoreResult, SubmissionInfo
from .resources import bundled_rubric, bundled_rubrics, default_rubric_path
from .rubric import LoadedRubric, load_rubric
from .score import CompiledRubric

_CACHE: dict[tuple[str, str], "Scorer"] = {}
_COMPILE_LOCK = threading.RLock()


AUTO = "auto"  # --rubric auto: choose the rubric by unit kind (RubricChooser)


def load_scorer(
    rubric: str | Path | LoadedRubric | None = None, *, choose: bool = True, fresh: bool = False
) -> "Scorer | RubricChooser":
    """The one scorer factory: the command line, the workbench, batch workers and tuning
    all get their scorer here.

    None or `auto`: the chooser by unit kind over the shipped rubrics (choose=False: None is
    the default rubric, and `auto` no name). A bundled rubric's name or a path: that
    rubric's Scorer, shared within the process while the file is unchanged; fresh=True
    loads it afresh and shares nothing (tuning reads the file as it is now). A
    LoadedRubric already in memory: a Scorer of its own.
    """
    if isinstance(rubric, LoadedRubric):
        return Scorer(rubric)
    if choose and (rubric is None or str(rubric) == AUTO):
        return RubricChooser()
    loaded = load_rubric(resolve_rubric(rubric))
    if fresh:
        return Scorer(loaded)
    key = (str(loaded.path.resolve()), loaded.sha256)
    if key not in _CACHE:
        _CACHE[key] = Scorer(loaded)
    return _CACHE[key]


def resolve_rubric(rubric: str | Path | None) -> Path:
    """A path, a bundled rubric's name (`court`, `general`), or None for the default."""
    if rubric is None:
        return default_rubric_path()
    p = Path(rubric)
    if p.exists() or p.suffix or "/" in str(rubric):
        return p
    bundled = bundled_rubric(str(rubric))
    if bundled is None:
        raise RubricError(p, [Problem(p, None, None, "no-such-rubric")])
    return bundled


class Scorer:
    def __init__(self, loaded: LoadedRubric):
        self.loaded = loaded

    # Compiled on first use: the chooser by unit kind holds every shipped rubric, and a
    # one-report run compiles only the one it chooses (jieba's terms, the automaton, the judge).
    @cached_property
    def compiled(self) -> CompiledRubric:
        with _COMPILE_LOCK:  # threads of the workbench may ask at once
            if "compiled" in self.__dict__:
                return self.__dict__["compiled"]
            return CompiledRubric(self.loaded)

    @cached_property
    def rubric_info(self):
        return self.compiled.rubric_info

    def compile_all(self) -> None:
        """Compile now (a long-lived process warms up before its first request)."""
        _long_lived()
        self.compiled
        _settled()

    @classmethod
    def load(cls, rubric: str | Path | None = None) -> "Scorer":
        """A scorer for this rubric file (None: the default rubric), shared within the process
        while the file is unchanged: load_scorer for one rubric, never the chooser."""
        return load_scorer(rubric, choose=False)

    @property
    def rubric(self):
        return self.loaded.rubric

    def rubric_paths(self) -> list[Path]:
        return [self.loaded.path]

    @property
    def loaded_rubrics(self) -> list[LoadedRubric]:
        return [self.loaded]

    @property
    def choice_sha256(self) -> str:
        """What decides which rubric a document gets: this one rubric's sha256."""
        return self.loaded.sha256

    def score_document(self, doc: Document) -> ScoreResult:
        a = self.compiled.analyze(doc.text)
        submission = SubmissionInfo(
            path=doc.path, sha256=doc.sha256, chars=len(doc.text), bytes=doc.size, format=doc.format,
            title=doc.meta.title, unit=doc.meta.unit, date=doc.meta.date, author=doc.meta.author,
            hidden_chars=doc.hidden_chars,
        )
        return self.compiled.score(a, submission)

    def score_text(self, text: str, path: str = "<text>", *, normalize: bool = True) -> ScoreResult:
        """Score text already in memory (tests, the watch loop, the API)."""
        return self.score_document(document_from_text(text, path=path, normalize=normalize))

    def score_path(self, path: str | Path, **limits) -> ScoreResult:
        from .ingest import load_document

        return self.score_document(load_document(path, **limits))


def _long_lived() -> None:
    """A process that scores many reports imports scipy.sparse once (~0.15 s): the sentence
    rows' products then run in its C loop, ~10x faster than fit.GramRows' numpy loop and with
    the same sums. A one-report run does without it."""
    try:
        import scipy.sparse  # noqa: F401
    except ImportError:
        pass


# The cyclic collector's first threshold in a long-lived scoring process (Python's default: 700).
YOUNG_THRESHOLD = 10_000


def _settled() -> None:
    """A long-lived process has loaded what it keeps (jieba's dictionary, the rubrics, the
    judge): freeze it out of the cyclic collector's passes, and let the collector wait for
    `YOUNG_THRESHOLD` net new container objects before a pass instead of 700. Scoring a
    10,000-character report allocates tens of thousands of short-lived objects (hits,
    matches, spans, evidence) that reference counting frees; with the default threshold it
    triggered ~20 young and 2 middle passes and, every sixth report, a full pass over
    everything loaded: ~19 ms of a ~95 ms report. No result changes: the collector only
    frees unreachable cycles, later."""
    import gc

    gc.freeze()
    young, middle, old = gc.get_threshold()
    if 0 < young < YOUNG_THRESHOLD:  # 0: the collector is off by the user's choice
        gc.set_threshold(YOUNG_THRESHOLD, middle, old)


class RubricChooser:
    """Scores each document with the shipped rubric for its kind of unit.

    Used when the user names no rubric. Each rubric's `applies_to` says which
    units it serves: a court's material gets `court`, other units' `general`
    (the fallback). The choice and why travel with the result
    (`result.rubric.chosen_by`), so the screen, JSON and scorecard show them.
    """

    def __init__(self, paths: list[Path] | None = None):
        scorers = [load_scorer(p, choose=False) for p in (paths or bundled_rubrics())]
        claimed = [s for s in scorers if s.rubric.applies_to and not s.rubric.applies_to.fallback]
        fallbacks = [s for s in scorers if s.rubric.applies_to and s.rubric.applies_to.fallback]
        if not fallbacks:
            raise RubricError(None, [Problem(None, None, None, "no-fallback")])
        self.claimed, self.fallback = claimed, fallbacks[0]

    def rubric_paths(self) -> list[Path]:
        return [s.loaded.path for s in (*self.claimed, self.fallback)]

    def compile_all(self) -> None:
        """Compile every candidate now, not on the first document of its kind (the
        workbench and batch workers warm up before their first report)."""
        for s in (*self.claimed, self.fallback):
            s.compile_all()

    @property
    def loaded_rubrics(self) -> list[LoadedRubric]:
        return [s.loaded for s in (*self.claimed, self.fallback)]

    @property
    def choice_sha256(self) -> str:
        """What decides which rubric a document gets: every candidate rubric's bytes. A batch
        resumes a stored choice only while this is unchanged (scorer.batch.store)."""
        return choice_sha256(self.loaded_rubrics)

    def choose(self, doc: Document) -> tuple[Scorer, str]:
        return choose_rubric(self.claimed, self.fallback, doc)

    def score_document(self, doc: Document) -> ScoreResult:
        scorer, why = self.choose(doc)
        result = scorer.score_document(doc)
        return result.model_copy(update={"rubric": result.rubric.model_copy(update={"chosen_by": why})})

    def score_text(self, text: str, path: str = "<text>", *, normalize: bool = True) -> ScoreResult:
        return self.score_document(document_from_text(text, path=path, normalize=normalize))

    def score_path(self, path: str | Path, **limits) -> ScoreResult:
        from .ingest import load_document

        return self.score_document(load_document(path, **limits))


def choose_rubric(claimed: list, fallback, doc: Document):
    """Which of these rubrics serves this document's kind of unit, and why. `claimed` and
    `fallback` are anything with a `.rubric` (a Scorer, a LoadedRubric); `claimed` rubrics
    have an `applies_to` that is not the fallback. Returns (the one chosen, the reason)."""
    unit = doc.meta.unit or ""
    for s in claimed:
        a = s.rubric.applies_to
        name = next((n for n in a.unit_names if n in unit), None)
        if name:
            return s, f"单位「{unit}」名称含「{name}」，按{a.kind}评分"
    # The detected name can be a venue (a community centre the court visited): the
    # kind's own words, named often enough, still mark the material as the kind's.
    for s in claimed:
        a = s.rubric.applies_to
        counts = {w: doc.text.count(w) for w in a.mentions}
        n = sum(counts.values())
        if a.mentions and n >= a.min_mentions:
            named = "、".join(w for w, c in sorted(counts.items(), key=lambda x: -x[1]) if c)[:24]
            return s, f"正文提到{named}共 {n} 次，按{a.kind}评分"
    # A short news item names its unit once, in the title or the lead sentence (宿城法院干警
    # 捐款…, 滦南法院在滦南县委…的统一部署下), under a short form the unit detector does not
    # read as a name. It holds where the lead names the kind before the detected unit.
    for s in claimed:
        a = s.rubric.applies_to
        lead = doc.text[: a.lead_chars]
        found = [(lead.find(n), n) for n in a.unit_names if n in lead]
        if found:
            at, name = min(found)
            if not unit or not 0 <= lead.find(unit) < at:
                return s, f"标题或导语先提到「{name}」，按{a.kind}评分"
    kinds = "、".join(s.rubric.applies_to.kind for s in claimed)
    who = f"单位「{unit}」" if unit else "材料"
    if fallback is None:
        return None, f"{who}不是{kinds}"
    return fallback, f"{who}不是{kinds}，按{fallback.rubric.applies_to.kind}评分"


def choice_sha256(rubrics: list[LoadedRubric]) -> str:
    """The identity of a chooser over these rubrics (the same for any order)."""
    joined = "\n".join(sorted(r.sha256 for r in rubrics))
    return hashlib.sha256(("auto\n" + joined).encode()).hexdigest()


def document_from_text(text: str, path: str = "<text>", *, normalize: bool = True) -> Document:
    """A `Document` for text that did not come from a file (the sha256 is of its UTF-8 bytes)."""
    from .ingest.metadata import extract_metadata
    from .ingest.normalize import normalize_document

    # A lone surrogate (from JSON's "\ud800", say) has no UTF-8 form: hash it as given, and let
    # normalization drop it as it drops every surrogate.
    raw = text.encode("utf-8", "surrogatepass")
    if normalize:
        # Web bylines (作者/时间) hold the author and date: metadata reads the text that keeps them.
        normalized, with_bylines = normalize_document(text)
        body, meta = normalized.text, extract_metadata(with_bylines.text)
    else:
        body, meta = text, extract_metadata(text)
    return Document(
        path=path, sha256=hashlib.sha256(raw).hexdigest(), size=len(raw), format="txt", encoding="utf-8",
        text=body, meta=meta,
    )


__all__ = ["AUTO", "RubricChooser", "Scorer", "choose_rubric", "document_from_text", "load_scorer", "resolve_rubric"]


_TABLES: dict[str, dict] = {}
_TABLES_LOCK = threading.Lock()


def rubric_tables(rubric) -> dict:
    """A parsed rubric's level table, grade bands and judge rule, as `RubricInfo` carries them."""
    from .result import GradeInfo, JudgeRule, LevelInfo

    return {
        "levels": [LevelInfo(id=lv.id, share=lv.share, min=lv.min, label=lv.label) for lv in rubric.levels],
        "grades": [GradeInfo(name=g.name, min=g.min, tier=g.tier or "pass") for g in rubric.grades],
        "veto_grade": rubric.veto_grade,
        "judge_rule": JudgeRule(**rubric.judge.model_dump(include={"accept", "show", "need", "decay", "plain"}))
        if rubric.judge is not None else None,
    }


def with_tables(result: ScoreResult) -> ScoreResult:
    """`result` with its rubric's tables (`RubricInfo.has_tables`). A result stored before results
    carried them gets them from the rubric that scored it: the shipped rubric with its sha256, else
    the file it names while unchanged, else the shipped rubric of its id. The one place a stored
    result's rubric is looked up."""
    info = result.rubric
    if info.has_tables:
        return result
    with _TABLES_LOCK:
        if info.sha256 not in _TABLES:
            found = None
            candidates = [*bundled_rubrics(), info.path, bundled_rubric(info.id) or info.id]
            for ref in candidates:
                if not ref:
                    continue
                try:
                    loaded = load_rubric(ref)
                except Exception:  # a file gone or unreadable: the next candidate
                    continue
                if loaded.sha256 == info.sha256 or ref == candidates[-1]:
                    found = loaded.rubric
                    break
            if found is None:
                found = load_rubric(default_rubric_path()).rubric
            _TABLES[info.sha256] = rubric_tables(found)
    return result.model_copy(update={"rubric": info.model_copy(update=_TABLES[info.sha256])})
