"""`followcal sync` / `calendars` against Google, through the real google-api-python-client and
the loopback fake of Calendar v3 (tests/integration/fake_google.py). No traffic leaves 127.0.0.1."""

from __future__ import annotations

import json
import os
import re
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
from fake_google import FakeGoogle  # tests/integration is on sys.path (conftest.py)
from support import NOW_TEXT as NOW, SAMPLE, run

from followcal.backends import google, google_auth, google_map
from followcal.core.model import SourceEvent, Window
from followcal.ical import read as ics

pytestmark = pytest.mark.integration

_STATUS = {"ACCEPTED": "accepted", "DECLINED": "declined", "TENTATIVE": "tentative", "NEEDS-ACTION": "needsAction"}


def _when(value, default_tz: str = "America/New_York") -> dict:
    if isinstance(value, datetime):
        zone = getattr(value.tzinfo, "key", None) or default_tz
        return {"dateTime": value.isoformat(), "timeZone": zone}
    return {"date": value.isoformat()}


def google_event(event: SourceEvent) -> dict:
    """A SourceEvent (read from the sample .ics) as the event JSON Google would hold."""
    body = {
        "iCalUID": event.uid,
        "summary": event.summary,
        "description": event.description,
        "start": _when(event.start),
        "end": _when(event.end or event.start),
        "status": (event.status or "CONFIRMED").lower(),
    }
    if event.organizer:
        body["organizer"] = {"email": event.organizer.email, "displayName": event.organizer.name}
    if event.attendees:
        body["attendees"] = [
            {"email": a.email, "displayName": a.name, "responseStatus": _STATUS.get(a.partstat or "", "needsAction")}
            for a in event.attendees
        ]
    if event.recurrence_id is not None:
        body["recurringEventId"] = google_map.event_id(event.uid)[:20]
        body["originalStartTime"] = _when(event.recurrence_id)
    return body


def sample_bytes() -> bytes:
    """The sample without CATEGORIES, which Google events cannot carry (same input both ways)."""
    return re.sub(rb"(?m)^CATEGORIES[:;].*\r?\n(?:[ \t].*\r?\n)*", b"", SAMPLE.read_bytes())


def seed_sample(fake: FakeGoogle, filler: int = 0) -> str:
    """The sample interviews in a Google calendar "Interviews" (after `filler` other events)."""
    cid = fake.add_calendar("Interviews", tz="America/New_York")
    for i in range(filler):
        start = datetime(2026, 11, 2, 9, tzinfo=UTC) + timedelta(hours=i)
        fake.add_event(cid, {"summary": f"Dentist {i}", "start": {"dateTime": start.isoformat()},
                             "end": {"dateTime": (start + timedelta(minutes=30)).isoformat()}})
    now = datetime.fromisoformat(NOW).replace(tzinfo=UTC)
    events, _ = ics.read_calendar(sample_bytes(), str(SAMPLE), Window(), keywords=None, now=now)
    for event in events:
        fake.add_event(cid, google_event(event))
    return cid


def write_config(env: Path, fake: FakeGoogle, *, token: str = "none", extra: str = "", to: str = "g:Follow-ups") -> Path:
    path = env / "followcal.toml"
    path.write_text(
        f'''timezone = "America/New_York"
region = "US"
me = ["me@example.com"]

[accounts.g]
type = "google"
api_endpoint = "{fake.url}"
token = "{token}"
{extra}

[[sync]]
name = "main"
from = ["g:Interviews"]
to = ["{to}"]
''',
        encoding="utf-8",
    )
    return path


def sync(config: Path):
    result = run(config, "sync", "--now", NOW)
    assert result.exit_code == 0, result.output
    return result


def export_uids(config: Path, env: Path) -> set[str]:
    out = env / "export.ics"
    source = env / "interviews.ics"
    source.write_bytes(sample_bytes())
    result = run(config, "export", str(source), "-o", str(out), "--now", NOW)
    assert result.exit_code == 0, result.output
    calendar = icalendar.Calendar.from_ical(out.read_bytes())
    return {str(e["UID"]) for e in calendar.walk("VEVENT")}


