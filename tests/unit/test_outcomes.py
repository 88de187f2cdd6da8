"""`followcal mark` and `followcal status`, and R7's effect on plan, export and sync (file target).

Works on samples/interviews.ics (copied to a tmp folder) with --now 2026-11-22T12:00. Acme Corp:
interview Thu 2026-11-19, follow-up-1 11-27, follow-up-2 12-11, cut-off 12-18.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import support
from click.testing import Result
from support import NOW_TEXT as NOW, SAMPLE

from followcal.app.outcomes import describe_effect, mark_outcome, parse_outcome, resolve
from followcal.config import Settings
from followcal.core.model import Interview, Outcome, OutcomeRecord, Slot, Timeline, interview_id
from followcal.core.rules import Process
from followcal.errors import SelectorError, UsageError
from followcal.state import StateStore

RECORDED = date(2026, 11, 22)  # the day of NOW: when `run` makes a mark
ACME = interview_id("7kq2m9d4h1c8e3f5a6b0n2p4r6@google.com", None)
NY = ZoneInfo("America/New_York")


@pytest.fixture
def env(env: Path) -> dict[str, Path]:
    """A sample copy, a config whose [[sync]] reads it and writes an .ics target, the root conftest's state dir."""
    tmp_path = env
    source = tmp_path / "interviews.ics"
    # The sample's user declined Wonka; without `me` followcal now infers the user (issue 12) and
    # skips it (R8), so this copy accepts it: these tests need a Wonka process to mark.
    source.write_bytes(SAMPLE.read_bytes().replace(
        b"PARTSTAT=\r\n DECLINED;RSVP=TRUE:mailto:Me@Example.com", b"PARTSTAT=\r\n ACCEPTED;RSVP=TRUE:mailto:Me@Example.com"))
    target = tmp_path / "followups.ics"
    config = tmp_path / "followcal.toml"
    config.write_text(
        f'timezone = "America/New_York"\n\n[[sync]]\nname = "main"\nfrom = ["{source}"]\nto = ["{target}"]\n',
        encoding="utf-8",
    )
    state = tmp_path / "state"
    return {"source": source, "target": target, "config": config, "state": state, "tmp": tmp_path}


def run(env: dict[str, Path], *args: str) -> Result:
    if args and args[0] == "mark" and "--now" not in args:  # recorded at NOW (R7 counts from it)
        args = (*args, "--now", NOW)
    return support.run(env["config"], *args)


def plan(env: dict[str, Path]) -> dict[str, dict]:
    result = run(env, "plan", str(env["source"]), "--json", "--now", NOW)
    assert result.exit_code == 0, result.output
    return {i["id"]: i for i in json.loads(result.stdout)["interviews"]}


def latest_ids(env: dict[str, Path]) -> dict[str, str]:
    """company -> id of its latest interview (as `plan --json` shows them)."""
    found: dict[str, str] = {}
    for iv in sorted(plan(env).values(), key=lambda i: datetime.fromisoformat(i["start"])):
        found[iv["company"]] = iv["id"]
    return found


def reminders(interview: dict) -> dict[str, str]:
    return {r["kind"]: r["date"] for r in interview["reminders"]}


def stored(env: dict[str, Path]) -> dict[str, OutcomeRecord]:
    with StateStore(env["state"] / "state.sqlite3") as store:
        return store.outcomes()


# --- mark: selectors and words --------------------------------------------------------------------


def test_mark_by_company_any_case_reads_the_config_sources(env: dict[str, Path]) -> None:
    result = run(env, "mark", "aCmE cOrP", "rejected", "--on", "2026-11-24", "--note", "by phone")
    assert result.exit_code == 0, result.output
    line = result.stdout.strip()
    assert "\n" not in line
    assert line.startswith("Acme Corp (Backend Engineer): rejected on 2026-11-24")
    assert "follow-ups after 2026-11-24 cancelled" in line and "gracious-reply on 2026-11-25" in line
    rejected = OutcomeRecord(Outcome.REJECTED, date(2026, 11, 24), note="by phone", source="mark", recorded_on=RECORDED)
    assert stored(env) == {ACME: rejected}


def test_mark_by_id_and_by_id_prefix(env: dict[str, Path]) -> None:
    assert run(env, "mark", ACME, "offer", "--on", "2026-12-01").exit_code == 0
    assert stored(env)[ACME].outcome is Outcome.OFFER
    result = run(env, "mark", ACME[:6].upper(), "accepted", "--on", "2026-12-02")
    assert result.exit_code == 0, result.output
    assert stored(env) == {ACME: OutcomeRecord(Outcome.ACCEPTED, date(2026, 12, 2), source="mark", recorded_on=RECORDED)}


