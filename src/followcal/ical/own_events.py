"""followcal's own events read back from a calendar (a previous export, a CalDAV or .ics target):
UID @followcal plus X-FOLLOWCAL-KIND make an event ours. Most are read straight from their lines
(fast.owned_event); only the ones it declines go through icalendar."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from followcal.core.model import UID_SUFFIX, OwnedEvent
from followcal.errors import SourceError
from followcal.ical.read import _short, _text
from followcal.ical.scan import Block, block_uid, own_lines, prop_of, split_calendar


def owned_from_component(component: Any, ref: str | None = None, etag: str | None = None) -> OwnedEvent | None:
    """An OwnedEvent when the VEVENT is one of ours (UID @followcal and X-FOLLOWCAL-KIND), else None."""
    uid = str(component.get("UID", ""))
    kind = component.get("X-FOLLOWCAL-KIND")
    if not uid.endswith(UID_SUFFIX) or kind is None:
        return None
    start = component.get("DTSTART").dt if component.get("DTSTART") is not None else None
    end = None
    if component.get("DTEND") is not None or component.get("DURATION") is not None:
        end = component.end
    interview_start = None
    raw = component.get("X-FOLLOWCAL-INTERVIEW-START")
    if raw is not None:
        try:
            interview_start = datetime.strptime(str(raw), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        except ValueError:
            interview_start = None
    related = component.get("RELATED-TO")
    sequence = component.get("SEQUENCE")
    stored = component.get("X-FOLLOWCAL-HASH")
    return OwnedEvent(
        uid=uid,
        kind=str(kind),
        summary=_text(component.get("SUMMARY")),
        description=_text(component.get("DESCRIPTION")),
        start=start,
        end=end,
        sequence=int(sequence) if sequence is not None else 0,
        stored_fingerprint=str(stored) if stored is not None else None,
        interview_uid=str(related) if related is not None else None,
        interview_start=interview_start,
        ref=ref,
        etag=etag,
    )


def owned_events(data: bytes, origin: str) -> list[OwnedEvent]:
    """followcal's reminder events in an .ics file (a previous export or a file target).

    Our own events are read directly (fast.owned_event); only those it declines, if any, go
    through icalendar, with the file's VTIMEZONEs."""
    header, blocks = split_calendar(data, origin)
    return owned_events_of(header, blocks, origin)


def owned_events_of(header: list[bytes], blocks: Sequence[Block], origin: str) -> list[OwnedEvent]:
    """`owned_events` of a calendar already cut into its components (scan.split_calendar)."""
    return _owned(header, _sorted_events(blocks), blocks, origin)


def owned_or_foreign(header: list[bytes], blocks: Sequence[Block], origin: str) -> tuple[list[OwnedEvent], int]:
    """(`owned_events_of`, 0), or ([], how many VEVENTs followcal did not make) when there are
    such (a file target refuses to overwrite them): each block's lines are read once for both."""
    events = _sorted_events(blocks)
    foreign = sum(1 for _, kind, ours in events if not (kind and ours))
    return ([], foreign) if foreign else (_owned(header, events, blocks, origin), 0)


def _sorted_events(blocks: Sequence[Block]) -> list[tuple[tuple[Block, list[bytes]], bool, bool]]:
    """Each VEVENT with its lines, whether it has X-FOLLOWCAL-KIND and whether its UID is ours."""
    out = []
    for block in blocks:
        if block.name == "VEVENT":
            lines = block.lines
            out.append(((block, lines), bool(prop_of(lines, b"X-FOLLOWCAL-KIND")),
                        block_uid(block, lines).endswith(UID_SUFFIX)))
    return out


def _owned(
    header: list[bytes], events: list[tuple[tuple[Block, list[bytes]], bool, bool]], blocks: Sequence[Block],
    origin: str,
) -> list[OwnedEvent]:
    from followcal.ical.fast import owned_event

    found: list[OwnedEvent | None] = []
    declined: list[tuple[int, list[bytes]]] = []
    for (block, all_lines), kind, ours in events:
        if not kind:
            continue
        owned = owned_event(own_lines(block, all_lines)) if ours else None
        if owned is None:
            declined.append((len(found), all_lines))
        found.append(owned)
    if declined:
        zones = [line for b in blocks if b.name == "VTIMEZONE" for line in b.lines]
        for index, component in _parse_declined(header, zones, declined, origin):
            found[index] = component
    return [o for o in found if o is not None]


def _parse_declined(
    header: list[bytes], zones: list[bytes], declined: list[tuple[int, list[bytes]]], origin: str
) -> list[tuple[int, OwnedEvent | None]]:
    import icalendar

    body = [b"BEGIN:VCALENDAR", *header, *zones, *(line for _, lines in declined for line in lines), b"END:VCALENDAR"]
    try:
        calendar = icalendar.Calendar.from_ical(b"\r\n".join(body) + b"\r\n")
    except (ValueError, IndexError, KeyError, RecursionError) as exc:
        raise SourceError(f"{origin}: cannot parse the calendar: {_short(exc)}") from None
    out: list[tuple[int, OwnedEvent | None]] = []
    for (index, _), component in zip(declined, calendar.walk("VEVENT"), strict=False):
        try:
            out.append((index, owned_from_component(component)))
        except Exception:
            out.append((index, None))
    return out
