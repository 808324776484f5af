"""The workbench as a Starlette application: `create_app(data_dir, ...)`.

Pages are rendered on the server from templates/web/ (Jinja2, autoescaped: the
text of a submission is never markup). Every POST carries the session's CSRF
token; every URL names rounds and items by integer id, and no part of a request
becomes a file-system path. Static assets are read once at start into memory and
served by a fixed name.
"""

from __future__ import annotations

import contextlib
import ipaddress
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote as urlquote, urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Route

from scorer.batch.store import utc_now
from scorer.batch.summary import Summary
from scorer.engine import load_scorer, resolve_rubric
from scorer.errors import CivscoreError
from scorer.report.format import display_zone, fmt_score, fmt_time, level_class, zone_label
from scorer.resources import templates_dir
from scorer.result import RubricInfo, ScoreResult
from scorer.review import reviewed
from scorer.rubric import load_rubric

from . import actions
from .guard import BodyLimit, BodyTooLarge, CappedMultiPartParser, FileTooLarge, RequestGuard
from .pool import AUTO, ScoringPool
from .security import (COOKIE, DUMMY_HASH, SESSION_SECONDS, Session, Signer, csrf_ok, hash_password, session_digest,
                       verify_password)
from .store import Item, StaleWrite, WebStore
from .uploads import DEFAULT_MAX_BYTES, UploadRefused

# The bundled rubrics a round can use (labelled on the pages with each rubric's own title),
# after the default: choose by unit kind (RubricChooser).
BUNDLED = ("court", "general")
RUBRICS = (AUTO, *BUNDLED)
DEFAULT_RUBRIC = AUTO
AUTO_LABEL = "按单位类别自动选择"
WARM_TEXT = "预热用的一段文字，不是申报材料。" * 4
LOCAL_REVIEWER = "本机评审人"
MAX_FILES = 50
STATIC = {"web.css": "text/css; charset=utf-8", "web.js": "text/javascript; charset=utf-8"}
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "frame-ancestors 'none'; form-action 'self'",
}


_PARSED: dict[tuple, object] = {}


def _parsed_rubric(path: Path):
    """load_rubric, shared within the process while the file is unchanged."""
    st = Path(path).stat()
    key = (str(Path(path).resolve()), st.st_mtime_ns, st.st_size)
    if key not in _PARSED:
        _PARSED[key] = load_rubric(path)
    return _PARSED[key]


def is_loopback(host: str) -> bool:
    if host in ("localhost",):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass
class Workbench:
    store: WebStore
    require_login: bool
    max_bytes: int = DEFAULT_MAX_BYTES
    score_workers: int = 0
    secure_cookies: bool = False  # served over TLS (by uvicorn or a proxy in front): Secure cookies
    tz: str | None = None  # the zone times are shown in (None: $CIVSCORE_TZ, else China Standard Time)
    signer: Signer = field(init=False)
    pool: ScoringPool = field(init=False)
    env: Environment = field(init=False)
    static: dict[str, bytes] = field(init=False)
    _scorers: dict = field(default_factory=dict, init=False)
    _rubrics: dict = field(default_factory=dict, init=False)
    _load_lock: threading.Lock = field(default_factory=threading.Lock, init=False)


    def __post_init__(self):
        self.signer = Signer(self.store.secret())
        tdir = Path(templates_dir()) / "web"
        self.env = Environment(loader=FileSystemLoader(str(tdir)), autoescape=True, undefined=StrictUndefined,
                               trim_blocks=True, lstrip_blocks=True)
        self.env.filters["score"] = fmt_score
        self.env.filters["level_class"] = level_class
        self.zone = display_zone(self.tz)
        self.env.filters["when"] = lambda iso, seconds=False, offset=True: fmt_time(iso, self.zone, seconds=seconds,
                                                                                   offset=offset)
        self.env.globals["zone_label"] = lambda: zone_label(self.zone)
        self.env.globals["RUBRICS"] = {AUTO: AUTO_LABEL} | {
            name: f"{self._rubric(name).rubric.title}（{name}）" for name in BUNDLED}
        self.static = {name: (tdir / "static" / name).read_bytes() for name in STATIC}
        self.pool = ScoringPool(self.score_workers, tuple(RUBRICS))

    # -- scorers and rubric rules --------------------------------------------------------

    def scorer(self, rubric: str):
        """The bundled rubric's scorer, or the chooser by unit kind (AUTO), loaded once
        (load_scorer parses the YAML on every call)."""
        name = rubric if rubric in RUBRICS else DEFAULT_RUBRIC
        if name not in self._scorers:
            with self._load_lock:  # 20 first uploads at once must not each parse the rubric
                if name not in self._scorers:
                    self._scorers[name] = load_scorer(name)
        return self._scorers[name]

    def warm(self) -> None:
        """Load the rubrics (and, scoring in this process, jieba), compile the pages, start
        the scoring processes, before the first request."""
        import gc

        for name in BUNDLED:
            self._rubric(name)
        if self.score_workers == 0:
            for name in RUBRICS:
                self.scorer(name).compile_all()
                self.scorer(name).score_text(WARM_TEXT)
        for t in ("base.html.j2", "index.html.j2", "round.html.j2", "review.html.j2", "uploaded.html.j2",
                  "message.html.j2", "login.html.j2", "accounts.html.j2"):
            self.env.get_template(t)
        self.pool.warm_in_background()  # uploads queue until a worker is ready; pages answer now
        gc.collect()
        gc.freeze()

    def _rubric(self, ref: str):
        """A rubric file parsed (not compiled: the server process need not load jieba)."""
        if ref not in self._rubrics:
            with self._load_lock:
                if ref not in self._rubrics:
                    self._rubrics[ref] = _parsed_rubric(resolve_rubric(ref))
        return self._rubrics[ref]

    def levels(self, result: ScoreResult) -> list[str]:
        """The ids of the levels of the rubric that scored `result` (the result carries them)."""
        return [lv.id for lv in result.rubric.levels]


