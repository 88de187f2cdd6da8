"""Issue 17, export as cheap as plan: each shortcut in drafting and writing == the code it
replaced (kept here as the reference), on tables, the shipped templates and arbitrary input."""

from __future__ import annotations

import hashlib
import itertools
import re
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st

from followcal.core import languages, mailto
from followcal.core.drafts import Sender, draft
from followcal.core.languages import detect_language
from followcal.core.mailto import first_link
from followcal.core.model import Interview, Person, Reminder, Slot, Window
from followcal.errors import FollowcalError
from followcal.ical import read as ics, unchanged, write

# --- languages.detect_language ------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")


def _detect_reference(summary: str, description: str = "") -> str:
    scores = dict.fromkeys(languages._STRONG, 0)
    head = summary.casefold()
    body = description[:4000].casefold()
    for code, words in languages._STRONG.items():
        scores[code] += sum(5 for w in words if w in head) + sum(2 for w in words if w in body)
    for word in _WORD.findall(head + " " + body):
        for code, weak in languages._WEAK.items():
            if word in weak:
                scores[code] += 1
    best = max(("de", "fr", "es"), key=lambda c: scores[c])
    return best if scores[best] >= 4 and scores[best] > scores["en"] else "en"


_MARKERS = sorted({w for ws in languages._STRONG.values() for w in ws}
                  | {w for ws in languages._WEAK.values() for w in ws})
_LANG_TEXT = st.lists(st.one_of(st.sampled_from(_MARKERS), st.sampled_from([" ", ", ", "-", "1", "_", "\n", "É", "ß"]),
                                st.text(max_size=6)), max_size=30).map("".join)

LANG_TABLE = [
    ("Vorstellungsgespräch bei Acme", "Wir freuen uns auf das Gespräch mit Ihnen"),
    ("Entretien - Acme", "Nous avons le plaisir de vous inviter pour le poste"),
    ("Entrevista con Acme", "Gracias por su candidatura para el puesto"),
    ("Interview with Acme", "Looking forward to it"),
    ("Gespräch", ""), ("", ""), ("la le les", "et et"), ("ÉTÉ und der die", "das mit"),
    ("Interview", "und der die das mit sie ihre ihr bitte wir für uns zum bei"),
    ("x" * 10, "und " * 2000), ("résumé", "entretien" * 500 + " la"),
]


def test_detect_language_table() -> None:
    for summary, description in LANG_TABLE:
        assert detect_language(summary, description) == _detect_reference(summary, description)


@settings(max_examples=400, deadline=None)
@given(_LANG_TEXT, _LANG_TEXT)
def test_detect_language_equals_reference(summary: str, description: str) -> None:
    assert detect_language(summary, description) == _detect_reference(summary, description)


# --- ical/write.py: folding by findall, date stamps without strftime ----------------------------


_FOLD_TEXT = st.lists(st.one_of(st.sampled_from(["\\", "^", "\\n", "é", "€", "😀", "a" * 70, "b" * 73, " "]),
                                st.text(alphabet="a\\^é€😀", max_size=5)), max_size=60).map("".join)


@settings(max_examples=800, deadline=None)
@given(_FOLD_TEXT, st.integers(0, 80))
def test_fold_bytes_equals_the_loop(text: str, pad: int) -> None:
    for line in (text, "x" * pad + text, "é" * pad + text):
        data = line.encode("utf-8")
        assert write.fold_bytes(data) == write.fold_bytes_loop(data) == write._line_bytes(line)
        if line.isascii() and len(line) > 74:
            assert write._fold_ascii(line) == write._fold_ascii_loop(line) == write.fold_bytes_loop(data).decode()


def test_fold_bytes_table() -> None:
    lines = ["", "a" * 74, "a" * 75, "a" * 73 + "\\", "a" * 73 + "\\b", "a" * 73 + "\\" + "b" * 74, "a" * 148,
             "a" * 147 + "^", "a" * 147 + "^c", "é" * 100, "a" + "€" * 60, "😀" * 40, "a" * 72 + "😀" * 3,
             ("a" * 73 + "\\n") * 5, "\\" * 300, "^" * 300, "a\\" * 200]
    for line in lines:
        data = line.encode("utf-8")
        assert write.fold_bytes(data) == write.fold_bytes_loop(data), line
    for data in (b"\xff" * 100, b"a" * 70 + b"\x80" * 5 + b"b" * 10, b"a" * 72 + b"\xc3"):
        # not UTF-8 (never written: lines are encoded str): the loop's answer, or its error
        try:
            expected: bytes | str = write.fold_bytes_loop(data)
        except IndexError:
            expected = "IndexError"
        try:
            got: bytes | str = write.fold_bytes(data)
        except IndexError:
            got = "IndexError"
        assert got == expected


