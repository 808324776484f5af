"""A rubric as rows a maintainer can read: what each criterion is worth and what earns it."""

from __future__ import annotations

from ..rubric.schema import Rubric
from ..rubric.walk import owners


def describe_matcher(m) -> str:
    """One line: the matcher's type, what it looks for and how much of it saturates it.

    Each matcher type describes itself (scorer/match/types/)."""
    return m.describe()


def rubric_rows(r: Rubric, veto_judged: bool = True):
    """(section, dimension, criterion, points, full, matchers) for every criterion, bonus item and veto.
    `veto_judged`: whether the rubric's judge file carries a veto judgement; without one a veto's
    candidates propose to nobody, and their lines say so."""
    mark = "◦ 待判定" if veto_judged else "◦ 待判定（未启用：判定文件无否决判定）"
    for o in owners(r):
        item = o.item
        matchers = "\n".join(f"• {describe_matcher(m)}" for m in o.matchers)
        if o.kind == "criterion":
            d = o.dimension
            head = f"{d.name}\n{d.id} · {d.points:g}" if o.first_in_section else ""
            yield ("criterion", head, f"{item.name}\n{item.id}", f"{item.points:g}", item.full, matchers)
        elif o.kind == "bonus":
            head = f"{r.bonus.name}\nmax {r.bonus.max:g}" if o.first_in_section else ""
            yield ("bonus", head, f"{item.name}\n{item.id}", f"+{item.points:g}", item.hint, matchers)
        else:
            # What only the learned veto judgement may make a veto of, marked apart from the floor.
            matchers += "".join(f"\n{mark} {describe_matcher(m)}" for m in item.candidates)
            yield ("veto", "", f"{item.name}\n{item.id}", "veto", item.why, matchers)


def mark_lines(r: Rubric) -> list[str]:
    """One line per kind of sentence the rubric marks on a quote (scoring.marks, the
    mention and fit rules): its id, what it weighs in the points and its reason."""
    sc = r.scoring
    out = []
    for d in sc.marks:
        scope = ", to the paragraph's end" if d.scope == "paragraph" else ""
        extra = f"; not for {', '.join(d.spares)}" if d.spares else ""
        extra += "; not when something done is reported too" if d.unless_practice else ""
        out.append(f"{d.id}: weight {d.weight:g}{scope}{extra} — {d.why}")
    if sc.practice_pattern:
        out.append(f"mention: weight {sc.mention_weight:g} — {sc.mention_why or 'one term, nothing reported done'}")
    if sc.fit_top:
        out.append(f"fit: weight {sc.fit_weight:g} when {sc.fit_top} or more items fit the sentence better — "
                   f"{sc.fit_why or 'fits other items better'}")
    return out


def phrase_set_lines(loaded) -> list[str]:
    """One line per phrase set: its name, how many matchers name it, its size and first phrases."""
    from ..rubric.walk import phrase_set_users

    r = loaded.rubric
    used = phrase_set_users(loaded)
    out = []
    for name, phrases in r.phrase_sets.items():
        first = "、".join(phrases[:4]) + (f" …(+{len(phrases) - 4})" if len(phrases) > 4 else "")
        users = used[name]
        matchers = [u for u in users if "#" in u]
        parts = [f"{len(matchers)} matcher{'s' if len(matchers) != 1 else ''}"] if matchers else []
        parts += [u for u in users if "#" not in u]  # a rubric setting (judge.veto_unless)
        who = f"used by {', '.join(parts)}" if parts else "used by no matcher"
        out.append(f"{name}: {len(phrases)} phrase{'s' if len(phrases) != 1 else ''}, {who} — {first}")
    return out


# Sections whose items carry ids: where each item comes from is shown item by item.
_ITEM_SECTIONS = {("dimensions",): "dimensions", ("bonus", "items"): "bonus.items", ("vetoes",): "vetoes",
                  ("scoring", "marks"): "scoring.marks"}


