"""One contract every backend keeps, each opened only through the public seam
(`followcal.sources.open_source` / `open_target`, accounts from `followcal.config.parse_settings`):
the .ics file, a URL (read-only), CalDAV on Radicale and on Xandikos, and Google through the real
google-api-python-client against the loopback fake (fake_google.py).

1. a source yields the sample's interviews with the UIDs, starts and summaries the file gives;
2. a target starts empty, and applying a plan of creates makes it list exactly those reminders;
3. planning the same reminders again writes nothing;
4. updates and deletes take effect;
5. an event another client put in the same calendar is never listed as owned nor touched;
6. a missing or empty calendar lists nothing, and reading it creates nothing.

Plans are built as service.py and sync.py build them: planner.plan_events over the source events,
reconcile against the target's list_owned. Radicale and Xandikos start once per session
(conftest.py); each test has its own Radicale user and its own Xandikos calendar names, and reaches
them through a CountingProxy reset per test, so "wrote nothing" is counted, not guessed. The
backends' arranging and inspecting code is in contract_backends.py.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from contract_backends import TZ, Backend, DavBackend, FileBackend, GoogleBackend, UrlBackend, settings_with
from servers import CountingProxy, serve_in_thread
from support import NOW, SAMPLE

from followcal.app.sources import open_source, open_target
from followcal.backends import caldav_http
from followcal.backends.base import Source, Target
from followcal.config import Settings
from followcal.core.model import Create, Delete, OwnedEvent, Plan, Reminder, SourceEvent, Update, Window
from followcal.core.planner import plan_events
from followcal.core.reconcile import reconcile
from followcal.errors import ConfigError, ConflictError, NotFoundError, SourceError, UsageError

pytestmark = [pytest.mark.integration, pytest.mark.timeout(60)]

WINDOW = Window(datetime(2026, 9, 1, tzinfo=ZoneInfo(TZ)), datetime(2027, 3, 1, tzinfo=ZoneInfo(TZ)))
# A window whose edges cut through events: Hooli's second recruiter call (a series' occurrence,
# 06:00-06:30 Los Angeles) and Acme's interview (a single event, 14:00-15:00 New York).
EDGES = Window(datetime(2026, 10, 12, 6, 15, tzinfo=ZoneInfo("America/Los_Angeles")),
               datetime(2026, 11, 19, 14, 30, tzinfo=ZoneInfo(TZ)))
SOURCES = ["file", "url", "radicale", "xandikos", "google"]
TARGETS = ["file", "radicale", "xandikos", "google"]
ACCOUNTS = ["radicale", "xandikos", "google"]
_TOKENS = itertools.count(1)


# --- what the file source gives: the reference every backend is compared with -----------------


def instant(value: Any) -> Any:
    """A start as a moment: floating times are the config's zone (as the planner reads them)."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=ZoneInfo(TZ))).astimezone(UTC)
    return value


def interview_view(events: Sequence[SourceEvent], settings: Settings) -> dict[tuple[str, Any], tuple[Any, str]]:
    """(UID, RECURRENCE-ID) -> (start, summary) of every event the planner takes for an interview."""
    planned = plan_events(events, settings, default_tz=TZ, marks={})
    keys = {(p.interview.uid, instant(p.interview.recurrence_id)) for p in planned.interviews}
    found = [((e.uid, instant(e.recurrence_id)), (instant(e.start), e.summary)) for e in events]
    view = dict(item for item in found if item[0] in keys)
    assert len(view) == len([k for k, _ in found if k in keys]), "an interview came back twice"
    return view


@functools.cache
def sample_events() -> tuple[SourceEvent, ...]:
    """The sample read through the seam as a file, over WINDOW."""
    events, warnings = open_source(str(SAMPLE), settings_with({}), now=NOW).read_events(WINDOW)
    assert not warnings
    return tuple(events)


@functools.cache
def _planned(events: tuple[SourceEvent, ...]) -> tuple[Reminder, ...]:
    return tuple(plan_events(events, settings_with({}), default_tz=TZ, marks={}).reminders)


def desired(events: Sequence[SourceEvent] | None = None) -> list[Reminder]:
    """The reminders the sample asks for (or `events`), with their drafted descriptions."""
    return list(_planned(sample_events() if events is None else tuple(events)))


def changed_reminders() -> tuple[list[Reminder], set[str]]:
    """The sample with Acme's interview a day later and Vandelay's gone: updates and deletes.
    Returns the new reminders and the UIDs that must be gone."""
    events = []
    for event in sample_events():
        if "Vandelay" in event.summary:
            continue
        if "Acme" in event.summary:
            event = dataclasses.replace(event, start=event.start + timedelta(days=1), end=event.end + timedelta(days=1))
        events.append(event)
    wanted = desired(events)
    gone = {r.uid for r in desired()} - {r.uid for r in wanted}
    return wanted, gone


