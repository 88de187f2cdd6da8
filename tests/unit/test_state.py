"""The state store: schema versions and migrations, transactions, two processes at once."""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from datetime import date
from pathlib import Path

import pytest

from followcal.core.model import Outcome, OutcomeRecord, Timeline
from followcal.state import DB_NAME, SCHEMA_VERSION, StateError, StateStore, load_outcomes

REJECTED = OutcomeRecord(Outcome.REJECTED, date(2026, 11, 24), note="via email", source="mark")
REPLIED = OutcomeRecord(
    Outcome.REPLIED, date(2026, 11, 23), decision_by=date(2026, 12, 4), timeline=Timeline(2, "weeks"), source="mark"
)


def _fork() -> multiprocessing.context.BaseContext:
    """Fresh interpreters: forking a pytest process that runs server threads can deadlock."""
    return multiprocessing.get_context("spawn")


def test_fresh_store_is_current_schema_and_round_trips(tmp_path: Path) -> None:
    with StateStore(tmp_path / DB_NAME) as store:
        assert store.version == SCHEMA_VERSION == 4
        store.set_outcome("aaa111", "Acme Corp", REJECTED)
        store.set_outcome("bbb222", "Globex", REPLIED)
        assert store.outcomes() == {"aaa111": REJECTED, "bbb222": REPLIED}
        assert store.companies() == {"aaa111": "Acme Corp", "bbb222": "Globex"}
        store.set_outcome("aaa111", "Acme Corp", REPLIED)  # replaces
        assert store.outcomes()["aaa111"] == REPLIED
        assert store.clear_outcome("aaa111") is True
        assert store.clear_outcome("aaa111") is False
        assert list(store.outcomes()) == ["bbb222"]


def test_written_and_kv(tmp_path: Path) -> None:
    with StateStore(tmp_path / DB_NAME) as store:
        store.record_written("t1", {"u1@followcal": "f1", "u2@followcal": "f2"})
        store.record_written("t1", {"u1@followcal": "f1b"}, removed=["u2@followcal"])
        store.record_written("t2", {"u9@followcal": "f9"})
        assert store.written("t1") == {"u1@followcal": "f1b"}
        assert store.written("t2") == {"u9@followcal": "f9"}
        assert store.kv_get("caldav", "ctag") is None
        store.kv_set("caldav", "ctag", "42")
        assert store.kv_get("caldav", "ctag") == "42"
        store.kv_set("caldav", "ctag", None)
        assert store.kv_get("caldav", "ctag") is None


def _v1_file(path: Path, *, with_timeline: bool = False) -> None:
    """A state file as the first release wrote it: schema 1, outcomes without `timeline`."""
    db = sqlite3.connect(path)
    extra = "timeline TEXT," if with_timeline else ""
    db.executescript(
        f"""
        CREATE TABLE outcomes (interview_id TEXT PRIMARY KEY, company TEXT NOT NULL, outcome TEXT NOT NULL,
                               on_date TEXT NOT NULL, decision_by TEXT, {extra} note TEXT);
        CREATE TABLE written (target TEXT NOT NULL, uid TEXT NOT NULL, fingerprint TEXT NOT NULL, etag TEXT,
                              PRIMARY KEY (target, uid));
        CREATE TABLE kv (namespace TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL,
                         PRIMARY KEY (namespace, key));
        INSERT INTO outcomes (interview_id, company, outcome, on_date, decision_by, note)
            VALUES ('c1deed18c192', 'Acme Corp', 'rejected', '2026-11-24', NULL, 'by phone');
        INSERT INTO written VALUES ('~/f.ics', 'thank-you-x@followcal', 'abc', NULL);
        PRAGMA user_version = 1;
        """
    )
    db.commit()
    db.close()


@pytest.mark.parametrize("with_timeline", [False, True], ids=["v1", "v1-early-build"])
def test_v1_file_migrates_to_current_keeping_data(tmp_path: Path, with_timeline: bool) -> None:
    path = tmp_path / DB_NAME
    _v1_file(path, with_timeline=with_timeline)
    with StateStore(path) as store:
        assert store.version == SCHEMA_VERSION
        assert store.outcomes() == {
            "c1deed18c192": OutcomeRecord(Outcome.REJECTED, date(2026, 11, 24), note="by phone", source="mark")
        }
        assert store.written("~/f.ics") == {"thank-you-x@followcal": "abc"}
        store.set_outcome("c1deed18c192", "Acme Corp", REPLIED)  # the new column works
        assert store.outcomes()["c1deed18c192"].timeline == Timeline(2, "weeks")
    columns = [row[1] for row in sqlite3.connect(path).execute("PRAGMA table_info(outcomes)")]
    assert columns.count("timeline") == 1
    with StateStore(path) as store:  # opening again migrates nothing
        assert store.version == SCHEMA_VERSION