def test_mark_company_part_unique_works_ambiguous_lists_candidates(env: dict[str, Path]) -> None:
    assert run(env, "mark", "wonka", "withdrawn", "--on", "2026-11-23").exit_code == 0
    result = run(env, "mark", "Industries", "replied", "--on", "2026-11-23")
    assert result.exit_code == 1
    assert "matches 3 companies" in result.stderr
    assert len(stored(env)) == 1
    ids = latest_ids(env)
    for company in ("Stark Industries", "Vandelay Industries", "Wonka Industries"):
        assert f"{company} ({ids[company]}, " in result.stderr


def test_mark_unknown_selector_lists_the_interviews(env: dict[str, Path]) -> None:
    result = run(env, "mark", "Initrode", "replied")
    assert result.exit_code == 1
    assert "no interview matches 'Initrode'" in result.stderr
    assert f"Acme Corp ({ACME}, 2026-11-19)" in result.stderr
    assert result.stderr.count("\n") == 1  # one line
    assert not (env["state"] / "state.sqlite3").exists() or stored(env) == {}


def test_mark_company_resolves_to_latest_interview_of_latest_process(env: dict[str, Path]) -> None:
    ids = latest_ids(env)
    # Globex: 11-17 (first round) and 12-03 (same process): the mark lands on 12-03
    assert run(env, "mark", "globex", "replied", "--on", "2026-12-04").exit_code == 0
    assert list(stored(env)) == [ids["Globex"]]
    assert plan(env)[ids["Globex"]]["start"].startswith("2026-12-03")
    # Hooli: a weekly series of three recruiter calls in October: the last occurrence
    assert run(env, "mark", "hooli", "rejected", "--on", "2026-10-20").exit_code == 0
    assert ids["Hooli"] in stored(env)
    assert plan(env)[ids["Hooli"]]["start"].startswith("2026-10-19")


@pytest.mark.parametrize("word", ["bogus", "reject", "yes"])
def test_mark_bad_outcome_word_is_a_usage_error(env: dict[str, Path], word: str) -> None:
    result = run(env, "mark", "acme", word)
    assert result.exit_code == 2
    assert f"unknown outcome {word!r}" in result.stderr
    assert "replied, rejected, offer, accepted, withdrawn" in result.stderr


def test_mark_usage_errors(env: dict[str, Path], tmp_path: Path) -> None:
    assert run(env, "mark", "acme").exit_code == 2  # no OUTCOME and no --clear
    result = run(env, "mark", "acme", "rejected", "--decision-by", "2026-12-01")
    assert result.exit_code == 2 and "go with 'replied'" in result.stderr
    result = run(env, "mark", "acme", "replied", "--timeline", "soon")
    assert result.exit_code == 2 and "--timeline" in result.stderr
    empty = tmp_path / "empty.toml"
    empty.write_text('timezone = "America/New_York"\n', encoding="utf-8")
    result = support.run(empty, "mark", "acme", "replied")
    assert result.exit_code == 2 and "--source" in result.stderr
    result = support.run(empty, "mark", "acme", "replied", "--on", "2026-11-23", "--source", str(env["source"]))
    assert result.exit_code == 0, result.output


def test_mark_replied_stores_the_new_timeline_and_clear_forgets(env: dict[str, Path]) -> None:
    result = run(env, "mark", "acme", "replied", "--on", "2026-11-25", "--timeline", "2 weeks")
    assert result.exit_code == 0, result.output
    assert "follow-ups restart: follow-up-1 2026-12-10" in result.stdout
    assert stored(env)[ACME].timeline == Timeline(2, "weeks")
    result = run(env, "mark", "acme", "--clear")
    assert result.exit_code == 0 and "cleared" in result.stdout
    assert "follow-up-1 2026-11-27" in result.stdout
    assert stored(env) == {}
    assert "nothing to clear" in run(env, "mark", "acme", "--clear").stdout