def plan_for(target: Target, reminders: Sequence[Reminder]) -> Plan:
    return reconcile(target.label, reminders, target.list_owned(), now=NOW, window=Window())


def live(owned: Sequence[OwnedEvent]) -> dict[str, str]:
    """UID -> fingerprint of the reminders a target holds (Google lists deleted ones too)."""
    uids = [e.uid for e in owned if not e.deleted]
    assert len(uids) == len(set(uids)), f"duplicate UIDs listed: {sorted(uids)}"
    return {e.uid: e.fingerprint for e in owned if not e.deleted}


def wanted(reminders: Sequence[Reminder]) -> dict[str, str]:
    return {r.uid: r.fingerprint for r in reminders}


def counts(result: Any) -> tuple[int, int, int, int, tuple[str, ...]]:
    return result.created, result.updated, result.deleted, result.skipped, result.errors


def plan_counts(plan: Plan) -> tuple[int, int, int, int, tuple[str, ...]]:
    kinds = [type(a) for a in plan.actions]
    return kinds.count(Create), kinds.count(Update), kinds.count(Delete), len(plan.actions) - len(plan.writes), ()


def apply(target: Target, plan: Plan) -> Any:
    """`apply` with a progress callback, which must be told about every write."""
    seen: list[int] = []
    result = target.apply(plan, progress=seen.append)
    assert sum(seen) == len(plan.writes)
    return result


class _Quiet(SimpleHTTPRequestHandler):
    disable_nagle_algorithm = True  # TCP_NODELAY: no 40 ms delayed-ACK stall per answer
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def url_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """A loopback http.server publishing one folder (each test writes its own file names)."""
    folder = tmp_path_factory.mktemp("published")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(folder)))
    serve_in_thread(server)
    yield folder, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def dav_proxies() -> Iterator[dict[str, CountingProxy]]:
    """One CountingProxy per session server, made on first use and reset by every test."""
    proxies: dict[str, CountingProxy] = {}
    yield proxies
    for proxy in proxies.values():
        proxy.close()


@pytest.fixture
def backend(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Backend]:
    """The backend named by the test's parameter; servers are started only when a test needs them."""
    kind = request.param
    token = str(next(_TOKENS))
    if kind == "file":
        yield FileBackend(tmp_path)
    elif kind == "url":
        folder, base = request.getfixturevalue("url_folder")
        sub = folder / f"t{token}"
        sub.mkdir()
        yield UrlBackend(sub, f"{base}/t{token}")
    elif kind in ("radicale", "xandikos"):
        monkeypatch.setattr(caldav_http, "BACKOFF", 0.01)
        server = request.getfixturevalue(f"session_{kind}")
        proxies = request.getfixturevalue("dav_proxies")
        if kind not in proxies:
            proxies[kind] = CountingProxy(server.url)
        proxy = proxies[kind]
        proxy.reset()
        yield DavBackend(server, proxy)
    else:
        yield GoogleBackend(request.getfixturevalue("fake"))


def sources(*kinds: Any) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("backend", kinds or SOURCES, indirect=True)


def targets(*kinds: Any) -> pytest.MarkDecorator:
    return pytest.mark.parametrize("backend", kinds or TARGETS, indirect=True)


def listed_from_fresh_state(
    backend: Backend, name: str, monkeypatch: pytest.MonkeyPatch, folder: Path
) -> dict[str, str]:
    """list_owned as another machine sees it: an empty state dir, so no cached listing."""
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(folder))
    return live(open_target(backend.spec(name), backend.settings, now=NOW).list_owned())


def created(backend: Backend, name: str = "Follow-ups") -> Target:
    """A target holding the sample's reminders, written by one apply of a plan of creates."""
    target = open_target(backend.spec(name), backend.settings, now=NOW)
    reminders = desired()
    plan = plan_for(target, reminders)
    assert [type(a) for a in plan.actions] == [Create] * len(reminders)
    assert counts(apply(target, plan)) == (len(reminders), 0, 0, 0, ())
    return target


# --- (1) sources ------------------------------------------------------------------------------


