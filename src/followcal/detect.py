"""Which source events are interviews, and what they say (followup-rules.md R8, R9, "Hints").

Pure: no I/O, no clock. Everything an event can get wrong (bad hints, odd times, broken data)
becomes a warning string, never an exception, so one bad event cannot stop a run; only usage
errors (an unknown default or configured region) propagate, because the user must fix those.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from .config import RuleSettings, Settings, check_timezone
from .errors import FollowcalError, UnknownRegionError, UsageError
from .hints import Hints, _dedupe, _email, parse_hints, parse_timeline  # noqa: F401 (re-exported)
from .model import Interview, Person, SourceEvent, interview_id
from .regions import choose_region




# --- company and role from a SUMMARY -------------------------------------------------------------

_SEPARATOR = re.compile(r"\s+-{1,2}\s+|\s*[|\u2013\u2014]\s*|:\s+")
_CORE = {"interview", "interviews", "interviewing", "screen", "screening", "onsite", "on-site",
         "call", "chat", "loop", "round", "meeting", "conversation"}
_KIND = _CORE | {
    "phone", "virtual", "video", "zoom", "teams", "meet", "webex", "technical", "tech", "coding",
    "behavioral", "behavioural", "panel", "final", "first", "second", "third", "fourth", "1st",
    "2nd", "3rd", "4th", "initial", "intro", "introductory", "recruiter", "hr", "follow-up",
    "culture", "fit", "stage", "session", "team", "the", "a", "an", "my", "and", "&", "+", "/",
}
_KIND_PAIRS = {("hiring", "manager"), ("system", "design"), ("take", "home"), ("on", "site")}
_ROLE_WORDS = {
    "engineer", "developer", "programmer", "designer", "manager", "scientist", "analyst",
    "architect", "sre", "swe", "intern", "internship", "lead", "director", "consultant",
    "specialist", "administrator", "officer", "associate", "coordinator", "researcher",
    "accountant", "writer", "editor", "representative", "executive", "assistant", "technician",
    "tester", "qa", "devops", "pm", "tpm", "vp", "head", "cto", "cfo", "role", "position",
}
_WITH = re.compile(r"(?:\b(?:with|at)\b|\bw/|@)\s*(?=\S)", re.IGNORECASE)
_AT = re.compile(r"\s(?:at|from|@)\s*(?=[^\d\s])", re.IGNORECASE)
_PREFIX = re.compile(r"^(?:(?:re|fwd?|updated invitation|updated|invitation|accepted|tentative)\s*:\s*)+", re.I)
_FOR = re.compile(r"\s+for\s+(?:the\s+|a\s+|an\s+)?(?P<role>.+?)(?:\s+(?:role|position))?$", re.I)


def _word(token: str) -> str:
    return token.casefold().strip(".,;:!?\"'#()[]")


def _strip_kind(tokens: list[str]) -> list[str]:
    """Drop interview-kind words ("final round interview", "Zoom", "#2") from both ends."""
    words = [_word(t) for t in tokens]
    lo, hi = 0, len(tokens)
    while lo < hi:
        if hi - lo >= 2 and (words[hi - 2], words[hi - 1]) in _KIND_PAIRS:
            hi -= 2
        elif words[hi - 1] in _KIND or words[hi - 1].isdigit():
            hi -= 1
        else:
            break
    while lo < hi:
        if hi - lo >= 2 and (words[lo], words[lo + 1]) in _KIND_PAIRS:
            lo += 2
        elif words[lo] in _KIND or words[lo].isdigit():
            lo += 1
        else:
            break
    return tokens[lo:hi]


def _has_core(tokens: list[str]) -> bool:
    words = [_word(t) for t in tokens]
    return any(w in _CORE for w in words) or any(p in _KIND_PAIRS for p in zip(words, words[1:]))


def _clean(text: str | None) -> str | None:
    text = (text or "").strip(" \t.,;:!?\"'")
    return text or None


def _looks_like_role(text: str | None) -> bool:
    words = [_word(w) for w in (text or "").split()]
    return bool(words) and words[-1] in _ROLE_WORDS


def company_and_role(summary: str) -> tuple[str | None, str | None]:
    """(company, role) from a SUMMARY such as "Interview with Acme Corp – Backend Engineer".

    Segments split at dashes, "|" and ": " (a leading "[Tag]" is a segment too). A segment
    "<interview words> with/at X" names the company (after a last "at"/"from": "with Jane at
    Acme"); a segment of interview words only ("Onsite", "Final round interview") names nothing;
    of the rest, the first that does not end in a job-title word is the company and another one
    the role; "for X" is a role. (None, None) when there is no interview word at all.
    """
    text = _PREFIX.sub("", " ".join(summary.split()))
    text = re.sub(r"^\[([^\]]+)\]\s*", r"\1 | ", text)
    segments = [s for s in (_clean(x) for x in _SEPARATOR.split(text)) if s]
    company = role = for_role = None
    found = False
    candidates: list[str] = []
    for seg in segments:
        if m := _FOR.search(seg):
            for_role = for_role or _clean(m.group("role"))
            seg = seg[: m.start()]
        tokens = seg.split()
        found = found or _has_core(tokens)
        if company is None:
            for w in _WITH.finditer(seg):
                lead = seg[: w.start()].split()
                if _has_core(lead):
                    rest = re.sub(r"\s+(?:at|@)\s*\d.*$", "", seg[w.end():])  # "at 3pm"
                    if at := list(_AT.finditer(rest)):
                        rest = rest[at[-1].end():]
                    company = _clean(" ".join(_strip_kind(rest.split())))
                    role = _clean(" ".join(_strip_kind(lead)))
                    break
            if company is not None:
                continue
        if stripped := _strip_kind(tokens):
            candidates.append(" ".join(stripped))
    if not found:
        return None, None
    if company is None and candidates:
        company = next((c for c in candidates if not _looks_like_role(c)), candidates[0])
        candidates.remove(company)
    if company is None and for_role and not _looks_like_role(for_role):
        company, for_role = for_role, None  # "Interview for Acme"
    role = for_role or role
    if role is None and candidates:
        role = next((c for c in candidates if _looks_like_role(c)), candidates[0])
    if company and (m := re.fullmatch(r"(.+?)\s*[(\[](.*?)[)\]]", company)):
        company = _clean(m.group(1))
        if role is None and _looks_like_role(m.group(2)):
            role = _clean(m.group(2))
    return company, role


_PUBLIC_LABELS = {
    "gmail", "googlemail", "outlook", "hotmail", "live", "msn", "yahoo", "ymail", "icloud", "aol",
    "protonmail", "gmx", "yandex", "zoho", "zohomail", "fastmail", "tutanota", "tuta", "posteo",
    "mailbox", "rediffmail", "hushmail",
}
_PUBLIC_DOMAINS = {
    "me.com", "mac.com", "proton.me", "pm.me", "web.de", "mail.com", "hey.com", "qq.com",
    "163.com", "126.com", "naver.com", "t-online.de", "freenet.de", "orange.fr", "libero.it",
    "comcast.net", "att.net", "verizon.net", "mail.ru", "inbox.ru",
    # scheduling tools and calendar resources send invitations, but are not the employer
    "calendar.google.com", "greenhouse.io", "lever.co", "calendly.com", "goodtime.io",
    "ashbyhq.com", "myworkday.com", "icims.com", "smartrecruiters.com", "workablemail.com",
}


def company_from_email(email: str | None) -> str | None:
    """The organizer's mail domain ("acme.example"), unless it is a public mail provider or a
    scheduling service, which says nothing about the employer."""
    address = _email(email)
    if not address or address.count("@") != 1:
        return None
    domain = address.split("@")[1].strip(".")
    if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain):
        return None
    labels = domain.split(".")
    if labels[0] in _PUBLIC_LABELS or any(".".join(labels[i:]) in _PUBLIC_DOMAINS
                                         for i in range(len(labels))):
        return None
    return domain


# --- R8 and R9 --------------------------------------------------------------------------------

_INFLECTIONS = ("", "s", "es", "d", "ed", "ing", "ping", "ped", "aration", "arations", "are",
                "ared", "aring")


def _excluded(text: str, word: str) -> bool:
    """A whole-word match, also for inflections: "prep" excludes "prepping" and "preparation",
    "mock" excludes "mocks", "practice" excludes "practicing"/"practise"; "Mockingbird" or
    "Prepaid" (a company) is not excluded."""
    word = word.casefold().strip()
    if not word:
        return False
    if word.endswith(("ce", "se")):
        stem = re.escape(word[:-2]) + "[cs]e?"  # practice, practise, practicing
    else:
        stem = re.escape(word[:-1]) + "e?" if word.endswith("e") else re.escape(word)
    suffixes = "|".join(sorted(_INFLECTIONS, key=len, reverse=True))
    return re.search(rf"(?<!\w){stem}(?:{suffixes})(?!\w)", text.casefold()) is not None


def is_interview(event: SourceEvent, rules: RuleSettings) -> bool:
    """R9: a keyword in SUMMARY or CATEGORIES (substring), and no exclusion word there (the
    DESCRIPTION is not searched: real invitations often say "please prepare")."""
    texts = [event.summary or "", *(event.categories or ())]
    haystack = "\n".join(texts).casefold()
    if not any(k.casefold() in haystack for k in rules.keywords if k.strip()):
        return False
    return not any(_excluded(haystack, word) for word in rules.exclude)


def skip_reason(event: SourceEvent, me: tuple[str, ...]) -> str | None:
    """R8: why an event is ignored before anything else; None keeps it."""
    if event.is_followcal:
        return "followcal reminder"
    if (event.status or "").strip().upper() == "CANCELLED":
        return "cancelled"
    mine = {_email(m) for m in me} - {None}
    for a in event.attendees:
        if _email(a.email) in mine and (a.partstat or "").strip().upper() == "DECLINED":
            return "declined"
    return None


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
    if all_day:
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
        return value.astimezone(timezone.utc).astimezone(zone)  # also normalises DST gaps

    begin = local(start)
    end = local(event.end) if event.end is not None else None
    backwards = end is not None and end < begin
    if all_day and (end is None or end <= begin):
        end = local(begin.date() + timedelta(days=1))  # DTEND is exclusive: one whole day
    elif end is None or backwards:
        end = begin
    return begin, end, zone.key, all_day, backwards


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
        if email in me or (email or "").endswith("calendar.google.com") or not (name or email):
            continue
        out.append(Person(name, email))
    return _dedupe(out)


_FINAL = re.compile(r"\bfinal[\s-]+(?:round|interview)", re.IGNORECASE)


def _build(event: SourceEvent, settings: Settings, default: ZoneInfo,
           region_of: Callable[[str], str], warn: list[str]) -> Interview:
    uid = event.uid
    start, end, zone, all_day, backwards = _times(event, default)
    if backwards:
        warn.append(f"event {uid}: ends before it starts; using its start as its end")
    stamp_day = None
    if event.stamp is not None:
        stamp = event.stamp if event.stamp.tzinfo else event.stamp.replace(tzinfo=timezone.utc)
        stamp_day = stamp.astimezone(ZoneInfo(zone)).date()
    hints, problems = parse_hints(event.description or "", reference=start.date(),
                                  outcome_default=stamp_day or start.date(), recorded=stamp_day)
    warn.extend(f"event {uid}: {p}" for p in problems)
    summary = event.summary or ""
    from_summary, role_from_summary = company_and_role(summary)
    organizer = event.organizer.email if event.organizer else None
    company = (hints.company or from_summary or company_from_email(organizer)
               or _clean(summary) or f"unknown ({uid})")
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
        interviewers=hints.interviewers or _interviewers(event, {_email(m) for m in settings.me}),
        decision_by=hints.decision_by, timeline=hints.timeline, outcome=hints.outcome,
        stamp=event.stamp, origin=event.origin, region_from=region_from,
    )


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
        value = value.astimezone(timezone.utc)
    return value.isoformat()


def _stamp_key(event: SourceEvent) -> datetime:
    s = event.stamp
    if s is None:
        return datetime.min.replace(tzinfo=timezone.utc)
    return s if s.tzinfo else s.replace(tzinfo=timezone.utc)


def detect(
    events: Iterable[SourceEvent], settings: Settings, default_tz: str,
    resolve_region: Callable[[str], str],
) -> tuple[list[Interview], list[str]]:
    """Interviews sorted by (start, uid, recurrence_id), plus warnings.

    The same (UID, RECURRENCE-ID) read twice (two sources) counts once: the copy with the
    newest stamp wins, the first one read on a tie, and it wins before R8 is applied, so a newer
    cancelled copy removes the interview.
    """
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
    for event in latest.values():
        local: list[str] = []
        try:
            if skip_reason(event, settings.me) or not is_interview(event, settings.rules):
                continue
            interviews.append(_build(event, settings, default, region_of, local))
        except UsageError:
            raise
        except Exception as exc:
            local = [_skipped(event, exc)]
        warnings.extend(local)
    interviews.sort(key=lambda i: (i.start, i.uid, _order_key(i.recurrence_id)))
    return interviews, warnings


def _skipped(event: object, exc: Exception) -> str:
    reason = str(exc) if isinstance(exc, FollowcalError) else f"{type(exc).__name__}: {exc}"
    origin = getattr(event, "origin", "") or "unknown source"
    return f"skipped event {getattr(event, 'uid', '?')} ({origin}): {reason}"