# -- request helpers ---------------------------------------------------------------------


class Refusal(Exception):
    """Ends a request with a page that says, in Chinese, what was refused."""

    def __init__(self, status: int, title: str, message: str):
        self.status, self.title, self.message = status, title, message


def clean_line(text: str, limit: int) -> str:
    """A name typed into a form: one line, no control or bidi characters."""
    return actions.clean(text, limit, one_line=True)


def wb(request: Request) -> Workbench:
    return request.app.state.wb


def session_of(request: Request) -> Session:
    s = request.scope.get("civscore.session")
    if s is None:
        w = wb(request)
        s = w.signer.load(request.cookies.get(COOKIE))
        if s is not None and s.user and w.require_login and not (s.sid and w.store.session_live(session_digest(s.sid), s.user)):
            s = None  # logged out, a new password, a removed account: the cookie is worth nothing
        # (On loopback without login a session's name is only what the browser calls its reviewer:
        # an account of the same name being made or changed does not take it away.)
        if s is None:
            s = Session.new()
            request.scope["civscore.session.new"] = True
        request.scope["civscore.session"] = s
    return s


def set_session(request: Request, s: Session) -> None:
    request.scope["civscore.session"] = s
    request.scope["civscore.session.new"] = True


def current_user(request: Request) -> str:
    """The reviewer's name; in login mode a login is required for every page."""
    s = session_of(request)
    w = wb(request)
    if w.require_login:
        if not s.user or w.store.user(s.user) is None:
            raise Refusal(401, "请先登录", "请先登录评审工作台。")
        return s.user
    return s.user or LOCAL_REVIEWER


def is_admin(request: Request, user: str) -> bool:
    w = wb(request)
    if not w.require_login:
        return True
    u = w.store.user(user)
    return bool(u and u[1])


def visible_round(request: Request, round_id: int, user: str):
    w = wb(request)
    rnd = w.store.round(round_id)
    if rnd is None:
        raise Refusal(404, "没有这个评审批次", "没有这个评审批次，可能已被删除或链接有误。")
    if w.require_login and not is_admin(request, user) and not w.store.assigned(user, round_id):
        raise Refusal(403, "无权查看", "您没有被分配到这个评审批次，不能查看其中的材料。")
    return rnd


def visible_item(request: Request, round_id: int, item_id: int, user: str):
    rnd = visible_round(request, round_id, user)
    item = wb(request).store.item(item_id)
    if item is None or item.round_id != round_id:
        raise Refusal(404, "没有这份材料", "这个评审批次中没有这份材料。")
    return rnd, item


FORM_LIMIT = 1024 * 1024


def body_limit(w: "Workbench", path: str) -> int:
    """The most a request to `path` may send: an upload's files and fields, or a form."""
    if path.startswith("/rounds/") and path.endswith("/upload"):
        return w.max_bytes * MAX_FILES + FORM_LIMIT
    return FORM_LIMIT


async def checked_form(request: Request, *, files: bool = False):
    """The posted form, after the CSRF check. Bodies are size-limited as they stream in
    (guard.BodyLimit, and each file by CappedMultiPartParser)."""
    w = wb(request)
    limit = body_limit(w, request.url.path)
    too_big = Refusal(413, "上传内容过大", "上传内容过大，未保存任何文件。"
                      f"单个文件上限 {w.max_bytes / 2**20:.0f} MB，一次至多 {MAX_FILES} 个文件。")
    try:
        length = int(request.headers.get("content-length", "0"))
    except ValueError:
        length = 0
    if length > limit:
        raise Refusal(413, "上传内容过大", f"上传内容过大（{length / 2**20:.1f} MB），未保存任何文件。"
                      f"单个文件上限 {w.max_bytes / 2**20:.0f} MB，一次至多 {MAX_FILES} 个文件。")
    multipart = request.headers.get("content-type", "").lower().startswith("multipart/form-data")
    try:
        if files and multipart:
            form = await CappedMultiPartParser(request.headers, request.stream(), max_files=MAX_FILES,
                                               max_fields=200, max_part_size=256 * 1024,
                                               max_file_size=w.max_bytes).parse()
        else:
            form = await request.form(max_files=MAX_FILES if files else 0, max_fields=200,
                                      max_part_size=w.max_bytes if files else 256 * 1024)
    except BodyTooLarge:
        raise too_big from None
    except FileTooLarge:
        raise Refusal(413, "文件过大", f"文件过大：单个文件上限 {w.max_bytes / 2**20:.0f} MB，未保存任何文件。") from None
    except (HTTPException, MultiPartException) as e:
        detail = str(getattr(e, "detail", None) or getattr(e, "message", "") or e).lower()
        if "size" in detail:
            raise Refusal(413, "文件过大", f"文件过大：单个文件上限 {w.max_bytes / 2**20:.0f} MB，未保存任何文件。") from None
        if "files" in detail:
            raise Refusal(413, "文件过多", f"一次至多上传 {MAX_FILES} 个文件，未保存任何文件。") from None
        raise Refusal(400, "表单无效", "提交的表单格式不正确，未保存任何内容。") from None
    if not csrf_ok(session_of(request), form.get("csrf")):
        await form.close()
        raise Refusal(403, "表单已失效", "表单校验失败（缺少或错误的安全令牌），可能是页面已过期或来自其他网站。"
                      "未保存任何内容，请刷新页面后重试。")
    return form


