"""Desired reminders vs. what a target holds -> a Plan of creates, updates and deletes. Pure.

Ownership is decided before this point (backends list only followcal's own events), so nothing
here can touch a foreign event. The rules:
- same content -> nothing (a re-run with unchanged input writes nothing);
- our content changed -> update with SEQUENCE + 1;
- the user edited it (content differs from what we last wrote) and our intent did not change ->
  left alone and reported, unless forced;
- the user deleted it (we wrote it, it is gone) and our intent did not change -> not re-created;
- no longer wanted -> deleted if it lies in the future and its interview lies in the read window
  (a past reminder is history; one outside the window belongs to interviews we did not read).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time

from followcal.core.model import Action, Create, Delete, OwnedEvent, Plan, Reminder, Skip, Update, Window


def reconcile(
    target: str,
    desired: Sequence[Reminder],
    existing: Sequence[OwnedEvent],
    *,
    now: datetime,
    window: Window,
    written: Mapping[str, str] | None = None,
    force: bool = False,
) -> Plan:
    """`written` maps UID -> fingerprint of what followcal last wrote to this target (state)."""
    written = written or {}
    by_uid: dict[str, OwnedEvent] = {}
    actions: list[Action] = []
    for event in existing:
        if event.uid in by_uid and not event.deleted:
            actions.append(Delete(event))  # a duplicate left by an interrupted foreign client
            continue
        if event.uid not in by_uid or by_uid[event.uid].deleted:
            by_uid[event.uid] = event
    unchanged = 0
    final: list[tuple[Reminder, int]] = []
    for reminder in desired:
        current = by_uid.get(reminder.uid)
        intent_same = written.get(reminder.uid) == reminder.fingerprint
        if current is None or current.deleted:
            # gone (CalDAV/file) or cancelled (Google) while we still hold it as written: the user deleted it
            if reminder.uid in written and intent_same and not force:
                actions.append(Skip(reminder.uid, "deleted by you: not re-created", reminder=reminder))
                continue
            sequence = current.sequence + 1 if current is not None else 0
            actions.append(Create(reminder, sequence, restore=current))
            final.append((reminder, sequence))
        elif current.fingerprint == reminder.fingerprint:
            unchanged += 1
            final.append((reminder, current.sequence))
        elif current.user_edited and current.stored_fingerprint == reminder.fingerprint and not force:
            actions.append(Skip(reminder.uid, "edited by you: left as you made it", reminder, current))
        else:
            actions.append(Update(reminder, current, current.sequence + 1))
            final.append((reminder, current.sequence + 1))
    wanted = {r.uid for r in desired}
    for uid, event in by_uid.items():
        if uid in wanted or event.deleted:
            continue
        if _is_future(event, now) and _in_window(event, window):
            actions.append(Delete(event))
    return Plan(target, tuple(actions), unchanged, tuple(final))


def _instant(value: datetime | date | None) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        return datetime.combine(value, time(23, 59), UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


def _is_future(event: OwnedEvent, now: datetime) -> bool:
    start = _instant(event.start)
    return start is None or start >= now


def _in_window(event: OwnedEvent, window: Window) -> bool:
    anchor = event.interview_start or _instant(event.start)
    return anchor is None or window.contains(anchor)