_ZONES = [UTC, None, ZoneInfo("America/New_York"), ZoneInfo("UTC"), ZoneInfo("Etc/UTC"), timezone(timedelta(hours=2)),
          timezone(timedelta(0)), timezone(timedelta(0), "UTC"), ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Kolkata")]


def _when_reference(name: str, value: date | datetime) -> str:
    def stamp(v: datetime) -> str:
        return f"{v.year:04}{v.month:02}{v.day:02}T{v.hour:02}{v.minute:02}{v.second:02}"

    if not isinstance(value, datetime):
        return f"{name};VALUE=DATE:{value.year:04}{value.month:02}{value.day:02}"
    if value.tzinfo is None:
        return f"{name}:{stamp(value)}"
    if write._is_utc(value):
        return f"{name}:{stamp(value)}Z"
    key = getattr(value.tzinfo, "key", None) or str(value.tzinfo)
    return f"{name};TZID={key}:{stamp(value)}"


@settings(max_examples=500, deadline=None)
@given(st.datetimes(min_value=datetime(2, 1, 1), max_value=datetime(9998, 12, 31)), st.sampled_from(_ZONES),
       st.booleans())
def test_when_and_utc_stamp(value: datetime, zone: object, fold: bool) -> None:
    aware = value.replace(tzinfo=zone, fold=int(fold))  # type: ignore[arg-type]
    for name in ("DTSTART", "DTSTAMP"):
        assert write._when(name, aware) == _when_reference(name, aware)
        assert write._when(name, aware.date()) == _when_reference(name, aware.date())
    if zone is not None:
        assert write._utc_stamp(aware) == aware.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


_LINK = re.compile(r"mailto:\S*")


@settings(max_examples=500, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(["mailto:", "mailto:a@b?subject=x%20y", " ", "\n", "\x1c", "\x85", "\u2028",
                                           "\u3000", "\xa0", "\u200b", "mail", "to:"]), st.text(max_size=4)),
                max_size=12).map("".join))
def test_first_link_equals_the_pattern(text: str) -> None:
    found = _LINK.search(text)
    assert first_link(text) == (found.group(0) if found else None)


# --- drafts.draft: the whole text, pinned before the speed work (base e291df1) ------------------


# draft_matrix() as the drafting code before issue 17's export work made it (run on commit e291df1)
DRAFT_MATRIX = "e6b180c13cba8848f5dc0f0c57e90b67ed839e7ef4f3bd6c3d75247db684aced"


def _draft_matrix() -> str:
    """sha256 of the drafts of a matrix of inputs (kinds, channels, languages, private, senders,
    counts, decision dates, interviewers, roles, zones)."""
    tz = ZoneInfo("America/New_York")
    people_sets = [(), (Person("Jane Roe", "jane@acme.example"), Person("Sam Poe", None)),
                   (Person(None, "kim@acme.example"),), (Person("Dr. Anna Schneider", "anna@acme.example"),
                   Person("careers", "careers@acme.example"), Person("me", "me@example.com"))]
    senders = [None, Sender(), Sender(name="Alex Rivera"), Sender(phone="+1 555 0100"),
               Sender(name="Alex Rivera", phone="+1 555 0100", addresses=("me@example.com",))]
    digest = hashlib.sha256()
    for i, (kind, channel, language, private, sender, count, decision, people, role, all_day) in enumerate(itertools.product(
            ("thank-you", "follow-up-1", "follow-up-2", "follow-up-3", "cut-off", "gracious-reply"),
            ("email", "phone"), ("en", "de", "fr", "es"), (False, True), senders, (0, 1, 2, 5),
            (None, date(2026, 12, 11)), people_sets, ("Backend Engineer", None), (False, True))):
        if i % 7:  # one in seven, spread over every dimension (7 divides none of their sizes)
            continue
        start = datetime(2026, 11, 19, 14, 0, tzinfo=tz)
        interview = Interview(id="abc123def456", uid="uid-1@example.com", recurrence_id=None,
                              summary="Interview with Acme", company="Équipe Acme" if language == "fr" else "Acme Corp",
                              role=role, start=start.date() if all_day else start,
                              end=None if all_day else start.replace(hour=15),
                              timezone="America/New_York", region="US", interviewers=people, all_day=all_day)
        day = date(2026, 11, 27)
        slot = Slot(kind=kind, date=day, due=datetime(2026, 11, 27, 10, tzinfo=tz), channel=channel,
                    deadline=None if count % 2 else datetime(2026, 11, 30, 17, tzinfo=tz))
        title, text = draft(slot, interview, decision, follow_up_count=count, sender=sender, language=language,
                            private=private)
        digest.update(f"{title}\x00{text}\x01".encode())
    return digest.hexdigest()