def page(request: Request, template: str, status: int = 200, **ctx) -> HTMLResponse:
    w = wb(request)
    s = session_of(request)
    user = s.user or ("" if w.require_login else LOCAL_REVIEWER)
    admin = not w.require_login or bool(user and (w.store.user(user) or ("", False))[1])
    html = w.env.get_template(template).render(
        csrf=s.csrf, user=user, login_mode=w.require_login, request_path=request.url.path, is_admin=admin, **ctx
    )
    return HTMLResponse(html, status_code=status)


def finish(request: Request, response: Response) -> Response:
    if request.scope.get("civscore.session.new"):
        s = session_of(request)
        response.set_cookie(COOKIE, wb(request).signer.dump(s), max_age=SESSION_SECONDS, httponly=True,
                            samesite="strict", secure=wb(request).secure_cookies, path="/")
    for k, v in SECURITY_HEADERS.items():
        response.headers.setdefault(k, v)
    # review pages, rankings and PDFs are not for a shared cache or the back button after logout
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def handler(fn):
    """Wraps an endpoint: refusals become Chinese pages, the session cookie is set."""

    async def endpoint(request: Request) -> Response:
        try:
            response = await fn(request)
        except Refusal as r:
            if r.status == 401:
                response = RedirectResponse("/login?" + urlencode({"next": request.url.path}), status_code=303)
            else:
                response = page(request, "message.html.j2", status=r.status, title=r.title, message=r.message)
        return finish(request, response)

    endpoint.__name__ = fn.__name__
    return endpoint


SQL_INT_MAX = 2**63 - 1


def sql_int(value) -> int | None:
    """`value` as an integer SQLite can hold (ids, versions), or None."""
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return n if -SQL_INT_MAX - 1 <= n <= SQL_INT_MAX else None


def int_param(request: Request, name: str) -> int:
    n = sql_int(request.path_params.get(name))
    if n is None:  # past SQLite's integer range too: no such page, not an error
        raise Refusal(404, "页面不存在", "页面不存在。")
    return n


# -- pages -------------------------------------------------------------------------------


@handler
async def home(request: Request) -> Response:
    user = current_user(request)
    w = wb(request)
    rounds = w.store.rounds(None if is_admin(request, user) else user)
    return page(request, "index.html.j2", rounds=rounds, default_rubric=DEFAULT_RUBRIC)


@handler
async def create_round(request: Request) -> Response:
    user = current_user(request)
    form = await checked_form(request)
    name = clean_line(str(form.get("name", "")), 80)
    rubric = str(form.get("rubric", DEFAULT_RUBRIC))
    if not name:
        raise Refusal(400, "请填写批次名称", "请填写评审批次的名称，例如“2026年度初评”。")
    if rubric not in RUBRICS:
        raise Refusal(400, "评分标准无效", "请选择列表中的评分标准。")
    rid = wb(request).store.create_round(name, rubric, user if wb(request).require_login else "")
    return RedirectResponse(f"/rounds/{rid}", status_code=303)


def _filters(request: Request) -> dict:
    q = request.query_params
    grade = q.get("grade", "")
    return {"grade": grade[:20], "veto": q.get("veto", ""), "unreviewed": q.get("unreviewed", "")}


def ranked(items: list[Item]) -> list[Item]:
    return sorted(items, key=lambda i: (i.reviewed_vetoed, -round(i.reviewed_total, 6), i.filename, i.id))


@handler
async def round_view(request: Request) -> Response:
    user = current_user(request)
    rnd = visible_round(request, int_param(request, "rid"), user)
    everything = wb(request).store.items(rnd.id)
    items = ranked([i for i in everything if not i.withdrawn])
    withdrawn = [i for i in everything if i.withdrawn]
    f = _filters(request)
    grades = sorted({i.reviewed_grade for i in items})
    shown = [
        (rank, i) for rank, i in enumerate(items, 1)
        if (not f["grade"] or i.reviewed_grade == f["grade"])
        and (f["veto"] != "1" or i.reviewed_vetoed)
        and (f["veto"] != "0" or not i.reviewed_vetoed)
        and (f["unreviewed"] != "1" or not i.adjusted)
    ]
    return page(request, "round.html.j2", rnd=rnd, rows=shown, total=len(items), grades=grades, f=f,
                rubric_default=rnd.rubric, max_mb=wb(request).max_bytes / 2**20, max_files=MAX_FILES,
                reviewed=sum(1 for i in items if i.adjusted), results=request.query_params.get("added", ""),
                withdrawn=withdrawn)