@sources()
def test_source_yields_the_sample_interviews_as_the_file_does(backend: Backend, tmp_path: Path) -> None:
    backend.seed_sample("Interviews")
    source = open_source(backend.spec("Interviews"), backend.settings, now=NOW)
    assert isinstance(source, Source)
    events, warnings = source.read_events(WINDOW)
    assert warnings == []
    same_input = tmp_path / "same-input.ics"  # what was uploaded, read as a file
    same_input.write_bytes(backend.sample_data())
    file_source = open_source(str(same_input), backend.settings, now=NOW)
    expected = interview_view(file_source.read_events(WINDOW)[0], backend.settings)
    assert len(expected) == 11  # Google carries no CATEGORIES: Nordwind is found by its title (issue 12)
    assert interview_view(events, backend.settings) == expected


@sources("file", "url", "radicale", "xandikos", "google")
def test_window_edges_cut_as_the_file_does(backend: Backend, tmp_path: Path) -> None:
    backend.seed_sample("Interviews")
    same_input = tmp_path / "same-input.ics"
    same_input.write_bytes(backend.sample_data())
    file_events, _ = open_source(str(same_input), backend.settings, now=NOW).read_events(EDGES)
    expected = interview_view(file_events, backend.settings)
    assert len(expected) == 4  # Hooli 19 Oct, phone screen, Globex, Acme
    events, _ = open_source(backend.spec("Interviews"), backend.settings, now=NOW).read_events(EDGES)
    assert interview_view(events, backend.settings) == expected


@sources()
def test_missing_source_is_one_clear_error_and_creates_nothing(backend: Backend) -> None:
    before = backend.calendars()
    backend.mark()
    with pytest.raises((SourceError, NotFoundError)) as caught:
        open_source(backend.spec("Nowhere"), backend.settings, now=NOW).read_events(WINDOW)
    message = str(caught.value)
    assert "\n" not in message and "Nowhere" in message, message
    assert backend.calendars() == before and backend.writes() == []


@sources("url")
def test_url_refuses_to_be_a_target_with_one_clear_error(backend: Backend) -> None:
    backend.seed_sample("Interviews")
    backend.mark()
    for spec in (backend.spec("Interviews"), backend.spec("Interviews").replace("http://", "webcal://")):
        with pytest.raises(ConfigError) as caught:
            open_target(spec, backend.settings, now=NOW)
        message = str(caught.value)
        assert "\n" not in message and spec in message and "can only be read" in message, message
    assert backend.writes() == []


# --- (2)-(4) targets --------------------------------------------------------------------------


