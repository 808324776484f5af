"""The workbench's tables, in the same SQLite file as `civscore batch` (results.sqlite).

The batch's `results` table is used as it is (one row per submission × rubric,
with the result JSON); the workbench adds tables prefixed `web_`:

    web_rounds       a 评审批次: name, rubric, who opened it
    web_items        a submission in a round → (submission sha256, rubric sha256) in `results`,
                     with the round's own copy of the result and summary (the file name
                     it was uploaded under is this round's: the same bytes uploaded into
                     another round under another name change nothing here)
    web_reviews      the reviewers' decisions on an item (Review JSON), its version
                     number, the reviewed total/grade/veto for rankings, and whether
                     the item was withdrawn from its round (it then leaves the ranking)
    web_changes      every change: who, when, what, why, the value before and after
    web_users        reviewer accounts (scrypt hashes)
    web_assignments  which rounds a reviewer may open
    web_sessions     logged-in sessions (the sha256 of each id), so a logout, a new
                     password or a removed account ends them on the server
    web_audit        logins, failed logins and throttled ones: when, who, from where (the
                     login throttle counts failures here)
    web_meta         (no longer the session-signing secret: that is DATA/session.key)

The data folder and everything the workbench writes in it are owner-only (0700
folders, 0600 files: the database, its -wal and -shm, the uploads, the key), since
the database holds the password hashes.

A review is written only if the version the reviewer saw is still the current one
(optimistic concurrency); otherwise `StaleWrite` carries the changes made since.
"""

from __future__ import annotations

import dataclasses
import json
import os
import secrets
import sqlite3
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scorer.batch.store import DB_NAME, ResultStore, utc_now
from scorer.batch.summary import Summary
from scorer.errors import OutputError
from scorer.outputs import is_own_output

from scorer.result import ScoreResult
from scorer.review import Review

_SCHEMA = """
CREATE TABLE IF NOT EXISTS web_rounds (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    rubric      TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS web_items (
    id                INTEGER PRIMARY KEY,
    round_id          INTEGER NOT NULL REFERENCES web_rounds (id),
    submission_sha256 TEXT NOT NULL,
    rubric_sha256     TEXT NOT NULL,
    filename          TEXT NOT NULL,
    added_by          TEXT NOT NULL,
    added_at          TEXT NOT NULL,
    UNIQUE (round_id, submission_sha256, rubric_sha256)
);
CREATE TABLE IF NOT EXISTS web_reviews (
    item_id         INTEGER PRIMARY KEY REFERENCES web_items (id),
    version         INTEGER NOT NULL,
    state           TEXT NOT NULL,
    reviewed_total  REAL,
    reviewed_grade  TEXT,
    reviewed_vetoed INTEGER,
    adjusted        INTEGER NOT NULL DEFAULT 0,
    withdrawn       INTEGER NOT NULL DEFAULT 0,
    updated_by      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS web_changes (
    id        INTEGER PRIMARY KEY,
    item_id   INTEGER NOT NULL REFERENCES web_items (id),
    version   INTEGER NOT NULL,
    who       TEXT NOT NULL,
    at        TEXT NOT NULL,
    action    TEXT NOT NULL,
    target    TEXT NOT NULL,
    what      TEXT NOT NULL,
    why       TEXT NOT NULL,
    before    TEXT,
    after     TEXT,
    undone_by INTEGER
);
CREATE INDEX IF NOT EXISTS web_changes_item ON web_changes (item_id, version);
CREATE TABLE IF NOT EXISTS web_users (
    name       TEXT PRIMARY KEY,
    pw_hash    TEXT NOT NULL,
    admin      INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS web_assignments (
    user     TEXT NOT NULL,
    round_id INTEGER NOT NULL,
    PRIMARY KEY (user, round_id)
);
CREATE TABLE IF NOT EXISTS web_sessions (
    digest     TEXT PRIMARY KEY,
    user       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS web_sessions_user ON web_sessions (user);
CREATE TABLE IF NOT EXISTS web_audit (
    id      INTEGER PRIMARY KEY,
    at      TEXT NOT NULL,
    epoch   INTEGER NOT NULL,
    event   TEXT NOT NULL,
    user    TEXT NOT NULL,
    address TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS web_audit_user ON web_audit (event, user, epoch);
CREATE INDEX IF NOT EXISTS web_audit_address ON web_audit (event, address, epoch);
CREATE TABLE IF NOT EXISTS web_account_log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    who    TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS web_meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
"""


