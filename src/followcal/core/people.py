"""Who a draft can be addressed to (followup-rules.md "Hints": people). Pure functions over a
display name and an email address, so detection can call them too.

A role mailbox (talent@, recruiting@, no-reply@, ...) or a role display name ("Globex Talent",
"Talent Acquisition", "Recruiting Team") is not a person: it never gets a "Dear ..." draft. A
display name with a title ("Dr. Eva Schneider", "Prof. Dr. Hans Meier", "Dr.-Ing. Karl Braun") is
greeted by title and surname ("Dear Dr. Schneider,")."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

# Local parts (or one of their dot/dash/underscore/plus separated words) that name a function,
# not a person: English, German, French and Spanish HR words and the senders of scheduling tools.
ROLE_LOCAL_WORDS = frozenset({
    "talent", "talents", "recruiting", "recruitment", "recruiter", "recruiters", "careers",
    "career", "jobs", "job", "hr", "people", "peopleops", "hiring", "noreply", "no-reply",
    "donotreply", "do-not-reply", "notifications", "notification", "notify", "calendar",
    "scheduling", "scheduler", "interviews", "interview", "talentacquisition", "ta", "staffing",
    "info", "contact", "hello", "team", "admin", "office", "apply", "applications", "application",
    "applicants", "resumes", "cv", "humanresources", "personal", "bewerbung", "bewerbungen",
    "karriere", "rh", "recrutement", "carrieres", "carriere", "emploi", "empleo",
    "empleos", "rrhh", "seleccion", "talento", "mailer", "postmaster", "support", "invites",
})
_ROLE_LOCAL_JOINED = ("noreply", "donotreply", "talentacquisition", "humanresources")

# Words that make a display name a team or a function ("Globex Talent", "Recruiting Team").
ROLE_NAME_WORDS = frozenset({
    "talent", "recruiting", "recruitment", "recruiter", "recruiters", "careers", "career", "jobs",
    "hr", "hiring", "team", "acquisition", "staffing", "people", "noreply", "no-reply", "human",
    "resources", "personal", "personalabteilung", "bewerbermanagement", "karriere", "rh",
    "recrutement", "rrhh", "selección", "seleccion", "talento", "scheduling", "calendar",
    "notifications", "department", "office", "admin", "interviews", "coordinator", "coordination",
})

# Titles kept in a greeting; the key is the written title without dots, lowercased.
_TITLES = {"dr": "Dr.", "prof": "Prof.", "professor": "Prof.", "dr-ing": "Dr.", "drmed": "Dr.",
           "dipl-ing": "", "ing": ""}
_HONORIFICS = {"mr": "Mr.", "mrs": "Mrs.", "ms": "Ms.", "miss": "Miss", "mx": "Mx.", "sir": "",
               "madam": "", "herr": "", "frau": "", "m": "", "mme": "", "sr": "", "sra": "",
               "srta": "", "don": "", "doña": ""}
_SUFFIXES = {"jr", "sr", "ii", "iii", "iv", "phd", "md", "mba", "msc", "bsc", "esq", "cpa"}
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "la", "le",
              "ter", "ten", "zu", "dos", "das", "y"}


@dataclass(frozen=True)
class Addressee:
    """One draft's recipient: a person (`team` False) or the company's hiring team."""

    display: str  # "Dana Whitfield", "the Acme Corp hiring team"
    email: str | None  # where the mailto link goes; None: no link
    given: str = ""  # "Dana"; "" when not known
    surname: str = ""  # "Whitfield"
    title: str = ""  # "Dr." / "Prof." / "Ms." ...; "" when none
    team: bool = False
    full: str = ""  # the name without title or honorific: "José Ángel Núñez"


# the patterns below, compiled once (re's own cache costs a lookup per call)
_LOCAL_SPLIT = re.compile(r"[._+\-]+")
_NOREPLY = re.compile(r"no-?reply|do-?not-?reply|mailer-daemon|notifications?")
_NOTE = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_DASH_TAIL = re.compile(r"\s+[|–—-]\s+.*$")
_NAME_SPLIT = re.compile(r"[\s/&]+")
_DR = re.compile(r"dr-\w+")
_SUFFIX_TAIL = re.compile(r",\s*(jr|sr|ii|iii|iv|phd|ph\.d\.|md|mba|msc|esq)\.?$", re.IGNORECASE)


def is_role_address(email: str | None) -> bool:
    """True for shared and machine mailboxes: talent@, recruiting+emea@, no-reply@, jobs.de@ ..."""
    if not email or "@" not in email:
        return False
    local = email.rsplit("@", 1)[0].casefold().strip()
    if local in ROLE_LOCAL_WORDS or local.startswith(_ROLE_LOCAL_JOINED):
        return True
    return any(word in ROLE_LOCAL_WORDS for word in _LOCAL_SPLIT.split(local) if word)


def is_noreply(email: str | None) -> bool:
    """A mailbox nobody reads (a reply or a mailto link to it is wasted)."""
    local = (email or "").rsplit("@", 1)[0].casefold()
    return bool(_NOREPLY.search(local))


@lru_cache(maxsize=4096)  # pure; asked for every attendee of every invite, the same names each time
def _strip(name: str) -> str:
    """The name without a parenthesised or bracketed note: "Gavin Belson (Hooli Recruiting)"."""
    name = _NOTE.sub(" ", name)
    name = _DASH_TAIL.sub("", name)  # "Jane Roe - Acme Recruiting"
    return " ".join(name.replace('"', " ").split())


@lru_cache(maxsize=4096)  # pure; the same display names recur in every invite
def is_role_name(name: str | None) -> bool:
    """True for a display name that names a team or a function, not a person."""
    cleaned = _strip(name or "")
    if not cleaned:
        return False
    words = [w.strip(".,").casefold() for w in _NAME_SPLIT.split(cleaned) if w.strip(".,")]
    return any(w in ROLE_NAME_WORDS for w in words)


def is_person(name: str | None, email: str | None) -> bool:
    """A person to write to by name: a personal display name, not a role name, an address, or a
    tool's name on a shared mailbox ("Greenhouse" <no-reply@greenhouse.io>)."""
    return person(name, email) is not None


