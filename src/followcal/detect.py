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

from .companies import (  # noqa: F401 (re-exported)
    _ROBOT,
    clean,
    company_and_role,
    company_from_description,
    company_from_email,
    company_from_people,
    is_service_address,
    looks_like_role,
    registrable_label,
)
from .config import DEFAULT_EXCLUDE, DEFAULT_KEYWORDS, RuleSettings, Settings, check_timezone
from .errors import FollowcalError, UnknownRegionError, UsageError
from .hints import Hints, _dedupe, _email, parse_hints, parse_timeline  # noqa: F401 (re-exported)
from .identity import display_names, infer_me
from .model import Contact, Interview, Person, SourceEvent, interview_id
from .people import is_role_name
from .regions import choose_region
from .services import SCHEDULING_DOMAINS

log = logging.getLogger("followcal.detect")




# --- company and role: companies.py (re-exported for callers and tests) -------------------------

_clean = clean


# --- R8 and R9 --------------------------------------------------------------------------------

_INFLECTIONS = ("", "s", "es", "d", "ed", "ing", "ping", "ped", "aration", "arations", "are",
                "ared", "aring")


def _word_pattern(word: str) -> str:
    """A whole-word match, also for inflections: "prep" excludes "prepping" and "preparation",
    "mock" excludes "mocks", "practice" excludes "practicing"/"practise"; "Mockingbird" or
    "Prepaid" (a company) is not excluded."""
    if word.endswith(("ce", "se")):
        stem = re.escape(word[:-2]) + "[cs]e?"  # practice, practise, practicing
    else:
        stem = re.escape(word[:-1]) + "e?" if word.endswith("e") else re.escape(word)
    suffixes = "|".join(sorted(_INFLECTIONS, key=len, reverse=True))
    return rf"(?<!\w){stem}(?:{suffixes})(?!\w)"


def _stem(word: str) -> str:
    """The part every inflection of `word` starts with (see _word_pattern)."""
    return word[:-2] if word.endswith(("ce", "se")) else word[:-1] if word.endswith("e") else word