@handler
async def upload(request: Request) -> Response:
    user = current_user(request)
    rnd = visible_round(request, int_param(request, "rid"), user)
    w = wb(request)
    form = await checked_form(request, files=True)
    try:
        rubric = str(form.get("rubric") or rnd.rubric)
        if rubric not in RUBRICS:
            raise Refusal(400, "评分标准无效", "请选择列表中的评分标准。")
        files = [f for f in form.getlist("files") if hasattr(f, "read")]
        if not files:
            raise Refusal(400, "没有选择文件", "请选择要上传的申报材料（txt、docx、pdf 或 html）。")
        added, refused = [], []
        for f in files:
            data = await f.read(w.max_bytes + 1)
            outcome = await w.pool.score(rubric, data, f.filename, w.store.dir / "uploads", w.max_bytes)
            if outcome[0] == "refused":
                refused.append(UploadRefused(*outcome[1:]))
                continue
            scored = outcome[1]
            summary = Summary.from_json(scored.summary_json)
            item_id = w.store.add_item(rnd.id, summary, scored.result_json, rubric_sha256=scored.rubric_sha256,
                                       rubric_id=scored.rubric_id, rubric_version=scored.rubric_version,
                                       filename=scored.name, by=user)
            added.append((item_id, summary))
    finally:
        await form.close()
    if len(files) == 1 and added and not refused:
        return RedirectResponse(f"/rounds/{rnd.id}/items/{added[0][0]}", status_code=303)
    status = 200 if added else max(e.status for e in refused)
    return page(request, "uploaded.html.j2", status=status, rnd=rnd, added=added, refused=refused)


def doc_html(result: ScoreResult, rv) -> Markup:
    """The normalized text with every quote marked. Each piece of text is escaped;
    every segment carries its offset (data-o) so a selection maps back to offsets."""
    spans: dict[tuple[int, int], set[str]] = {}
    for s in rv.sections:
        for c in s.criteria:
            struck = {(q.start, q.end) for q in c.struck}
            for q in c.quotes:
                spans.setdefault((q.start, q.end), set()).add("struck" if (q.start, q.end) in struck else "q")
            for q in c.added:
                spans.setdefault((q.start, q.end), set()).add("added")
            for q in c.weaker:
                spans.setdefault((q.start, q.end), set()).add("weak")
    for v in rv.vetoes:
        spans.setdefault((v.start, v.end), set()).add("veto")
    text = result.text
    starts: dict[int, list[tuple[int, int]]] = {}
    for span in spans:
        starts.setdefault(span[0], []).append(span)
    cuts = sorted({0, len(text), *(p for span in spans for p in span)})
    out = []
    active: list[tuple[int, int]] = []
    for a, b in zip(cuts, cuts[1:]):
        active = [k for k in active if k[1] > a] + starts.get(a, [])
        piece = escape(text[a:b])
        if not active:
            out.append(Markup('<span data-o="%d">%s</span>') % (a, piece))
            continue
        classes = set().union(*(spans[k] for k in active))
        for weaker in ("struck", "weak"):  # a quote, an addition or a veto over it shows as that
            if weaker in classes and len(classes) > 1:
                classes.discard(weaker)
        keys = " ".join(f"{s}-{e}" for s, e in sorted(active))
        anchors = "".join(f'<a id="s-{s}-{e}"></a>' for (s, e) in starts.get(a, []))
        out.append(Markup(anchors + '<mark data-o="%d" data-q="%s" class="%s">') % (a, keys, " ".join(sorted(classes)))
                   + piece + Markup("</mark>"))
    return Markup("").join(out)


def load_item(request: Request):
    user = current_user(request)
    rnd, item = visible_item(request, int_param(request, "rid"), int_param(request, "iid"), user)
    w = wb(request)
    result = w.store.result(item)
    version, state = w.store.review(item.id)
    return user, rnd, item, result, version, state


def review_page(request: Request, rnd, item, result, version, state, *, status=200, conflict=None, error=None,
                form=None) -> HTMLResponse:
    w = wb(request)
    rv = reviewed(result, state)
    changes = w.store.changes(item.id)
    return page(request, "review.html.j2", status=status, rnd=rnd, item=item, r=result, rv=rv, version=version,
                doc=doc_html(result, rv), levels=w.levels(result), changes=list(reversed(changes)),
                conflict=conflict, error=error, form=form or {}, tier=result.shown_tier,
                reasons=result.rubric.discounts)


@handler
async def review_view(request: Request) -> Response:
    user, rnd, item, result, version, state = load_item(request)
    return review_page(request, rnd, item, result, version, state)


async def _apply(request: Request, make) -> Response:
    """Run one change: CSRF check, build the new state, write it if the version still holds."""
    user, rnd, item, result, version, state = await run_in_threadpool(load_item, request)
    form = await checked_form(request)
    w = wb(request)
    values = {k: str(v) for k, v in form.items() if k != "csrf"}
    seen = sql_int(values.get("version", ""))
    if seen is None:
        seen = -1
    if seen != version:
        # Someone else wrote since this reviewer loaded the page: refuse, and say who changed what.
        changes = [c for c in w.store.changes(item.id, since=max(seen, 0))]
        return review_page(request, rnd, item, result, version, state, status=409, conflict=changes, form=values)
    try:
        new, target, what, why, before, after = make(result, state, values)
    except actions.Refused as e:
        return review_page(request, rnd, item, result, version, state, status=400, error=str(e), form=values)
    if w.require_login and target != "opinion":
        new, what = actions.void_check(new, what)  # the 复核人 confirmed the review before this change
    rv = reviewed(result, new)
    if not w.require_login and not session_of(request).user and new.reviewer and new.reviewer != state.reviewer:
        # On loopback without login, a reviewer who gave no name names themself by signing: the
        # signing is recorded under the signed name. A later change from a browser that gave no
        # name stays 本机评审人: nobody can tell it was the signer who made it.
        user = new.reviewer
    try:
        await run_in_threadpool(
            lambda: w.store.save_review(item.id, version, new, who=user, action=target.split(":")[0], target=target,
                                        what=what, why=why, before=before, after=after, reviewed_total=rv.total,
                                        reviewed_grade=rv.grade, reviewed_vetoed=rv.vetoed,
                                        undoes=values.get("_undoes") and int(values["_undoes"]))
        )
    except StaleWrite as e:
        version, state = w.store.review(item.id)
        return review_page(request, rnd, item, result, version, state, status=409, conflict=e.changes, form=values)
    anchor = values.get("crit", "")
    return RedirectResponse(
        f"/rounds/{rnd.id}/items/{item.id}" + (f"#c-{urlquote(anchor)}" if anchor else ""), status_code=303
    )


