"""Two codec jobs for the backends that once called icalendar themselves (issue 11): the reminder
inside one CalDAV object, and an .ics file rewritten with the reminders the user edited kept.
"""

from __future__ import annotations

from collections.abc import Set

from followcal.core.model import OwnedEvent


def owned_in_object(data: str | bytes, ref: str | None = None, etag: str | None = None) -> OwnedEvent | None:
    """followcal's reminder in one calendar object (a CalDAV resource), else None. Raises what the
    parser raises on text it cannot read: the caller decides (a foreign object is left alone)."""
    import icalendar

    from followcal.ical.own_events import owned_from_component

    calendar = icalendar.Calendar.from_ical(data)
    for component in calendar.walk("VEVENT"):
        owned = owned_from_component(component, ref=ref, etag=etag)
        if owned is not None:
            return owned
    return None


def with_kept_events(new: bytes, old: bytes, uids: Set[str]) -> bytes:
    """`new` plus, as they are, the VEVENTs of `old` whose UID is in `uids`, with the VTIMEZONEs
    of `old` that `new` lacks (a file target rewritten whole must not lose the user's edits)."""
    import icalendar

    before = icalendar.Calendar.from_ical(old)
    after = icalendar.Calendar.from_ical(new)
    zones = {str(z.get("TZID")) for z in after.walk("VTIMEZONE")}
    for component in before.subcomponents:
        if component.name == "VTIMEZONE" and str(component.get("TZID")) not in zones:
            after.subcomponents.insert(0, component)
    after.subcomponents.extend(c for c in before.walk("VEVENT") if str(c.get("UID")) in uids)
    return bytes(after.to_ical())