def reminders(fake: FakeGoogle, *, deleted: bool = False) -> list[dict]:
    return fake.items(fake.calendar_id("Follow-ups"), deleted=deleted)


def test_first_sync_writes_the_export_uids_in_batches(fake, env):
    seed_sample(fake)
    config = write_config(env, fake)
    sync(config)
    items = reminders(fake)
    uids = export_uids(config, env)
    assert uids and {i["iCalUID"] for i in items} == uids
    for item in items:
        private = item["extendedProperties"]["private"]
        assert item["id"] == google_map.event_id(item["iCalUID"])
        assert private["followcal"] == "1" and private["uid"] == item["iCalUID"] and private["kind"]
        assert private["interview_uid"] and private["hash"] and private["interview_start"].endswith("Z")
        assert all(len(k) <= 44 and len(v) <= 1024 for k, v in private.items())
        assert item["reminders"] == {"useDefault": False, "overrides": [{"method": "popup", "minutes": 0}]}
        assert "date" in item["start"] or item["start"]["timeZone"]
    writes = fake.writes()
    assert writes and all(c.in_batch for c in writes if "/events" in c.path)
    assert fake.batches == -(-len(items) // google.BATCH_SIZE)


def test_resync_with_unchanged_input_writes_nothing(fake, env):
    seed_sample(fake)
    config = write_config(env, fake)
    sync(config)
    fake.reset_counts()
    result = sync(config)
    assert fake.writes() == [] and fake.batches == 0
    listed = [c for c in fake.calls if c.path.endswith("/events") and c.method == "GET"]
    assert any("syncToken" in c.query for c in listed)  # incremental read of the reminder calendar
    assert "error" not in result.output.lower()


def test_moved_interview_moves_its_reminders(fake, env):
    cid = seed_sample(fake)
    config = write_config(env, fake)
    sync(config)
    acme = next(e for e in fake.items(cid) if "Acme" in e["summary"])
    before = {i["id"]: i["start"] for i in reminders(fake)
              if i["extendedProperties"]["private"]["interview_uid"] == acme["iCalUID"]}
    assert before
    moved = {k: {**acme[k], "dateTime": (datetime.fromisoformat(acme[k]["dateTime"]) + timedelta(days=2)).isoformat()}
             for k in ("start", "end")}
    fake.change_event(cid, acme["id"], **moved)
    fake.reset_counts()
    sync(config)
    after = {i["id"]: i for i in reminders(fake) if i["extendedProperties"]["private"]["interview_uid"] == acme["iCalUID"]}
    assert set(after) == set(before)  # same ids: updated in place
    assert any(after[k]["start"] != before[k] for k in after)
    assert all(i["sequence"] >= 1 for k, i in after.items() if i["start"] != before[k])
    assert {c.method for c in fake.writes()} == {"PUT"}


def test_cancelled_interview_removes_future_reminders_and_restores_them(fake, env):
    cid = seed_sample(fake)
    config = write_config(env, fake)
    sync(config)
    nordwind = next(e for e in fake.items(cid) if "Vandelay" in e["summary"])
    ours = {i["id"] for i in reminders(fake) if i["extendedProperties"]["private"]["interview_uid"] == nordwind["iCalUID"]}
    assert ours
    fake.change_event(cid, nordwind["id"], status="cancelled")
    fake.reset_counts()
    sync(config)
    gone = {i["id"]: i for i in reminders(fake, deleted=True) if i["id"] in ours}
    assert all(i["status"] == "cancelled" for i in gone.values())
    assert {c.method for c in fake.writes()} == {"DELETE"}
    fake.change_event(cid, nordwind["id"], status="confirmed")
    fake.reset_counts()
    sync(config)
    back = {i["id"]: i for i in reminders(fake) if i["id"] in ours}
    assert set(back) == ours and all(i["status"] == "confirmed" for i in back.values())
    assert {c.method for c in fake.writes()} == {"PUT"}  # restored by update, never inserted again


def test_foreign_event_in_the_reminder_calendar_is_untouched(fake, env):
    seed_sample(fake)
    target = fake.add_calendar("Follow-ups")
    foreign = fake.add_event(target, {"summary": "Interview with Initech (my own note)",
                                      "start": {"dateTime": "2026-12-01T10:00:00Z"},
                                      "end": {"dateTime": "2026-12-01T11:00:00Z"}})
    config = write_config(env, fake)
    sync(config)
    sync(config)
    assert fake.events[target][foreign["id"]]["etag"] == foreign["etag"]
    touched = [c for c in fake.writes() if foreign["id"] in c.path]
    assert touched == []


def test_own_reminders_are_never_read_as_interviews(fake, env):
    seed_sample(fake)
    config = write_config(env, fake, to="g:Interviews")
    sync(config)
    count = len(fake.items(fake.calendar_id("Interviews")))
    fake.reset_counts()
    sync(config)
    assert fake.writes() == []
    assert len(fake.items(fake.calendar_id("Interviews"))) == count


def test_interviews_on_a_later_page_are_read(fake, env):
    fake.max_page = 4
    seed_sample(fake, filler=30)
    config = write_config(env, fake)
    sync(config)
    assert {i["iCalUID"] for i in reminders(fake)} == export_uids(config, env)
    paged = [c for c in fake.calls if c.method == "GET" and c.path.endswith("/events") and "pageToken" in c.query]
    assert len(paged) >= 8


def test_rate_limits_and_server_errors_are_retried(fake, env):
    seed_sample(fake)
    fake.add_calendar("Follow-ups")
    fake.fail("POST", "/batch", 503, times=1)  # the whole batch once
    fake.fail("POST", "/events", 503, times=2)
    fake.fail("POST", "/events", 429, "rateLimitExceeded", times=1)
    fake.fail("POST", "/events", 403, "userRateLimitExceeded", times=1)
    fake.fail("GET", "/events", 500, times=1)
    config = write_config(env, fake)
    sync(config)
    items = reminders(fake)
    assert {i["iCalUID"] for i in items} == export_uids(config, env)
    inserts = [c for c in fake.calls if c.method == "POST" and c.path.endswith("/events")]
    assert len(inserts) == len(items) + 4  # four calls failed once and were resent
    assert fake.batches == 2  # the first batch failed whole (503), then one retry batch
    assert all(f.times == 0 for f in fake.faults)


def test_permanent_error_fails_with_one_line(fake, env):
    seed_sample(fake)
    fake.add_calendar("Follow-ups")
    fake.fail("POST", "/events", 400, "invalid", times=1)
    config = write_config(env, fake)
    result = run(config, "sync", "--now", NOW)
    assert result.exit_code == 1
    assert "HTTP 400" in result.output and "Traceback" not in result.output


def test_insert_conflict_409_reads_the_stored_sequence_then_updates(fake, env):
    """An id already taken (an interrupted run, another machine) whose event changed 3 times:
    Google refuses a sequence below 3, so the backend reads it (GET) before the update (PUT)."""
    seed_sample(fake)
    target = fake.add_calendar("Follow-ups")
    config = write_config(env, fake)
    uid = sorted(export_uids(config, env))[0]
    fake.add_event(target, {"id": google_map.event_id(uid), "iCalUID": uid, "summary": "half-written", "sequence": 3,
                            "start": {"dateTime": "2026-12-01T10:00:00Z"}, "end": {"dateTime": "2026-12-01T10:30:00Z"}})
    sync(config)
    item = fake.events[target][google_map.event_id(uid)]
    assert item["summary"] != "half-written" and item["extendedProperties"]["private"]["uid"] == uid
    assert item["sequence"] == 4
    touched = [c.method for c in fake.calls if google_map.event_id(uid) in c.path]
    assert touched == ["GET", "PUT"]
    assert [m for m, _, i in fake.applied if i == google_map.event_id(uid)] == ["PUT"]
    fake.reset_counts()
    sync(config)
    assert fake.writes() == []


def test_expired_sync_token_410_reads_everything_again(fake, env):
    seed_sample(fake)
    config = write_config(env, fake)
    sync(config)
    fake.expire_sync_tokens()
    fake.reset_counts()
    sync(config)
    assert fake.writes() == []
    listed = [c for c in fake.calls if c.method == "GET" and c.path.endswith("/events")]
    assert any("syncToken" in c.query for c in listed)
    assert any("syncToken" not in c.query and c.query.get("showDeleted") == "true" for c in listed)


def test_calendars_lists_names_and_ids(fake, env):
    cid = fake.add_calendar("Interviews")
    config = write_config(env, fake)
    result = run(config, "calendars", "g", "--json")
    assert result.exit_code == 0, result.output
    assert {"name": "Interviews", "id": cid} in json.loads(result.stdout)


def test_unknown_source_calendar_lists_the_known_ones(fake, env):
    config = write_config(env, fake)
    result = run(config, "plan", "g:Nope", "--now", NOW)
    assert result.exit_code == 1
    assert "no calendar 'Nope'" in result.output and "Me" in result.output


def test_primary_calendar(fake, env):
    cid = fake.calendar_id("Me")
    fake.add_event(cid, {"summary": "Interview with Acme Corp",
                         "start": {"dateTime": "2026-11-19T14:00:00-05:00", "timeZone": "America/New_York"},
                         "end": {"dateTime": "2026-11-19T15:00:00-05:00", "timeZone": "America/New_York"}})
    config = write_config(env, fake)
    result = run(config, "plan", "g:primary", "--json", "--now", NOW)
    assert result.exit_code == 0, result.output
    [interview] = json.loads(result.stdout)["interviews"]
    assert interview["company"] == "Acme Corp" and interview["timezone"] == "America/New_York"


def test_token_none_is_refused_off_loopback(env):
    path = env / "followcal.toml"
    path.write_text('[accounts.g]\ntype = "google"\napi_endpoint = "https://calendar.example.com/"\ntoken = "none"\n')
    result = run(path, "calendars", "g")
    assert result.exit_code == 2
    assert "loopback" in result.output or "127.0.0.1" in result.output


def _token_file(env: Path, fake: FakeGoogle, refresh_token: str, scopes: list[str] | None = None) -> Path:
    path = env / "google-token.json"
    path.write_text(json.dumps({
        "token": "ya29.expired-secret-token",
        "refresh_token": refresh_token,
        "token_uri": fake.url + "token",
        "client_id": "cid.apps.googleusercontent.com",
        "client_secret": "client-secret-value",
        "scopes": google_auth.SCOPES if scopes is None else scopes,
        "expiry": (datetime.now(UTC) - timedelta(hours=1)).replace(tzinfo=None).isoformat() + "Z",
    }))
    os.chmod(path, 0o644)
    return path


def test_expired_token_is_refreshed_and_written_back_0600(fake, env):
    fake.require_auth = True
    fake.refresh_tokens.add("1//good-refresh")
    token = _token_file(env, fake, "1//good-refresh")
    config = write_config(env, fake, token=str(token))
    result = run(config, "calendars", "g")
    assert result.exit_code == 0, result.output
    assert fake.token_requests == 1
    saved = json.loads(token.read_text())
    assert saved["token"] in fake.access_tokens and saved["refresh_token"] == "1//good-refresh"
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    result = run(config, "calendars", "g")  # the saved token is valid now: no second refresh
    assert result.exit_code == 0 and fake.token_requests == 1


def test_invalid_grant_says_run_auth_again(fake, env):
    fake.require_auth = True
    token = _token_file(env, fake, "1//revoked")
    config = write_config(env, fake, token=str(token))
    result = run(config, "sync", "--now", NOW)
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and "followcal auth google" in lines[0]
    assert "revoked" not in lines[0].replace("revoked or expired", "") and "secret" not in result.output


def test_reminder_deleted_by_the_user_in_google_is_not_recreated(fake, env):
    seed_sample(fake)
    config = write_config(env, fake)
    sync(config)
    target = fake.calendar_id("Follow-ups")
    victim = next(i for i in reminders(fake) if i["start"].get("dateTime", "") > "2026-12-10")
    fake.change_event(target, victim["id"], status="cancelled")  # the user deleted it in Google
    fake.reset_counts()
    result = sync(config)
    assert fake.writes() == []
    assert fake.events[target][victim["id"]]["status"] == "cancelled"
    result = run(config, "sync", "--now", NOW, "--force")  # --force brings it back, in place
    assert result.exit_code == 0, result.output
    assert fake.events[target][victim["id"]]["status"] == "confirmed"
    assert {c.method for c in fake.writes()} == {"PUT"}


class _Browser:
    """Stands in for the user's browser: follows the consent URL straight to the redirect."""

    def open(self, url: str, new: int = 0, autoraise: bool = True) -> bool:
        import threading
        import urllib.request
        from urllib.parse import parse_qs, urlencode, urlsplit

        query = parse_qs(urlsplit(url).query)
        back = query["redirect_uri"][0] + "?" + urlencode({"code": "fake-code", "state": query["state"][0]})
        threading.Thread(target=lambda: urllib.request.urlopen(back, timeout=10).read(), daemon=True).start()
        return True


def test_auth_google_stores_a_0600_token_that_sync_uses(fake, env, monkeypatch):
    import webbrowser

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake token endpoint is plain http
    monkeypatch.setattr(webbrowser, "get", lambda *a, **k: _Browser())
    fake.require_auth = True
    secrets_file = env / "client_secret.json"
    secrets_file.write_text(json.dumps({"installed": {
        "client_id": "cid.apps.googleusercontent.com", "client_secret": "shh",
        "auth_uri": fake.url + "auth", "token_uri": fake.url + "token", "redirect_uris": ["http://localhost"],
    }}))
    token = env / "tokens" / "google.json"
    config = write_config(env, fake, token=str(token))
    result = run(config, "auth", "google", "--client-secrets", str(secrets_file))
    assert result.exit_code == 0, result.output
    assert "token stored" in result.output and stat.S_IMODE(token.stat().st_mode) == 0o600
    saved = json.loads(token.read_text())
    assert saved["token"] in fake.access_tokens and saved["refresh_token"] in fake.refresh_tokens
    assert set(saved["scopes"]) == set(google_auth.SCOPES)
    result = run(config, "calendars", "g")
    assert result.exit_code == 0, result.output


def test_auth_google_without_client_secrets_is_a_usage_error(fake, env):
    config = write_config(env, fake, token=str(env / "t.json"))
    result = run(config, "auth", "google")
    assert result.exit_code == 2 and "--client-secrets" in result.output


def test_precondition_failed_412_replans_once_and_succeeds(fake, env):
    cid = seed_sample(fake)
    config = write_config(env, fake)
    sync(config)
    acme = next(e for e in fake.items(cid) if "Acme" in e["summary"])
    moved = {k: {**acme[k], "dateTime": (datetime.fromisoformat(acme[k]["dateTime"]) + timedelta(days=1)).isoformat()}
             for k in ("start", "end")}
    fake.change_event(cid, acme["id"], **moved)
    fake.fail("PUT", "/events/", 412, "conditionNotMet", times=1)
    fake.reset_counts()
    sync(config)
    puts = [c for c in fake.writes() if c.method == "PUT"]
    assert fake.batches == 2 and len(puts) > 1  # the conflict made sync re-read and write again
    again = fake.writes()
    fake.reset_counts()
    sync(config)
    assert fake.writes() == [] and again