@handler
async def set_level(request: Request) -> Response:
    w = wb(request)
    return await _apply(request, lambda r, s, v: actions.set_level(r, s, w.levels(r), v.get("crit"), v.get("level"),
                                                                   v.get("reason")))


def _span_field(v: dict, *names: str) -> tuple[str | None, str | None, str | None]:
    """(which button, start, end): a quote's button posts "start-end" under its name;
    plain start/end fields work too."""
    for name in names:
        if v.get(name):
            start, _, end = v[name].partition("-")
            return name, start, end
    return None, v.get("start"), v.get("end")


@handler
async def strike(request: Request) -> Response:
    def make(r, s, v):
        button, start, end = _span_field(v, "strike", "restore")
        restore = button == "restore" or v.get("restore") == "1"
        return actions.strike_quote(r, s, v.get("crit"), start, end, v.get("reason"), restore=restore)

    return await _apply(request, make)


@handler
async def add_quote(request: Request) -> Response:
    def make(r, s, v):
        button, start, end = _span_field(v, "remove", "add")  # "add": a weaker sentence's button
        remove = button == "remove" or v.get("remove") == "1"
        return actions.add_quote(r, s, v.get("crit"), start, end, v.get("reason"), remove=remove)

    return await _apply(request, make)


@handler
async def veto(request: Request) -> Response:
    return await _apply(request, lambda r, s, v: actions.dismiss_veto(
        r, s, v.get("key", ""), v.get("reason"), restore=v.get("restore") == "1"))


@handler
async def opinion(request: Request) -> Response:
    w = wb(request)
    user = current_user(request)
    return await _apply(request, lambda r, s, v: actions.set_opinion(
        s, v.get("opinion"), v.get("reviewer"), v.get("checker"), account=user if w.require_login else None,
        now=utc_now()))


@handler
async def confirm_check(request: Request) -> Response:
    """复核: another account confirms the signed review in its own session (login mode only)."""
    w = wb(request)
    user = current_user(request)
    if not w.require_login:
        raise Refusal(404, "页面不存在", "本机使用时没有账号，复核人直接填写在评审意见下方。")
    return await _apply(request, lambda r, s, v: actions.confirm_check(s, user, utc_now()))


@handler
async def withdraw(request: Request) -> Response:
    return await _apply(request, lambda r, s, v: actions.withdraw(s, v.get("reason"), restore=v.get("restore") == "1"))


@handler
async def undo(request: Request) -> Response:
    iid = int_param(request, "iid")

    def make(r, s, v):
        cid = sql_int(v.get("change", ""))
        change = wb(request).store.change(iid, cid) if cid is not None else None
        if change is None:
            raise actions.Refused("没有这条修改记录。")
        v["_undoes"] = str(change.id)
        return actions.undo(s, change)

    return await _apply(request, make)


def pdf_filename(result: ScoreResult, suffix: str) -> str:
    base = result.submission.unit or Path(result.submission.path).stem or "评分表"
    return f"{base}-{suffix}.pdf"


def attachment(data: bytes, filename: str, media: str) -> Response:
    ascii_name = "".join(ch if ch.isascii() and ch.isalnum() or ch in "-_." else "_" for ch in filename)
    return Response(data, media_type=media, headers={
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{urlquote(filename)}",
    })


def scorecard_bytes(wbench: Workbench, result: ScoreResult, state, item_id: int | None = None) -> bytes:
    """The same render function as `civscore score --pdf`; the review section only when
    a reviewer decided something, so an untouched submission gives the same bytes."""
    from scorer.report.environment import check_pdf_environment
    from scorer.report.pdf import renderer

    check_pdf_environment()
    review = reviewed(result, state) if state.adjusted() else None
    log = wbench.store.changes(item_id) if review is not None and item_id is not None else ()
    return renderer().pdf_bytes(result, review=review, log=log, zone=wbench.zone)


@handler
async def scorecard(request: Request) -> Response:
    user, rnd, item, result, version, state = await run_in_threadpool(load_item, request)
    try:
        data = await run_in_threadpool(scorecard_bytes, wb(request), result, state, item.id)
    except CivscoreError as e:
        raise Refusal(500, "无法生成评分表", f"无法生成 PDF 评分表：{e.text('zh')}") from None
    return attachment(data, pdf_filename(result, "评分表"), "application/pdf")


