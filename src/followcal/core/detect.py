"""Which source events are interviews, and what they say (followup-rules.md R8, R9, "Hints").

Pure: no I/O, no clock. Everything an event can get wrong (bad hints, odd times, broken data)
becomes a warning string, never an exception, so one bad event cannot stop a run; only usage
errors (an unknown default or configured region) propagate, because the user must fix those.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from followcal.config import Settings, check_timezone
from followcal.core.classify import classify, is_interview, skip_reason  # noqa: F401 (re-exported)
from followcal.core.collector import collector_paused
from followcal.core.companies import (  # noqa: F401 (re-exported)
    clean,
    company_and_role,
    company_from_description,
    looks_like_role,
)
from followcal.core.company_domains import (  # noqa: F401 (re-exported)
    _ROBOT,
    company_from_email,
    company_from_people,
    is_service_address,
    registrable_label,
)
from followcal.core.hints import Hints, _dedupe, _email, parse_hints, parse_timeline  # noqa: F401 (re-exported)
from followcal.core.identity import display_names, infer_me
from followcal.core.known_domains import SCHEDULING_DOMAINS
from followcal.core.model import Contact, Interview, Person, SourceEvent, interview_id
from followcal.core.people import is_role_name
from followcal.core.regions import choose_region
from followcal.errors import FollowcalError, UnknownRegionError, UsageError

log = logging.getLogger("followcal.detect")




# --- company and role: companies.py (re-exported for callers and tests) -------------------------

_clean = clean


# --- detect -----------------------------------------------------------------------------------

_UTC_KEYS = {"UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/GMT", "GMT", "Etc/Zulu", "Zulu", "GMT0",
             "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Etc/Universal", "Universal", "Etc/Greenwich"}


def _zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except Exception:  # unknown or malformed names (Windows names, paths) are just not usable
        return None


def _is_utc(moment: datetime) -> bool:
    """UTC is a transport form (Google, CalDAV servers): it says nothing about local dates."""
    tz = moment.tzinfo
    if moment.utcoffset() != timedelta(0):
        return False
    if isinstance(tz, ZoneInfo):
        return tz.key in _UTC_KEYS
    return isinstance(tz, timezone) or moment.tzname() in ("UTC", "Z", "GMT", "UCT")


def _times(event: SourceEvent, default: ZoneInfo) -> tuple[datetime, datetime, str, bool, bool]:
    """(start, end, zone name, all_day, end_was_before_start)."""
    start = event.start
    all_day = not isinstance(start, datetime)
    tzid = _zone(event.tzid)
    if not isinstance(start, datetime):  # all day
        zone = default
    elif start.tzinfo is None:
        zone = tzid or default  # floating; a TZID from the reader says whose wall clock it is
    elif _is_utc(start):
        zone = tzid if tzid is not None and tzid.key not in _UTC_KEYS else default
    elif tzid is not None:
        zone = tzid
    else:
        zone = start.tzinfo if isinstance(start.tzinfo, ZoneInfo) and start.tzinfo.key else default

    def local(value: datetime | date) -> datetime:
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(0), zone)
        elif value.tzinfo is None:
            value = value.replace(tzinfo=zone)
        return value.astimezone(UTC).astimezone(zone)  # also normalises DST gaps

    begin = local(start)
    end = local(event.end) if event.end is not None else None
    backwards = end is not None and end < begin
    if all_day and (end is None or end <= begin):
        end = local(begin.date() + timedelta(days=1))  # DTEND is exclusive: one whole day
    elif end is None or backwards:
        end = begin
    return begin, end, zone.key, all_day, backwards


def _scheduling(domain: str) -> bool:
    """calendar.google.com resources and scheduling tools' senders (no-reply@goodtime.io) are
    not interviewers."""
    labels = domain.split(".")
    return any(".".join(labels[i:]) in SCHEDULING_DOMAINS for i in range(len(labels)))


def _robot(email: str | None) -> bool:
    return bool(email) and _ROBOT.match(email or "") is not None


def _interviewers(event: SourceEvent, me: set[str | None]) -> tuple[Person, ...]:
    """ATTENDEEs other than me, then the ORGANIZER; rooms and attendees who declined are not
    interviewers."""
    people = [Person(a.name, a.email) for a in event.attendees
              if (a.partstat or "").upper() != "DECLINED"]
    if event.organizer is not None:
        people.append(event.organizer)
    out = []
    for p in people:
        email = _email(p.email)
        name = _clean(p.name)
        if name and _email(name) == email:
            name = None
        domain = (email or "").rpartition("@")[2]
        if email in me or not (name or email) or (domain and _scheduling(domain)) or _robot(email):
            continue
        out.append(Person(name, email))
    return _dedupe(out)


_FINAL = re.compile(r"\bfinal[\s-]+(?:round|interview)", re.IGNORECASE)


def _person_names(people: Iterable[Contact]) -> list[str]:
    """Display names that are people's ("Rachel Green <rachel.green@...>"): a part of the name
    is in the address. "Mistral AI <jobs@mistral.ai>" is the company, not a person."""
    return [p.name or "" for p in people if _is_person_name(p.name, p.email)]


@lru_cache(maxsize=4096)  # pure; the same people recur in every invite
def _is_person_name(name: str | None, email: str | None) -> bool:
    local = (_email(email) or "").split("@")[0]
    parts = [w for w in re.split(r"[\s.,]+", (name or "").casefold()) if len(w) > 1]
    if is_role_name(name) or (is_service_address(email) and "".join(parts) == local):
        return False  # "ASML Talent Acquisition", "Siemens <siemens@myworkday.com>": the company
    return bool(local) and any(w in local for w in parts)


def _employer_labels(event: SourceEvent, me: Iterable[str]) -> set[str]:
    """The registrable labels of the participants' employer domains (not the user's, not a
    scheduling tool's or mail provider's)."""
    mine = {_email(m) for m in me}
    people: list[Contact] = [*([event.organizer] if event.organizer else []), *event.attendees]
    return {label for p in people if (email := _email(p.email)) and email not in mine
            and not is_service_address(email)
            and (label := registrable_label(email.rpartition("@")[2]))}


def _matches(name: str, labels: set[str]) -> bool:
    compact = re.sub(r"[\W_]+", "", name.casefold())
    return bool(compact) and any(compact in lab or lab in compact for lab in labels)


def resolve_company(event: SourceEvent, me: Iterable[str], names: tuple[str, ...] = (),
                    hinted: str | None = None) -> tuple[str | None, str | None, str]:
    """(company, role from the title, where the company came from): the `Company:` hint, the
    SUMMARY, the DESCRIPTION, the participants' employer domains; never the user's own name
    nor a scheduling tool's domain. The user's and the interviewers' names are not companies."""
    summary = event.summary or ""
    people = [*names, *(n.split()[0] for n in names if len(n.split()) > 1),
              *_person_names([*event.attendees, *([event.organizer] if event.organizer else [])])]
    from_summary, role = company_and_role(summary, people)
    if hinted:
        return hinted, role, "Company: hint"
    labels = _employer_labels(event, me)
    if from_summary and labels and not _matches(from_summary, labels):
        # "Phone Interview: Data Scientist – Zurich" from google.com, "your interest in Google":
        # a description company that the participants' domains confirm beats an unconfirmed title
        found = company_from_description(event.description or "", people)
        if found and _matches(found, labels):
            return found, role, "description (confirmed by the participants' domain)"
    if from_summary:
        return from_summary, role, "title"
    if found := company_from_description(event.description or "", people):
        return found, role, "description"
    mine = {_email(m) for m in me}
    participants = [*([event.organizer] if event.organizer else []),
                    *(Person(a.name, a.email) for a in event.attendees)]
    if found := company_from_people(participants, mine, f"{summary}\n{event.description or ''}"):
        return found, role, "participants' domain"
    return clean(summary), role, "title (no company found)"


