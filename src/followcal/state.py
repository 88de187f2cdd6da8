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

import json
import sqlite3
from collections.abc import Iterable, Mapping
from datetime import date
from pathlib import Path

from .config import state_dir
from .errors import FollowcalError
from .model import Outcome, OutcomeRecord, Timeline

DB_NAME = "state.sqlite3"

MIGRATIONS: list[str] = [
    # 1: the first schema
    """
    CREATE TABLE outcomes (
        interview_id TEXT PRIMARY KEY,
        company TEXT NOT NULL,
        outcome TEXT NOT NULL,
        on_date TEXT NOT NULL,
        decision_by TEXT,
        timeline TEXT,
        note TEXT
    );
    CREATE TABLE written (
        target TEXT NOT NULL,
        uid TEXT NOT NULL,
        fingerprint TEXT NOT NULL,
        etag TEXT,
        PRIMARY KEY (target, uid)
    );
    CREATE TABLE kv (
        namespace TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (namespace, key)
    );
    """,
]


class StateError(FollowcalError):
    pass


class StateStore:
    """One SQLite file; open, use and close per command (connections are cheap)."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = Path(path) if path else state_dir() / DB_NAME
        try:
            self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise StateError(f"{self.path}: state store unusable ({exc})") from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise StateError(f"{self.path}: made by a newer followcal (schema {version}); upgrade followcal")
        while version < len(MIGRATIONS):
            self.db.execute("BEGIN IMMEDIATE")
            try:
                current = self.db.execute("PRAGMA user_version").fetchone()[0]
                if current == version:  # another process may have migrated meanwhile
                    for statement in MIGRATIONS[version].split(";"):
                        if statement.strip():
                            self.db.execute(statement)
                    self.db.execute(f"PRAGMA user_version = {version + 1}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            version = self.db.execute("PRAGMA user_version").fetchone()[0]

    # --- outcomes -------------------------------------------------------------------------

    def outcomes(self) -> dict[str, OutcomeRecord]:
        rows = self.db.execute(
            "SELECT interview_id, outcome, on_date, decision_by, timeline, note FROM outcomes"
        ).fetchall()
        out = {}
        for interview_id, outcome, on_date, decision_by, timeline, note in rows:
            tl = None
            if timeline:
                amount, unit = json.loads(timeline)
                tl = Timeline(int(amount), unit)
            out[interview_id] = OutcomeRecord(
                Outcome(outcome),
                date.fromisoformat(on_date),
                date.fromisoformat(decision_by) if decision_by else None,
                tl,
                note,
                source="mark",
            )
        return out

    def companies(self) -> dict[str, str]:
        """interview id -> company of each recorded outcome."""
        return dict(self.db.execute("SELECT interview_id, company FROM outcomes").fetchall())

    def set_outcome(self, interview_id: str, company: str, record: OutcomeRecord) -> None:
        timeline = json.dumps([record.timeline.amount, record.timeline.unit]) if record.timeline else None
        self.db.execute(
            "INSERT OR REPLACE INTO outcomes VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                interview_id,
                company,
                record.outcome.value,
                record.on.isoformat(),
                record.decision_by.isoformat() if record.decision_by else None,
                timeline,
                record.note,
            ),
        )

    def clear_outcome(self, interview_id: str) -> bool:
        return self.db.execute("DELETE FROM outcomes WHERE interview_id = ?", (interview_id,)).rowcount > 0

    # --- what was written where -----------------------------------------------------------

    def written(self, target: str) -> dict[str, str]:
        rows = self.db.execute("SELECT uid, fingerprint FROM written WHERE target = ?", (target,))
        return dict(rows.fetchall())

    def record_written(self, target: str, written: Mapping[str, str], removed: Iterable[str] = ()) -> None:
        """Remember (in one transaction) what this target now holds from us."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.executemany(
                "INSERT OR REPLACE INTO written (target, uid, fingerprint) VALUES (?, ?, ?)",
                [(target, uid, fp) for uid, fp in written.items()],
            )
            self.db.executemany(
                "DELETE FROM written WHERE target = ? AND uid = ?", [(target, uid) for uid in removed]
            )
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # --- backend key/value ------------------------------------------------------------------

    def kv_get(self, namespace: str, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM kv WHERE namespace = ? AND key = ?", (namespace, key)).fetchone()
        return row[0] if row else None

    def kv_set(self, namespace: str, key: str, value: str | None) -> None:
        if value is None:
            self.db.execute("DELETE FROM kv WHERE namespace = ? AND key = ?", (namespace, key))
        else:
            self.db.execute("INSERT OR REPLACE INTO kv VALUES (?, ?, ?)", (namespace, key, value))


def load_outcomes() -> dict[str, OutcomeRecord]:
    """Recorded outcomes; {} when no state store exists yet (plain `plan` creates none)."""
    path = state_dir(create=False) / DB_NAME
    if not path.exists():
        return {}
    with StateStore(path) as store:
        return store.outcomes()
