"""The domain: plain frozen dataclasses that every layer speaks.

Library objects (icalendar components, caldav objects, Google JSON) never appear here: backends
translate them into `SourceEvent` / `OwnedEvent` at their boundary, and the pure core works on
these types only.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from functools import cached_property
from typing import Protocol

THANK_YOU = "thank-you"
CUT_OFF = "cut-off"
GRACIOUS_REPLY = "gracious-reply"
UID_SUFFIX = "@followcal"


def follow_up_kind(n: int) -> str:
    """`follow-up-1`, `follow-up-2`, ... (up to `max_follow_ups`)."""
    return f"follow-up-{n}"


def kind_order(kind: str) -> int:
    """Sort key: thank-you, follow-up-1..N, cut-off, gracious-reply."""
    if kind == THANK_YOU:
        return 0
    if kind.startswith("follow-up-"):
        return int(kind.rsplit("-", 1)[1])
    if kind == CUT_OFF:
        return 100
    return 200


class Outcome(StrEnum):
    """What the employer (or the candidate) did: R7 of followup-rules.md."""

    REPLIED = "replied"
    REJECTED = "rejected"
    OFFER = "offer"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class Person:
    name: str | None
    email: str | None

    def label(self) -> str:
        return self.name or self.email or "the interviewer"


class Contact(Protocol):
    """What Person and Attendee share: enough to name someone and match their address."""

    @property
    def name(self) -> str | None: ...

    @property
    def email(self) -> str | None: ...


@dataclass(frozen=True)
class Attendee:
    name: str | None
    email: str | None
    partstat: str | None = None


@dataclass(frozen=True)
class Timeline:
    """A stated `Timeline:` hint: `amount` days / business days / weeks from the interview date."""

    amount: int
    unit: str  # "days" | "business days" | "weeks"


@dataclass(frozen=True)
class OutcomeRecord:
    """An outcome with its date; from `followcal mark` or an `Outcome:` hint in the event."""

    outcome: Outcome
    on: date
    decision_by: date | None = None
    timeline: Timeline | None = None
    note: str | None = None
    source: str = "event"  # "event" | "mark"
    # the day the outcome was recorded (a mark: when it was made; a hint: the event's
    # LAST-MODIFIED, else DTSTAMP); R7's gracious reply never falls before it
    recorded_on: date | None = None


@dataclass(frozen=True)
class SourceEvent:
    """One calendar event (or one occurrence of a series) as read from any source.

    `start`/`end` are aware datetimes, naive datetimes (floating time) or dates (all-day).
    """

    uid: str
    summary: str
    start: datetime | date
    end: datetime | date | None = None
    recurrence_id: datetime | date | None = None
    description: str = ""
    categories: tuple[str, ...] = ()
    tzid: str | None = None  # IANA zone of `start` when known
    status: str | None = None
    organizer: Person | None = None
    attendees: tuple[Attendee, ...] = ()
    followcal_kind: str | None = None  # X-FOLLOWCAL-KIND: this is one of our own reminders
    stamp: datetime | None = None  # LAST-MODIFIED, else DTSTAMP (UTC): keeps output deterministic
    origin: str = ""  # file, URL or ACCOUNT:CALENDAR it came from (for warnings)
    calendar_owner: str | None = None  # the source's own address (X-WR-CALNAME, the account)

    @property
    def is_followcal(self) -> bool:
        return self.followcal_kind is not None or self.uid.endswith(UID_SUFFIX)


@dataclass(frozen=True)
class Interview:
    """A detected interview with every hint resolved (company, region, round, interviewers)."""

    id: str
    uid: str
    recurrence_id: datetime | date | None
    summary: str
    company: str
    role: str | None
    start: datetime  # aware, in `timezone`
    end: datetime  # aware, in `timezone`
    timezone: str
    region: str
    all_day: bool = False
    round: str | None = None
    final: bool = False
    interviewers: tuple[Person, ...] = ()
    decision_by: date | None = None
    timeline: Timeline | None = None
    outcome: OutcomeRecord | None = None
    stamp: datetime | None = None
    origin: str = ""
    region_from: str = "default"  # hint | company | option | config | zone | default (regions.py)

    @property
    def process_key(self) -> str:
        return self.company.casefold()


_Day = date  # Slot's field `date` hides the type inside the class body


@dataclass(frozen=True)
class Slot:
    """When a reminder is due, before any text is drafted (output of rules.py)."""

    kind: str
    date: _Day
    due: datetime  # aware, in the interview's zone
    channel: str  # "email" | "phone"
    deadline: datetime | _Day | None = None
    all_day: bool = False


@dataclass(frozen=True)
class Reminder:
    """One reminder event as followcal wants it to exist in every target."""

    uid: str
    kind: str
    interview_id: str
    interview_uid: str
    interview_start: datetime
    company: str
    role: str | None
    date: date
    due: datetime
    duration: timedelta
    timezone: str
    channel: str
    summary: str
    description: str
    stamp: datetime  # DTSTAMP / LAST-MODIFIED, derived from the input
    all_day: bool = False

    @property
    def end(self) -> datetime:
        return self.due + self.duration

    @cached_property  # hashed once: reconcile and the writer ask several times per reminder
    def fingerprint(self) -> str:
        if self.all_day:
            return fingerprint(self.summary, self.description, self.date, self.date + timedelta(days=1))
        return fingerprint(self.summary, self.description, self.due, self.end)


@dataclass(frozen=True)
class InterviewPlan:
    """An interview with its resolved decision date, its outcome and its reminders (in order)."""

    interview: Interview
    reminders: tuple[Reminder, ...]
    decision_by: date | None = None
    outcome: OutcomeRecord | None = None


@dataclass(frozen=True)
class PlanResult:
    """What `plan`/`export` compute: every interview's plan plus warnings, sorted by start."""

    interviews: tuple[InterviewPlan, ...]
    warnings: tuple[str, ...] = ()
    me: tuple[str, ...] = ()  # the user's addresses: configured, else inferred (identity.py)

    @property
    def reminders(self) -> list[Reminder]:
        return [r for p in self.interviews for r in p.reminders]


