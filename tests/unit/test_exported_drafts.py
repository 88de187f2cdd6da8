"""The drafts as a calendar app shows them: export the sample (samples/interviews.ics with
samples/followcal.toml) and invites written the way Google Calendar, Greenhouse, Outlook and a
German, French and Spanish employer write them, read the .ics back with icalendar, and check
every DESCRIPTION: nothing left to fill in that the config or the invite knows, no line break
inside a sentence, no role mailbox or the user greeted as a person, and mailto: links that
decode (urllib.parse) to the right address, subject and body, none over 2,000 characters."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from click.testing import CliRunner
from icalendar import Calendar
from support import ROOT, SAMPLE
from test_drafts import assert_no_break_inside_a_sentence

from followcal.cli.commands import cli
from followcal.core.people import is_role_address

CONFIG = ROOT / "samples" / "followcal.toml"
NOW = ["--now", "2026-10-01T09:00"]
SUBJECT = re.compile(r"^(Subject|Betreff|Objet|Asunto)\s?:\s?(.*)$")
GREETING = re.compile(r"^(Dear|Guten Tag|Bonjour|Buenos días,?) (.+?)[,:]$")

# Written as the tools write them: CRLF, folded lines, CN parameters, mailto: addresses.
INVITES = "\r\n".join([
    "BEGIN:VCALENDAR", "PRODID:-//Google Inc//Google Calendar 70.9054//EN", "VERSION:2.0",
    "CALSCALE:GREGORIAN", "METHOD:REQUEST", "X-WR-CALNAME:me@example.com",
    # Greenhouse: the organizer is a no-reply sender, a titled interviewer, a role mailbox
    "BEGIN:VEVENT", "DTSTART:20261103T150000Z", "DTEND:20261103T160000Z",
    "DTSTAMP:20261020T120000Z", "UID:gh-7781@greenhouse.io",
    "ORGANIZER;CN=Greenhouse:mailto:no-reply@greenhouse.io",
    'ATTENDEE;CN="Dr. Eva Schneider";ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED:mailto:eva.schneider@b',
    " lackmesa.example",
    "ATTENDEE;CN=Black Mesa Recruiting;PARTSTAT=ACCEPTED:mailto:recruiting@blackmesa.example",
    'ATTENDEE;CN="Alex Rivera";PARTSTAT=ACCEPTED:mailto:me@example.com',
    "SUMMARY:Black Mesa Interview - Research Engineer",
    "DESCRIPTION:Company: Black Mesa\\nRole: Research Engineer\\nPowered by Greenhouse",
    "STATUS:CONFIRMED", "END:VEVENT",
    # Outlook: only the talent mailbox is known; the employer later said no
    "BEGIN:VEVENT", "DTSTART;TZID=Europe/London:20261105T100000",
    "DTEND;TZID=Europe/London:20261105T110000", "DTSTAMP:20261101T080000Z",
    "LAST-MODIFIED:20261110T080000Z", "UID:040000008200E00074C5B7101A82E00800000000@outlook.com",
    "ORGANIZER;CN=Talent Acquisition:mailto:talent@aperture.example",
    'ATTENDEE;CN="Alex Rivera";PARTSTAT=ACCEPTED:mailto:me@example.com',
    "SUMMARY:Interview with Aperture Science",
    "DESCRIPTION:Region: GB\\nOutcome: rejected 2026-11-10",
    "END:VEVENT",
    # German, with a titled interviewer
    "BEGIN:VEVENT", "DTSTART;TZID=Europe/Berlin:20261110T100000",
    "DTEND;TZID=Europe/Berlin:20261110T110000", "DTSTAMP:20261020T120000Z", "UID:de-1@nordwind.example",
    'ORGANIZER;CN="Dr.-Ing. Karl Braun":mailto:karl.braun@nordwind.example',
    'ATTENDEE;CN="Alex Rivera";PARTSTAT=ACCEPTED:mailto:me@example.com',
    "SUMMARY:Vorstellungsgespräch Südwind AG",
    "DESCRIPTION:Company: Südwind AG\\nBitte melden Sie sich am Empfang. Wir freuen uns auf das Gespräch",
    " mit Ihnen.", "END:VEVENT",
    # French
    "BEGIN:VEVENT", "DTSTART;TZID=Europe/Paris:20261112T143000",
    "DTEND;TZID=Europe/Paris:20261112T153000", "DTSTAMP:20261020T120000Z", "UID:fr-1@lumiere.example",
    'ORGANIZER;CN="Élodie Lefèvre":mailto:elodie.lefevre@lumiere.example',
    'ATTENDEE;CN="Alex Rivera";PARTSTAT=ACCEPTED:mailto:me@example.com',
    "SUMMARY:Entretien avec Lumière SA",
    "DESCRIPTION:Company: Lumière SA\\nRole: Ingénieur logiciel\\nNous vous attendons pour un entretien",
    " avec l'équipe.", "END:VEVENT",
    # Spanish
    "BEGIN:VEVENT", "DTSTART;TZID=Europe/Madrid:20261113T120000",
    "DTEND;TZID=Europe/Madrid:20261113T130000", "DTSTAMP:20261020T120000Z", "UID:es-1@sol.example",
    'ORGANIZER;CN="José Ángel Núñez":mailto:jose.nunez@sol.example',
    'ATTENDEE;CN="Alex Rivera";PARTSTAT=ACCEPTED:mailto:me@example.com',
    "SUMMARY:Entrevista con Sol Ibérica",
    "DESCRIPTION:Company: Sol Ibérica\\nGracias por su interés en el puesto. Le esperamos para la",
    "  entrevista con el equipo.", "END:VEVENT",
    # a long Japanese company and role: the mailto body must be trimmed to stay under 2,000
    "BEGIN:VEVENT", "DTSTART;TZID=Asia/Tokyo:20261116T100000",
    "DTEND;TZID=Asia/Tokyo:20261116T110000", "DTSTAMP:20261020T120000Z", "UID:jp-1@sakura.example",
    'ORGANIZER;CN="Tanaka Hanako":mailto:hanako.tanaka@sakura.example',
    'ATTENDEE;CN="Alex Rivera";PARTSTAT=ACCEPTED:mailto:me@example.com',
    "SUMMARY:Interview",
    "DESCRIPTION:Company: 株式会社さくらインターネットソリューションズ東日本\\n"
    "Role: シニアソフトウェアエンジニア（分散システム・",
    " データ基盤・機械学習プラットフォーム担当）", "END:VEVENT",
    "END:VCALENDAR", "",
])


LOCAL_WORDS = '"vorstellungsgespräch", "entretien", "entrevista",'  # the sample config lists English words only


def export(tmp_path: Path, source: Path, extra: str, words: str = "") -> list:
    config = tmp_path / "followcal.toml"
    text = CONFIG.read_text(encoding="utf-8").replace('"recruiter call",', f'"recruiter call", {words}')
    config.write_text(extra + text, encoding="utf-8")
    out = tmp_path / "out.ics"
    result = CliRunner().invoke(cli, ["--config", str(config), "export", str(source), "-o", str(out), *NOW],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return list(Calendar.from_ical(out.read_bytes()).walk("VEVENT"))


@pytest.fixture
def invites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    path = tmp_path / "invites.ics"
    path.write_bytes(INVITES.encode("utf-8"))
    return path


def drafts_of(description: str) -> list[tuple[str, str, str, str | None]]:
    """(greeting, subject, body, mailto link) of every draft in a description."""
    out = []
    blocks = re.split(r"\n\n(?=(?:To|An|À|Para|Draft \d|Entwurf \d|Brouillon \d|Borrador \d)\b)", description)
    for block in blocks[1:]:
        lines = block.split("\n")
        subject = next(SUBJECT.match(line).group(2) for line in lines if SUBJECT.match(line))
        start = next(i for i, line in enumerate(lines) if SUBJECT.match(line)) + 2
        link = next((m.group(0) for m in re.finditer(r"mailto:\S+", block)), None)
        tail = ("Tips", "Tipps", "Conseils", "Consejos", "--")
        end = next(i for i, line in enumerate(lines) if line.startswith(tail)
                   or "mailto:" in line) if any("mailto:" in x or x.startswith(tail) for x in lines) else len(lines)
        body = "\n".join(lines[start:end]).strip()
        out.append((lines[start], subject, body, link))
    return out


def check(events: list, *, user: str = "Alex Rivera") -> dict[str, int]:
    seen = {"drafts": 0, "links": 0}
    assert events
    for event in events:
        text = str(event["DESCRIPTION"])
        assert "$" not in text and "[" not in text, text  # nothing left to fill in
        assert_no_break_inside_a_sentence(text)
        found = drafts_of(text)
        links = re.findall(r"mailto:\S+", text)
        if links:
            assert str(event["URL"]) == links[0]
        else:
            assert "URL" not in event
        for greeting, subject, body, link in found:
            seen["drafts"] += 1
            assert not greeting.startswith(("Dear " + user.split()[0], "Guten Tag " + user))
            match = GREETING.match(greeting)
            if match and match.group(2) not in ("hiring team",):
                assert not re.search(r"talent|recruit|hiring|team|careers|jobs|\bhr\b", match.group(2), re.I), greeting
            if link is None:
                continue
            seen["links"] += 1
            assert len(link) <= 2000
            parts = urlsplit(link)
            address = unquote(parts.path)
            query = parse_qs(parts.query, strict_parsing=True)
            assert query["subject"] == [subject]
            decoded = query["body"][0].replace("\r\n", "\n")
            assert body.startswith(decoded) and decoded.startswith(greeting)
            assert not re.search(r"no-?reply", address)
            assert address in text.split("\n\n")[[i for i, b in enumerate(text.split("\n\n")) if link in b][0] - 1] \
                or f"<{address}>" in text
            if not any(greeting.endswith(t) for t in ("hiring team,", "Herren,", "Monsieur,", "selección:")):
                assert not is_role_address(address), (greeting, address)
    return seen


def test_sample_drafts_with_name_and_phone_set(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    events = export(tmp_path, SAMPLE, 'name = "Alex Rivera"\nphone = "+1 555 0100"\n')
    seen = check(events)
    assert seen["drafts"] > 20 and seen["links"] > 20
    texts = "\n".join(str(e["DESCRIPTION"]) for e in events)
    assert "Dear Globex" not in texts and "Dear Talent" not in texts and "Dear Recruiting" not in texts
    assert "+1 555 0100" in texts and "Alex Rivera" in texts
    assert "Guten Tag Jürgen Weiß," in texts  # the German invite gets German drafts


def test_sample_name_defaults_to_the_invites(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    events = export(tmp_path, SAMPLE, "")
    thank_you = [str(e["DESCRIPTION"]) for e in events if str(e["X-FOLLOWCAL-KIND"]) == "thank-you"]
    assert all("[Your name]" not in t and "\nAlex Rivera\n" in t for t in thank_you if "Draft" in t or "To:" in t)
    calls = [str(e["DESCRIPTION"]) for e in events if str(e["SUMMARY"]).startswith("Follow-up 2 (call)")]
    assert calls and all(t.count("[your phone number]") + t.count("[Ihre Telefonnummer]") == 1 for t in calls)


def test_single_interviewer_thank_you_is_short(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    events = export(tmp_path, SAMPLE, 'name = "Alex Rivera"\n')
    singles = [str(e["DESCRIPTION"]) for e in events
               if str(e["X-FOLLOWCAL-KIND"]) == "thank-you" and len(drafts_of(str(e["DESCRIPTION"]))) == 1]
    assert singles
    for text in singles:
        assert len(text) < 1500, (len(text), text)


def test_own_invites(tmp_path: Path, invites: Path) -> None:
    events = export(tmp_path, invites, 'name = "Alex Rivera"\nphone = "+44 20 7946 0000"\n', LOCAL_WORDS)
    seen = check(events)
    assert seen["links"] >= 10
    by = {}
    for event in events:
        by.setdefault(str(event["SUMMARY"]), str(event["DESCRIPTION"]))
    black = by["Thank-you note: Black Mesa (Research Engineer)"]
    assert "Dear Dr. Schneider," in black and "To: Dr. Eva Schneider <eva.schneider@blackmesa.example>" in black
    assert "recruiting@" not in black and "no-reply" not in black and "Greenhouse" not in black
    aperture = by["Gracious reply: Aperture Science"]
    assert "Dear hiring team," in aperture and "To: the Aperture Science hiring team <talent@aperture.example>" in aperture
    assert "replied" not in aperture and "Reply received" not in aperture
    assert "Guten Tag Dr. Karl Braun," in by["Thank-you note: Südwind AG"]
    assert "Bonjour Élodie Lefèvre," in by["Thank-you note: Lumière SA (Ingénieur logiciel)"]
    assert "Buenos días, José Ángel Núñez:" in by["Thank-you note: Sol Ibérica"]
    japanese = [str(e["URL"]) for e in events if "さくら" in str(e["SUMMARY"])]
    assert japanese and max(len(u) for u in japanese) <= 2000


def test_language_setting_wins(tmp_path: Path, invites: Path) -> None:
    events = export(tmp_path, invites, 'name = "Alex Rivera"\nlanguage = "es"\n', LOCAL_WORDS)
    texts = [str(e["DESCRIPTION"]) for e in events]
    assert all("Consejos:" in t for t in texts)


def test_feed_without_drafts(tmp_path: Path, invites: Path) -> None:
    from followcal.app.feeds import FeedBuilder
    from followcal.config import FeedConfig, load_settings

    config = tmp_path / "followcal.toml"
    config.write_text('name = "Alex Rivera"\nphone = "+1 555 0100"\nme = ["me@example.com"]\n'
                      f'[feeds.coach]\ndrafts = false\nfrom = ["{invites}"]\n', encoding="utf-8")
    settings = load_settings(config)
    assert settings.feeds["coach"] == FeedConfig("coach", (str(invites),), drafts=False)
    builder = FeedBuilder(settings, settings.feeds["coach"], path=tmp_path / "coach.ics")
    assert builder.refresh(force=True)
    events = list(Calendar.from_ical(builder.current.body).walk("VEVENT"))
    assert len(events) >= 8
    for event in events:
        text = str(event["DESCRIPTION"])
        for secret in ("Alex", "Rivera", "555", "@", "mailto", "Schneider", "Braun", "Lefèvre", "Núñez",
                       "Subject:", "Betreff", "Tanaka"):
            assert secret not in text, (secret, text)
        assert "URL" not in event
        if str(event["X-FOLLOWCAL-KIND"]) == "thank-you":
            assert re.search(r" 2026 \d\d:\d\d \(", text)  # by when (in the invite's language: by, bis, avant, antes)


@pytest.mark.parametrize("text, message", [
    ('language = "it"\n', "language must be one of en, de, fr, es"),
    ("name = 3\n", "name must be a string"),
    ("phone = []\n", "phone must be a string"),
    ('[feeds.x]\nfrom = ["a.ics"]\ndrafts = "no"\n', "feeds.x.drafts must be true or false"),
])
def test_bad_draft_settings_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    from followcal.config import load_settings
    from followcal.errors import ConfigError

    config = tmp_path / "followcal.toml"
    config.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(config)


def test_draft_settings_load(tmp_path: Path) -> None:
    from followcal.config import load_settings

    config = tmp_path / "followcal.toml"
    config.write_text('name = "  Alex   Rivera "\nphone = "+1 555 0100"\nlanguage = "DE"\n', encoding="utf-8")
    settings = load_settings(config)
    assert (settings.name, settings.phone, settings.language) == ("Alex Rivera", "+1 555 0100", "de")