def test_v0_empty_file_gets_the_whole_schema(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    sqlite3.connect(path).close()  # an empty database: user_version 0, no tables
    with StateStore(path) as store:
        assert store.version == SCHEMA_VERSION
        assert store.outcomes() == {}


def test_newer_schema_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    db = sqlite3.connect(path)
    db.execute("PRAGMA user_version = 99")
    db.close()
    with pytest.raises(StateError, match="newer followcal"):
        StateStore(path)
    assert sqlite3.connect(path).execute("PRAGMA user_version").fetchone()[0] == 99


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    path.write_bytes(b"this is not sqlite, just some text that is long enough " * 20)
    with pytest.raises(StateError, match=str(path)):
        StateStore(path)


def test_exception_inside_a_transaction_leaves_the_previous_state(tmp_path: Path) -> None:
    with StateStore(tmp_path / DB_NAME) as store:
        store.set_outcome("aaa111", "Acme Corp", REJECTED)
        store.record_written("t", {"u1": "f1"})
        with pytest.raises(RuntimeError):
            with store.transaction():
                store.set_outcome("aaa111", "Acme Corp", REPLIED)
                store.set_outcome("ccc333", "Initech", REPLIED)
                store.record_written("t", {"u2": "f2"}, removed=["u1"])
                raise RuntimeError("crash half-way")
        assert store.outcomes() == {"aaa111": REJECTED}
        assert store.written("t") == {"u1": "f1"}
        assert not store.db.in_transaction


def test_failed_write_rolls_back_its_own_part(tmp_path: Path) -> None:
    with StateStore(tmp_path / DB_NAME) as store:
        store.record_written("t", {"u1": "f1"})
        with pytest.raises(sqlite3.IntegrityError):
            store.record_written("t", {"u2": "f2", "u3": None})  # type: ignore[dict-item]  # NOT NULL fails
        assert store.written("t") == {"u1": "f1"}


def _die_mid_transaction(path: str) -> None:
    store = StateStore(Path(path))
    store.db.execute("BEGIN IMMEDIATE")
    store.set_outcome("aaa111", "Acme Corp", REPLIED)
    store.set_outcome("ddd444", "Hooli", REPLIED)
    os._exit(3)  # killed: no rollback, no close


def test_process_killed_mid_transaction_leaves_the_previous_state(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME
    with StateStore(path) as store:
        store.set_outcome("aaa111", "Acme Corp", REJECTED)
    child = _fork().Process(target=_die_mid_transaction, args=(str(path),))
    child.start()
    child.join(30)
    assert child.exitcode == 3
    with StateStore(path, timeout=5) as store:
        assert store.outcomes() == {"aaa111": REJECTED}
        store.set_outcome("eee555", "Umbrella", REJECTED)  # and the file is writable again
        assert set(store.outcomes()) == {"aaa111", "eee555"}


def _mark_many(path: str, prefix: str, count: int, barrier: multiprocessing.synchronize.Barrier) -> None:
    barrier.wait(10)
    for n in range(count):
        with StateStore(Path(path)) as store:  # open per command, as the CLI does
            store.set_outcome(f"{prefix}{n:04d}", prefix, REJECTED)


def test_two_processes_marking_at_once_are_both_recorded(tmp_path: Path) -> None:
    path = tmp_path / DB_NAME  # not created yet: both processes also race to create and migrate it
    ctx = _fork()
    barrier = ctx.Barrier(2)
    workers = [ctx.Process(target=_mark_many, args=(str(path), p, 40, barrier)) for p in ("acme", "globex")]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    assert [w.exitcode for w in workers] == [0, 0]
    with StateStore(path) as store:
        marks = store.outcomes()
        assert store.version == SCHEMA_VERSION
    assert len(marks) == 80
    assert {k[:4] for k in marks} == {"acme", "glob"}


def test_load_outcomes_creates_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "state"
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(folder))
    assert load_outcomes() == {}
    assert not folder.exists()
    with StateStore() as store:
        store.set_outcome("aaa111", "Acme Corp", REJECTED)
    assert (folder / DB_NAME).exists()
    assert load_outcomes() == {"aaa111": REJECTED}