@targets()
def test_apply_of_creates_makes_the_target_list_exactly_those_reminders(
    backend: Backend, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    target = open_target(backend.spec("Follow-ups"), backend.settings, now=NOW)
    assert isinstance(target, Target)
    assert live(target.list_owned()) == {}
    created(backend)
    reopened = open_target(backend.spec("Follow-ups"), backend.settings, now=NOW)  # as the next run
    owned = reopened.list_owned()
    assert live(owned) == wanted(desired())
    by_uid = {r.uid: r for r in desired()}
    assert {e.uid: e.kind for e in owned} == {u: r.kind for u, r in by_uid.items()}
    assert all(not e.user_edited for e in owned)
    assert listed_from_fresh_state(backend, "Follow-ups", monkeypatch, tmp_path / "other-machine") == wanted(desired())


@targets()
def test_planning_the_same_reminders_again_writes_nothing(backend: Backend) -> None:
    created(backend)
    backend.mark()
    target = open_target(backend.spec("Follow-ups"), backend.settings, now=NOW)
    plan = plan_for(target, desired())
    assert plan.actions == () and plan.unchanged == len(desired())
    assert counts(apply(target, plan)) == (0, 0, 0, 0, ())
    assert backend.writes() == []


@targets()
def test_updates_and_deletes_take_effect(backend: Backend, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    created(backend)
    reminders, gone = changed_reminders()
    target = open_target(backend.spec("Follow-ups"), backend.settings, now=NOW)
    plan = plan_for(target, reminders)
    made, updated, deleted, skipped, _ = plan_counts(plan)
    assert made == 0 and updated >= 3 and deleted == len(gone) == 4 and skipped == 0
    assert counts(apply(target, plan)) == plan_counts(plan)
    owned = open_target(backend.spec("Follow-ups"), backend.settings, now=NOW).list_owned()
    assert live(owned) == wanted(reminders)
    assert not gone & set(live(owned))
    sequences = {e.uid: e.sequence for e in owned if not e.deleted}
    assert all(sequences[a.reminder.uid] == 1 for a in plan.actions if isinstance(a, Update))
    assert listed_from_fresh_state(backend, "Follow-ups", monkeypatch, tmp_path / "other-machine") == wanted(reminders)


@targets()
def test_a_stale_plan_applied_again_changes_nothing_but_may_conflict(backend: Backend) -> None:
    """sync applies a plan once and re-plans after a conflict; a plan replayed after it was
    applied must leave the same reminders, failing at most with ConflictError."""
    target = open_target(backend.spec("Follow-ups"), backend.settings, now=NOW)
    plan = plan_for(target, desired())
    apply(target, plan)
    try:
        target.apply(plan)
    except ConflictError:
        pass
    assert live(open_target(backend.spec("Follow-ups"), backend.settings, now=NOW).list_owned()) == wanted(desired())


@targets()
def test_a_reminder_another_client_edited_is_reported_and_left_alone(backend: Backend) -> None:
    created(backend)
    edited = next(r for r in desired() if r.kind == "follow-up-2")
    backend.edit_summary("Follow-ups", edited.uid, "Call Acme myself")
    backend.mark()
    target = open_target(backend.spec("Follow-ups"), backend.settings, now=NOW)
    owned = {e.uid: e for e in target.list_owned()}
    assert owned[edited.uid].summary == "Call Acme myself" and owned[edited.uid].user_edited
    assert [e.uid for e in owned.values() if e.user_edited] == [edited.uid]
    plan = plan_for(target, desired())
    assert plan.writes == () and [a.uid for a in plan.actions] == [edited.uid]
    assert counts(apply(target, plan)) == (0, 0, 0, 1, ())
    if not backend.shares_calendar:  # rewritten whole once, in followcal's order, the edit kept
        backend.mark()
        target = open_target(backend.spec("Follow-ups"), backend.settings, now=NOW)
        assert counts(apply(target, plan_for(target, desired()))) == (0, 0, 0, 1, ())
    assert backend.writes() == []
    again = {e.uid: e for e in open_target(backend.spec("Follow-ups"), backend.settings, now=NOW).list_owned()}
    assert again[edited.uid].summary == "Call Acme myself"


# --- (5) foreign events -----------------------------------------------------------------------


@targets()
def test_a_foreign_event_is_never_owned_nor_touched(backend: Backend) -> None:
    backend.make_empty("Follow-ups")
    backend.add_foreign("Follow-ups")
    before = backend.foreign("Follow-ups")
    spec = backend.spec("Follow-ups")
    if not backend.shares_calendar:
        with pytest.raises(UsageError, match="did not make"):
            plan_for(open_target(spec, backend.settings, now=NOW), desired())
        assert backend.foreign("Follow-ups") == before
        return
    changed, _ = changed_reminders()
    for step, reminders in enumerate((desired(), changed, [])):  # creates; updates and deletes; delete all
        target = open_target(spec, backend.settings, now=NOW)
        owned = target.list_owned()
        assert all(e.uid.endswith("@followcal") and e.summary != "Dentist" for e in owned), owned
        assert {e.uid for e in owned if not e.deleted} <= set(wanted(desired())), "a foreign event listed as owned"
        apply(target, plan_for(target, reminders))
        assert backend.foreign("Follow-ups") == before, f"foreign event changed at step {step}"
    left = open_target(spec, backend.settings, now=NOW).list_owned()
    assert all(e.start < NOW for e in left if not e.deleted and isinstance(e.start, datetime))  # only the past stays


# --- (6) missing and empty calendars ----------------------------------------------------------

@targets("file", "radicale", "xandikos", "google")
def test_a_missing_target_lists_nothing_and_a_dry_run_creates_nothing(backend: Backend) -> None:
    before = backend.calendars()
    backend.mark()
    target = open_target(backend.spec("Not yet"), backend.settings, now=NOW)
    assert target.list_owned() == []
    plan = plan_for(target, desired())  # what `sync --dry-run` prints; nothing is applied
    assert len(plan.writes) == len(desired())
    assert backend.writes() == [] and backend.calendars() == before


@targets()
def test_an_empty_calendar_lists_nothing_and_reading_it_creates_nothing(backend: Backend) -> None:
    backend.make_empty("Empty")
    before = backend.calendars()
    backend.mark()
    target = open_target(backend.spec("Empty"), backend.settings, now=NOW)
    assert target.list_owned() == []
    assert len(plan_for(target, desired()).writes) == len(desired())
    if backend.kind in ACCOUNTS:  # opened with create=False, an account calendar is a target too
        calendar = open_source(backend.spec("Empty"), backend.settings, now=NOW)
        assert isinstance(calendar, Target) and isinstance(calendar, Source)
        assert calendar.list_owned() == [] and calendar.read_events(WINDOW) == ([], [])
    assert backend.writes() == [] and backend.calendars() == before

