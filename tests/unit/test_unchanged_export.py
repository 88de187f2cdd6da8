"""Issue 17: `IcsFileTarget.unchanged_plan` (a re-export over our own unchanged output, without
reading it back: ical/unchanged.py) == the path it short-cuts (list_owned, reconcile, render).

Wherever the shortcut answers, its plan and bytes are the full path's; where it declines, the
full path runs anyway. Checked on the sample, a bench feed, the fuzz corpus (test_fuzz.mutated
calendars, whose hostile names and texts reach the drafts), previous exports edited line by line,
and reminders made hostile on purpose (backslashes, CR, ambiguous wall times, odd zones).
"""

from __future__ import annotations

import random
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings

from followcal.backends.files import IcsFileTarget
from followcal.core.model import Plan, Reminder, Window
from followcal.core.planner import plan_events
from followcal.core.reconcile import reconcile
from followcal.errors import FollowcalError
from followcal.ical import read as ics, unchanged
from followcal.ical.unchanged import round_trips

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(HERE))

from generate_feed import generate_feed  # noqa: E402
from test_fast_path_equivalence import NOW, SETTINGS  # noqa: E402
from test_fuzz import mutated  # noqa: E402

FUZZ = settings(max_examples=60, derandomize=True, database=None, deadline=None,
                suppress_health_check=list(HealthCheck))


def reminders_of(data: bytes) -> list[Reminder]:
    events, warnings = ics.read_calendar(data, "feed.ics", Window(), keywords=SETTINGS.rules.keywords, now=NOW)
    return list(plan_events(events, SETTINGS, default_tz="America/New_York", marks={}, warnings=warnings).reminders)


def full(target: IcsFileTarget, reminders: list[Reminder]) -> tuple[Plan, bytes] | str:
    """The path the shortcut replaces (app.pipeline.export_plan before it), or its error."""
    try:
        existing = target.list_owned()
    except FollowcalError as exc:
        return str(exc)
    plan = reconcile(target.label, reminders, existing, now=NOW, window=Window())
    return plan, target.render(plan)


def check(target: IcsFileTarget, reminders: list[Reminder]) -> bool:
    """The shortcut agrees with the full path; True when it answered."""
    fast = target.unchanged_plan(reminders)
    mapped = target.unchanged_plan(reminders, with_bytes=False)  # the CLI's: compared in place
    assert (mapped is None) == (fast is None)
    if fast is not None:
        assert fast == full(target, reminders)
        assert mapped == (fast[0], b"")
    return fast is not None


def exported(tmp_path: Path, reminders: list[Reminder], name: str = "out.ics", **kw: object) -> IcsFileTarget:
    target = IcsFileTarget(tmp_path / name, **kw)  # type: ignore[arg-type]
    result = full(target, reminders)
    assert not isinstance(result, str)
    target.path.write_bytes(result[1])
    return target


@pytest.fixture(scope="module")
def feed_reminders() -> list[Reminder]:
    return reminders_of(generate_feed(1000, seed=3))


def test_sample_and_bench_feed_take_the_shortcut(tmp_path: Path, feed_reminders: list[Reminder]) -> None:
    sample = reminders_of((ROOT / "samples" / "interviews.ics").read_bytes())
    for i, reminders in enumerate((sample, feed_reminders, [])):
        target = exported(tmp_path, reminders, f"out{i}.ics")
        assert check(target, reminders)
        named = IcsFileTarget(target.path, name="other name")
        assert not check(named, reminders)
        refreshed = exported(tmp_path, reminders, f"r{i}.ics", refresh_minutes=30)
        assert check(refreshed, reminders)