@dataclass(frozen=True)
class Round:
    id: int
    name: str
    rubric: str
    created_by: str
    created_at: str
    items: int = 0
    reviewed: int = 0


@dataclass(frozen=True)
class Item:
    id: int
    round_id: int
    submission_sha256: str
    rubric_sha256: str
    filename: str
    added_by: str
    added_at: str
    summary: Summary
    version: int
    reviewed_total: float
    reviewed_grade: str
    reviewed_vetoed: bool
    adjusted: bool
    updated_by: str | None
    updated_at: str | None
    withdrawn: bool = False


@dataclass(frozen=True)
class Change:
    id: int
    item_id: int
    version: int
    who: str
    at: str
    action: str
    target: str
    what: str
    why: str
    before: str | None
    after: str | None
    undone_by: int | None


class StaleWrite(Exception):
    """The review changed since the reviewer loaded it."""

    def __init__(self, current_version: int, changes: list[Change]):
        self.current_version = current_version
        self.changes = changes
        super().__init__(f"stale write: now at version {current_version}")


KEY_NAME = "session.key"
UPLOADS = "uploads"


def owner_only(path: Path) -> None:
    """chmod 0700 for a folder, 0600 for a file (a link is left alone)."""
    if path.is_symlink():
        return
    path.chmod(0o700 if path.is_dir() else 0o600)


