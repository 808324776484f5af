"""`civscore serve`: start the workbench; `serve adduser`, `serve deluser`, `serve assign`: accounts.

    civscore serve                                   # http://127.0.0.1:8000/, no login
    civscore serve --host 0.0.0.0 --data /srv/review # login required, accounts needed first
    civscore serve adduser 张三 --data /srv/review    # asks for the password twice
    civscore serve assign 张三 3 --data /srv/review   # 张三 may open round 3
    civscore serve deluser 张三 --data /srv/review    # remove the account; its sessions end

Starlette and uvicorn are imported only when the server starts (the `web` extra).
Its own Typer app, wired into the root group by `main`; it imports `common` and the
workbench (scorer.web), which imports nothing of the command line.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from .common import MaxSizeOpt, fail, max_bytes, new_app

DEFAULT_DATA = Path("civscore-data")
CLI_WHO = "命令行"  # who made a change from the command line, in the accounts' audit log

app = new_app(
    help="The reviewer's workbench: a local web page to score, check, adjust and sign scorecards.",
    invoke_without_command=True,
    no_args_is_help=False,
)

DataOpt = Annotated[Path, typer.Option("--data", help="Folder holding results.sqlite and the uploads.")]


def _store(data: Path):
    from ..web.store import WebStore

    try:
        return WebStore(data)  # a CivscoreError goes to the one error handler
    except OSError as e:
        fail("usage.data-unopenable", data, reason=e.strerror or str(e))


@app.callback()
def serve(
    ctx: typer.Context,
    host: Annotated[str, typer.Option("--host", help="Address to bind. Anything but loopback requires a login.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.")] = 8000,
    data: DataOpt = DEFAULT_DATA,
    login: Annotated[bool, typer.Option("--login", help="Require a login on loopback too.")] = False,
    max_size_mb: MaxSizeOpt = 20.0,
    allowed_host: Annotated[
        Optional[list[str]],
        typer.Option("--allowed-host", help="A host name the workbench is reached by (repeatable); "
                     "requests naming any other host are refused."),
    ] = None,
    ssl_certfile: Annotated[
        Optional[Path], typer.Option("--ssl-certfile", help="Serve HTTPS with this certificate (PEM); needs --ssl-keyfile.")
    ] = None,
    ssl_keyfile: Annotated[Optional[Path], typer.Option("--ssl-keyfile", help="The certificate's private key (PEM).")] = None,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="Mark the session cookie Secure: a TLS proxy in front serves HTTPS.")
    ] = False,
    tz: Annotated[
        Optional[str], typer.Option("--tz", help="The time zone times are shown in (an IANA name; default "
                                    "$CIVSCORE_TZ, else Asia/Shanghai: China Standard Time).")
    ] = None,
    workers: Annotated[
        Optional[int], typer.Option("--workers", help="Scoring processes (default: one per core, at most 4; 0 scores in the server process).")
    ] = None,
) -> None:
    """Start the workbench (Ctrl-C stops it)."""
    if ctx.invoked_subcommand is not None:
        return
    try:
        import uvicorn

        from ..web.app import create_app, is_loopback
    except ImportError as e:
        fail("usage.needs-web", module=e.name)
    require_login = login or not is_loopback(host)
    if workers is None:
        import os

        workers = max(1, min(4, os.cpu_count() or 1))
    if workers < 0:
        fail("usage.workers-negative")
    from ..report.format import display_zone

    try:
        display_zone(tz)
    except ValueError:
        import os

        fail("usage.unknown-tz", option="--tz" if tz else "CIVSCORE_TZ", zone=tz or os.environ.get("CIVSCORE_TZ", ""))
    store = _store(data)
    if require_login and store.user_count() == 0:
        fail("usage.serve-needs-account", host=host, db=str(store.path), data=str(data))
    if (ssl_certfile is None) != (ssl_keyfile is None):
        fail("usage.ssl-pair")
    for f in (ssl_certfile, ssl_keyfile):
        if f is not None and not f.is_file():
            fail("usage.no-file", f)
    tls = ssl_certfile is not None
    limit = max_bytes(max_size_mb)
    store.import_batch_results()
    shown = f"[{host}]" if ":" in host else host
    if not is_loopback(host) and not tls and not secure_cookies:
        typer.echo("warning: serving without TLS on a network address: passwords and session cookies travel in "
                   "clear text; give --ssl-certfile/--ssl-keyfile, or put a TLS proxy in front (see README)",
                   err=True)
    ready = (f"评审工作台：{'https' if tls else 'http'}://{shown}:{port}/  （数据目录 {data}；"
             f"{'需要登录' if require_login else '本机使用，无需登录'}；{workers} 个评分进程；Ctrl-C 停止）")
    # jieba, both rubrics and the pages load before the first upload, not during it
    app = create_app(data, require_login=require_login, max_bytes=limit, warm=True, import_batch=False,
                     score_workers=workers, bind=host, allowed_hosts=allowed_host or (),
                     secure_cookies=tls or secure_cookies, tz=tz)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning", access_log=False,
                                           ssl_certfile=str(ssl_certfile) if tls else None,
                                           ssl_keyfile=str(ssl_keyfile) if tls else None))
    _say_when_listening(server, ready)
    server.run()
    if not server.started:  # the port was taken, say: uvicorn has printed why
        raise typer.Exit(1)


def _say_when_listening(server, line: str) -> None:
    """Print the ready line once uvicorn has bound its socket (`Server.started`), not before:
    whoever reads it may connect at once."""
    import threading
    import time

    def wait() -> None:
        while not server.started and not server.should_exit:
            time.sleep(0.02)
        if server.started:
            typer.echo(line, err=True)

    threading.Thread(target=wait, name="civscore-ready", daemon=True).start()


@app.command("adduser")
def adduser(
    name: Annotated[str, typer.Argument(help="The reviewer's login name.")],
    data: DataOpt = DEFAULT_DATA,
    admin: Annotated[bool, typer.Option("--admin", help="May open every round.")] = False,
    password_stdin: Annotated[bool, typer.Option("--password-stdin", help="Read the password from standard input.")] = False,
) -> None:
    """Create a reviewer account, or set a new password for one."""
    from ..web.security import hash_password

    import unicodedata

    from ..errors import BIDI_CONTROLS

    name = name.strip()
    if not name or len(name) > 60 or any(unicodedata.category(c) in ("Cc", "Zl", "Zp") or c in BIDI_CONTROLS
                                         for c in name):
        fail("usage.bad-name")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt(f"password for {name}", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        fail("usage.short-password")
    store = _store(data)
    new = store.add_user(name, hash_password(password), admin=admin)
    store.log_account(CLI_WHO, "新建账号" if new else "重设密码", name, "管理员" if admin else "评审人")
    typer.echo(f"{'added' if new else 'updated'} reviewer {name}{' (admin)' if admin else ''} in {store.path}"
               + ("" if new else "; their sessions have ended"))


@app.command("deluser")
def deluser(
    name: Annotated[str, typer.Argument(help="The reviewer's login name.")],
    data: DataOpt = DEFAULT_DATA,
) -> None:
    """Remove a reviewer account: its sessions end at once; its reviews and changes stay."""
    store = _store(data)
    if not store.remove_user(name):
        fail("usage.no-reviewer", name=name)
    store.log_account(CLI_WHO, "删除账号", name, "")
    typer.echo(f"removed reviewer {name} from {store.path}; their sessions have ended")


@app.command("assign")
def assign(
    name: Annotated[str, typer.Argument(help="The reviewer's login name.")],
    round_id: Annotated[int, typer.Argument(help="The round's number (as in its address /rounds/N).")],
    data: DataOpt = DEFAULT_DATA,
) -> None:
    """Let a reviewer open a round."""
    store = _store(data)
    if store.user(name) is None:
        fail("usage.no-reviewer-add", name=name)
    if store.round(round_id) is None:
        fail("usage.no-round", round=round_id, db=str(store.path))
    if not store.assigned(name, round_id):
        store.assign(name, round_id)
        store.log_account(CLI_WHO, "分配批次", name, f"第 {round_id} 批次「{store.round(round_id).name}」")
    typer.echo(f"{name} may now open round {round_id}")


__all__ = ["app"]
