"""Who the user is when `me` is not configured (followup-rules.md "Hints": people).

Pure. The user's addresses come from what the sources say about their owner (an export's
X-WR-CALNAME when it is an address, the account a backend read: `SourceEvent.calendar_owner`)
and from the interviews themselves: the one participant found in nearly every interview of the
input is the person being interviewed, not an interviewer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from followcal.core.hints import _email
from followcal.core.model import Contact, SourceEvent

_ADDRESS = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
NEARLY_EVERY = 0.8


def owner_address(text: str | None) -> str | None:
    """An X-WR-CALNAME (or account name) that is a mail address, casefolded; else None."""
    value = _email(text)
    return value if value and _ADDRESS.match(value) else None


def infer_me(events: Sequence[SourceEvent], interviews: Iterable[SourceEvent]) -> tuple[str, ...]:
    """The user's addresses: every calendar owner the sources named, plus the participant in at
    least 80% of the interview events (at least two of them), when there is one such address;
    failing both, the one attendee invited at a personal mail address."""
    found: list[str] = []
    for event in events:
        owner = owner_address(event.calendar_owner)
        if owner and owner not in found:
            found.append(owner)
    counts: Counter[str] = Counter()
    from followcal.core.company_domains import is_service_address

    total = 0
    interviews = list(interviews)
    personal = _one_personal_attendee(interviews)
    for event in interviews:
        total += 1
        present = {_email(a.email) for a in event.attendees}
        if event.organizer is not None:
            present.add(_email(event.organizer.email))
        counts.update(e for e in present if e and "@" in e and not is_service_address(e))
    if total >= 2 and counts:
        top = max(counts.values())
        best = sorted(e for e, n in counts.items() if n == top)
        if top >= max(2, NEARLY_EVERY * total) and len(best) == 1 and best[0] not in found:
            found.append(best[0])
    if not found and personal:
        found.extend(personal)
    return tuple(found)


def _one_personal_attendee(interviews: Sequence[SourceEvent]) -> list[str]:
    """A single recruiter's invite says nothing by frequency; but a candidate is invited at a
    personal address while the interviewers are at the employer: exactly one attendee address
    at a mail provider, across the interviews, and someone else organizing, is the user."""
    from followcal.core.company_domains import _domain
    from followcal.core.known_domains import PUBLIC_DOMAINS, PUBLIC_LABELS

    seen: set[str] = set()
    for event in interviews:
        organizer = _email(event.organizer.email) if event.organizer else None
        for a in event.attendees:
            email = _email(a.email)
            domain = _domain(email) or ""
            if email and email != organizer and (domain in PUBLIC_DOMAINS or domain.split(".")[0] in PUBLIC_LABELS):
                seen.add(email)
    return sorted(seen) if len(seen) == 1 else []


def display_names(events: Iterable[SourceEvent], me: Iterable[str]) -> tuple[str, ...]:
    """The names the user goes by in the invites (their attendee CN): never a company."""
    mine = {_email(m) for m in me} - {None}
    names: list[str] = []
    for event in events:
        people: list[Contact] = [*event.attendees, *([event.organizer] if event.organizer else [])]
        for p in people:
            name = (p.name or "").strip().strip("\"'")
            if _email(p.email) in mine and name and "@" not in name and name not in names:
                names.append(name)
    return tuple(names)


def with_owner(events: Iterable[SourceEvent], address: str | None) -> list[SourceEvent]:
    """The seam for backends: events read from an account whose own address is known (CalDAV's
    calendar-user-address-set, the Google account of `primary`) carry it, so the user is known
    without a `me` setting. A value that is not an address changes nothing."""
    from dataclasses import replace

    owner = owner_address(address)
    return [replace(e, calendar_owner=owner) if owner else e for e in events]