@dataclass(frozen=True)
class Window:
    """The time range read from a source; None means unbounded on that side."""

    since: datetime | None = None
    until: datetime | None = None

    def contains(self, moment: datetime) -> bool:
        if self.since is not None and moment < self.since:
            return False
        if self.until is not None and moment >= self.until:
            return False
        return True


@dataclass(frozen=True)
class OwnedEvent:
    """A reminder event followcal made, as found in a target (CalDAV, Google, .ics file)."""

    uid: str
    kind: str
    summary: str
    description: str
    start: datetime | date | None  # None: an event of ours that lost its DTSTART (edited elsewhere)
    end: datetime | date | None
    sequence: int = 0
    stored_fingerprint: str | None = None  # X-FOLLOWCAL-HASH: what we wrote last time
    interview_uid: str | None = None
    interview_start: datetime | None = None
    ref: str | None = None  # href (CalDAV) or event id (Google); opaque to the core
    etag: str | None = None
    deleted: bool = False  # Google keeps cancelled events: their id can only be restored

    @cached_property  # hashed once: reconcile and the writer ask several times per reminder
    def fingerprint(self) -> str:
        return fingerprint(self.summary, self.description, self.start, self.end)

    @property
    def user_edited(self) -> bool:
        """True when what is in the target differs from what followcal last wrote there."""
        return self.stored_fingerprint is not None and self.stored_fingerprint != self.fingerprint


# --- sync plans: plain data, printed by --dry-run and executed by one `apply` ---------------


@dataclass(frozen=True)
class Create:
    reminder: Reminder
    sequence: int = 0
    restore: OwnedEvent | None = None  # Google: a deleted event with this id exists; undelete it
    op: str = field(default="create", init=False)


@dataclass(frozen=True)
class Update:
    reminder: Reminder
    existing: OwnedEvent
    sequence: int
    op: str = field(default="update", init=False)


@dataclass(frozen=True)
class Delete:
    existing: OwnedEvent
    op: str = field(default="delete", init=False)


@dataclass(frozen=True)
class Skip:
    """A reminder left alone on purpose (the user edited or deleted it); reported, not written."""

    uid: str
    reason: str
    reminder: Reminder | None = None
    existing: OwnedEvent | None = None
    op: str = field(default="skip", init=False)


Action = Create | Update | Delete | Skip
Write = Create | Update | Delete  # an Action that changes the target


@dataclass(frozen=True)
class Plan:
    """What one target needs so that it holds exactly the desired reminders."""

    target: str
    actions: tuple[Action, ...] = ()
    unchanged: int = 0
    final: tuple[tuple[Reminder, int], ...] = ()  # every wanted reminder with its SEQUENCE after apply

    @property
    def writes(self) -> tuple[Write, ...]:
        return tuple(a for a in self.actions if not isinstance(a, Skip))


@dataclass(frozen=True)
class ApplyResult:
    target: str
    created: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    errors: tuple[str, ...] = ()


# --- helpers that define identity: every build must compute the same values -------------------


def _iso(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
            if value.year >= 1000:  # strftime's text, three times faster (it pads no year below 1000)
                return "%04d%02d%02dT%02d%02d%02dZ" % (value.year, value.month, value.day,  # noqa: UP031
                                                       value.hour, value.minute, value.second)
            return value.strftime("%Y%m%dT%H%M%SZ")
        return value.strftime("%Y%m%dT%H%M%S")
    return value.strftime("%Y%m%d")


def fingerprint(summary: str, description: str, start: datetime | date | None, end: datetime | date | None) -> str:
    """Content hash of a reminder event as a user sees it (text and times, zone-independent)."""
    text = description.replace("\r\n", "\n") if "\r" in description else description
    norm = "\n".join(map(str.rstrip, text.strip().split("\n")))  # each line without trailing space
    data = "\x1f".join([summary.strip(), norm, _iso(start), _iso(end)])
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


def interview_id(uid: str, recurrence_id: datetime | date | None) -> str:
    """Stable short id of an interview (same on every run): `plan --json` and `mark` use it."""
    return hashlib.sha1(f"{uid}\x1f{_iso(recurrence_id)}".encode()).hexdigest()[:12]


def reminder_uid(uid: str, recurrence_id: datetime | date | None, kind: str) -> str:
    """Deterministic reminder UID from (source UID, RECURRENCE-ID, kind), ending in @followcal."""
    digest = hashlib.sha1(f"{uid}\x1f{_iso(recurrence_id)}\x1f{kind}".encode()).hexdigest()[:24]
    return f"{kind}-{digest}{UID_SUFFIX}"
