"""Hints an interview event can carry in its description (followup-rules.md "Hints").

One `Key: value` per line, case-insensitive key, anywhere in the text. Pure: a hint that cannot
be read becomes a problem string for a warning, never an exception.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from functools import lru_cache

from followcal.core.model import Outcome, OutcomeRecord, Person, Timeline


@dataclass(frozen=True)
class Hints:
    """`Key: value` lines of an event DESCRIPTION (followup-rules.md "Hints")."""

    company: str | None = None
    role: str | None = None
    round: str | None = None
    decision_by: date | None = None
    timeline: Timeline | None = None
    region: str | None = None
    interviewers: tuple[Person, ...] = ()
    outcome: OutcomeRecord | None = None


# --- hints ------------------------------------------------------------------------------------

_KEYS = {
    "company": "Company", "employer": "Company", "role": "Role", "position": "Role",
    "round": "Round", "decision by": "Decision by", "decision date": "Decision by",
    "decide by": "Decision by", "timeline": "Timeline", "region": "Region",
    "interviewers": "Interviewers", "interviewer": "Interviewers", "outcome": "Outcome",
}
_KEY_ALTERNATIVES = "|".join(k.replace(" ", r"[ \t_-]+") for k in sorted(_KEYS, key=len, reverse=True))
_HINT_LINE = re.compile(
    rf"^[ \t]*(?:[-*\u2022][ \t]*)?(?P<key>{_KEY_ALTERNATIVES})[ \t]*:[ \t]*(?P<value>.*?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_HTML_BREAK = re.compile(r"<\s*(?:br\s*/?|/p|/div|/li)\s*>", re.IGNORECASE)
_NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
            "fourteen": 14, "fifteen": 15, "twenty": 20, "thirty": 30}
_NUM = r"\d{1,4}|" + "|".join(_NUMBERS)
_TIMELINE = re.compile(
    rf"^(?:within|in|about|around|approx\.?|~)?\s*(?P<n>{_NUM})"
    rf"(?:\s*(?:-|\u2013|to|or)\s*(?P<m>{_NUM}))?\s*"
    r"(?P<unit>(?:business|working|work)[\s-]*days?|workdays?|days?|weeks?|wks?)(?:$|[^\w])",
    re.IGNORECASE,
)
_MAX_TIMELINE = 365
_OUTCOME_WORDS = {
    "replied": Outcome.REPLIED, "reply": Outcome.REPLIED, "responded": Outcome.REPLIED,
    "rejected": Outcome.REJECTED, "rejection": Outcome.REJECTED, "declined": Outcome.REJECTED,
    "offer": Outcome.OFFER, "offered": Outcome.OFFER, "accepted": Outcome.ACCEPTED,
    "withdrawn": Outcome.WITHDRAWN, "withdrew": Outcome.WITHDRAWN, "withdraw": Outcome.WITHDRAWN,
}
_MONTH = re.compile(r"\b(jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\b\.?", re.I)


def parse_hints(
    description: str, *, reference: date | None = None, outcome_default: date | None = None,
    recorded: date | None = None,
) -> tuple[Hints, list[str]]:
    """Hints plus problems ("Decision by: 'soonish' is not a date").

    `reference` (the interview date) supplies the year of dates written without one and bounds
    what is plausible; `outcome_default` dates an `Outcome:` line that gives no date (else
    `reference`, else date.min). A repeated key: the last line wins, so users can append updates.
    """
    values: dict[str, str] = {}
    problems: list[str] = []
    text = re.sub(r"\r\n?", "\n", _HTML_BREAK.sub("\n", description or ""))
    for m in _HINT_LINE.finditer(text):
        key = _KEYS[" ".join(re.split(r"[ \t_-]+", m.group("key").casefold()))]
        value = m.group("value").strip()
        if not value:
            continue  # an empty template line says nothing
        if key in values and values[key] != value:
            problems.append(f"{key}: given more than once; using the last ({value!r})")
        values[key] = value

    def dated(key: str, text: str) -> date | None:
        try:
            return _parse_date(text, reference)
        except ValueError as exc:
            problems.append(f"{key}: {exc}")
            return None

    decision_by = dated("Decision by", values["Decision by"]) if "Decision by" in values else None
    timeline = None
    if "Timeline" in values:
        try:
            timeline = parse_timeline(values["Timeline"])
        except ValueError as exc:
            problems.append(f"Timeline: {exc}")
    outcome = None
    if "Outcome" in values:
        text = values["Outcome"]
        said = re.match(r"([A-Za-z]+)\W*(?:\bon\b)?\s*(.*)$", text, re.DOTALL)
        word = _OUTCOME_WORDS.get(said.group(1).casefold()) if said else None
        if said is None or word is None:
            problems.append(f"Outcome: {text!r} is not one of {', '.join(o.value for o in Outcome)}")
        else:
            rest, on, note = said.group(2).strip(), None, None
            iso = re.match(r"(\d{4}-\d{1,2}-\d{1,2})\W*(.*)$", rest, re.DOTALL)
            if iso:
                on, note = dated("Outcome", iso.group(1)), iso.group(2) or None
            elif re.search(r"\d", rest):
                on = dated("Outcome", rest)
            else:
                note = rest or None
            outcome = OutcomeRecord(word, on or outcome_default or reference or date.min, note=note,
                                    recorded_on=recorded)
            if word is Outcome.REPLIED and (decision_by or timeline):
                outcome = replace(outcome, decision_by=decision_by, timeline=timeline)
    round_ = None
    if "Round" in values:
        round_ = re.sub(r"\s+round$", "", " ".join(values["Round"].casefold().split())) or None
    hints = Hints(
        company=values.get("Company"), role=values.get("Role"), round=round_,
        decision_by=decision_by, timeline=timeline, region=values.get("Region"),
        interviewers=_parse_people(values.get("Interviewers", "")), outcome=outcome,
    )
    return hints, problems


def parse_timeline(text: str) -> Timeline:
    """"2 weeks", "10 business days", "two weeks", "3 working days"; a range "2-3 weeks" means
    its upper end, because the advice is to wait until the stated time is up."""
    m = _TIMELINE.match(text.strip())
    if not m:
        raise ValueError(f"{text!r} is not N days, N business days or N weeks")
    amounts = [int(v) if v.isdigit() else _NUMBERS[v.casefold()] for v in m.group("n", "m") if v]
    amount = max(amounts)
    unit = m.group("unit").casefold()
    unit = "weeks" if unit.startswith("w") and "day" not in unit else (
        "days" if unit.startswith("day") else "business days")
    if not 1 <= amount <= _MAX_TIMELINE:
        raise ValueError(f"{text!r} is out of range (1 to {_MAX_TIMELINE})")
    return Timeline(amount, unit)


def _parse_date(text: str, reference: date | None) -> date:
    """An ISO date or a date with a month name ("Dec 11, 2026"); never a guess: a text without a
    day and a named month is an error, and a missing year is the one nearest `reference`."""
    raw = text
    text = re.sub(r"^(?:by|on|before)\s+", "", text.strip(), flags=re.I).rstrip(".")
    not_a_date = ValueError(f"{raw!r} is not a date")
    if m := re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text):
        try:
            found = date(*map(int, m.groups()))
        except ValueError:
            raise not_a_date from None
        return _plausible(found, raw, reference)
    if re.fullmatch(r"[\d\s./-]+", text):  # 12/11/2026: December or November? never guess
        raise ValueError(f"{raw!r} is not a date (write YYYY-MM-DD or name the month)")
    if not _MONTH.search(text) or not re.search(r"(?<!\d)\d{1,2}(?:st|nd|rd|th)?(?!\d)", text):
        raise not_a_date
    from dateutil import parser as dateparser  # only for dates written in words (a few ms to import)

    try:
        parsed = dateparser.parse(text, default=datetime(2000, 1, 1)).date()
    except Exception:  # dateutil raises many types on odd input; all mean "not a date"
        raise not_a_date from None
    if re.search(r"(?<!\d)\d{4}(?!\d)", text):
        return _plausible(parsed, raw, reference)
    if reference is None:
        raise ValueError(f"{raw!r} has no year")
    candidates = []
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidates.append(parsed.replace(year=year))
        except ValueError:  # Feb 29
            pass
    return min(candidates, key=lambda d: (abs((d - reference).days), d))


def _plausible(found: date, raw: str, reference: date | None) -> date:
    """A date years away from the interview is a typo; rejecting it keeps later date arithmetic
    (holidays, business days) within range."""
    low, high = (reference.year - 1, reference.year + 2) if reference else (1900, 9000)
    if not low <= found.year <= high:
        raise ValueError(f"{raw!r} is too far from the interview date")
    return found


def _parse_people(text: str) -> tuple[Person, ...]:
    """"Jane Roe <jane@acme.example>, Sam Poe and jo@acme.example"."""
    people: list[Person] = []
    for part in re.split(r",(?![^<]*>)|;|\s+and\s+|\s+&\s+", text):
        part = part.strip().strip("\"'")
        if m := re.fullmatch(r"(.*?)\s*<\s*([^<>\s]+)\s*>", part):
            name, email = m.group(1).strip().strip("\"'") or None, _email(m.group(2))
        elif "@" in part and " " not in part:
            name, email = None, _email(part)
        else:
            name, email = part or None, None
        if name or email:
            people.append(Person(name, email))
    return _dedupe(people)


@lru_cache(maxsize=4096)  # pure; called for every participant of every event, the same few hundred
def _email(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if value[:7].casefold() == "mailto:":
        value = value[7:]
    return value.strip().casefold() or None


def _dedupe(people: Iterable[Person]) -> tuple[Person, ...]:
    seen: set[str] = set()
    out: list[Person] = []
    for p in people:
        key = f"@{p.email}" if p.email else f"n:{(p.name or '').casefold()}"
        if key not in seen:
            seen.add(key)
            out.append(p)
    return tuple(out)