def test_no_file_or_other_content_declines(tmp_path: Path, feed_reminders: list[Reminder]) -> None:
    target = IcsFileTarget(tmp_path / "missing.ics")
    assert target.unchanged_plan(feed_reminders) is None
    for data in (b"", b"not a calendar\r\n", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"):
        target.path.write_bytes(data)
        assert not check(target, feed_reminders)
        assert not check(target, [])


def test_fewer_more_or_changed_reminders_decline(tmp_path: Path, feed_reminders: list[Reminder]) -> None:
    target = exported(tmp_path, feed_reminders)
    assert not check(target, feed_reminders[1:])
    assert not check(target, [*feed_reminders, replace(feed_reminders[0], uid="x-1@followcal")])
    assert not check(target, [replace(feed_reminders[0], summary="changed"), *feed_reminders[1:]])
    assert not check(target, [feed_reminders[0], *feed_reminders])  # a duplicate UID


def test_edited_previous_exports(tmp_path: Path, feed_reminders: list[Reminder]) -> None:
    """Line edits of our own export (SEQUENCE bumped, text changed, lines dropped, duplicated or
    swapped, a foreign event): the shortcut declines or agrees, never differs."""
    reminders = feed_reminders[:40]
    target = exported(tmp_path, reminders)
    original = target.path.read_bytes().split(b"\r\n")
    rnd = random.Random(17)
    for _ in range(150):
        lines = list(original)
        for _ in range(rnd.randint(1, 3)):
            i = rnd.randrange(1, len(lines) - 2)
            op = rnd.randrange(6)
            if op == 0:
                del lines[i]
            elif op == 1:
                lines.insert(i, lines[i])
            elif op == 2:
                j = rnd.randrange(1, len(lines) - 2)
                lines[i], lines[j] = lines[j], lines[i]
            elif op == 3:
                lines[i] = lines[i].replace(b"SEQUENCE:0", b"SEQUENCE:1").replace(b"SEQUENCE:1", b"SEQUENCE:2")
            elif op == 4:
                lines[i] = lines[i][:-1] if len(lines[i]) > 12 else lines[i] + b"x"
            else:
                lines.insert(i, b"BEGIN:VEVENT\r\nUID:theirs\r\nDTSTART:20261201T100000Z\r\nEND:VEVENT")
        target.path.write_bytes(b"\r\n".join(lines))
        check(target, reminders)
    target.path.write_bytes(b"\r\n".join(original).replace(b"SEQUENCE:0", b"SEQUENCE:3"))
    assert check(target, reminders), "carried-over SEQUENCE numbers take the shortcut too"


ZONED = datetime(2026, 11, 1, 1, 30, tzinfo=ZoneInfo("America/New_York"))  # the repeated hour


@pytest.mark.parametrize("change", [
    {"description": "a \\N b"}, {"description": "back\\slash"}, {"summary": "cr\rhere"},
    {"description": "tab\there"}, {"summary": "nbsp\u00a0"}, {"uid": "foreign-uid"},
    {"due": ZONED, "duration": timedelta(minutes=15), "all_day": False},
    {"due": ZONED.replace(fold=1), "duration": timedelta(minutes=15), "all_day": False},
    {"due": datetime(2026, 12, 1, 9, tzinfo=timezone(timedelta(hours=2))),
     "all_day": False},
    {"due": datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("EST")),
     "all_day": False},
    {"due": datetime(2026, 12, 1, 9), "all_day": False},
    {"due": datetime(2026, 12, 1, 9, tzinfo=UTC), "duration": timedelta(hours=-1), "all_day": False},
    {"due": datetime(2026, 12, 1, 9, tzinfo=UTC), "all_day": False},
    {"due": datetime(2026, 3, 8, 1, 45, tzinfo=ZoneInfo("America/New_York")), "duration": timedelta(minutes=30),
     "all_day": False},
])
def test_hostile_reminders_decline_or_agree(tmp_path: Path, feed_reminders: list[Reminder],
                                           change: dict[str, object]) -> None:
    hostile = replace(feed_reminders[0], **change)  # type: ignore[arg-type]
    reminders = [hostile, *feed_reminders[1:20]]
    try:
        target = exported(tmp_path, reminders)
    except (FollowcalError, AssertionError, TypeError, ValueError):
        return  # the full path itself cannot write or read it back: nothing to short-cut
    if check(target, reminders):
        assert round_trips(hostile)
    if "description" in change or "summary" in change or "uid" in change or "fold=1" in repr(change):
        assert not round_trips(hostile)


@FUZZ
@given(mutated())
def test_fuzz_corpus(tmp_path_factory: pytest.TempPathFactory, case: tuple[bytes, int]) -> None:
    calendar, _ = case
    try:
        reminders = reminders_of(calendar)
    except FollowcalError:
        return
    folder = tmp_path_factory.mktemp("fuzz")
    try:
        target = exported(folder, reminders)
    except (FollowcalError, AssertionError):
        return
    check(target, reminders)


@pytest.mark.parametrize("chunk", [1, 5, 64, 4096])
def test_the_file_compared_as_it_is_read_at_any_chunk_size(tmp_path: Path, feed_reminders: list[Reminder],
                                                          chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's comparison reads the file a chunk at a time: parts and SEQUENCE numbers that
    straddle chunks, a file cut short or going on, and SEQUENCE numbers the writer would not
    write, all answer as the bytes in memory do (check() compares the two)."""
    monkeypatch.setattr(unchanged, "CHUNK", chunk)
    reminders = feed_reminders[:12]
    target = exported(tmp_path, reminders)
    original = target.path.read_bytes()
    assert check(target, reminders)
    for edited in (original[:-1], original[: len(original) // 2], original + b"\r\n", original + b"X",
                   original.replace(b"SEQUENCE:0", b"SEQUENCE:7", 1), original.replace(b"SEQUENCE:0", b"SEQUENCE:07", 1),
                   original.replace(b"SEQUENCE:0", b"SEQUENCE:-1", 1), original.replace(b"SEQUENCE:0", b"SEQUENCE:", 1),
                   original.replace(b"SEQUENCE:0", b"SEQUENCE:1234567890", 1),
                   original.replace(b"SEQUENCE:0", b"SEQUENCE:123456789", 1)):
        target.path.write_bytes(edited)
        check(target, reminders)
    target.path.write_bytes(original.replace(b"SEQUENCE:0", b"SEQUENCE:123456789", 1))
    assert check(target, reminders), "a nine-digit SEQUENCE is carried over"


def test_an_unreadable_file_takes_the_full_path(tmp_path: Path, feed_reminders: list[Reminder],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A file that fails as it is opened or read for the comparison is not current: the full path
    reads it again and says what is wrong with it (here the open meets a folder)."""
    from followcal.backends import files

    target = exported(tmp_path, feed_reminders[:5])
    assert target.unchanged_plan(feed_reminders[:5], with_bytes=False) is not None
    monkeypatch.setattr(files, "_readable", lambda path: tmp_path)
    assert target.unchanged_plan(feed_reminders[:5], with_bytes=False) is None