@lru_cache(maxsize=16)
def _exclusions(words: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """(word, its stem, its pattern) for the exclude list: a stem that is not a substring of the
    text rules the word out without a regex, so an event costs one substring test per word and
    a search only where a stem occurs (and no large alternation is compiled at each start)."""
    return tuple((w, _stem(w.casefold().strip()), _word_pattern(w.casefold().strip())) for w in words if w.strip())


def _excluded_by(text: str, words: tuple[str, ...]) -> str | None:
    """The first word of `words` (in order) that `text` (case-folded) holds, or None."""
    return next((word for word, stem, pattern in _exclusions(words) if stem in text and re.search(pattern, text)), None)


# Compound words hide an exclusion inside one word (Bewerbungstraining, Probeinterview,
# oefengesprek, simulación, 模擬面接): with the default lists these are searched as substrings.
_COMPOUND_EXCLUDE = (
    "training", "oefen", "probeinterview", "probegespräch", "exitinterview", "exitgesprek",
    "vorbereitung", "voorbereiding", "simula", "prepara", "prépara", "workshop", "webinar", "seminar",
    "podcast", "debrief", "scorecard", "練習", "模擬", "対策", "準備", "面接官", "研修", "セミナー",
    "トレーニング", "説明会",
    # issue 12 (blind corpus): reviews, press compounds, candidates, visas, schools, retros
    "mitarbeitergespräch", "jahresgespräch", "functionering", "beoordeling", "zeitung", "krant",
    "blatt", "kandida", "候補者", "大使館", "領事館", "ビザ", "幼稚園", "保育園", "入園", "入学",
    "振り返り", "定例", "評価", "取材",
)
# the description of an interviewer's invite: the kit, the scorecard, the feedback to submit
_INTERVIEWER_SIDE = re.compile(
    r"interview kit|scorecard|you(?:'ve| have) been (?:scheduled|asked) to interview\b|"
    r"you are on the panel|your role on the panel|submit (?:your )?feedback|"
    r"(?:feedback|rubric) (?:in|on|to) (?:ashby|greenhouse|lever|goodtime|workday)|"
    r"bewertungsbogen|評価シート|面接官\s*[:：]|interviewer (?:instructions|guide|briefing)|"
    r"\w's (?:resume|cv|résumé) is attached|you are interviewing|leave your (?:notes|feedback)",
    re.I)
# a meeting about the hiring process: "Interview loop sync", "Hiring team weekly"
_ABOUT_HIRING = re.compile(
    r"\b(?:interview(?:ing)?|hiring|recruiting|screen(?:ing)?)(?:\s+(?:loop|process|panel|pipeline|team|plan))?"
    r"\s+(?:sync|stand-?up|calibration|planning|retro|triage|huddle|weekly|kick-?off|check-?in|"
    r"review)\b", re.I)
# an interview about a topic is press or research, not hiring ("... over remote werken"); not
# "about the Backend role", "over Zoom", "over coffee"
_TOPIC = re.compile(
    r"\b(?:interview\w*|entretien|entrevista|colloquio|intervista|gespräch)\b.*?\s"
    r"(?:about|über|sur|sobre|over)\s+(?!(?:zoom|teams|skype|video|the phone|phone|telefon|"
    r"google|coffee|lunch|dinner|drinks|breakfast)\b)(?P<tail>\w.*)", re.I)
_JOB_WORD = re.compile(r"\b(?:role|position|job|vacancy|vacature|functie|rol|poste?|site|place|"
                       r"stelle|puesto|vaga|posizione|opportunit\w*|oportunidad\w*|opening)\b", re.I)
# an organizer that is a newsroom or a show: "Radio France", "Redaktion Wirtschaft"
_MEDIA_ORGANIZER = re.compile(
    r"\b(?:radio|tv|podcast|press|presse|newspaper|magazine?|zeitung|redaktion|rédaction|"
    r"redacción|redação|redactie|redazione)\b", re.I)
# keywords that also name things other than interviews; they need company or interview context
_ONSITE = ("onsite", "on-site")
_NOT_ONSITE = re.compile(
    r"\b(?:team|planning|support|engineering|company|offsite|presentation|all[- ]hands|visit|"
    r"customer|client|summit|kick-?off|retreat|install\w*|maintenance|movie|night|party|"
    r"off-?site|department|quarterly|annual|hackathon|kitchen|plumber|electrician|fitter|repair|"
    r"delivery|boiler)\b", re.I)
_ROUND = ("final round", "coding round", "technical round")
_NOT_ROUND = re.compile(r"\bround\s+of\b|\b(?:golf|budget|funding|voting|tournament|playoffs?|"
                        r"drinks|poker|boxing|trivia|quiz|night)\b", re.I)
# "Interview a contractor", "Interview candidates": the user is the one interviewing
_INTERVIEW_VERB = re.compile(r"^\s*interview(?:ing)?\s+(?:a|an|two|three|some|new|candidates?)\b"
                             r"|^\s*interviewing\s*:", re.I)
_HIRING_MANAGER_CONTEXT = re.compile(
    r"\b(?:interview|screen|screening|call|chat|conversation|round|entrevista|entretien|"
    r"gespräch|colloquio)\b", re.I)
_STRONG = re.compile(r"interview|entretien|entrevista|gespräch|gespraech|sollicitatie|colloquio|"
                     r"面接|superday", re.I)
_STAGE_DEBRIEF = re.compile(r"\b(?:take[- ]?home|case[- ]study|assignment|homework)\s+debrief\b"
                            r"|\bclass\s+of\s+'?\d{2,4}\b")  # "Class of 2027 intern interview"
_STANDING = re.compile(r"\b(?:sync|stand-?up|1:1|1on1|one-on-one|check-?in|office hours|triage|"
                       r"weekly|bi-?weekly|retro|backlog|huddle|catch-?up)\b", re.I)
_CANDIDATE_LINE = re.compile(r"^[ \t*\-\u2022]*(?:candidate|candidat|kandidat|candidato|candidata)"
                             r"(?:\s+name)?\s*:", re.I | re.M)


def classify(event: SourceEvent, rules: RuleSettings) -> tuple[bool, str]:
    """R9 with its reason: (taken, why). A keyword in SUMMARY or CATEGORIES (substring, so the
    fast scan selects every event taken here) and nothing saying it is something else: an
    exclusion word, a compound holding one (default lists), a keyword that needs context and has
    none (a team onsite, a golf final round, a weekly hiring-manager sync), a standing series
    with no interview word, or a description naming the candidate (someone else's interview).
    The DESCRIPTION is not searched for exclusion words: real invitations say "please prepare"."""
    texts = [event.summary or "", *(event.categories or ())]
    haystack = "\n".join(texts).casefold()
    hits = [k.casefold() for k in rules.keywords if k.strip() and k.casefold() in haystack]
    if not hits:
        return False, "no interview keyword in the title or categories"
    # a take-home debrief is an interview stage, not a hiring team's; a graduating class is no class
    checked = _STAGE_DEBRIEF.sub(" ", haystack) if rules.exclude == DEFAULT_EXCLUDE else haystack
    word = _excluded_by(checked, tuple(rules.exclude))
    if word is not None:
        return False, f"{word!r} says it is not the user's job interview"
    if rules.exclude != DEFAULT_EXCLUDE or rules.keywords != DEFAULT_KEYWORDS:
        return True, f"keyword {hits[0]!r}"
    for part in _COMPOUND_EXCLUDE:
        if part in checked:
            return False, f"{part!r} says it is not the user's job interview"
    if _CANDIDATE_LINE.search(event.description or ""):
        return False, "the description names a candidate: someone else's interview"
    if _INTERVIEWER_SIDE.search(event.description or ""):
        return False, "the description is an interviewer's (kit, scorecard, feedback)"
    if _ABOUT_HIRING.search(haystack):
        return False, "a meeting about the hiring process"
    if (m := _TOPIC.search(event.summary or "")) and not (
            _JOB_WORD.search(m.group("tail")) or looks_like_role(m.group("tail"))):
        return False, "an interview about a topic: press or research"
    if _media_organizer(event.organizer) and not looks_like_role(event.summary):
        return False, "organized by a newsroom or a show, no role named: press"
    if _INTERVIEW_VERB.search(event.summary or ""):
        return False, "the user is the one interviewing"
    strong = _STRONG.search(haystack) is not None
    if not strong and _STANDING.search(haystack):
        return False, "a standing meeting whose title merely holds a keyword"
    weak = set(hits) - {"interview"}
    if not strong and weak and all(h in _ONSITE for h in hits) and _NOT_ONSITE.search(haystack):
        return False, "an onsite that is not an interview (team, planning, support...)"
    if not strong and all(h in _ROUND for h in hits) and _NOT_ROUND.search(haystack):
        return False, "a round of something other than hiring"
    if hits == ["hiring manager"] and not _HIRING_MANAGER_CONTEXT.search(haystack):
        return False, "a meeting that merely mentions the hiring manager"
    return True, f"keyword {hits[0]!r}"


def _media_organizer(organizer: Person | None) -> bool:
    """"Radio France", "Redaktion Wirtschaft", invites@bfmtv.com, hello@show.fm."""
    if organizer is None:
        return False
    domain = (_email(organizer.email) or "").rpartition("@")[2]
    label = domain.split(".")[-2] if domain.count(".") >= 1 else ""
    return (_MEDIA_ORGANIZER.search(organizer.name or "") is not None or domain.endswith(".fm")
            or label.startswith(("radio", "tv")) or label.endswith(("radio", "tv")))


def is_interview(event: SourceEvent, rules: RuleSettings) -> bool:
    """R9 (see classify)."""
    return classify(event, rules)[0]


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
    out = []
    for p in people:
        local = (_email(p.email) or "").split("@")[0]
        parts = [w for w in re.split(r"[\s.,]+", (p.name or "").casefold()) if len(w) > 1]
        if is_role_name(p.name) or (is_service_address(p.email) and "".join(parts) == local):
            continue  # "ASML Talent Acquisition", "Siemens <siemens@myworkday.com>": the company
        if local and any(w in local for w in parts):
            out.append(p.name or "")
    return out


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
           region_of: Callable[[str], str], warn: list[str], names: tuple[str, ...] = ()) -> Interview:
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
    company, role_from_summary, _source = resolve_company(event, settings.me, names, hints.company)
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
    for event in latest.values():
        local: list[str] = []
        try:
            skip = skip_reason(event, settings.me)
            taken, why = (False, skip) if skip else classify(event, settings.rules)
            if not taken:
                if log.isEnabledFor(logging.INFO):
                    log.info("skipped %s %r: %s", event.uid, event.summary, why)
                continue
            interview = _build(event, settings, default, region_of, local, names)
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