def _build(event: SourceEvent, settings: Settings, default: ZoneInfo,
           region_of: Callable[[str], str], warn: list[str], names: tuple[str, ...] = (),
           memo: _Memo | None = None) -> Interview:
    """One interview of an event `classify` took. `memo` (one per run): the company and the
    interviewers, pure in the event's text and participants, are worked out once for all the
    occurrences of a series (a recruiter's weekly call: dozens)."""
    memo = _Memo() if memo is None else memo
    uid = event.uid
    start, end, zone, all_day, backwards = _times(event, default)
    if backwards:
        warn.append(f"event {uid}: ends before it starts; using its start as its end")
    stamp_day = None
    if event.stamp is not None:
        stamp = event.stamp if event.stamp.tzinfo else event.stamp.replace(tzinfo=UTC)
        stamp_day = stamp.astimezone(ZoneInfo(zone)).date()
    hints, problems = parse_hints(event.description or "", reference=start.date(),
                                  outcome_default=stamp_day or start.date(), recorded=stamp_day)
    warn.extend(f"event {uid}: {p}" for p in problems)
    summary = event.summary or ""
    key = (event.summary, event.description, event.organizer, event.attendees, names, hints.company)
    if key not in memo.companies:
        memo.companies[key] = resolve_company(event, settings.me, names, hints.company)
    company, role_from_summary, _source = memo.companies[key]
    company = company or f"unknown ({uid})"
    configured = settings.company(company)
    own_zone = zone if not all_day and _names_its_zone(event) else None
    region, region_from = choose_region(  # config errors (UsageError) propagate: they stop the run
        hint=hints.region, company=configured.region if configured else None,
        default=settings.region, default_from=settings.region_source, zone=own_zone,
        region_of=region_of, warn=warn, uid=uid)
    text = f"{summary}\n{event.description or ''}"
    # an explicit Round: hint wins over "final round" words (an earlier invite mentions the final)
    final = hints.round == "final" or (hints.round is None and _FINAL.search(text) is not None)
    return Interview(
        id=interview_id(uid, event.recurrence_id), uid=uid, recurrence_id=event.recurrence_id,
        summary=summary, company=company, role=hints.role or role_from_summary,
        start=start, end=end, timezone=zone, region=region, all_day=all_day,
        round=hints.round or ("final" if final else None), final=final,
        interviewers=hints.interviewers or _memo_interviewers(event, settings, memo),
        decision_by=hints.decision_by, timeline=hints.timeline, outcome=hints.outcome,
        stamp=event.stamp, origin=event.origin, region_from=region_from,
    )