def round_rows(w: Workbench, rnd):
    """Ranked rows with the reviewed scores, as the batch's ranking module takes them, and
    the dimension columns of every rubric that scored an item (a round chosen by unit kind
    holds several), the RubricInfo of each, and the grade order."""
    from scorer.batch.ranking import Dim, RankedRow
    from scorer.batch.summary import DimScore

    items = ranked([i for i in w.store.items(rnd.id) if not i.withdrawn])  # a withdrawn item is not ranked
    rows, infos, dims, grade_order = [], {}, {}, []
    for rank, item in enumerate(items, 1):
        s = item.summary
        result = None
        if item.adjusted or s.rubric_id not in infos:
            result = w.store.result(item)
        if item.adjusted:
            _, state = w.store.review(item.id)
            rv = reviewed(result, state)
            dim_scores = tuple(DimScore(x.id, x.name, x.score, x.max) for x in rv.sections if x.id != result.bonus.id)
            vetoes = tuple(dict.fromkeys(v.name for v in rv.vetoes if v.dismissed is None))
            s = Summary(s.sha256, s.path, s.unit, s.title, rv.total, s.max_total, rv.grade, rv.vetoed, dim_scores,
                        vetoes, tier=rv.tier, rubric_id=s.rubric_id)
        if s.rubric_id not in infos:
            infos[s.rubric_id] = result.rubric.model_copy(update={"chosen_by": "", "discounts": {}})
            dims[s.rubric_id] = [Dim(d.id, d.name, d.max, s.rubric_id) for d in result.dimensions]
            grade_order += [g.name for g in result.rubric.grades] + [result.rubric.veto_grade]
        rows.append(RankedRow(rank, item.filename, s, None))
    if not infos:  # an empty round: the rubric it was opened with (the fallback for AUTO)
        loaded = w._rubric(rnd.rubric if rnd.rubric in BUNDLED else BUNDLED[-1])
        r = loaded.rubric
        infos[r.id] = RubricInfo(id=r.id, version=r.version, sha256=loaded.sha256, title=r.title,
                                 path=str(loaded.path))
        grade_order = [g.name for g in r.grades] + [r.veto_grade]
    columns = [d for rid in sorted(dims, key=lambda k: BUNDLED.index(k) if k in BUNDLED else len(BUNDLED))
               for d in dims[rid]]
    return rows, columns, list(infos.values()), list(dict.fromkeys(grade_order))