def test_a_new_mark_replaces_the_earlier_one_of_the_process(env: dict[str, Path]) -> None:
    first = next(i["id"] for i in plan(env).values() if i["company"] == "Globex")
    assert run(env, "mark", first, "replied", "--on", "2026-12-20").exit_code == 0  # Globex round 1
    assert list(stored(env)) == [first]
    assert run(env, "mark", "globex", "rejected", "--on", "2026-12-10").exit_code == 0  # its latest
    latest = latest_ids(env)["Globex"]
    assert latest != first
    assert stored(env) == {latest: OutcomeRecord(Outcome.REJECTED, date(2026, 12, 10), source="mark", recorded_on=RECORDED)}


def test_mark_on_defaults_to_today_in_the_config_zone(env: dict[str, Path]) -> None:
    settings = Settings(timezone="America/New_York")
    late = datetime(2026, 11, 25, 23, 30, tzinfo=NY)  # already the 26th in UTC
    line = mark_outcome(settings, "acme", "withdrawn", sources=[str(env["source"])], now=late)
    assert stored(env)[ACME].on == date(2026, 11, 25)
    assert "withdrawn on 2026-11-25" in line


def test_mark_before_the_interview_warns(env: dict[str, Path]) -> None:
    warnings: list[str] = []
    line = mark_outcome(Settings(), "acme", "rejected", on=date(2026, 11, 1), sources=[str(env["source"])],
                        warn=warnings.extend)
    assert "no pending reminders change" in line
    assert any("before the latest interview" in w for w in warnings)


def _iv(ident: str, company: str, day: int) -> Interview:
    start = datetime(2026, 11, day, 10, tzinfo=NY)
    return Interview(ident, ident + "@x", None, "Interview", company, None, start, start + timedelta(hours=1),
                     "America/New_York", "US")


def test_resolve_pure() -> None:
    a1, a2 = _iv("abcdef111111", "Acme", 2), _iv("abcdef222222", "Acme", 20)
    b = _iv("123456aaaaaa", "Acme Labs", 5)
    procs = [Process("Acme", (a1,)), Process("Acme", (a2,)), Process("Acme Labs", (b,))]
    assert resolve("ABCDEF111111", procs) is a1
    assert resolve("acme", procs) is a2  # exact name wins over "Acme Labs"; latest process
    assert resolve("labs", procs) is b
    assert resolve("123456", procs) is b
    with pytest.raises(SelectorError, match="start of several interview ids.*abcdef111111.*abcdef222222"):
        resolve("abcdef", procs)
    with pytest.raises(SelectorError, match="no interview"):
        resolve("abcde", procs)  # too short for a prefix, matches no company
    with pytest.raises(SelectorError, match="no interview"):
        resolve("x", [])
    with pytest.raises(UsageError, match="unknown outcome"):
        parse_outcome("maybe")
    assert parse_outcome(" Rejected ") is Outcome.REJECTED


def test_describe_effect() -> None:
    def slot(kind: str, day: date) -> Slot:
        return Slot(kind, day, datetime.combine(day, datetime.min.time(), NY), "email")

    before = [slot("follow-up-1", date(2026, 11, 27)), slot("cut-off", date(2026, 12, 4))]
    record = OutcomeRecord(Outcome.OFFER, date(2026, 12, 1))
    assert describe_effect(before, before[:1], record) == "follow-ups after 2026-12-01 cancelled (cut-off 2026-12-04)"
    assert describe_effect(before, before, record) == "no pending reminders change"


# --- R7 everywhere: plan, export, sync -------------------------------------------------------------

BASE = {"thank-you": "2026-11-19", "follow-up-1": "2026-11-27", "follow-up-2": "2026-12-11", "cut-off": "2026-12-18"}
EFFECTS = {
    ("replied",): {"thank-you": "2026-11-19", "follow-up-1": "2026-11-27"},
    ("rejected",): {"thank-you": "2026-11-19", "follow-up-1": "2026-11-27", "gracious-reply": "2026-12-02"},
    ("offer",): {"thank-you": "2026-11-19", "follow-up-1": "2026-11-27"},
    ("accepted",): {"thank-you": "2026-11-19", "follow-up-1": "2026-11-27"},
    ("withdrawn",): {"thank-you": "2026-11-19", "follow-up-1": "2026-11-27"},
    ("replied", "--decision-by", "2026-12-11"): {"thank-you": "2026-11-19", "follow-up-1": "2026-12-14",
                                                 "follow-up-2": "2026-12-29", "cut-off": "2027-01-06"},
}
CASES = [pytest.param(args, want, id="-".join(a.lstrip("-") for a in args)) for args, want in EFFECTS.items()]


