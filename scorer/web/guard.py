"""What a request must be before the workbench looks at it (issue 20).

* Its Host is one of the server's own names. A page on any domain that resolves to
  127.0.0.1 (DNS rebinding) is then refused before it can read a round or fetch a
  CSRF token. Names are checked by Starlette's own `TrustedHostMiddleware`; an IP
  literal cannot be rebound, so a Host that is an address is accepted when the
  server listens on it (any address for 0.0.0.0 or ::, loopback ones otherwise).
* A state-changing request (POST, PUT, PATCH, DELETE) that carries an Origin (every
  browser sends one) comes from the server's own origin. The CSRF token stays the
  main defence; this one needs no state.
* A body is counted while it streams in, whatever Content-Length says (a chunked body
  has none): past the route's limit `receive` raises `BodyTooLarge` and nothing more
  is read. `CappedMultiPartParser` (Starlette's parser) stops each uploaded file at
  the upload limit as it streams, so no temporary file grows past it.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.responses import HTMLResponse
from starlette.types import ASGIApp, Receive, Scope, Send

UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
LOOPBACK_NAMES = ("localhost",)
_PAGE = ('<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{title}</title>'
         "<h1>{title}</h1><p>{message}</p></html>")
HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Cache-Control": "no-store",
           "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'"}


def _ip(host: str):
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def split_host(value: str | None) -> tuple[str, int | None] | None:
    """(host, port) of a Host header or an origin's netloc; None when it is not one."""
    if not value or any(ch.isspace() or ord(ch) < 33 or ord(ch) > 126 for ch in value) or "@" in value:
        return None
    try:
        parts = urlsplit("//" + value)
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if not host or parts.path or parts.query or parts.fragment:
        return None
    return host.lower(), port


def server_names(bind: str, extra: Iterable[str] = ()) -> list[str]:
    """The host names the server answers to: localhost, the names given (`--allowed-host`),
    and for an address other than loopback the machine's own name; a name it binds to."""
    names = list(LOOPBACK_NAMES) + [n.strip().lower().rstrip(".") for n in extra if n.strip()]
    ip = _ip(bind)
    if ip is None:
        names.append(bind.lower())
    elif not ip.is_loopback:
        for name in (socket.gethostname(), socket.getfqdn()):
            if name:
                names.append(name.lower())
    return list(dict.fromkeys(names))


def refusal(status: int, title: str, message: str) -> HTMLResponse:
    return HTMLResponse(_PAGE.format(title=title, message=message), status_code=status, headers=HEADERS)


class RequestGuard:
    """Host and Origin checks in front of the application."""

    def __init__(self, app: ASGIApp, *, bind: str = "127.0.0.1", names: Iterable[str] = ()):
        self.app = app
        self.bind = _ip(bind)
        self.any_address = self.bind is not None and self.bind.is_unspecified
        self.names = server_names(bind, names)
        self._bad_host = refusal(400, "主机名无效", "这个地址不是评审工作台自己的地址，请求已拒绝。")
        self._by_name = TrustedHostMiddleware(_passed, allowed_hosts=self.names, www_redirect=False)

    def address_allowed(self, host: str) -> bool | None:
        """True/False for an IP literal, None for a name."""
        ip = _ip(host)
        if ip is None:
            return None
        if ip.is_loopback:
            return True
        return self.any_address or ip == self.bind

    def origin_ok(self, origin: str, host: str | None) -> bool:
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https"):
            return False  # "null" (a sandboxed frame, a file://) is nobody's origin
        # the scheme is not compared: behind a TLS proxy the server itself sees http
        default = 443 if parts.scheme == "https" else 80
        mine, theirs = split_host(host), split_host(parts.netloc)
        if mine is None or theirs is None:
            return False
        return (mine[0], mine[1] or default) == (theirs[0], theirs[1] or default)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        host = headers.get("host")
        parsed = split_host(host)
        if parsed is None:
            await self._bad_host(scope, receive, send)
            return
        allowed = self.address_allowed(parsed[0])
        if allowed is False:
            await self._bad_host(scope, receive, send)
            return
        if allowed is None:
            # a name: Starlette's TrustedHostMiddleware decides (its 400 is replaced by our page)
            await self._by_name(scope, receive, _discard)
            if not scope.pop("civscore.trusted_host", False):
                await self._bad_host(scope, receive, send)
                return
        if scope["type"] == "http" and scope["method"] in UNSAFE:
            origin = headers.get("origin")
            if origin is not None and not self.origin_ok(origin, host):
                await refusal(403, "来源无效", "这个请求来自其他网站，未保存任何内容。")(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _passed(scope: Scope, receive: Receive, send: Send) -> None:
    scope["civscore.trusted_host"] = True


async def _discard(message) -> None:
    return None


class BodyTooLarge(Exception):
    """The request body went past its limit; `limit` is that limit in bytes."""

    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"request body over {limit} bytes")


class FileTooLarge(MultiPartException):
    def __init__(self, limit: int):
        self.limit = limit
        super().__init__(f"file over {limit} bytes")


class BodyLimit:
    """Counts the body as it is received; `limit_for(scope)` gives each request's limit."""

    def __init__(self, app: ASGIApp, *, limit_for):
        self.app = app
        self.limit_for = limit_for

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        seen = 0
        started = False

        async def counted() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched(message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except BodyTooLarge as e:  # a route that did not say so itself
            if started:
                raise
            await refusal(413, "提交内容过大", f"提交内容超过 {e.limit / 2**20:.1f} MB，未保存任何内容。")(
                scope, receive, send)


class CappedMultiPartParser(MultiPartParser):
    """Starlette's multipart parser, with each file stopped at `max_file_size` bytes while it streams."""

    def __init__(self, *args, max_file_size: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_file_size = max_file_size
        self._file_bytes = 0

    def on_part_begin(self) -> None:
        super().on_part_begin()
        self._file_bytes = 0

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._current_part.file is not None:
            self._file_bytes += end - start
            if self._file_bytes > self.max_file_size:
                raise FileTooLarge(self.max_file_size)
        super().on_part_data(data, start, end)
