"""followcal respects what the user changed in a target calendar, on a real Radicale server.

Between syncs the user deletes, moves or edits reminders with an ordinary CalDAV client (the
`caldav` library here): a deleted reminder is not re-created until its interview changes, a moved
or edited one is left as the user made it, both are reported (dry-run and real run), and
`sync --force` overrides both. Outcomes (`mark`) reach the CalDAV target the same way.
"""

from __future__ import annotations

import json
import shutil
from datetime import timedelta
from pathlib import Path

import caldav
import pytest
from click.testing import Result
from servers import Server
from support import NOW_TEXT as NOW, SAMPLE, run

from followcal.core.model import interview_id

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

ACME_UID = "7kq2m9d4h1c8e3f5a6b0n2p4r6@google.com"
ACME = interview_id(ACME_UID, None)


class Env:
    def __init__(self, server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.server = server
        self.source = tmp_path / "interviews.ics"
        shutil.copy(SAMPLE, self.source)
        monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
        monkeypatch.setenv("DAV_PASSWORD", server.password)
        self.config = tmp_path / "followcal.toml"
        self.config.write_text(
            'region = "US"\ntimezone = "America/New_York"\n\n'
            f'[accounts.work]\ntype = "caldav"\nurl = "{server.url}"\nusername = "{server.username}"\n'
            'password_env = "DAV_PASSWORD"\ntimeout = 10\n\n'
            f'[[sync]]\nname = "main"\nfrom = ["{self.source}"]\nto = ["work:Follow-ups"]\n',
            encoding="utf-8",
        )

    def run(self, *args: str) -> Result:
        return run(self.config, *args)

    def sync(self, *args: str) -> Result:
        result = self.run("sync", "--now", NOW, *args)
        assert result.exit_code == 0, result.output
        return result

    def actions(self, *args: str) -> list[dict]:
        data = json.loads(self.sync("--dry-run", "--json", *args).stdout)
        return data["syncs"][0]["targets"][0]["actions"]

    def calendar(self) -> caldav.Calendar:
        """The target calendar through an independent CalDAV client, as a user's app sees it."""
        client = caldav.DAVClient(self.server.url, username=self.server.username, password=self.server.password)
        return client.calendar(url=self.server.calendar_url("follow-ups"))

    def reminders(self) -> dict[str, object]:
        """kind -> VEVENT of Acme's reminders on the server."""
        out = {}
        for event in self.calendar().events():
            component = event.icalendar_component
            if str(component.get("X-FOLLOWCAL-INTERVIEW")) == ACME:
                out[str(component["X-FOLLOWCAL-KIND"])] = component
        return out

    def uid(self, kind: str) -> str:
        return str(self.reminders()[kind]["UID"])


def ops(result: Result) -> list[str]:
    """The operation word of each action line a sync printed ("create", "skip", ...)."""
    return [line.split()[0] for line in result.stdout.splitlines() if line.startswith("  ")]


@pytest.fixture
def env(radicale: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Env:
    env = Env(radicale, tmp_path, monkeypatch)
    first = env.sync()
    assert set(ops(first)) == {"create"}
    assert set(env.reminders()) == {"thank-you", "follow-up-1", "follow-up-2", "cut-off"}
    return env


def test_a_reminder_the_user_deleted_is_not_recreated(env: Env) -> None:
    uid = env.uid("follow-up-1")
    env.calendar().event_by_uid(uid).delete()

    assert env.actions() == [{"op": "skip", "uid": uid, "reason": "deleted by you: not re-created"}]
    result = env.sync()
    assert ops(result) == ["skip"] and "deleted by you" in result.stdout
    assert "follow-up-1" not in env.reminders()
    again = env.sync()  # stays deleted, run after run, and nothing is written
    assert ops(again) == ["skip"] and "follow-up-1" not in env.reminders()

    forced = env.sync("--force")
    assert ops(forced) == ["create"]
    assert env.reminders()["follow-up-1"]["DTSTART"].dt.date().isoformat() == "2026-11-27"
    assert "up to date" in env.sync().stdout


def test_a_deleted_reminder_comes_back_when_its_interview_changes(env: Env) -> None:
    uid = env.uid("follow-up-1")
    env.calendar().event_by_uid(uid).delete()
    env.sync()
    assert "follow-up-1" not in env.reminders()
    # the interview moves a day later: every reminder's content changes, so it is a new intent
    text = env.source.read_text(encoding="utf-8")
    text = text.replace("DTSTART;TZID=America/New_York:20261119T140000", "DTSTART;TZID=America/New_York:20261120T140000")
    text = text.replace("DTEND;TZID=America/New_York:20261119T150000", "DTEND;TZID=America/New_York:20261120T150000")
    env.source.write_text(text, encoding="utf-8")
    ops = {(a["op"], a["kind"]) for a in env.actions() if a["op"] != "skip"}
    assert ("create", "follow-up-1") in ops
    env.sync()
    assert env.reminders()["follow-up-1"]["DTSTART"].dt.date().isoformat() == "2026-11-30"


def test_a_reminder_the_user_moved_or_edited_is_left_alone(env: Env) -> None:
    calendar = env.calendar()
    moved_uid, edited_uid = env.uid("follow-up-2"), env.uid("cut-off")
    moved = calendar.event_by_uid(moved_uid)
    component = moved.icalendar_component
    start, end = component["DTSTART"].dt, component["DTEND"].dt
    component["DTSTART"].dt = start + timedelta(days=3)
    component["DTEND"].dt = end + timedelta(days=3)
    moved.save()
    edited = calendar.event_by_uid(edited_uid)
    edited.icalendar_component["SUMMARY"] = "Cut-off: Acme (called them, waiting)"
    edited.save()

    skips = {a["uid"]: a["reason"] for a in env.actions() if a["op"] == "skip"}
    assert skips == {moved_uid: "edited by you: left as you made it", edited_uid: "edited by you: left as you made it"}
    result = env.sync()
    assert ops(result) == ["skip", "skip"] and result.stdout.count("edited by you") == 2
    now = env.reminders()
    assert now["follow-up-2"]["DTSTART"].dt.date() == (start + timedelta(days=3)).date()
    assert str(now["cut-off"]["SUMMARY"]) == "Cut-off: Acme (called them, waiting)"
    assert ops(env.sync()) == ["skip", "skip"]

    forced = env.sync("--force")
    assert ops(forced) == ["update", "update"]
    now = env.reminders()
    assert now["follow-up-2"]["DTSTART"].dt.date().isoformat() == "2026-12-11"
    assert str(now["cut-off"]["SUMMARY"]).startswith("Cut-off: move on from Acme Corp")
    assert "up to date" in env.sync().stdout


def test_outcome_marks_reach_the_caldav_target(env: Env) -> None:
    result = env.run("mark", "acme", "rejected", "--on", "2026-11-24", "--now", NOW)  # recorded then (R7)
    assert result.exit_code == 0, result.output
    assert "run `followcal sync`" in result.stdout
    ops = {(a["op"], a["kind"]) for a in env.actions()}
    assert ops == {("delete", "follow-up-1"), ("delete", "follow-up-2"), ("delete", "cut-off"),
                   ("create", "gracious-reply")}
    env.sync()
    now = env.reminders()
    assert set(now) == {"thank-you", "gracious-reply"}
    assert now["gracious-reply"]["DTSTART"].dt.date().isoformat() == "2026-11-25"
    # changing the answer: replied with a new decision date restarts the chain after it
    assert env.run("mark", "acme", "replied", "--on", "2026-11-24", "--decision-by", "2026-12-11").exit_code == 0
    env.sync()
    now = env.reminders()
    assert {k: v["DTSTART"].dt.date().isoformat() for k, v in now.items() if k != "thank-you"} == {
        "follow-up-1": "2026-12-14", "follow-up-2": "2026-12-29", "cut-off": "2027-01-06"}
    status = json.loads(env.run("status", "--json", "--now", NOW).stdout)
    acme = next(r for r in status if r["company"] == "Acme Corp")
    assert acme["outcome"] == "replied" and acme["next_action"]["kind"] == "follow-up-1"


def test_file_target_keeps_a_user_edit_and_a_user_deletion(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same loop for an .ics file target (rewritten whole on every sync)."""
    import icalendar

    source, target = tmp_path / "interviews.ics", tmp_path / "followups.ics"
    shutil.copy(SAMPLE, source)
    config = tmp_path / "followcal.toml"
    config.write_text(f'timezone = "America/New_York"\n[[sync]]\nname = "f"\nfrom = ["{source}"]\nto = ["{target}"]\n',
                      encoding="utf-8")
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))

    def sync(*args: str) -> Result:
        result = run(config, "sync", "--now", NOW, *args)
        assert result.exit_code == 0, result.output
        return result

    def acme() -> dict[str, object]:
        cal = icalendar.Calendar.from_ical(target.read_bytes())
        return {str(e["X-FOLLOWCAL-KIND"]): e for e in cal.walk("VEVENT") if str(e["X-FOLLOWCAL-INTERVIEW"]) == ACME}

    sync()
    cal = icalendar.Calendar.from_ical(target.read_bytes())
    for event in list(cal.subcomponents):
        if event.name == "VEVENT" and str(event.get("X-FOLLOWCAL-INTERVIEW")) == ACME:
            if str(event["X-FOLLOWCAL-KIND"]) == "cut-off":
                event["SUMMARY"] = "Cut-off: my own words"
            elif str(event["X-FOLLOWCAL-KIND"]) == "follow-up-2":
                cal.subcomponents.remove(event)
    target.write_bytes(cal.to_ical())

    for _ in range(2):  # stable: run after run
        result = sync()
        assert ops(result) == ["skip", "skip"]
        assert "edited by you" in result.stdout and "deleted by you" in result.stdout
        assert set(acme()) == {"thank-you", "follow-up-1", "cut-off"}
        assert str(acme()["cut-off"]["SUMMARY"]) == "Cut-off: my own words"
    assert sorted(ops(sync("--force"))) == ["create", "update"]
    assert str(acme()["cut-off"]["SUMMARY"]).startswith("Cut-off: move on from Acme Corp")
    assert "follow-up-2" in acme()
    assert "up to date" in sync().stdout