@pytest.mark.parametrize(("args", "want"), CASES)
def test_outcome_effect_on_plan(env: dict[str, Path], args: tuple[str, ...], want: dict[str, str]) -> None:
    assert reminders(plan(env)[ACME]) == BASE
    assert run(env, "mark", "acme", args[0], "--on", "2026-12-01", *args[1:]).exit_code == 0
    after = plan(env)
    assert reminders(after[ACME]) == want
    assert after[ACME]["outcome"] == args[0] and after[ACME]["outcome_on"] == "2026-12-01"
    wonka = next(i for i in after.values() if i["company"] == "Wonka Industries")
    assert reminders(wonka)["cut-off"] == "2026-12-21"  # other processes untouched


def _kinds_in(path: Path, company: str = "Acme Corp") -> dict[str, str]:
    import icalendar

    out = {}
    for event in icalendar.Calendar.from_ical(path.read_bytes()).walk("VEVENT"):
        if company in str(event["SUMMARY"]):
            out[str(event["X-FOLLOWCAL-KIND"])] = event["DTSTART"].dt.date().isoformat()
    return out


@pytest.mark.parametrize(("args", "want"), CASES)
def test_outcome_effect_on_export(env: dict[str, Path], args: tuple[str, ...], want: dict[str, str]) -> None:
    out = env["tmp"] / "export.ics"
    assert run(env, "export", str(env["source"]), "-o", str(out), "--now", NOW).exit_code == 0
    assert _kinds_in(out) == BASE
    assert run(env, "mark", "acme", args[0], "--on", "2026-12-01", *args[1:]).exit_code == 0
    assert run(env, "export", str(env["source"]), "-o", str(out), "--now", NOW).exit_code == 0
    assert _kinds_in(out) == want


@pytest.mark.parametrize(("args", "want"), CASES)
def test_outcome_effect_on_sync_to_a_file(env: dict[str, Path], args: tuple[str, ...], want: dict[str, str]) -> None:
    first = run(env, "sync", "--now", NOW)
    assert first.exit_code == 0, first.output
    assert _kinds_in(env["target"]) == BASE
    assert run(env, "mark", "acme", args[0], "--on", "2026-11-24", *args[1:]).exit_code == 0
    dry = run(env, "sync", "--dry-run", "--json", "--now", NOW)
    ops = {(a["op"], a["kind"]) for a in json.loads(dry.stdout)["syncs"][0]["targets"][0]["actions"]}
    assert ops  # the mark changes something in the target
    second = run(env, "sync", "--now", NOW)
    assert second.exit_code == 0, second.output
    got = _kinds_in(env["target"])
    if args[0] == "rejected":
        assert got == {"thank-you": "2026-11-19", "gracious-reply": "2026-11-25"}
        assert ("create", "gracious-reply") in ops and ("delete", "follow-up-1") in ops
    elif len(args) > 1:
        assert got == want  # the chain restarts after the new decision date: updates
        assert ("update", "follow-up-1") in ops
    else:
        assert got == {"thank-you": "2026-11-19"}
        assert {("delete", k) for k in ("follow-up-1", "follow-up-2", "cut-off")} <= ops
    assert "up to date" in run(env, "sync", "--now", NOW).stdout  # nothing left to do


def test_outcome_line_in_the_interview_event_works_like_mark(env: dict[str, Path]) -> None:
    text = env["source"].read_text(encoding="utf-8")
    acme = "DESCRIPTION:Hi Alex\\,\\n\\nThanks for making time"
    assert text.count(acme) == 1
    text = text.replace(acme, "DESCRIPTION:Outcome: rejected 2026-11-24\\nHi Alex\\,\\n\\nThanks for making time")
    env["source"].write_text(text, encoding="utf-8")
    acme = plan(env)[ACME]
    assert acme["outcome"] == "rejected" and acme["outcome_on"] == "2026-11-24"
    assert reminders(acme) == {"thank-you": "2026-11-19", "gracious-reply": "2026-11-25"}
    status = json.loads(run(env, "status", "--json", "--now", NOW).stdout)
    assert status[0]["company"] == "Acme Corp" and status[0]["outcome"] == "rejected"


def test_every_reminder_says_how_to_record_an_outcome(env: dict[str, Path]) -> None:
    import icalendar

    out = env["tmp"] / "export.ics"
    assert run(env, "export", str(env["source"]), "-o", str(out), "--now", NOW).exit_code == 0
    events = list(icalendar.Calendar.from_ical(out.read_bytes()).walk("VEVENT"))
    assert events
    for event in events:
        description = str(event["DESCRIPTION"])
        assert f"followcal mark {event['X-FOLLOWCAL-INTERVIEW']} replied" in description
        assert "Outcome: replied" in description