def test_drafts_are_the_ones_before_the_speed_work() -> None:
    assert _draft_matrix() == DRAFT_MATRIX


# --- write.in_due_order == sorted by (due, uid) -------------------------------------------------


_NY = ZoneInfo("America/New_York")
_DUE_ZONES = [_NY, ZoneInfo("Europe/Berlin"), ZoneInfo("Australia/Lord_Howe"), UTC, timezone(timedelta(hours=-5)),
              ZoneInfo.no_cache("America/New_York"), ZoneInfo("UTC")]
# wall times around the 2026 transitions of these zones (ambiguous and missing ones included)
_WALLS = st.builds(lambda day, minute: datetime(2026, 11, 1) + timedelta(days=day, minutes=minute),
                   st.sampled_from([-238, -237, -217, -216, -28, -27, -8, -7, -1, 0, 1, 3, 4, 5]),
                   st.integers(0, 3 * 60) | st.integers(0, 24 * 60))


def _reminder(due: datetime, uid: str) -> Reminder:
    return Reminder(uid=uid, kind="follow-up-1", interview_id="i", interview_uid="u", interview_start=due,
                    company="Acme", role=None, date=due.date(), due=due, duration=timedelta(minutes=15),
                    timezone="America/New_York", channel="email", summary="s", description="d", stamp=due)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(_WALLS, st.sampled_from(_DUE_ZONES + [None]), st.booleans(), st.sampled_from("abc")),
                max_size=12))
def test_in_due_order_equals_sorted(items: list[tuple[datetime, object, bool, str]]) -> None:
    reminders = [_reminder(wall.replace(tzinfo=zone, fold=int(fold)), uid)  # type: ignore[arg-type]
                 for wall, zone, fold, uid in items]
    try:
        expected: list[int] | str = [id(r) for r in sorted(reminders, key=lambda r: (r.due, r.uid))]
    except TypeError:  # naive and aware times: the sort raises, and so must the shortcut
        expected = "TypeError"
    try:
        got: list[int] | str = [id(r) for r in write.in_due_order(reminders)]
    except TypeError:
        got = "TypeError"
    assert got == expected


# --- unchanged._plain_text: ASCII and Latin-1 by bytes.translate --------------------------------


@settings(max_examples=800, deadline=None)
@given(st.text(alphabet=st.sampled_from([chr(c) for c in range(0, 0x100)] + ["\u2028", "\u200b", "Ł", "ễ"]),
               max_size=30))
def test_plain_text_equals_reference(text: str) -> None:
    expected = "\\" not in text and "\r" not in text and text.replace("\n", "").isprintable()
    assert unchanged._plain_text(text) == expected
    assert unchanged._plain_text("a" * 100 + text) == expected


# --- mailto.link: the body's CRLF and encoding in one pass --------------------------------------



def _link_reference(address: str, subject: str, body: str, max_length: int = mailto.MAX_LENGTH) -> str:
    def enc(text: str) -> str:
        return quote(text, safe=mailto._SAFE)

    to = f"mailto:{quote(address.strip(), safe=mailto._ADDRESS_SAFE)}"
    room = max_length - len(to) - len("?subject=")
    if len(enc(subject)) > room:
        return f"{to}?subject={enc(mailto._trim(subject, room))}" if room > 0 else to
    head = f"{to}?subject={enc(subject)}"
    body = body.replace("\r\n", "\n").replace("\r", "\n").replace("\n", "\r\n").strip()
    if not body:
        return head
    room = max_length - len(head) - len("&body=")
    if len(enc(body)) <= room:
        return f"{head}&body={enc(body)}"
    kept = mailto._trim(body, room)
    return f"{head}&body={enc(kept)}" if kept else head