@handler
async def ranking_file(request: Request) -> Response:
    from scorer.batch.ranking import csv_bytes, write_xlsx

    user = current_user(request)
    rnd = visible_round(request, int_param(request, "rid"), user)
    kind = request.path_params["kind"]
    if kind not in ("csv", "xlsx"):
        raise Refusal(404, "页面不存在", "页面不存在。")
    rows, dims, _, _ = await run_in_threadpool(round_rows, wb(request), rnd)
    if kind == "csv":
        return attachment(csv_bytes(rows, dims), f"{rnd.name}-排名.csv", "text/csv; charset=utf-8")

    def xlsx() -> bytes:
        import tempfile

        # the batch's own writer (atomic, marked, formula-safe), into a private folder
        with tempfile.TemporaryDirectory() as tmp:
            return write_xlsx(Path(tmp) / "ranking.xlsx", rows, dims).read_bytes()

    data = await run_in_threadpool(xlsx)
    return attachment(data, f"{rnd.name}-排名.xlsx",
                      "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@handler
async def overview(request: Request) -> Response:
    user = current_user(request)
    rnd = visible_round(request, int_param(request, "rid"), user)
    w = wb(request)

    def build() -> bytes:
        import tempfile

        from scorer.batch.overview import write_overview
        from scorer.report.environment import check_pdf_environment
        from scorer.report.pdf import renderer

        check_pdf_environment()
        rows, dims, infos, grade_order = round_rows(w, rnd)
        # WeasyPrint's caches are shared with the scorecard renderer: render one at a time.
        with renderer()._lock, tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "overview.pdf"
            write_overview(out, rows, dims, title=rnd.name, rubrics=infos, grade_order=grade_order)
            return out.read_bytes()

    try:
        data = await run_in_threadpool(build)
    except CivscoreError as e:
        raise Refusal(500, "无法生成总览", f"无法生成总览 PDF：{e.text('zh')}") from None
    return attachment(data, f"{rnd.name}-总览.pdf", "application/pdf")


# -- login -------------------------------------------------------------------------------


# -- accounts (administrators only) -------------------------------------------------------
#
# The same accounts and assignments as `civscore serve adduser` / `serve assign`, under the
# same rules as every other form: login, the CSRF token, and an audit line for each change
# (who, when, what, for whom; never a password).

MIN_PASSWORD = 8


def admin_user(request: Request) -> str:
    user = current_user(request)
    if not is_admin(request, user):
        raise Refusal(403, "无权管理账号", "只有管理员可以管理评审账号和批次分配。")
    return user


def valid_name(name: str) -> str:
    name = name.strip()
    if not name or len(name) > 60 or any(ord(c) < 32 or c == "\x7f" for c in name):
        raise Refusal(400, "账号名称无效", "账号名称须为 1–60 个可打印字符。")
    return name


def accounts_page(request: Request, *, status: int = 200, notice: str = "", error: str = "") -> HTMLResponse:
    w = wb(request)
    return page(request, "accounts.html.j2", status=status, users=w.store.users(), rounds=w.store.rounds(),
                log=w.store.account_log(), notice=notice, error=error, min_password=MIN_PASSWORD)


@handler
async def accounts(request: Request) -> Response:
    admin_user(request)
    return accounts_page(request)


@handler
async def account_add(request: Request) -> Response:
    who = admin_user(request)
    form = await checked_form(request)
    w = wb(request)
    name = valid_name(str(form.get("name", "")))
    password, again = str(form.get("password", ""))[:200], str(form.get("password2", ""))[:200]
    make_admin = form.get("admin") == "1"
    if len(password) < MIN_PASSWORD:
        return accounts_page(request, status=400, error=f"密码至少需要 {MIN_PASSWORD} 位，未保存。")
    if password != again:
        return accounts_page(request, status=400, error="两次输入的密码不一致，未保存。")
    existing = w.store.user(name)
    if existing and existing[1] and not make_admin and w.require_login and w.store.admin_count() <= 1:
        return accounts_page(request, status=400, error=f"{name} 是唯一的管理员，不能取消其管理员权限。")
    pw_hash = await run_in_threadpool(hash_password, password)
    new = w.store.add_user(name, pw_hash, admin=make_admin)
    w.store.log_account(who, "新建账号" if new else "重设密码", name, "管理员" if make_admin else "评审人")
    return RedirectResponse("/accounts", status_code=303)


@handler
async def account_admin(request: Request) -> Response:
    who = admin_user(request)
    form = await checked_form(request)
    w = wb(request)
    name = valid_name(str(form.get("name", "")))
    make_admin = form.get("admin") == "1"
    account = w.store.user(name)
    if account is None:
        raise Refusal(404, "没有这个账号", f"没有名为 {name} 的账号。")
    if account[1] and not make_admin and w.require_login and w.store.admin_count() <= 1:
        return accounts_page(request, status=400, error=f"{name} 是唯一的管理员，不能取消其管理员权限。")
    if account[1] != make_admin:
        w.store.set_admin(name, make_admin)
        w.store.log_account(who, "设为管理员" if make_admin else "取消管理员", name)
    return RedirectResponse("/accounts", status_code=303)


async def _assignment(request: Request, add: bool) -> Response:
    who = admin_user(request)
    form = await checked_form(request)
    w = wb(request)
    name = valid_name(str(form.get("name", "")))
    try:
        rid = int(str(form.get("round", "")))
    except ValueError:
        raise Refusal(400, "请选择批次", "请选择要分配的评审批次。") from None
    if w.store.user(name) is None:
        raise Refusal(404, "没有这个账号", f"没有名为 {name} 的账号。")
    rnd = w.store.round(rid)
    if rnd is None:
        raise Refusal(404, "没有这个评审批次", "没有这个评审批次，可能已被删除或链接有误。")
    if add:
        if not w.store.assigned(name, rid):
            w.store.assign(name, rid)
            w.store.log_account(who, "分配批次", name, f"第 {rid} 批次「{rnd.name}」")
    elif w.store.unassign(name, rid):
        w.store.log_account(who, "取消分配", name, f"第 {rid} 批次「{rnd.name}」")
    return RedirectResponse("/accounts", status_code=303)


@handler
async def account_assign(request: Request) -> Response:
    return await _assignment(request, True)


@handler
async def account_unassign(request: Request) -> Response:
    return await _assignment(request, False)


def _safe_next(value: str | None) -> str:
    value = value or "/"
    # Browsers drop tabs and newlines from URLs, so "/\t/host" would become "//host".
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        return "/"
    return value if value.startswith("/") and not value.startswith("//") and "\\" not in value else "/"


@handler
async def login_form(request: Request) -> Response:
    return page(request, "login.html.j2", next=_safe_next(request.query_params.get("next")), error=None, name="")


# Login throttle (issue 20.4): failures are counted in the audit log, per account (since its
# last login) and per address, over a sliding window; past either limit, logins are refused
# without looking at the password until the window has passed.
THROTTLE_WINDOW = 15 * 60
THROTTLE_PER_ACCOUNT = 5
THROTTLE_PER_ADDRESS = 20


def client_address(request: Request) -> str:
    return request.client.host if request.client else ""


@handler
async def login(request: Request) -> Response:
    w = wb(request)
    form = await checked_form(request)
    name = clean_line(str(form.get("name", "")), 60)
    password = str(form.get("password", ""))[:200]
    nxt = _safe_next(form.get("next"))
    if w.require_login:
        address = client_address(request)
        throttled = await run_in_threadpool(
            lambda: w.store.recent_failures(user=name, seconds=THROTTLE_WINDOW) >= THROTTLE_PER_ACCOUNT
            or w.store.recent_failures(address=address, seconds=THROTTLE_WINDOW) >= THROTTLE_PER_ADDRESS)
        if throttled:
            await run_in_threadpool(w.store.audit, "login-throttled", name, address)
            response = page(request, "login.html.j2", status=429, next=nxt, name=name, error="throttled")
            response.headers["Retry-After"] = str(THROTTLE_WINDOW)
            return response
        account = w.store.user(name) if name else None
        ok = await run_in_threadpool(verify_password, password, account[0] if account else DUMMY_HASH)
        if not (account and ok):
            await run_in_threadpool(w.store.audit, "login-failed", name, address)
            return page(request, "login.html.j2", status=401, next=nxt, name=name,
                        error="bad-password")  # the sentence is in login.html.j2
        await run_in_threadpool(w.store.audit, "login", name, address)
    elif not name:
        return page(request, "login.html.j2", status=400, next=nxt, name=name, error="请填写您的姓名。")
    s = Session.new(name)
    w.store.add_session(session_digest(s.sid), name, s.exp)
    set_session(request, s)
    return RedirectResponse(nxt, status_code=303)


@handler
async def logout(request: Request) -> Response:
    await checked_form(request)
    old = session_of(request)
    if old.sid:
        wb(request).store.end_session(session_digest(old.sid))
    set_session(request, Session.new())
    return RedirectResponse("/login" if wb(request).require_login else "/", status_code=303)


async def static(request: Request) -> Response:
    name = request.path_params.get("name", "")
    w = wb(request)
    if name not in STATIC:
        return finish(request, page(request, "message.html.j2", status=404, title="页面不存在", message="页面不存在。"))
    return Response(w.static[name], media_type=STATIC[name], headers={"Cache-Control": "no-cache",
                                                                       "X-Content-Type-Options": "nosniff"})


async def not_found(request: Request, exc) -> Response:
    status = getattr(exc, "status_code", 404)
    title, message = ("页面不存在", "页面不存在。") if status == 404 else ("请求无效", "请求无效。")
    if status == 405:
        title, message = "请求方式不正确", "这个地址不支持这种请求方式。"
    return finish(request, page(request, "message.html.j2", status=status, title=title, message=message))


async def server_error(request: Request, exc) -> Response:
    message = "处理时出错，未保存本次修改。请稍后重试，或联系管理员查看日志。"
    try:
        return finish(request, page(request, "message.html.j2", status=500, title="内部错误", message=message))
    except Exception:  # the page itself failed: a plain one, still with the security headers
        response = HTMLResponse(f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>内部错误</title>'
                                f"<h1>内部错误</h1><p>{message}</p></html>", status_code=500)
        for k, v in SECURITY_HEADERS.items():
            response.headers[k] = v
        response.headers["Cache-Control"] = "no-store"
        return response


def create_app(data_dir: str | Path, *, require_login: bool = False, max_bytes: int = DEFAULT_MAX_BYTES,
               warm: bool = False, import_batch: bool = True, score_workers: int = 0, bind: str = "127.0.0.1",
               allowed_hosts: Sequence[str] = (), secure_cookies: bool = False, tz: str | None = None) -> Starlette:
    """The workbench over `data_dir`. `warm=True` loads the rubrics and compiles the pages
    now rather than on the first requests (civscore serve does). `score_workers` > 0 scores
    uploads in that many worker processes; 0 scores in this process. `bind` is the address
    the server listens on and `allowed_hosts` the names it is reached by besides localhost
    (guard.RequestGuard refuses any other Host, and a foreign Origin on a POST).
    `secure_cookies` marks the session cookie Secure (the page is served over TLS). `tz`: the IANA
    zone times are shown in (default $CIVSCORE_TZ, else Asia/Shanghai: China Standard Time)."""
    store = WebStore(data_dir)
    if import_batch:
        store.import_batch_results()
    w = Workbench(store, require_login, max_bytes, score_workers, secure_cookies, tz)
    if warm:
        w.warm()
    routes = [
        Route("/", home),
        Route("/rounds", create_round, methods=["POST"]),
        Route("/rounds/{rid:int}", round_view),
        Route("/rounds/{rid:int}/upload", upload, methods=["POST"]),
        Route("/rounds/{rid:int}/ranking.{kind:str}", ranking_file),
        Route("/rounds/{rid:int}/overview.pdf", overview),
        Route("/rounds/{rid:int}/items/{iid:int}", review_view),
        Route("/rounds/{rid:int}/items/{iid:int}/level", set_level, methods=["POST"]),
        Route("/rounds/{rid:int}/items/{iid:int}/strike", strike, methods=["POST"]),
        Route("/rounds/{rid:int}/items/{iid:int}/add", add_quote, methods=["POST"]),
        Route("/rounds/{rid:int}/items/{iid:int}/veto", veto, methods=["POST"]),
        Route("/rounds/{rid:int}/items/{iid:int}/opinion", opinion, methods=["POST"]),
        Route("/rounds/{rid:int}/items/{iid:int}/check", confirm_check, methods=["POST"]),
        Route("/rounds/{rid:int}/items/{iid:int}/undo", undo, methods=["POST"]),
        Route("/rounds/{rid:int}/items/{iid:int}/withdraw", withdraw, methods=["POST"]),
        Route("/rounds/{rid:int}/items/{iid:int}/scorecard.pdf", scorecard),
        Route("/accounts", accounts),
        Route("/accounts/add", account_add, methods=["POST"]),
        Route("/accounts/admin", account_admin, methods=["POST"]),
        Route("/accounts/assign", account_assign, methods=["POST"]),
        Route("/accounts/unassign", account_unassign, methods=["POST"]),
        Route("/login", login_form),
        Route("/login", login, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
        Route("/static/{name:str}", static),
    ]
    @contextlib.asynccontextmanager
    async def lifespan(app):
        yield
        w.pool.close()

    app = Starlette(routes=routes, exception_handlers={404: not_found, 405: not_found, 500: server_error},
                    lifespan=lifespan,
                    middleware=[Middleware(RequestGuard, bind=bind, names=tuple(allowed_hosts)),
                                Middleware(BodyLimit, limit_for=lambda scope: body_limit(w, scope["path"]))])
    app.state.wb = w
    return app

