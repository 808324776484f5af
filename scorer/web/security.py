"""Passwords, sessions and CSRF tokens, with the standard library only.

* Passwords: `hashlib.scrypt` (n=2**14, r=8, p=1, 16-byte salt), stored as
  `scrypt$n$r$p$salt_hex$hash_hex`; compared in constant time.
* Sessions: a cookie `civscore_session` holding JSON {user, csrf, exp, sid}, signed
  with HMAC-SHA256 under a secret kept in its own owner-only file beside the database
  (`session.key`, created on first start; never in results.sqlite, which is exported
  and copied). HttpOnly, SameSite=Strict. A logged-in session is also recorded on the
  server (the sha256 of its random id, in `web_sessions`): logout, a new password and
  removing the account delete it, and a cookie whose session is gone is worth nothing.
* CSRF: every session carries a random token; every form posts it back as the
  field `csrf`, and a POST whose token is missing or wrong is refused before
  anything is read or stored.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass

COOKIE = "civscore_session"
SESSION_SECONDS = 12 * 3600
_N, _R, _P = 2**14, 8, 1


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(password.encode("utf-8"), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(password.encode("utf-8"), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                             dklen=len(bytes.fromhex(digest)))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), digest)


# Spent on a login for an unknown name, so a wrong name takes as long as a wrong password.
DUMMY_HASH = hash_password(secrets.token_hex(8))


@dataclass(frozen=True)
class Session:
    user: str  # "" before a login (or before a local reviewer has given a name)
    csrf: str
    exp: int
    sid: str = ""  # the server-side record of a logged-in session (web_sessions)

    @classmethod
    def new(cls, user: str = "") -> "Session":
        return cls(user=user, csrf=secrets.token_urlsafe(24), exp=int(time.time()) + SESSION_SECONDS,
                   sid=secrets.token_urlsafe(24) if user else "")


class Signer:
    def __init__(self, secret: bytes):
        self.secret = secret

    def _mac(self, payload: bytes) -> str:
        return base64.urlsafe_b64encode(hmac.new(self.secret, payload, hashlib.sha256).digest()).decode().rstrip("=")

    def dump(self, s: Session) -> str:
        payload = base64.urlsafe_b64encode(
            json.dumps({"u": s.user, "c": s.csrf, "e": s.exp, "s": s.sid}, ensure_ascii=True).encode()
        ).decode().rstrip("=")
        return f"{payload}.{self._mac(payload.encode())}"

    def load(self, cookie: str | None) -> Session | None:
        """The session a cookie holds, or None: for any cookie at all (malformed, not ASCII,
        forged, expired), never an exception."""
        if not cookie or not isinstance(cookie, str) or "." not in cookie or len(cookie) > 4096 \
                or not cookie.isascii():
            return None
        payload, mac = cookie.rsplit(".", 1)
        if not hmac.compare_digest(mac.encode("ascii"), self._mac(payload.encode("ascii")).encode("ascii")):
            return None
        try:
            d = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            s = Session(user=str(d["u"]), csrf=str(d["c"]), exp=int(d["e"]), sid=str(d.get("s", "")))
        except (ValueError, KeyError, TypeError, AttributeError, OverflowError):
            return None
        if s.exp < time.time():
            return None
        return s


def csrf_ok(session: Session | None, token: str | None) -> bool:
    if not (session and token):
        return False
    return hmac.compare_digest(session.csrf.encode("utf-8"), str(token).encode("utf-8"))


def session_digest(sid: str) -> str:
    """What the server keeps of a session id: its sha256 (a copy of the table opens nothing)."""
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()