_BODY = st.lists(st.one_of(st.sampled_from(["\n", "\r\n", "\r", " ", "\t", "\u00a0", "\u2028", "é", "?", "&", "%", "+",
                                            "word ", "Hello,\n\n", "x" * 300]), st.text(max_size=5)),
                 max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(st.sampled_from(["jane@acme.example", " a+b@c.d ", "x%y@z"]), st.text(max_size=20), _BODY,
       st.sampled_from([mailto.MAX_LENGTH, 400, 120, 60]))
def test_link_equals_reference(address: str, subject: str, body: str, max_length: int) -> None:
    assert mailto.link(address, subject, body, max_length) == _link_reference(address, subject, body, max_length)


# --- detect_language on real invites: the sample, a bench feed, the fuzz corpus -----------------




_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(_ROOT / "bench"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate_feed import generate_feed  # noqa: E402
from test_fast_path_equivalence import NOW, SETTINGS  # noqa: E402
from test_fuzz import mutated  # noqa: E402


def _invites(data: bytes) -> list[tuple[str, str]]:
    events, _ = ics.read_calendar(data, "feed.ics", Window(), keywords=SETTINGS.rules.keywords, now=NOW)
    return [(e.summary, e.description) for e in events]


def test_detect_language_on_the_sample_and_a_bench_feed() -> None:
    invites = _invites((_ROOT / "samples" / "interviews.ics").read_bytes()) + _invites(generate_feed(1000, seed=3))
    assert len(invites) > 50  # the candidate events read_calendar selects
    for summary, description in invites:
        assert detect_language(summary, description) == _detect_reference(summary, description)


@settings(max_examples=40, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(mutated())
def test_detect_language_on_the_fuzz_corpus(case: tuple[bytes, int]) -> None:
    try:
        invites = _invites(case[0])
    except FollowcalError:
        return
    for summary, description in invites:
        assert detect_language(summary, description) == _detect_reference(summary, description)


# --- model.fingerprint: the normal form it hashes, against the formula written out --------------


def _fingerprint_reference(summary: str, description: str, start: datetime, end: datetime) -> str:
    from followcal.core.model import _iso

    text = description.replace("\r\n", "\n")
    norm = "\n".join(line.rstrip() for line in text.strip().split("\n"))
    data = "\x1f".join([summary.strip(), norm, _iso(start), _iso(end)])
    return hashlib.sha256(data.encode("utf-8")).hexdigest()[:32]


_WHITE = st.text(alphabet=st.sampled_from(list("ab \n\t\r\x0b\x0c\x1c\x1f\x85\u00a0é")), max_size=30)


@settings(max_examples=500, deadline=None)
@given(_WHITE, st.sampled_from(["", "Dear Jane,\n\nThanks.", "x" * 80 + "\n", " lead", "trail \nnext"]))
def test_fingerprint_equals_reference(text: str, known: str) -> None:
    from followcal.core.model import fingerprint

    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    for description in (text, known + text, text + known):
        assert fingerprint("S", description, start, start) == _fingerprint_reference("S", description, start, start)


# --- write.event_bytes: the usual event as two texts == its lines folded one by one -------------


def _event_by_lines(reminder: Reminder, sequence: int) -> bytes:
    """event_bytes' general path: every line through content_lines."""
    start, end = ((reminder.date, reminder.date + timedelta(days=1)) if reminder.all_day
                  else (reminder.due, reminder.end))
    summary = write.escape_text(reminder.summary)
    stamp = write._when("DTSTAMP", reminder.stamp)
    lines, rest, tail = write._event_lines(reminder, summary, stamp, write._when("DTSTART", start),
                                           write._when("DTEND", end))
    lines = [*lines, f"SEQUENCE:{sequence}", "CATEGORIES:followcal"]
    link = first_link(reminder.description)
    url = write._line_bytes("URL:" + link) + b"\r\n" if link else b""
    description = write._line_bytes("DESCRIPTION:" + write.escape_text(reminder.description))
    return b"".join((write.content_lines(lines), description, b"\r\n", write.content_lines(rest), url,
                     write.content_lines(tail)))


_FIELD = st.one_of(st.integers(0, 80).map(lambda n: "x" * n), st.sampled_from(["é", "a,b;c", "Acme ü" * 12]))


@settings(max_examples=400, deadline=None)
@given(_FIELD, _FIELD, _FIELD, st.sampled_from(["i", "x" * 45, "ü"]), st.sampled_from(["follow-up-1", "k" * 30]),
       st.sampled_from([ZoneInfo("America/New_York"), UTC, ZoneInfo("America/Argentina/ComodRivadavia")]),
       st.booleans(), st.integers(0, 10**9), st.sampled_from([UTC, timezone(timedelta(hours=1), "Z" * 50)]))
def test_event_bytes_equals_its_lines(summary: str, uid: str, related: str, interview: str, kind: str,
                                      zone: ZoneInfo, all_day: bool, sequence: int, stamp_zone: timezone) -> None:
    due = datetime(2026, 12, 1, 9, tzinfo=zone)
    reminder = Reminder(uid=uid + "@followcal", kind=kind, interview_id=interview, interview_uid=related,
                        interview_start=due, company="Acme", role=None, date=due.date(), due=due,
                        duration=timedelta(minutes=15), timezone=str(zone), channel="email", summary=summary,
                        description="Hi,\nmailto:a@b.example?subject=x " + summary, stamp=due.astimezone(stamp_zone),
                        all_day=all_day)
    assert write.event_bytes(reminder, sequence) == _event_by_lines(reminder, sequence)
