"""What followcal remembers between runs, in SQLite under the state dir.

- outcomes recorded with `followcal mark` (R7), keyed by interview id;
- per target, what was last written (UID -> fingerprint, ETag): tells a reminder the user deleted
  or edited from one we never wrote;
- small key/value entries for backends (CalDAV ctag/sync-token, Google nextSyncToken, caches).

SQLite in WAL mode with a busy timeout makes two processes at once safe; every change is one
transaction, so a crash leaves the previous state. The schema is versioned (PRAGMA user_version)
and migrated forward in `MIGRATIONS`.
"""

from __future__ import annotations

import contextlib
import json
import logging
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from followcal.config import state_dir
from followcal.core.model import Outcome, OutcomeRecord, Timeline
from followcal.errors import FollowcalError

if TYPE_CHECKING:
    from followcal.core.replies import MailReply

DB_NAME = "state.sqlite3"

log = logging.getLogger(__name__)


def _add_column(db: sqlite3.Connection, table: str, column: str, decl: str) -> None:
    """ALTER TABLE ADD COLUMN unless it is there (early v1 files already had some columns)."""
    present = {row[1] for row in db.execute(f"PRAGMA table_info({table})")}
    if column not in present:
        db.execute(f"ALTER TABLE {table} ADD COLUMN {column} {decl}")


def _v1(db: sqlite3.Connection) -> None:
    """The first schema: outcomes without a stated timeline, written fingerprints, backend kv."""
    db.execute(
        """CREATE TABLE outcomes (
            interview_id TEXT PRIMARY KEY,
            company TEXT NOT NULL,
            outcome TEXT NOT NULL,
            on_date TEXT NOT NULL,
            decision_by TEXT,
            note TEXT
        )"""
    )
    db.execute(
        """CREATE TABLE written (
            target TEXT NOT NULL,
            uid TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            etag TEXT,
            PRIMARY KEY (target, uid)
        )"""
    )
    db.execute(
        """CREATE TABLE kv (
            namespace TEXT NOT NULL,
            key TEXT NOT NULL,
            value TEXT NOT NULL,
            PRIMARY KEY (namespace, key)
        )"""
    )


def _v2(db: sqlite3.Connection) -> None:
    """`mark replied --timeline "2 weeks"`: a reply may restate the employer's timeline."""
    _add_column(db, "outcomes", "timeline", "TEXT")


def _v3(db: sqlite3.Connection) -> None:
    """Replies found in the mailbox (issue 18): headers only, never a body."""
    db.execute(
        """CREATE TABLE IF NOT EXISTS mail_replies (
            interview_id TEXT PRIMARY KEY,
            company TEXT NOT NULL,
            message_id TEXT NOT NULL,
            sender TEXT NOT NULL,
            subject TEXT NOT NULL,
            sent TEXT NOT NULL,
            on_date TEXT NOT NULL,
            reason TEXT NOT NULL,
            account TEXT NOT NULL,
            folder TEXT NOT NULL
        )"""
    )


def _v4(db: sqlite3.Connection) -> None:
    """R7: the day a mark was made, so a rejection recorded late never schedules the gracious
    reply in the past (older rows have none: their outcome date alone counts, as before)."""
    _add_column(db, "outcomes", "recorded_on", "TEXT")


# MIGRATIONS[n] takes a file from schema n to n + 1, inside one transaction. Append, never edit.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [_v1, _v2, _v3, _v4]
SCHEMA_VERSION = len(MIGRATIONS)


class StateError(FollowcalError):
    pass