# --- status ---------------------------------------------------------------------------------------


def test_status_json_one_row_per_process_soonest_first(env: dict[str, Path]) -> None:
    result = run(env, "status", "--json", "--now", NOW)
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [r["company"] for r in rows] == [
        "Acme Corp", "Initech", "Wonka Industries", "Stark Industries", "Globex", "Umbrella",
        "Vandelay Industries", "Nordwind GmbH", "Hooli",
    ]
    assert set(rows[0]) >= {"company", "role", "last_interview", "interview_id", "next_action", "outcome"}
    assert rows[0] == {
        "company": "Acme Corp", "role": "Backend Engineer", "last_interview": "2026-11-19T14:00:00-05:00",
        "interview_id": ACME, "next_action": {"kind": "follow-up-1", "date": "2026-11-27",
                                              "due": "2026-11-27T10:00:00-05:00"},
        "outcome": None, "outcome_on": None,
    }
    assert rows[-1]["next_action"] is None  # Hooli: cut-off 11-17 is past
    dues = [r["next_action"]["due"] for r in rows if r["next_action"]]
    assert dues == sorted(dues, key=datetime.fromisoformat)


def test_status_after_marks(env: dict[str, Path]) -> None:
    assert run(env, "mark", "acme", "offer", "--on", "2026-11-20").exit_code == 0
    assert run(env, "mark", "wonka", "rejected", "--on", "2026-11-23").exit_code == 0
    rows = {r["company"]: r for r in json.loads(run(env, "status", "--json", "--now", NOW).stdout)}
    assert rows["Acme Corp"]["next_action"] is None and rows["Acme Corp"]["outcome"] == "offer"
    assert rows["Wonka Industries"]["next_action"]["kind"] == "gracious-reply"
    assert rows["Wonka Industries"]["next_action"]["date"] == "2026-11-24"
    order = [r["company"] for r in json.loads(run(env, "status", "--json", "--now", NOW).stdout)]
    assert order[0] == "Wonka Industries"
    assert order[-2:] == ["Acme Corp", "Hooli"]  # no next action: last, latest interview first


def test_status_table_and_sources_option(env: dict[str, Path], tmp_path: Path) -> None:
    empty = tmp_path / "empty.toml"
    empty.write_text("", encoding="utf-8")
    result = support.run(empty, "status", "--source", str(env["source"]), "--now", NOW)
    assert result.exit_code == 0, result.output
    assert "followcal status" in result.stdout and "Acme Corp" in result.stdout
    assert support.run(empty, "status").exit_code == 2


# --- two processes at once ------------------------------------------------------------------------


def test_two_mark_commands_at_once_are_both_recorded(env: dict[str, Path]) -> None:
    """Two real `followcal mark` processes started together both land in the state store."""
    import os
    import subprocess
    import sys

    environ = {**os.environ, "FOLLOWCAL_STATE_DIR": str(env["state"])}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "followcal", "--config", str(env["config"]), "mark", selector,
             "rejected", "--on", "2026-12-01"],
            env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for selector in ("acme", "initech")
    ]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    assert set(stored(env)) == {ACME, latest_ids(env)["Initech"]}


def test_a_rejection_marked_late_gets_its_gracious_reply_after_the_mark(env: dict[str, Path]) -> None:
    """R7 (issue 10): `mark acme rejected --on <a week ago>` never schedules the reply in the past,
    and status then shows it as the next action; the plan stays the same from run to run."""
    later = "2026-12-02T15:00"  # a Wednesday; the rejection came on Tue Nov 24
    assert run(env, "mark", "acme", "rejected", "--on", "2026-11-24", "--now", later).exit_code == 0
    assert stored(env)[ACME].recorded_on == date(2026, 12, 2)
    for now in (later, "2026-12-20T12:00"):
        result = run(env, "plan", str(env["source"]), "--json", "--now", now)
        acme = {i["id"]: i for i in json.loads(result.stdout)["interviews"]}[ACME]
        assert reminders(acme) == {"thank-you": "2026-11-19", "gracious-reply": "2026-12-03"}
    status = json.loads(run(env, "status", "--json", "--now", later).stdout)
    row = next(r for r in status if r["company"] == "Acme Corp")
    assert row["next_action"]["kind"] == "gracious-reply" and row["next_action"]["date"] == "2026-12-03"