class _Memo:
    """Per-run answers of the pure steps of `_build`, keyed by what they read."""

    def __init__(self) -> None:
        self.companies: dict[tuple[object, ...], tuple[str | None, str | None, str]] = {}
        self.interviewers: dict[tuple[object, ...], tuple[Person, ...]] = {}


def _memo_interviewers(event: SourceEvent, settings: Settings, memo: _Memo) -> tuple[Person, ...]:
    key = (event.organizer, event.attendees)
    if key not in memo.interviewers:
        memo.interviewers[key] = _interviewers(event, {_email(m) for m in settings.me})
    return memo.interviewers[key]


def _names_its_zone(event: SourceEvent) -> bool:
    """The event names its own zone (a TZID, an aware start): not floating, not UTC."""
    tzid = _zone(event.tzid)
    if tzid is not None:
        return tzid.key not in _UTC_KEYS
    start = event.start
    return isinstance(start, datetime) and start.tzinfo is not None and not _is_utc(start)


def _order_key(value: datetime | date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(UTC)
    return value.isoformat()


def _stamp_key(event: SourceEvent) -> datetime:
    s = event.stamp
    if s is None:
        return datetime.min.replace(tzinfo=UTC)
    return s if s.tzinfo else s.replace(tzinfo=UTC)


def detect(
    events: Iterable[SourceEvent], settings: Settings, default_tz: str,
    resolve_region: Callable[[str], str],
) -> tuple[list[Interview], list[str]]:
    """Interviews sorted by (start, uid, recurrence_id), plus warnings.

    The same (UID, RECURRENCE-ID) read twice (two sources) counts once: the copy with the
    newest stamp wins, the first one read on a tie, and it wins before R8 is applied, so a newer
    cancelled copy removes the interview.
    """
    with collector_paused():  # thousands of small objects, no reference cycles (collector.py)
        return _detect(events, settings, default_tz, resolve_region)


def _detect(
    events: Iterable[SourceEvent], settings: Settings, default_tz: str,
    resolve_region: Callable[[str], str],
) -> tuple[list[Interview], list[str]]:
    default = ZoneInfo(check_timezone(default_tz, "timezone"))
    cache: dict[str, str | UnknownRegionError] = {}

    def region_of(name: str) -> str:
        if name not in cache:
            try:
                cache[name] = resolve_region(name)
            except UnknownRegionError as exc:
                cache[name] = exc
        found = cache[name]
        if isinstance(found, UnknownRegionError):
            raise found
        return found

    warnings: list[str] = []
    latest: dict[tuple[str, str], SourceEvent] = {}
    for event in events:
        try:
            key = (str(event.uid), _order_key(event.recurrence_id))
            if key not in latest or _stamp_key(event) > _stamp_key(latest[key]):
                latest[key] = event
        except Exception as exc:
            warnings.append(_skipped(event, exc))
    interviews: list[Interview] = []
    names = display_names(latest.values(), settings.me)
    memo = _Memo()
    for event in latest.values():
        local: list[str] = []
        try:
            skip = skip_reason(event, settings.me)
            taken, why = (False, skip) if skip else classify(event, settings.rules)
            if not taken:
                if log.isEnabledFor(logging.INFO):
                    log.info("skipped %s %r: %s", event.uid, event.summary, why)
                continue
            interview = _build(event, settings, default, region_of, local, names, memo)
            interviews.append(interview)
            if log.isEnabledFor(logging.INFO):
                log.info("taken %s %r: %s; company %r; interviewers %s", event.uid, event.summary,
                         why, interview.company,
                         ", ".join(p.email or p.name or "?" for p in interview.interviewers) or "none")
        except UsageError:
            raise
        except Exception as exc:
            local = [_skipped(event, exc)]
        warnings.extend(local)
    interviews.sort(key=lambda i: (i.start, i.uid, _order_key(i.recurrence_id)))
    return interviews, warnings


def resolve_me(events: Iterable[SourceEvent], settings: Settings) -> tuple[str, ...]:
    """The configured `me`, else the addresses inferred from the sources (identity.py)."""
    if settings.me:
        return tuple(settings.me)
    events = list(events)
    candidates = [e for e in events if skip_reason(e, ()) is None and classify(e, settings.rules)[0]]
    found = infer_me(events, candidates)
    log.info("me (not configured): %s", ", ".join(found) + " (inferred from the sources)" if found
             else "not found in the sources; set `me` in the config or pass --me")
    return found


def _skipped(event: object, exc: Exception) -> str:
    reason = str(exc) if isinstance(exc, FollowcalError) else f"{type(exc).__name__}: {exc}"
    origin = getattr(event, "origin", "") or "unknown source"
    return f"skipped event {getattr(event, 'uid', '?')} ({origin}): {reason}"