class StateStore:
    """One SQLite file; open, use and close per command (connections are cheap).

    Every public write is one transaction (`transaction()` groups several): an exception or a
    killed process inside it leaves the previous state, and a second process waits (busy timeout)
    instead of failing.
    """

    def __init__(self, path: Path | None = None, *, timeout: float = 30.0, threads: bool = False) -> None:
        """`threads`: the connection may be used from other threads (the caller serialises use)."""
        self.path = Path(path) if path else state_dir() / DB_NAME
        try:
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None, check_same_thread=not threads)
        except sqlite3.Error as exc:
            raise StateError(f"{self.path}: cannot open the state store ({exc})") from None
        try:
            self.db.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._check_newer()  # before WAL: a newer followcal's file is not touched at all
            self._use_wal(timeout)
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.Error as exc:
            self.db.close()
            raise StateError(f"{self.path}: state store unusable ({exc}); move it away to start afresh") from None

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def _errors(self) -> Iterator[None]:
        """A damaged file found mid-query (sqlite3 'malformed', 'not a database', disk full) is
        one line naming the file and what to do, not a traceback."""
        try:
            yield
        except (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError):
            raise  # a bug in the caller, not a damaged file
        except sqlite3.Error as exc:
            raise StateError(
                f"{self.path}: state store unusable ({exc}); move it away (followcal starts a new one, "
                "forgetting recorded outcomes) or free disk space"
            ) from None

    def _use_wal(self, timeout: float) -> None:
        """Switch a new file to WAL. The switch needs the file to itself and SQLite reports
        "locked" at once instead of waiting, so two processes creating the store together retry."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.01 + random.random() * 0.04)

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All or nothing; nested use joins the outer transaction. BEGIN IMMEDIATE takes the
        write lock up front, so two writers queue instead of failing half-way."""
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    @property
    def version(self) -> int:
        return int(self.db.execute("PRAGMA user_version").fetchone()[0])

    def _migrate(self) -> None:
        self._check_newer()
        while self.version < SCHEMA_VERSION:
            with self.transaction():
                current = self.version  # re-read under the lock: another process may have migrated
                if current < SCHEMA_VERSION:
                    MIGRATIONS[current](self.db)
                    self.db.execute(f"PRAGMA user_version = {current + 1}")
        if "recorded_on" not in {row[1] for row in self.db.execute("PRAGMA table_info(outcomes)")}:
            with self.transaction():  # a file numbered by a parallel branch's migrations (issue 10)
                _v3(self.db)

    def _check_newer(self) -> None:
        if self.version > SCHEMA_VERSION:
            raise StateError(
                f"{self.path}: made by a newer followcal (schema {self.version}, this one knows "
                f"{SCHEMA_VERSION}); upgrade followcal"
            )

    # --- outcomes -------------------------------------------------------------------------

    def outcomes(self) -> dict[str, OutcomeRecord]:
        with self._errors():
            rows = self.db.execute(
                "SELECT interview_id, outcome, on_date, decision_by, timeline, note, recorded_on FROM outcomes"
            ).fetchall()
            out = {}
            for interview_id, outcome, on_date, decision_by, timeline, note, recorded_on in rows:
                try:
                    out[interview_id] = OutcomeRecord(
                        Outcome(outcome),
                        date.fromisoformat(on_date),
                        date.fromisoformat(decision_by) if decision_by else None,
                        _timeline(timeline),
                        note,
                        source="mark",
                        recorded_on=date.fromisoformat(recorded_on) if recorded_on else None,
                    )
                except (ValueError, TypeError):
                    log.warning("%s: ignoring an unreadable outcome for %s", self.path, interview_id)
            return out

    def companies(self) -> dict[str, str]:
        """interview id -> company of each recorded outcome."""
        with self._errors():
            return dict(self.db.execute("SELECT interview_id, company FROM outcomes").fetchall())

    def set_outcome(self, interview_id: str, company: str, record: OutcomeRecord) -> None:
        with self._errors():
            timeline = json.dumps([record.timeline.amount, record.timeline.unit]) if record.timeline else None
            with self.transaction():
                self.db.execute(
                    "INSERT OR REPLACE INTO outcomes"
                    " (interview_id, company, outcome, on_date, decision_by, timeline, note, recorded_on)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        interview_id,
                        company,
                        record.outcome.value,
                        record.on.isoformat(),
                        record.decision_by.isoformat() if record.decision_by else None,
                        timeline,
                        record.note,
                        record.recorded_on.isoformat() if record.recorded_on else None,
                    ),
                )

    def clear_outcome(self, interview_id: str) -> bool:
        with self._errors():
            with self.transaction():
                return self.db.execute("DELETE FROM outcomes WHERE interview_id = ?", (interview_id,)).rowcount > 0

    # --- replies found in the mailbox (issue 18) ------------------------------------------

    def mail_replies(self) -> dict[str, MailReply]:
        from followcal.core.replies import MailReply

        out = {}
        rows = self.db.execute(
            "SELECT interview_id, company, message_id, sender, subject, sent, on_date, reason, account, folder"
            " FROM mail_replies"
        ).fetchall()
        for iid, company, mid, sender, subject, sent, on_date, reason, account, folder in rows:
            try:
                out[iid] = MailReply(iid, company, mid, sender, subject, datetime.fromisoformat(sent),
                                     date.fromisoformat(on_date), reason, account, folder)
            except (ValueError, TypeError):
                log.warning("%s: ignoring an unreadable mail reply for %s", self.path, iid)
        return out

    def add_mail_replies(self, replies: Iterable[MailReply]) -> None:
        """Remember replies found (the first one per interview stays: INSERT OR IGNORE)."""
        with self.transaction():
            self.db.executemany(
                "INSERT OR IGNORE INTO mail_replies"
                " (interview_id, company, message_id, sender, subject, sent, on_date, reason, account, folder)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(r.interview_id, r.company, r.message_id, r.sender, r.subject, r.sent.isoformat(),
                  r.on.isoformat(), r.reason, r.account, r.folder) for r in replies],
            )

    # --- what was written where -----------------------------------------------------------

    def written(self, target: str) -> dict[str, str]:
        with self._errors():
            rows = self.db.execute("SELECT uid, fingerprint FROM written WHERE target = ?", (target,))
            return dict(rows.fetchall())

    def record_written(self, target: str, written: Mapping[str, str], removed: Iterable[str] = ()) -> None:
        """Remember (in one transaction) what this target now holds from us."""
        with self._errors():
            with self.transaction():
                self.db.executemany(
                    "INSERT OR REPLACE INTO written (target, uid, fingerprint) VALUES (?, ?, ?)",
                    [(target, uid, fp) for uid, fp in written.items()],
                )
                self.db.executemany(
                    "DELETE FROM written WHERE target = ? AND uid = ?", [(target, uid) for uid in removed]
                )

    # --- backend key/value ------------------------------------------------------------------

    def kv_get(self, namespace: str, key: str) -> str | None:
        with self._errors():
            row = self.db.execute("SELECT value FROM kv WHERE namespace = ? AND key = ?", (namespace, key)).fetchone()
            return row[0] if row else None

    def kv_set(self, namespace: str, key: str, value: str | None) -> None:
        with self._errors():
            with self.transaction():
                if value is None:
                    self.db.execute("DELETE FROM kv WHERE namespace = ? AND key = ?", (namespace, key))
                else:
                    self.db.execute("INSERT OR REPLACE INTO kv VALUES (?, ?, ?)", (namespace, key, value))


def _timeline(text: str | None) -> Timeline | None:
    if not text:
        return None
    amount, unit = json.loads(text)
    return Timeline(int(amount), str(unit))


def load_outcomes() -> dict[str, OutcomeRecord]:
    """Recorded outcomes; {} when no state store exists yet (plain `plan` creates none)."""
    path = state_dir(create=False) / DB_NAME
    if not path.exists():
        return {}
    with StateStore(path) as store:
        return store.outcomes()


def load_mail_replies() -> dict[str, MailReply]:
    """Replies recorded from the mailbox; {} when no state store exists yet."""
    path = state_dir(create=False) / DB_NAME
    if not path.exists():
        return {}
    with StateStore(path) as store:
        return store.mail_replies()
