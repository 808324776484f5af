"""The changes a reviewer can make, as pure functions on a Review (scorer.review).

Each returns (new state, target, what, before, after). `target` names the slot the
change touched ("level:<criterion>", "struck:<criterion>", "added:<criterion>",
"veto:<key>", "opinion", "withdrawn"), and before/after are that slot's JSON values, which is
what makes every change undoable.
"""

from __future__ import annotations

from scorer.errors import BIDI_CONTROLS
from scorer.result import CriterionResult, ScoreResult
from scorer.review import (MAX_OPINION, MAX_QUOTE, MAX_REASON, LevelDecision, QuoteMark, Review, relevelled,
                           veto_key)


SIGNOFF = ("opinion", "reviewer", "reviewer_at", "checker", "checker_at")


class Refused(Exception):
    """A change that cannot be made; the message is for the reviewer, in Chinese."""


def get_slot(state: Review, target: str):
    kind, _, key = target.partition(":")
    if kind == "level":
        d = state.levels.get(key)
        return d.model_dump() if d else None
    if kind == "struck":
        return [q.model_dump() for q in state.struck.get(key, [])]
    if kind == "added":
        return [q.model_dump() for q in state.added.get(key, [])]
    if kind == "veto":
        return state.vetoes_dismissed.get(key)
    if kind == "opinion":
        return {k: getattr(state, k) for k in SIGNOFF}
    if kind == "withdrawn":
        return state.withdrawn or None
    raise Refused("无法识别的修改记录。")


def set_slot(state: Review, target: str, value) -> Review:
    s = state.model_copy(deep=True)
    kind, _, key = target.partition(":")
    if kind == "level":
        if value is None:
            s.levels.pop(key, None)
        else:
            s.levels[key] = LevelDecision.model_validate(value)
    elif kind in ("struck", "added"):
        slot = s.struck if kind == "struck" else s.added
        if value:
            slot[key] = [QuoteMark.model_validate(v) for v in value]
        else:
            slot.pop(key, None)
    elif kind == "veto":
        if value is None:
            s.vetoes_dismissed.pop(key, None)
        else:
            s.vetoes_dismissed[key] = str(value)
    elif kind == "opinion":
        for k in SIGNOFF:  # a change recorded before the times were kept has no *_at
            setattr(s, k, value.get(k, ""))
    elif kind == "withdrawn":
        s.withdrawn = str(value or "")
    else:
        raise Refused("无法识别的修改记录。")
    return s


def clean(text: str | None, limit: int, *, one_line: bool = False) -> str:
    """What a reviewer typed, as it is kept: no control characters (newlines and tabs only
    in a multi-line text), no bidi controls (U+202E and its kind would reorder a name or a
    reason on the page and the scorecard), at most `limit` characters."""
    text = (text or "").replace("\r\n", "\n")
    keep = "" if one_line else "\n\t"
    text = "".join(ch if ch in keep or (ord(ch) >= 32 and ord(ch) != 127 and not 0x80 <= ord(ch) < 0xA0) else
                   (" " if ch in "\n\t\r" else "") for ch in text if ch not in BIDI_CONTROLS)
    if one_line:
        text = " ".join(text.split())
    return text.strip()[:limit]


def _clean(text: str | None, limit: int) -> str:
    return clean(text, limit)


class _Ref:
    """A criterion of the result, as the actions name it (`ref.item`)."""

    def __init__(self, item: CriterionResult):
        self.item = item


def _criterion(result: ScoreResult, crit_id: str) -> _Ref:
    item = result.criterion(crit_id or "")
    if item is None:
        raise Refused("没有这个评分项。")
    return _Ref(item)


