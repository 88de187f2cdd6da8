"""reconcile(): desired reminders vs. what a target holds -> create / update (SEQUENCE + 1) /
delete (future and in-window only) / unchanged / skip what the user edited or deleted / force."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from support import NOW

from followcal.config import Settings
from followcal.core.model import Create, Delete, OwnedEvent, Reminder, Skip, SourceEvent, Update, Window
from followcal.core.planner import plan_events
from followcal.core.reconcile import reconcile

NY = ZoneInfo("America/New_York")


def reminders_for(start: datetime, uid: str = "acme-1", company: str = "Acme Corp") -> list[Reminder]:
    event = SourceEvent(uid=uid, summary=f"Interview with {company}", start=start, end=start + timedelta(hours=1),
                        tzid="America/New_York")
    return plan_events([event], Settings(), default_tz="America/New_York").reminders


def owned(r: Reminder, sequence: int = 0, **changes) -> OwnedEvent:
    """The event as a target holds it after followcal wrote `r` (then changed by `changes`)."""
    event = OwnedEvent(uid=r.uid, kind=r.kind, summary=r.summary, description=r.description, start=r.due,
                       end=r.end, sequence=sequence, stored_fingerprint=r.fingerprint,
                       interview_uid=r.interview_uid, interview_start=r.interview_start)
    return replace(event, **changes)


@pytest.fixture
def desired() -> list[Reminder]:
    return reminders_for(datetime(2026, 11, 19, 14, tzinfo=NY))


def test_create_everything_in_an_empty_target(desired) -> None:
    plan = reconcile("t", desired, [], now=NOW, window=Window())
    assert [type(a) for a in plan.actions] == [Create] * 4
    assert all(a.sequence == 0 and a.restore is None for a in plan.actions)
    assert plan.unchanged == 0
    assert plan.final == tuple((r, 0) for r in desired)
    assert plan.writes == plan.actions


def test_unchanged_writes_nothing(desired) -> None:
    existing = [owned(r, sequence=i) for i, r in enumerate(desired)]
    plan = reconcile("t", desired, existing, now=NOW, window=Window())
    assert plan.actions == ()
    assert plan.unchanged == 4
    assert plan.final == tuple((r, i) for i, r in enumerate(desired))


def test_moved_interview_updates_with_sequence_plus_one(desired) -> None:
    existing = [owned(r, sequence=2) for r in desired]
    moved = reminders_for(datetime(2026, 11, 20, 14, tzinfo=NY))  # same UID, a day later
    assert [r.uid for r in moved] == [r.uid for r in desired]
    plan = reconcile("t", moved, existing, now=NOW, window=Window())
    assert all(isinstance(a, Update) for a in plan.actions) and len(plan.actions) == 4
    assert {a.sequence for a in plan.actions} == {3}
    assert [a.existing.uid for a in plan.actions] == [r.uid for r in moved]
    assert plan.final == tuple((r, 3) for r in moved)


def test_only_future_reminders_in_the_window_are_deleted(desired) -> None:
    existing = [owned(r) for r in desired]  # thank-you 11-19 is past; the rest are future
    plan = reconcile("t", [], existing, now=NOW, window=Window())
    deleted = [a.existing.uid for a in plan.actions if isinstance(a, Delete)]
    assert deleted == [r.uid for r in desired if r.kind != "thank-you"]
    assert plan.final == ()


@pytest.mark.parametrize(
    "since,until,deletes",
    [
        (datetime(2026, 11, 1, tzinfo=NY), datetime(2026, 12, 1, tzinfo=NY), True),
        (datetime(2026, 11, 20, tzinfo=NY), None, False),  # interview before the window
        (None, datetime(2026, 11, 19, tzinfo=NY), False),  # interview after the window
        (None, datetime(2026, 11, 19, 14, tzinfo=NY), False),  # window end is exclusive
        (datetime(2026, 11, 19, 14, tzinfo=NY), None, True),  # window start is inclusive
    ],
)
def test_delete_only_in_window(desired, since, until, deletes: bool) -> None:
    future = [owned(r) for r in desired if r.kind != "thank-you"]
    plan = reconcile("t", [], future, now=NOW, window=Window(since, until))
    assert len(plan.actions) == (3 if deletes else 0)


def test_foreign_owned_event_without_interview_start_uses_its_own_start(desired) -> None:
    event = owned(desired[-1], interview_start=None)
    window = Window(datetime(2026, 12, 1, tzinfo=NY), datetime(2027, 1, 1, tzinfo=NY))
    assert [a.op for a in reconcile("t", [], [event], now=NOW, window=window).actions] == ["delete"]
    window = Window(datetime(2027, 1, 1, tzinfo=NY), None)
    assert reconcile("t", [], [event], now=NOW, window=window).actions == ()


def test_user_edited_is_left_alone_unless_forced(desired) -> None:
    edited = [owned(r, sequence=1, summary="my own words") if r.kind == "follow-up-1" else owned(r)
              for r in desired]
    plan = reconcile("t", desired, edited, now=NOW, window=Window())
    (skip,) = plan.actions
    assert isinstance(skip, Skip) and skip.uid == desired[1].uid and "edited" in skip.reason
    assert plan.unchanged == 3
    assert desired[1].uid not in {r.uid for r, _ in plan.final}
    assert plan.writes == ()
    forced = reconcile("t", desired, edited, now=NOW, window=Window(), force=True)
    (update,) = forced.actions
    assert isinstance(update, Update) and update.sequence == 2


def test_user_edit_is_overwritten_when_our_content_changed(desired) -> None:
    edited = [owned(r, summary="my own words") for r in desired]
    moved = reminders_for(datetime(2026, 11, 20, 14, tzinfo=NY))
    plan = reconcile("t", moved, edited, now=NOW, window=Window())
    assert [a.op for a in plan.actions] == ["update"] * 4


def test_user_deleted_is_not_recreated_unless_forced(desired) -> None:
    written = {r.uid: r.fingerprint for r in desired}
    existing = [owned(r) for r in desired if r.kind != "follow-up-2"]
    plan = reconcile("t", desired, existing, now=NOW, window=Window(), written=written)
    (skip,) = plan.actions
    assert isinstance(skip, Skip) and skip.uid == desired[2].uid and "deleted" in skip.reason
    forced = reconcile("t", desired, existing, now=NOW, window=Window(), written=written, force=True)
    (create,) = forced.actions
    assert isinstance(create, Create) and create.reminder.uid == desired[2].uid


def test_user_deleted_comes_back_when_our_content_changed(desired) -> None:
    written = {r.uid: "an older fingerprint" for r in desired}
    plan = reconcile("t", desired, [], now=NOW, window=Window(), written=written)
    assert [a.op for a in plan.actions] == ["create"] * 4


def test_never_written_here_is_created(desired) -> None:
    written = {"other@followcal": "x"}
    plan = reconcile("t", desired, [], now=NOW, window=Window(), written=written)
    assert [a.op for a in plan.actions] == ["create"] * 4


def test_google_deleted_event_is_restored_with_a_higher_sequence(desired) -> None:
    gone = owned(desired[0], sequence=4, deleted=True)
    plan = reconcile("t", desired[:1], [gone], now=NOW, window=Window())
    (create,) = plan.actions
    assert isinstance(create, Create) and create.restore == gone and create.sequence == 5
    # and a deleted event that is no longer wanted is not deleted again
    assert reconcile("t", [], [gone], now=NOW, window=Window()).actions == ()


def test_duplicates_are_removed(desired) -> None:
    first = owned(desired[0], ref="/a.ics")
    dupe = owned(desired[0], ref="/b.ics")
    plan = reconcile("t", desired[:1], [first, dupe], now=NOW, window=Window())
    (delete,) = plan.actions
    assert isinstance(delete, Delete) and delete.existing.ref == "/b.ics"
    assert plan.unchanged == 1


def test_mixed_plan(desired) -> None:
    other = reminders_for(datetime(2026, 11, 16, 10, tzinfo=NY), uid="globex-1", company="Globex")
    existing = [owned(desired[0]), owned(desired[1], sequence=1, summary="old text", stored_fingerprint="old"),
                *[owned(r) for r in other]]
    plan = reconcile("t", desired[:3], existing, now=NOW, window=Window())
    got = sorted((a.op, getattr(a, "sequence", None)) for a in plan.actions)
    # follow-up-1 changed (not a user edit: stored fingerprint is not ours now) -> update;
    # follow-up-2 new -> create; Globex's future reminders -> delete; its past thank-you stays
    assert got == [("create", 0), ("delete", None), ("delete", None), ("delete", None), ("update", 2)]
    assert plan.unchanged == 1