def _touch_private(path: Path) -> None:
    """Create an empty file readable by its owner only, unless it exists."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        pass


class WebStore:
    def __init__(self, data_dir: str | Path):
        self.dir = Path(data_dir)
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.path = self.dir / DB_NAME
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._all_lock = threading.Lock()
        if self.path.exists() and not is_own_output(self.path):
            raise OutputError(self.path, "output.store-not-own")
        self.make_private()
        with ResultStore(self.path):  # the batch's own tables, its schema check
            pass
        with self.connect() as db:
            db.executescript(_SCHEMA)
            columns = {row[1] for row in db.execute("PRAGMA table_info(web_reviews)")}
            if "withdrawn" not in columns:  # a database from before withdrawal
                db.execute("ALTER TABLE web_reviews ADD COLUMN withdrawn INTEGER NOT NULL DEFAULT 0")
            columns = {row[1] for row in db.execute("PRAGMA table_info(web_items)")}
            for column in ("result_json", "summary"):  # a database from before issue 20.7 reads `results`
                if column not in columns:
                    db.execute(f"ALTER TABLE web_items ADD COLUMN {column} TEXT")
            # the signing secret lived here before issue 20; a copy of the database must not carry it
            db.execute("DELETE FROM web_meta WHERE key = 'secret'")
        self._rescore_reviews()
        self.make_private()

    REVIEW_RULE = "2"  # struck and added quotes change points (issue 18); before, only levels and vetoes did

    def _rescore_reviews(self) -> None:
        """Reviews stored under an earlier rule of the reviewed score: their reviewed total, grade
        and veto again, by scorer.review (the stored decisions are kept as they are)."""
        from scorer.engine import with_tables
        from scorer.review import reviewed_result

        with self.connect() as db:
            row = db.execute("SELECT value FROM web_meta WHERE key = 'review_rule'").fetchone()
            if row is not None and row[0] == self.REVIEW_RULE:
                return
            rows = db.execute(
                "SELECT v.item_id, v.state, coalesce(i.result_json, r.result_json) FROM web_reviews v "
                "JOIN web_items i ON i.id = v.item_id JOIN results r ON r.submission_sha256 = i.submission_sha256 "
                "AND r.rubric_sha256 = i.rubric_sha256"
            ).fetchall()
        updates = []
        for item_id, state, result_json in rows:
            review = Review.model_validate_json(state)
            if not (any(review.struck.values()) or any(review.added.values())):
                continue
            result = reviewed_result(with_tables(ScoreResult.model_validate_json(result_json)), review)
            updates.append((result.total, result.grade, int(result.vetoed), item_id))
        with self.connect() as db:
            db.executemany("UPDATE web_reviews SET reviewed_total = ?, reviewed_grade = ?, reviewed_vetoed = ? "
                           "WHERE item_id = ?", updates)
            db.execute("INSERT OR REPLACE INTO web_meta (key, value) VALUES ('review_rule', ?)", (self.REVIEW_RULE,))

    def make_private(self) -> None:
        """The folder, the database (created 0600 before SQLite opens it, so its -wal and
        -shm, which SQLite creates with the database's mode, are 0600 too), the uploads
        and the key: readable by the owner only."""
        owner_only(self.dir)
        _touch_private(self.path)
        for p in (self.path, self.dir / (DB_NAME + "-wal"), self.dir / (DB_NAME + "-shm"), self.dir / KEY_NAME):
            if p.exists():
                owner_only(p)
        uploads = self.dir / UPLOADS
        if uploads.is_dir():
            owner_only(uploads)
            for p in uploads.iterdir():
                owner_only(p)

    @contextmanager
    def connect(self):
        """This thread's connection, opened once and kept: closing the last connection to a
        WAL database checkpoints and deletes the log, which costs a sync on every request."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(str(self.path), timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db = db
            with self._all_lock:
                self._all.append(db)
        yield db

    def close(self) -> None:
        """Close every thread's connection (tests, shutdown)."""
        with self._all_lock:
            for db in self._all:
                try:
                    db.close()
                except sqlite3.ProgrammingError:  # made in another thread; it goes with the process
                    pass
            self._all.clear()
        self._local = threading.local()

    # -- meta ------------------------------------------------------------------------

    def secret(self) -> bytes:
        """The session-signing secret, from DATA/session.key (0600; made on first use)."""
        key = self.dir / KEY_NAME
        try:
            fd = os.open(key, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            owner_only(key)
            value = bytes.fromhex(key.read_text(encoding="ascii").strip())
            if len(value) >= 32:
                return value
            raise OutputError(key, "output.bad-session-key") from None
        value = secrets.token_bytes(32)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(value.hex() + "\n")
        return value

    # -- sessions --------------------------------------------------------------------

    def add_session(self, digest: str, user: str, expires_at: int) -> None:
        with self.connect() as db:
            db.execute("DELETE FROM web_sessions WHERE expires_at < ?", (int(time.time()),))
            db.execute("INSERT OR REPLACE INTO web_sessions (digest, user, created_at, expires_at) VALUES (?, ?, ?, ?)",
                       (digest, user, utc_now(), expires_at))

    def session_live(self, digest: str, user: str) -> bool:
        with self.connect() as db:
            return db.execute("SELECT 1 FROM web_sessions WHERE digest = ? AND user = ? AND expires_at >= ?",
                              (digest, user, int(time.time()))).fetchone() is not None

    def end_session(self, digest: str) -> None:
        with self.connect() as db:
            db.execute("DELETE FROM web_sessions WHERE digest = ?", (digest,))

    def end_sessions(self, user: str) -> int:
        """End every session of `user` (a new password, a removed account); how many there were."""
        with self.connect() as db:
            return db.execute("DELETE FROM web_sessions WHERE user = ?", (user,)).rowcount

    # -- audit log -------------------------------------------------------------------

    def audit(self, event: str, user: str, address: str) -> None:
        with self.connect() as db:
            db.execute("INSERT INTO web_audit (at, epoch, event, user, address) VALUES (?, ?, ?, ?, ?)",
                       (utc_now(), int(time.time()), event, user, address))

    def recent_failures(self, *, user: str | None = None, address: str | None = None, seconds: int) -> int:
        """Failed logins within `seconds`: for an account (since its last login), or from an address."""
        since = int(time.time()) - seconds
        with self.connect() as db:
            if user is not None:
                last = db.execute("SELECT max(epoch) FROM web_audit WHERE event = 'login' AND user = ?",
                                  (user,)).fetchone()[0] or 0
                return db.execute("SELECT count(*) FROM web_audit WHERE event = 'login-failed' AND user = ? "
                                  "AND epoch >= ? AND epoch >= ?", (user, since, last)).fetchone()[0]
            return db.execute("SELECT count(*) FROM web_audit WHERE event = 'login-failed' AND address = ? "
                              "AND epoch >= ?", (address, since)).fetchone()[0]

    def audit_log(self) -> list[tuple[str, str, str, str]]:
        """(at, event, user, address), oldest first."""
        with self.connect() as db:
            return db.execute("SELECT at, event, user, address FROM web_audit ORDER BY id").fetchall()

    # -- users -----------------------------------------------------------------------

    def add_user(self, name: str, pw_hash: str, *, admin: bool = False) -> bool:
        """Create or reset an account; True when it is new. A new password ends the
        account's sessions."""
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                new = db.execute("SELECT 1 FROM web_users WHERE name = ?", (name,)).fetchone() is None
                db.execute(
                    "INSERT INTO web_users (name, pw_hash, admin, created_at) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET pw_hash = excluded.pw_hash, admin = excluded.admin",
                    (name, pw_hash, int(admin), utc_now()),
                )
                db.execute("DELETE FROM web_sessions WHERE user = ?", (name,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return new

    def remove_user(self, name: str) -> bool:
        """Remove an account, its assignments and its sessions; False when there was none.
        What the reviewer wrote (reviews, the change log) stays, under their name."""
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                gone = db.execute("DELETE FROM web_users WHERE name = ?", (name,)).rowcount
                db.execute("DELETE FROM web_assignments WHERE user = ?", (name,))
                db.execute("DELETE FROM web_sessions WHERE user = ?", (name,))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            return bool(gone)

    def user(self, name: str) -> tuple[str, bool] | None:
        with self.connect() as db:
            row = db.execute("SELECT pw_hash, admin FROM web_users WHERE name = ?", (name,)).fetchone()
        return (row[0], bool(row[1])) if row else None

    def user_count(self) -> int:
        with self.connect() as db:
            return db.execute("SELECT count(*) FROM web_users").fetchone()[0]

    def assign(self, user: str, round_id: int) -> None:
        with self.connect() as db:
            db.execute("INSERT OR IGNORE INTO web_assignments (user, round_id) VALUES (?, ?)", (user, round_id))

    def users(self) -> list[tuple[str, bool, str, list[int]]]:
        """Every account: (name, admin, created_at, the rounds assigned to it)."""
        with self.connect() as db:
            rows = db.execute("SELECT name, admin, created_at FROM web_users ORDER BY name").fetchall()
            out = []
            for name, admin, created in rows:
                rounds = [r for (r,) in db.execute(
                    "SELECT round_id FROM web_assignments WHERE user = ? ORDER BY round_id", (name,))]
                out.append((name, bool(admin), created, rounds))
        return out

    def set_admin(self, name: str, admin: bool) -> bool:
        """Grant or withdraw the right to see every round; False when there is no such account."""
        with self.connect() as db:
            return db.execute("UPDATE web_users SET admin = ? WHERE name = ?", (int(admin), name)).rowcount > 0

    def admin_count(self) -> int:
        with self.connect() as db:
            return db.execute("SELECT count(*) FROM web_users WHERE admin").fetchone()[0]

    def unassign(self, user: str, round_id: int) -> bool:
        with self.connect() as db:
            return db.execute("DELETE FROM web_assignments WHERE user = ? AND round_id = ?",
                              (user, round_id)).rowcount > 0

    def log_account(self, who: str, action: str, target: str, detail: str = "") -> None:
        """One line of the accounts' audit log (never a password or its hash)."""
        with self.connect() as db:
            db.execute("INSERT INTO web_account_log (at, who, action, target, detail) VALUES (?, ?, ?, ?, ?)",
                       (utc_now(), who, action, target, detail))

    def account_log(self, limit: int = 200) -> list[tuple[str, str, str, str, str]]:
        """(at, who, action, target, detail), newest first."""
        with self.connect() as db:
            return db.execute("SELECT at, who, action, target, detail FROM web_account_log "
                              "ORDER BY id DESC LIMIT ?", (limit,)).fetchall()

    def assigned(self, user: str, round_id: int) -> bool:
        with self.connect() as db:
            return db.execute(
                "SELECT 1 FROM web_assignments WHERE user = ? AND round_id = ?", (user, round_id)
            ).fetchone() is not None

    # -- rounds ----------------------------------------------------------------------

    def create_round(self, name: str, rubric: str, by: str) -> int:
        with self.connect() as db:
            cur = db.execute(
                "INSERT INTO web_rounds (name, rubric, created_by, created_at) VALUES (?, ?, ?, ?)",
                (name, rubric, by, utc_now()),
            )
            rid = cur.lastrowid
            if by:
                db.execute("INSERT OR IGNORE INTO web_assignments (user, round_id) VALUES (?, ?)", (by, rid))
            return rid

    def rounds(self, user: str | None = None) -> list[Round]:
        """Every round, or (with `user`) the rounds assigned to that reviewer."""
        sql = (
            "SELECT r.id, r.name, r.rubric, r.created_by, r.created_at, "
            "(SELECT count(*) FROM web_items i LEFT JOIN web_reviews v ON v.item_id = i.id "
            " WHERE i.round_id = r.id AND NOT coalesce(v.withdrawn, 0)), "
            "(SELECT count(*) FROM web_items i JOIN web_reviews v ON v.item_id = i.id "
            " WHERE i.round_id = r.id AND v.adjusted AND NOT v.withdrawn) FROM web_rounds r"
        )
        args: tuple = ()
        if user is not None:
            sql += " WHERE r.id IN (SELECT round_id FROM web_assignments WHERE user = ?)"
            args = (user,)
        with self.connect() as db:
            return [Round(*row) for row in db.execute(sql + " ORDER BY r.id DESC", args)]

    def round(self, round_id: int) -> Round | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT id, name, rubric, created_by, created_at FROM web_rounds WHERE id = ?", (round_id,)
            ).fetchone()
        return Round(*row) if row else None

    def import_batch_results(self) -> int | None:
        """Results a `civscore batch` stored that no round holds yet become one round."""
        with self.connect() as db:
            rows = db.execute(
                "SELECT submission_sha256, rubric_sha256, rubric_id, path, result_json, summary FROM results r "
                "WHERE NOT EXISTS "
                "(SELECT 1 FROM web_items i WHERE i.submission_sha256 = r.submission_sha256 "
                " AND i.rubric_sha256 = r.rubric_sha256) ORDER BY id"
            ).fetchall()
            if not rows:
                return None
            now = utc_now()
            db.execute("BEGIN IMMEDIATE")
            cur = db.execute(
                "INSERT INTO web_rounds (name, rubric, created_by, created_at) VALUES (?, ?, ?, ?)",
                (f"批量评分结果（{len(rows)} 份，{now[:10]}导入）", rows[0][2], "", now),
            )
            rid = cur.lastrowid
            for sub, rub, _rid, path, result_json, summary in rows:
                db.execute(
                    "INSERT OR IGNORE INTO web_items (round_id, submission_sha256, rubric_sha256, filename, "
                    "added_by, added_at, result_json, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (rid, sub, rub, Path(path).name or path, "civscore batch", now, result_json, summary),
                )
            db.execute("COMMIT")
            return rid

    # -- items -----------------------------------------------------------------------

    def add_item(self, round_id: int, summary: Summary, result_json: str, *, rubric_sha256: str, rubric_id: str,
                 rubric_version: str, filename: str, by: str) -> int:
        """Store the result (in `results`, as the batch does) and put it in the round, which
        keeps its own copy of the result: another round's upload of the same bytes under
        another name rewrites the shared row, never this round's record."""
        with ResultStore(self.path) as rs:
            rs.put(summary, result_json, rubric_sha256=rubric_sha256, rubric_id=rubric_id,
                   rubric_version=rubric_version)
        with self.connect() as db:
            db.execute(
                "INSERT OR IGNORE INTO web_items (round_id, submission_sha256, rubric_sha256, filename, added_by, "
                "added_at, result_json, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (round_id, summary.sha256, rubric_sha256, filename, by, utc_now(), result_json, summary.to_json()),
            )
            return db.execute(
                "SELECT id FROM web_items WHERE round_id = ? AND submission_sha256 = ? AND rubric_sha256 = ?",
                (round_id, summary.sha256, rubric_sha256),
            ).fetchone()[0]

    _ITEM_SQL = (
        "SELECT i.id, i.round_id, i.submission_sha256, i.rubric_sha256, i.filename, i.added_by, i.added_at, "
        "coalesce(i.summary, r.summary), coalesce(v.version, 0), coalesce(v.reviewed_total, r.total), "
        "coalesce(v.reviewed_grade, r.grade), coalesce(v.reviewed_vetoed, r.vetoed), coalesce(v.adjusted, 0), "
        "v.updated_by, v.updated_at, coalesce(v.withdrawn, 0), r.rubric_id "
        "FROM web_items i JOIN results r ON r.submission_sha256 = i.submission_sha256 "
        "AND r.rubric_sha256 = i.rubric_sha256 LEFT JOIN web_reviews v ON v.item_id = i.id "
    )

    @staticmethod
    def _item(row) -> Item:
        summary = Summary.from_json(row[7])
        if not summary.rubric_id:  # stored before summaries named their rubric
            summary = dataclasses.replace(summary, rubric_id=row[16])
        return Item(*row[:7], summary, row[8], row[9], row[10], bool(row[11]), bool(row[12]),
                    row[13], row[14], bool(row[15]))

    def items(self, round_id: int) -> list[Item]:
        with self.connect() as db:
            rows = db.execute(self._ITEM_SQL + "WHERE i.round_id = ? ORDER BY i.id", (round_id,)).fetchall()
        return [self._item(r) for r in rows]

    def item(self, item_id: int) -> Item | None:
        with self.connect() as db:
            row = db.execute(self._ITEM_SQL + "WHERE i.id = ?", (item_id,)).fetchone()
        return self._item(row) if row else None

    def result_json(self, item: Item) -> str:
        """The round's own record of the result (the shared `results` row for items stored before it had one)."""
        with self.connect() as db:
            return db.execute(
                "SELECT coalesce(i.result_json, r.result_json) FROM web_items i JOIN results r "
                "ON r.submission_sha256 = i.submission_sha256 AND r.rubric_sha256 = i.rubric_sha256 WHERE i.id = ?",
                (item.id,),
            ).fetchone()[0]

    def result(self, item: Item) -> ScoreResult:
        """The item's result, carrying its rubric's tables (scorer.engine.with_tables)."""
        from scorer.engine import with_tables

        return with_tables(ScoreResult.model_validate_json(self.result_json(item)))

    # -- reviews ---------------------------------------------------------------------

    def review(self, item_id: int) -> tuple[int, Review]:
        with self.connect() as db:
            row = db.execute("SELECT version, state FROM web_reviews WHERE item_id = ?", (item_id,)).fetchone()
        if row is None:
            return 0, Review()
        return row[0], Review.model_validate_json(row[1])

    def save_review(self, item_id: int, expected_version: int, state: Review, *, who: str, action: str,
                    target: str, what: str, why: str, before, after, reviewed_total: float, reviewed_grade: str,
                    reviewed_vetoed: bool, undoes: int | None = None) -> int:
        """Write the new state if the review is still at `expected_version`; record the change.
        Returns the new version; raises StaleWrite (nothing written) otherwise."""
        now = utc_now()
        with self.connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                row = db.execute("SELECT version FROM web_reviews WHERE item_id = ?", (item_id,)).fetchone()
                current = row[0] if row else 0
                if current != expected_version:
                    db.execute("ROLLBACK")
                    raise StaleWrite(current, self.changes(item_id, since=expected_version))
                new = current + 1
                args = (new, state.model_dump_json(), reviewed_total, reviewed_grade, int(reviewed_vetoed),
                        int(state.adjusted()), int(bool(state.withdrawn)), who, now)
                if row:
                    db.execute(
                        "UPDATE web_reviews SET version = ?, state = ?, reviewed_total = ?, reviewed_grade = ?, "
                        "reviewed_vetoed = ?, adjusted = ?, withdrawn = ?, updated_by = ?, updated_at = ? "
                        "WHERE item_id = ?",
                        (*args, item_id),
                    )
                else:
                    db.execute(
                        "INSERT INTO web_reviews (version, state, reviewed_total, reviewed_grade, reviewed_vetoed, "
                        "adjusted, withdrawn, updated_by, updated_at, item_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (*args, item_id),
                    )
                cur = db.execute(
                    "INSERT INTO web_changes (item_id, version, who, at, action, target, what, why, before, after) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (item_id, new, who, now, action, target, what, why,
                     json.dumps(before, ensure_ascii=False), json.dumps(after, ensure_ascii=False)),
                )
                if undoes is not None:
                    db.execute("UPDATE web_changes SET undone_by = ? WHERE id = ? AND item_id = ?",
                               (cur.lastrowid, undoes, item_id))
                db.execute("COMMIT")
            except StaleWrite:
                raise
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return new

    def changes(self, item_id: int, since: int = 0) -> list[Change]:
        with self.connect() as db:
            rows = db.execute(
                "SELECT id, item_id, version, who, at, action, target, what, why, before, after, undone_by "
                "FROM web_changes WHERE item_id = ? AND version > ? ORDER BY version",
                (item_id, since),
            ).fetchall()
        return [Change(*r) for r in rows]

    def change(self, item_id: int, change_id: int) -> Change | None:
        with self.connect() as db:
            row = db.execute(
                "SELECT id, item_id, version, who, at, action, target, what, why, before, after, undone_by "
                "FROM web_changes WHERE item_id = ? AND id = ?",
                (item_id, change_id),
            ).fetchone()
        return Change(*row) if row else None

    def all_reviews(self) -> list[tuple[Item, Review, str]]:
        """Every reviewed item still in its round, with its state and result JSON (for
        calibrate --from-reviews): a withdrawn item is no label."""
        with self.connect() as db:
            rows = db.execute(
                self._ITEM_SQL.replace("SELECT ", "SELECT v.state, coalesce(i.result_json, r.result_json), ", 1)
                + "WHERE v.adjusted AND NOT v.withdrawn ORDER BY i.id"
            ).fetchall()
        return [(self._item(r[2:]), Review.model_validate_json(r[0]), r[1]) for r in rows]