def set_level(result, state, levels: list[str], crit_id, level, reason):
    ref = _criterion(result, crit_id)
    reason = _clean(reason, MAX_REASON)
    if level not in levels:
        raise Refused(f"等级须为 {'/'.join(levels)} 之一。")
    target = f"level:{ref.item.id}"
    before = get_slot(state, target)
    # What the evidence gives without a level set (the machine's, after struck and added quotes).
    unset = relevelled(result, ref.item, set_slot(state, target, None)).level
    current = state.levels[ref.item.id].level if ref.item.id in state.levels else unset
    if level == current:
        raise Refused(f"该项目前认定的等级已是 {level}，无需调整。")
    if level == unset:
        # Back to the level the evidence gives: the decision is withdrawn (a reason is still asked).
        if not reason:
            raise Refused("请填写调整理由。")
        new = set_slot(state, target, None)
        what = (f"「{ref.item.name}」等级恢复为机器初评 {level}" if level == ref.item.level
                else f"「{ref.item.name}」等级恢复为依据所示 {level}")
    else:
        if not reason:
            raise Refused("调整等级须填写理由。")
        new = set_slot(state, target, {"level": level, "reason": reason})
        what = f"「{ref.item.name}」等级 {current} → {level}"
    return new, target, what, reason, before, get_slot(new, target)


def _span(result: ScoreResult, start, end) -> tuple[int, int]:
    try:
        start, end = int(start), int(end)
    except (TypeError, ValueError):
        raise Refused("所选文字的位置无效。") from None
    if not (0 <= start < end <= len(result.text)):
        raise Refused("所选文字的位置超出了材料范围。")
    if end - start > MAX_QUOTE:
        raise Refused(f"所选文字过长（{end - start} 字），一条依据至多 {MAX_QUOTE} 字。")
    if not result.text[start:end].strip():
        raise Refused("所选内容是空白。")
    return start, end


def strike_quote(result, state, crit_id, start, end, reason, *, restore: bool = False):
    ref = _criterion(result, crit_id)
    start, end = _span(result, start, end)
    quote = next((q for q in ref.item.quotable() if q.start == start and q.end == end), None)
    if quote is None:
        raise Refused("这条依据不属于该评分项。")
    target = f"struck:{ref.item.id}"
    before = get_slot(state, target)
    struck = [q for q in before if not (q["start"] == start and q["end"] == end)]
    reason = _clean(reason, MAX_REASON)
    if restore:
        if len(struck) == len(before):
            raise Refused("这条依据没有被删除。")
        what = f"「{ref.item.name}」恢复依据“{_short(quote.text)}”"
    else:
        if len(struck) != len(before):
            raise Refused("这条依据已经删除。")
        struck.append({"start": start, "end": end, "text": quote.text, "reason": reason})
        what = f"「{ref.item.name}」删除依据“{_short(quote.text)}”"
    new = set_slot(state, target, sorted(struck, key=lambda q: q["start"]))
    return new, target, what, reason, before, get_slot(new, target)


def add_quote(result, state, crit_id, start, end, reason, *, remove: bool = False):
    ref = _criterion(result, crit_id)
    start, end = _span(result, start, end)
    text = result.text[start:end]
    target = f"added:{ref.item.id}"
    before = get_slot(state, target)
    rest = [q for q in before if not (q["start"] == start and q["end"] == end)]
    reason = _clean(reason, MAX_REASON)
    if remove:
        if len(rest) == len(before):
            raise Refused("没有这条补充的依据。")
        what = f"「{ref.item.name}」撤回补充的依据“{_short(text)}”"
    else:
        if len(rest) != len(before):
            raise Refused("这条依据已经补充过了。")
        rest.append({"start": start, "end": end, "text": text, "reason": reason})
        what = f"「{ref.item.name}」补充依据“{_short(text)}”"
    new = set_slot(state, target, sorted(rest, key=lambda q: q["start"]))
    return new, target, what, reason, before, get_slot(new, target)


def dismiss_veto(result, state, key, reason, *, restore: bool = False):
    hit = next((v for v in result.vetoes if veto_key(v) == key), None)
    if hit is None:
        raise Refused("没有这个否决事项。")
    target = f"veto:{key}"
    before = get_slot(state, target)
    reason = _clean(reason, MAX_REASON)
    if restore:
        if before is None:
            raise Refused("该否决事项本来就有效。")
        new = set_slot(state, target, None)
        what = f"否决事项「{hit.name}」恢复有效"
    else:
        if not reason:
            raise Refused("认定否决事项不成立须填写理由。")
        new = set_slot(state, target, reason)
        what = f"否决事项「{hit.name}」经核实不成立"
    return new, target, what, reason, before, get_slot(new, target)