def parse_name(name: str | None) -> tuple[str, str, str] | None:
    """(title, given, surname) of a personal display name; None for a role name or no name.

    "Dr. Eva Schneider" -> ("Dr.", "Eva", "Schneider"); "Schneider, Eva" -> ("", "Eva",
    "Schneider"); "Ludwig van Beethoven" -> ("", "Ludwig", "van Beethoven"); "Cher" -> ("",
    "Cher", "")."""
    parsed = _parse(name)
    return parsed[:3] if parsed else None


def _parse(name: str | None) -> tuple[str, str, str, str] | None:
    """parse_name plus the whole name without title and honorific (given names, surname)."""
    cleaned = _strip(name or "")
    if not cleaned or "@" in cleaned or is_role_name(cleaned):
        return None
    cleaned = _SUFFIX_TAIL.sub("", cleaned)
    if cleaned.count(",") == 1:
        last, _, given = cleaned.partition(",")
        cleaned = f"{given.strip()} {last.strip()}".strip()
    words = cleaned.split()
    title_parts: list[str] = []
    honorific = ""
    while len(words) > 1:
        key = words[0].casefold().rstrip(".").replace(".", "")
        if key in _TITLES or _DR.fullmatch(key):
            mapped = _TITLES.get(key, "Dr.")
            if mapped and mapped not in title_parts:
                title_parts.append(mapped)
            words = words[1:]
            continue
        if key in _HONORIFICS:
            honorific = honorific or _HONORIFICS[key]
            words = words[1:]
            continue
        if key in ("rer", "nat", "med", "phil", "h", "c", "hc"):  # "Dr. rer. nat." / "Dr. h. c."
            words = words[1:]
            continue
        break
    while len(words) > 1 and words[-1].casefold().rstrip(".").replace(".", "") in _SUFFIXES:
        words = words[:-1]
    if not words:
        return None
    given = words[0]
    rest = words[1:]
    surname = " ".join(rest)
    for i, word in enumerate(rest):  # "van Beethoven", "de la Cruz": from the first particle
        if word.casefold() in _PARTICLES and i < len(rest) - 1:
            surname = " ".join(rest[i:])
            if i > 0:
                given = " ".join(words[: i + 1])
            break
    else:
        surname = rest[-1] if rest else ""
        if len(rest) > 1:
            given = words[0]
    title = " ".join(title_parts) or honorific
    return title, given, surname, " ".join(words)


