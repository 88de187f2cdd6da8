"""Realistic, deterministic calendar exports for the benchmarks and the equivalence test.

A busy person's export: years of meetings, all-day events, recurring series with EXDATEs and
moved or renamed occurrences (RECURRENCE-ID overrides), VTIMEZONEs, long folded descriptions with
escapes and non-ASCII text, attendees and alarms, and about 2% job interviews (some recurring,
some cancelled or declined, some only tagged by CATEGORIES, some "prep"/"mock" look-alikes, and
renamed occurrences of unrelated series). The same (events, seed) always gives the same bytes.

Importable (`generate_feed(n, seed)`) and a script:

    python bench/generate_feed.py --events 20000 --seed 1 -o bench/out/feed-20k.ics
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

NOW = datetime(2026, 11, 22, 12, 0)  # the benchmarks run `plan --now 2026-11-22T12:00`
HISTORY_DAYS = 6 * 365  # events reach this far back from NOW ...
FUTURE_DAYS = 300  # ... and this far ahead
INTERVIEW_SHARE = 0.02
ME = "me@example.com"

TIMEZONES = {
    "America/New_York": ("-0500", "-0400", "EST", "EDT", "2SU;BYMONTH=3", "1SU;BYMONTH=11", "20070311T020000", "20071104T020000"),
    "America/Los_Angeles": ("-0800", "-0700", "PST", "PDT", "2SU;BYMONTH=3", "1SU;BYMONTH=11", "20070311T020000", "20071104T020000"),
    "Europe/London": ("+0000", "+0100", "GMT", "BST", "-1SU;BYMONTH=3", "-1SU;BYMONTH=10", "19810329T010000", "19961027T020000"),
    "Europe/Berlin": ("+0100", "+0200", "CET", "CEST", "-1SU;BYMONTH=3", "-1SU;BYMONTH=10", "19810329T020000", "19961027T030000"),
    "Asia/Tokyo": ("+0900", None, "JST", None, None, None, None, "19700101T000000"),
}
ZONE_WEIGHTS = [("America/New_York", 6), ("America/Los_Angeles", 3), ("Europe/London", 2), ("Europe/Berlin", 2), ("Asia/Tokyo", 1)]

COMPANIES = [
    ("Acme Corp", "acme.example", None), ("Initech", "initech.example", None),
    ("Globex", "globex.example", None), ("Hooli", "hooli.example", None),
    ("Umbrella Health", "umbrella.example", None), ("Stark Industries", "stark.example", None),
    ("Wayne Enterprises", "wayne.example", None), ("Tyrell Systems", "tyrell.example", None),
    ("Soylent Labs", "soylent.example", None), ("Vandelay Imports", "vandelay.example", None),
    ("Massive Dynamic", "massive.example", None), ("Cyberdyne", "cyberdyne.example", None),
    ("Müller & Söhne GmbH", "mueller.example", "DE-BY"), ("Brightwater Ltd", "brightwater.example", "GB"),
    ("Kestrel Analytics", "kestrel.example", None), ("Nakatomi Trading", "nakatomi.example", "JP"),
    ("Oceanic Air", "oceanic.example", None), ("Pied Piper", "piedpiper.example", None),
    ("Rekall", "rekall.example", None), ("Sirius Cybernetics", "sirius.example", "GB"),
]
ROLES = ["Backend Engineer", "Platform Engineer", "Data Engineer", "SRE", "Staff Engineer",
         "Engineering Manager", "Product Engineer", "ML Engineer"]
PEOPLE = ["Dana Whitfield", "Marcus Lee", "Priya Natarajan", "Jane Park", "Sam Okafor", "Zoë Lambert",
          "Jürgen Weiß", "Aiko Tanaka", "Chris O'Neil", "Fatima Haddad", "Lars Øberg", "Maria García"]
INTERVIEW_SUMMARIES = [
    "Interview with {c} – {r}", "Phone screen with {c}", "{c} onsite interview", "Technical screen: {c}",
    "Recruiter call with {c}", "Hiring manager chat – {c}", "Interview: {c} ({r})", "{c} - Interview",
    "Onsite at {c}", "Screening call with {c}",
]
LOOKALIKES = ["Interview prep: {c}", "Mock interview with Sam", "Practice technical screen", "Interview prep"]
MEETINGS = [
    "Team sync", "1:1 with {p}", "Sprint planning", "Design review: {t}", "Lunch with {p}", "Dentist",
    "Gym", "Flight to {city}", "Coffee with {p}", "Quarterly business review", "Retro", "Book club",
    "Parent-teacher meeting", "Call Mom", "Car service", "Yoga", "Architecture forum", "Budget review",
    "Haircut", "Kita-Elternabend", "Café with {p}", "Pay rent", "Vet appointment", "Tax advisor",
]
SERIES = ["Daily stand-up", "Weekly team sync", "1:1 with {p}", "Office hours", "Piano lesson",
          "Running club", "On-call handover", "Staff meeting"]
ALL_DAY = ["Vacation", "Conference: {t}", "Birthday: {p}", "Company offsite", "Out of office", "Moving day",
           "Public holiday", "Kid's school trip"]
TOPICS = ["payments", "search ranking", "caching layer", "mobile onboarding", "data retention",
          "the 2027 roadmap", "observability", "SSO migration"]
CITIES = ["Berlin", "London", "Tokyo", "San Francisco", "New York", "Lisbon"]
LOREM = (
    "Agenda: review open action items, decide on the next milestone and agree on owners. "
    "Please read the design doc beforehand; comments inline are welcome. Dial-in: +1 555 0100, "
    "PIN 4242#. Notes from last time are in the shared folder; the interview loop for the open "
    "role is tracked separately. Parking is available in the garage on level -2; café on the "
    "ground floor. Bring your laptop charger — the room has no spare one. "
)


def _fold(line: str) -> bytes:
    """RFC 5545 folding at 75 octets, never inside a UTF-8 character."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return raw + b"\r\n"
    out: list[bytes] = []
    chunk = b""
    limit = 75
    for ch in line:
        enc = ch.encode("utf-8")
        if len(chunk) + len(enc) > limit:
            out.append(chunk)
            chunk = b" "
            limit = 75
        chunk += enc
    out.append(chunk)
    return b"\r\n".join(out) + b"\r\n"


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _utc(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%SZ")


def _local(value: datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


def _vtimezone(tzid: str) -> list[str]:
    std, dst, std_name, dst_name, dst_rule, std_rule, dst_start, std_start = TIMEZONES[tzid]
    lines = ["BEGIN:VTIMEZONE", f"TZID:{tzid}"]
    if dst is not None:
        lines += ["BEGIN:DAYLIGHT", f"TZOFFSETFROM:{std}", f"RRULE:FREQ=YEARLY;BYDAY={dst_rule}",
                  f"DTSTART:{dst_start}", f"TZNAME:{dst_name}", f"TZOFFSETTO:{dst}", "END:DAYLIGHT"]
        lines += ["BEGIN:STANDARD", f"TZOFFSETFROM:{dst}", f"RRULE:FREQ=YEARLY;BYDAY={std_rule}",
                  f"DTSTART:{std_start}", f"TZNAME:{std_name}", f"TZOFFSETTO:{std}", "END:STANDARD"]
    else:
        lines += ["BEGIN:STANDARD", f"TZOFFSETFROM:{std}", f"DTSTART:{std_start}", f"TZNAME:{std_name}",
                  f"TZOFFSETTO:{std}", "END:STANDARD"]
    return lines + ["END:VTIMEZONE"]


class _Feed:
    """Builds VEVENT line lists; one instance per generated file."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.count = 0
        self.zones = [z for z, w in ZONE_WEIGHTS for _ in range(w)]

    def uid(self, domain: str = "calendar.example") -> str:
        self.count += 1
        return f"{self.rng.getrandbits(48):012x}{self.count:06d}@{domain}"

    def when(self, lo_days: int = -HISTORY_DAYS, hi_days: int = FUTURE_DAYS) -> datetime:
        day = NOW.date() + timedelta(days=self.rng.randint(lo_days, hi_days))
        while day.weekday() >= 5 and self.rng.random() < 0.8:
            day += timedelta(days=1)
        return datetime(day.year, day.month, day.day, self.rng.randint(7, 18), self.rng.choice((0, 15, 30, 45)))

    def fill(self, template: str) -> str:
        return template.format(p=self.rng.choice(PEOPLE), t=self.rng.choice(TOPICS), city=self.rng.choice(CITIES),
                               c=self.rng.choice(COMPANIES)[0], r=self.rng.choice(ROLES))

    def stamp(self, start: datetime) -> list[str]:
        created = start - timedelta(days=self.rng.randint(1, 40), minutes=self.rng.randint(0, 1440))
        if self.rng.random() < 0.7:  # many exporters write DTSTAMP only
            return [f"DTSTAMP:{_utc(created)}"]
        return [f"DTSTAMP:{_utc(created)}", f"CREATED:{_utc(created)}", f"LAST-MODIFIED:{_utc(created)}"]

    def times(self, start: datetime, minutes: int, tzid: str | None) -> list[str]:
        end = start + timedelta(minutes=minutes)
        if tzid is None:  # UTC or floating
            if self.rng.random() < 0.5:
                return [f"DTSTART:{_utc(start)}", f"DTEND:{_utc(end)}"]
            return [f"DTSTART:{_local(start)}", f"DURATION:PT{minutes}M"]
        return [f"DTSTART;TZID={tzid}:{_local(start)}", f"DTEND;TZID={tzid}:{_local(end)}"]

    def zone(self) -> str | None:
        return None if self.rng.random() < 0.15 else self.rng.choice(self.zones)

    def people(self, domain: str, n: int, organizer: str | None = None) -> list[str]:
        lines = []
        names = self.rng.sample(PEOPLE, n)
        if organizer or names:
            org = organizer or names[0]
            lines.append(f'ORGANIZER;CN="{org}":mailto:{org.split()[0].lower()}@{domain}')
        for name in names:
            email = f"{name.split()[0].lower().replace('ö', 'oe').replace('ü', 'ue')}@{domain}"
            lines.append(f'ATTENDEE;CN="{name}";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:{email}')
        partstat = "DECLINED" if self.rng.random() < 0.03 else "ACCEPTED"
        lines.append(f'ATTENDEE;CN="Alex Rivera";CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};RSVP=TRUE:mailto:{ME}')
        return lines

    def alarm(self) -> list[str]:
        return ["BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Reminder", f"TRIGGER:-PT{self.rng.choice((5, 10, 15, 30))}M", "END:VALARM"]

    def description(self, short: bool) -> str:
        if short:
            return self.rng.choice(["Room 4.12", "Zoom link in the invite", "Bring the slides", "Café Müller, 2nd floor"])
        start = self.rng.randint(0, len(LOREM) // 2)
        return LOREM[start:] + "\n\nJoin: https://meet.example/" + f"{self.rng.getrandbits(40):010x}"

    # --- event kinds -------------------------------------------------------------------------

    def meeting(self) -> list[str]:
        start, tzid = self.when(), self.zone()
        lines = ["BEGIN:VEVENT", f"UID:{self.uid()}", *self.stamp(start), f"SUMMARY:{_escape(self.fill(self.rng.choice(MEETINGS)))}",
                 *self.times(start, self.rng.choice((15, 30, 45, 60, 90)), tzid)]
        r = self.rng.random()
        if r < 0.25:
            lines.append(f"LOCATION:{_escape(self.description(True))}")
        if r < 0.06:
            lines.append(f"DESCRIPTION:{_escape(self.description(False))}")
            lines += self.people("corp.example", self.rng.randint(1, 3))
        if r < 0.12:
            lines += self.alarm()
        return lines + ["END:VEVENT"]

    def all_day(self) -> list[str]:
        start = self.when().date()
        days = self.rng.choice((1, 1, 1, 2, 5))
        lines = ["BEGIN:VEVENT", f"UID:{self.uid()}", *self.stamp(datetime.combine(start, datetime.min.time())),
                 f"SUMMARY:{_escape(self.fill(self.rng.choice(ALL_DAY)))}",
                 f"DTSTART;VALUE=DATE:{start:%Y%m%d}", f"DTEND;VALUE=DATE:{start + timedelta(days=days):%Y%m%d}",
                 "TRANSP:TRANSPARENT"]
        if self.rng.random() < 0.2:
            lines.append("RRULE:FREQ=YEARLY")
        return lines + ["END:VEVENT"]

    def series(self, summary: str, budget: int, override_summary: str | None = None,
               domain: str = "calendar.example", extra: list[str] | None = None) -> list[list[str]]:
        """A weekly or daily series: master plus up to `budget - 1` overrides (moved, renamed)."""
        tzid = self.rng.choice(self.zones)
        start = self.when(-HISTORY_DAYS, -30)
        daily = self.rng.random() < 0.3
        step = timedelta(days=1 if daily else 7)
        count = self.rng.randint(10, 200)
        uid = self.uid(domain)
        rule = f"RRULE:FREQ={'DAILY;BYDAY=MO,TU,WE,TH,FR' if daily else 'WEEKLY'};"
        if self.rng.random() < 0.5:
            rule += f"COUNT={count}"
        else:
            rule += f"UNTIL={_utc(start + step * count + timedelta(days=1))}"
        master = ["BEGIN:VEVENT", f"UID:{uid}", *self.stamp(start), f"SUMMARY:{_escape(summary)}",
                  *self.times(start, 30, tzid), rule, *(extra or [])]
        skipped = sorted({self.rng.randint(1, count - 1) for _ in range(self.rng.randint(0, 4))})
        for i in skipped:
            master.append(f"EXDATE;TZID={tzid}:{_local(start + step * i)}")
        out = [master + ["END:VEVENT"]]
        if daily:  # a daily series may run into the weekend; overrides only where occurrences exist
            return out
        taken = set(skipped)
        for n in range(budget - 1):
            i = self.rng.randint(1, count - 1)
            if i in taken:
                continue
            taken.add(i)
            original = start + step * i
            moved = original + timedelta(hours=self.rng.choice((1, 2, -1, 24)))
            title = override_summary if (override_summary and n == 0) else summary
            out.append(["BEGIN:VEVENT", f"UID:{uid}", f"RECURRENCE-ID;TZID={tzid}:{_local(original)}",
                        *self.stamp(original), f"SEQUENCE:{self.rng.randint(1, 3)}", f"SUMMARY:{_escape(title)}",
                        *self.times(moved, 30, tzid), *(extra or []), "END:VEVENT"])
        return out

    def interview(self) -> list[list[str]]:
        company, domain, region = self.rng.choice(COMPANIES)
        role = self.rng.choice(ROLES)
        r = self.rng.random()
        if r < 0.05:  # a recruiter's weekly check-in series that is an interview itself
            return self.series(f"Recruiter call with {company}", 3, domain=domain, extra=self.people(domain, 1))
        if r < 0.10:  # an unrelated hold whose one occurrence was renamed into an interview
            return self.series(self.fill(self.rng.choice(SERIES)), 3,
                               override_summary=f"Interview with {company} – {role}")
        if r < 0.15:
            return [self._event(self.fill(self.rng.choice(LOOKALIKES)).replace(COMPANIES[0][0], company), domain, None, role)]
        summary = self.rng.choice(INTERVIEW_SUMMARIES).format(c=company, r=role)
        categories = None
        if r < 0.22:  # only the category says it is an interview
            summary, categories = f"{company} – {role}", "Interview,Job search"
        return [self._event(summary, domain, region, role, categories)]

    def _event(self, summary: str, domain: str, region: str | None, role: str, categories: str | None = None) -> list[str]:
        start = self.when(-400, 120)
        tzid = self.rng.choice(self.zones)
        lines = ["BEGIN:VEVENT", f"UID:{self.uid(domain)}", *self.stamp(start), f"SEQUENCE:{self.rng.randint(0, 2)}",
                 f"SUMMARY:{_escape(summary)}", *self.times(start, self.rng.choice((30, 45, 60, 240)), tzid)]
        if categories:
            lines.append(f"CATEGORIES:{categories}")
        status = "CANCELLED" if self.rng.random() < 0.05 else "CONFIRMED"
        hints = []
        if self.rng.random() < 0.6:
            hints.append(f"Role: {role}")
        if self.rng.random() < 0.2:
            hints.append("Round: final")
        if self.rng.random() < 0.25:
            hints.append(f"Timeline: {self.rng.choice((1, 2, 3))} weeks")
        if region and self.rng.random() < 0.7:
            hints.append(f"Region: {region}")
        text = "Hi Alex, thanks for making time to talk with us! " + self.description(False)[:160]
        lines += [f"STATUS:{status}", f"DESCRIPTION:{_escape(text + chr(10) + chr(10).join(hints))}",
                  f"LOCATION:{_escape(self.rng.choice(('Video call', 'Phone', domain.split('.')[0].title() + ' HQ, 200 Park Ave S')))}"]
        lines += self.people(domain, self.rng.randint(1, 3))
        lines += self.alarm()
        return lines + ["END:VEVENT"]


def iter_events(n_events: int, seed: int, interview_share: float = INTERVIEW_SHARE) -> Iterator[list[str]]:
    """VEVENTs (line lists) until `n_events` components were made; overrides count as events."""
    rng = random.Random(seed)
    feed = _Feed(rng)
    made = 0
    while made < n_events:
        r = rng.random()
        if r < interview_share:
            group = feed.interview()
        elif r < interview_share + 0.04:
            group = feed.series(feed.fill(rng.choice(SERIES)), rng.randint(1, 8))
        elif r < interview_share + 0.16:
            group = [feed.all_day()]
        else:
            group = [feed.meeting()]
        group = group[: n_events - made]
        made += len(group)
        yield from group


def generate_feed(n_events: int, seed: int = 1, *, interview_share: float = INTERVIEW_SHARE,
                  x_wr_timezone: str | None = None) -> bytes:
    """A whole VCALENDAR of `n_events` VEVENTs (CRLF, folded), identical for identical arguments."""
    header = ["BEGIN:VCALENDAR", "PRODID:-//followcal bench//generate_feed//EN", "VERSION:2.0",
              "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:Alex Rivera"]
    if x_wr_timezone:
        header.append(f"X-WR-TIMEZONE:{x_wr_timezone}")
    chunks = [_fold(line) for line in header]
    for tzid in TIMEZONES:
        chunks.extend(_fold(line) for line in _vtimezone(tzid))
    for event in iter_events(n_events, seed, interview_share):
        chunks.extend(_fold(line) for line in event)
    chunks.append(b"END:VCALENDAR\r\n")
    return b"".join(chunks)


def write_feed(path: Path, n_events: int, seed: int = 1) -> Path:
    """Write the feed unless an identical one is there already (generation takes seconds at 100k)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = generate_feed(n_events, seed)
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)
    return path


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=20000, help="number of VEVENTs (default 20000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("-o", "--output", type=Path, help="default: bench/out/feed-<events>.ics")
    args = parser.parse_args(argv)
    out = args.output or Path(__file__).parent / "out" / f"feed-{args.events}.ics"
    write_feed(out, args.events, args.seed)
    print(f"{out}: {out.stat().st_size / 1e6:.1f} MB, {args.events} events")


if __name__ == "__main__":
    main()