def provenance(loaded) -> list[tuple[str, list[str]]]:
    """Where each part of a merged rubric comes from: (file, parts) for the rubric's own file,
    then each base it extends. A part is a top-level section (`levels`), a key of a section
    that takes keys from more than one file (`judge.file`), or an item of a list merged by id
    (`vetoes: veto.staff_crime`)."""
    from ..rubric.schema import Rubric

    r = loaded.rubric
    parts: dict = {p: [] for p in loaded.chain or (loaded.path,)}
    locs = loaded.lines.keys()

    def items(section: tuple):
        obj = r
        for k in section:
            obj = getattr(obj, k)
        return [(section + (i,), getattr(x, "id", str(i))) for i, x in enumerate(obj)]

    def add(loc: tuple, name: str):
        parts.setdefault(loaded.file_of(loc), []).append(name)

    def place(loc: tuple, name: str):
        section = tuple(p for p in loc if isinstance(p, str))
        if section in _ITEM_SECTIONS:
            by_file: dict = {}
            for item_loc, ident in items(loc):
                by_file.setdefault(loaded.file_of(item_loc), []).append(ident)
            for f, ids in by_file.items():
                parts.setdefault(f, []).append(f"{name}: {', '.join(ids)}")
            return
        subs = [k for k in _subkeys(locs, loc)]
        files = {loaded.file_of(loc + (k,)) for k in subs}
        if len(files) <= 1:
            add(loc, name)
            return
        for k in subs:
            place(loc + (k,), f"{name}.{k}")

    for key in Rubric.model_fields:
        if (key,) in locs:
            place((key,), key)
    return [(str(f), ps) for f, ps in parts.items() if ps]


def _subkeys(locs, loc: tuple) -> list[str]:
    n = len(loc)
    seen: dict = {}
    for x in locs:
        if len(x) == n + 1 and x[:n] == loc and isinstance(x[n], str):
            seen[x[n]] = None
    return list(seen)


def judge_lines(scorer) -> list[str]:
    """What a rubric's sentence judge is and how good it is, for `rubric show` and `diff`: its
    version, the rubric and training data it was trained for, its cross-validated figures,
    whether it carries a veto judgement (or why that was left out), and its material judgement."""
    info = scorer.rubric_info.judge
    if info is None:
        return ["no sentence judge: the matchers decide every item"]
    f = info.figures
    meta = scorer.compiled.judge_model.meta if scorer.compiled.judge_model is not None else {}
    stale = " — trained for another version of this rubric (retrain with civscore train)" if info.stale else ""
    lines = [f"{info.version}: rubric {info.rubric_sha256[:12]}, training data {info.training_sha256[:12]}, "
             f"file {info.sha256[:12]}{stale}"]
    if meta.get("training_data"):
        lines.append(f"learned from {meta['training_data']}")

    def pct(key):
        return f"{f[key]:.1%}" if key in f else "n/a"

    if f:
        lines.append(f"cross-validated by text: quote precision {pct('cv_quote_precision')}, item recall "
                     f"{pct('cv_item_recall')}, pair AUC {f.get('cv_pair_auc', float('nan')):.3f}"
                     + (f", seeds' quotes {pct('cv_seed_quote_precision')}" if "cv_seed_quote_precision" in f else "")
                     + f" ({f.get('texts', 0):.0f} texts, {f.get('evidence_pairs', 0):.0f} evidence pairs)")
    if scorer.compiled.veto_head is not None:
        lines.append(f"veto judgement: cross-validated recall {pct('cv_veto_recall')} (rules alone "
                     f"{pct('cv_veto_rules_recall')}), false vetoes {f.get('cv_veto_false', 0):.0f} (rules "
                     f"{f.get('cv_veto_rules_false', 0):.0f}) of {f.get('veto_set_negatives', 0):.0f}")
    elif meta.get("veto_left_out"):
        lines.append(f"veto judgement left out, the rules decide alone: {meta['veto_left_out']}")
    else:
        lines.append("no veto judgement: the rules decide alone")
    head = scorer.compiled.judge_model.material if scorer.compiled.judge_model is not None else None
    if head is not None:
        start = scorer.rubric.judge.material_from if scorer.rubric.judge else None
        scaled = (f"counts less in proportion from {start:.2f}, " if start is not None and start < head.threshold
                  else "")
        lines.append(f"material judgement (is the text a unit's own material): {scaled}flags at {head.threshold:.2f}; "
                     f"cross-validated over {f.get('material_texts', 0):.0f} texts: AUC "
                     f"{f.get('material_cv_auc', float('nan')):.3f}, {f.get('material_cv_negatives_flagged', 0):.0f} of "
                     f"{f.get('material_negatives', 0):.0f} hard negatives flagged, "
                     f"{f.get('material_cv_units_flagged', 0):.0f} units' texts")
    elif meta.get("material_left_out"):
        lines.append(f"material judgement left out: {meta['material_left_out']}")
    return lines