def set_opinion(state, opinion, reviewer, checker, *, account: str | None = None, now: str = ""):
    """The opinion and its signatures. With `account` (login mode) the 评审人 is that account,
    signed `now`, and a confirmation by a 复核人 ends (they confirmed another text); the typed
    names are ignored. Without it (one local user) the names are as typed, each dated when it
    changes."""
    target = "opinion"
    before = get_slot(state, target)
    value = dict(before, opinion=_clean(opinion, MAX_OPINION))
    if account is not None:
        value.update(reviewer=account, reviewer_at=now, checker="", checker_at="")
        if value["opinion"] == before["opinion"] and before["reviewer"] == account and not before["checker"]:
            raise Refused("评审意见没有变化。")
    else:
        for k in ("reviewer", "checker"):
            value[k] = clean(reviewer if k == "reviewer" else checker, 60, one_line=True)
            if value[k] != before[k]:
                value[k + "_at"] = now if value[k] else ""
        if value == before:
            raise Refused("评审意见没有变化。")
    new = set_slot(state, target, value)
    parts = [name for name, k in (("评审意见", "opinion"), ("评审人", "reviewer"), ("复核人", "checker"))
             if value[k] != before[k]]
    what = "修改" + "、".join(parts) if parts else "重新签署评审意见"
    if account is not None and before["checker"]:
        what += f"（{before['checker']} 的复核确认随之失效）"
    return new, target, what, "", before, value


def confirm_check(state, account: str, now: str):
    """`account` confirms the review as 复核人: another account than the 评审人, in its own session."""
    target = "opinion"
    before = get_slot(state, target)
    if not before["reviewer"]:
        raise Refused("还没有评审人签署评审意见，不能复核。")
    if before["reviewer"] == account:
        raise Refused("复核人须是评审人以外的另一位评审人员。")
    if before["checker"] == account:
        raise Refused("您已经确认过复核。")
    value = dict(before, checker=account, checker_at=now)
    new = set_slot(state, target, value)
    return new, target, f"{account} 确认复核", "", before, value


def void_check(state, what: str):
    """A change after a confirmation: the 复核人 confirmed something else, so the confirmation ends.
    Returns (state, what) with the note added, or unchanged when nothing was confirmed."""
    if not state.checker:
        return state, what
    new = set_slot(state, "opinion", dict(get_slot(state, "opinion"), checker="", checker_at=""))
    return new, f"{what}（{state.checker} 的复核确认随之失效）"


def withdraw(state, reason, *, restore: bool = False):
    """Take the submission out of its round (it leaves the ranking), or put it back."""
    before = get_slot(state, "withdrawn")
    if restore:
        if before is None:
            raise Refused("这份材料没有被撤出。")
        new = set_slot(state, "withdrawn", None)
        return new, "withdrawn", "恢复到本批次", "", before, None
    reason = _clean(reason, MAX_REASON)
    if not reason:
        raise Refused("请填写撤出理由。")
    if before is not None:
        raise Refused("这份材料已经撤出本批次。")
    new = set_slot(state, "withdrawn", reason)
    return new, "withdrawn", "撤出本批次（不再参加排名）", reason, None, reason


def undo(state, change):
    """Put the slot back as it was before `change`, if nothing changed it since."""
    if change.undone_by is not None:
        raise Refused("这项修改已经撤销过了。")
    import json

    before, after = json.loads(change.before), json.loads(change.after)
    current = get_slot(state, change.target)
    if current != after:
        raise Refused("这一项在此之后又被修改过，不能直接撤销；请撤销较晚的修改，或直接重新调整。")
    new = set_slot(state, change.target, before)
    return new, change.target, f"撤销：{change.what}", "", current, get_slot(new, change.target)


def _short(text: str, n: int = 30) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1] + "…"