@lru_cache(maxsize=4096)  # pure; the same interviewers and recruiters recur across invites
def person(name: str | None, email: str | None) -> Addressee | None:
    """The Addressee for a personal name; None when this is a role mailbox or name (or nothing).
    A person's link goes to their address unless it is a shared or machine mailbox."""
    parsed = _parse(name)
    email = (email or "").strip() or None
    if parsed is None:
        return None
    title, given, surname, full = parsed
    display = _strip(name or "")
    if is_role_address(email) and not (surname and given):
        return None  # "Greenhouse" <no-reply@greenhouse.io>: a tool or a company, not a person
    domain = (email or "").rpartition("@")[2].split(".")[0].casefold()
    if domain and display.replace(" ", "").casefold() == domain:
        return None  # "Globex" <talent@globex.example>
    return Addressee(display=display, email=None if is_role_address(email) else email,
                     given=given, surname=surname, title=title, full=full)


def team(company: str, mailboxes: Iterable[str | None] = ()) -> Addressee:
    """The company's hiring team, written to at its first role mailbox that someone reads."""
    address = next((m for m in mailboxes if m and "@" in m and not is_noreply(m)), None)
    return Addressee(display=f"the {company} hiring team", email=address, team=True)


def addressees(people: Iterable[tuple[str | None, str | None]], company: str,
               user: Iterable[str] = ()) -> list[Addressee]:
    """One Addressee per person (deduplicated, the user left out); when only role mailboxes are
    known, or nobody at all, one Addressee for the company's hiring team."""
    mine = {u.casefold() for u in user if u}
    out: list[Addressee] = []
    seen: set[str] = set()
    mailboxes: list[str | None] = []
    for name, email in people:
        if (email or "").casefold() in mine or _strip(name or "").casefold() in mine:
            continue
        found = person(name, email)
        if found is not None and found.display.casefold() == company.casefold():
            found = None  # "Acme Corp" <jobs@acme.example>
        if found is None:
            if email and "@" in email:
                mailboxes.append(email)
            continue
        key = (found.email or found.display).casefold()
        if key in seen:
            continue
        seen.add(key)
        out.append(found)
    return out or [team(company, mailboxes)]


def user_name(attendees: Iterable[tuple[str | None, str | None]], me: Iterable[str]) -> str | None:
    """The user's display name as invites give it: the most common name of an attendee whose
    address is one of `me` (ties: the first seen). None when no invite names the user."""
    mine = {m.casefold() for m in me if m}
    if not mine:
        return None
    counts: Counter[str] = Counter()
    for name, email in attendees:
        cleaned = _strip(name or "")
        if cleaned and "@" not in cleaned and (email or "").casefold() in mine:
            counts[cleaned] += 1
    return counts.most_common(1)[0][0] if counts else None


def frequent_addresses(attendee_lists: Iterable[Iterable[str | None]], share: float = 0.8
                       ) -> tuple[str, ...]:
    """Addresses on nearly every invite (at least two, and `share` of them): the user's own,
    when the config does not say (`me`)."""
    counts: Counter[str] = Counter()
    total = 0
    for emails in attendee_lists:
        found = {e.casefold() for e in emails if e and "@" in e}
        if found:
            total += 1
            counts.update(found)
    if total < 2:
        return ()
    return tuple(sorted(e for e, n in counts.items() if n >= 2 and n >= share * total))
