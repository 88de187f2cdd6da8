"""Google Calendar as the real API behaves (issue 15), through the real google-api-python-client
against the strict loopback fake (fake_google.py): hidden and unlisted calendars, sequences that
may not go down, purged ids, granted-scope variants, per-calendar write throttling, nested PATCH,
id-only deleted events, authenticated batches. Every request is also checked against the Calendar
v3 discovery document (the conftest fixture fails a test on any finding). No waits are real: the
fixture turns the backend's sleeps into advances of the fake's clock."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fake_google import ASKED, SCOPE, FakeGoogle
from support import run
from test_google_auth import private_key_pem, service_account_key  # noqa: F401 (a fixture)
from test_google_sync import NOW, _Browser, _token_file, export_uids, reminders, seed_sample, sync, write_config

from followcal.backends import google_map

pytestmark = pytest.mark.integration


def lose_state(env: Path) -> None:
    shutil.rmtree(env / "state", ignore_errors=True)


def owned_by_uid(fake: FakeGoogle, cid: str) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for item in fake.items(cid, deleted=True):
        uid = ((item.get("extendedProperties") or {}).get("private") or {}).get("uid")
        if uid:
            found.setdefault(uid, []).append(item)
    return found


def shift(fake: FakeGoogle, cid: str, event: dict, days: int) -> None:
    current = fake.events[cid][event["id"]]
    moved = {k: {**current[k], "dateTime": (datetime.fromisoformat(current[k]["dateTime"]) + timedelta(days=days)).isoformat()}
             for k in ("start", "end")}
    fake.change_event(cid, event["id"], **moved)


# --- calendars: hidden, unlisted, given by ID ------------------------------------------------


def test_hidden_target_is_found_not_created_again(fake, env):
    seed_sample(fake)
    hidden = fake.add_calendar("Follow-ups", hidden=True)  # unticked in the Calendar UI
    config = write_config(env, fake)
    sync(config)
    assert [c for c in fake.calls if c.path == "/calendars" and c.method == "POST"] == []
    assert len([c for c in fake.calendars.values() if c["summary"] == "Follow-ups"]) == 1
    assert {i["iCalUID"] for i in fake.items(hidden)} == export_uids(config, env)
    listed = [c for c in fake.calls if c.path.endswith("/calendarList") and c.method == "GET"]
    assert listed and all(c.query.get("showHidden") == "true" for c in listed)
    result = run(config, "calendars", "g", "--json")
    assert {"name": "Follow-ups", "id": hidden} in json.loads(result.stdout)


def test_unlisted_target_by_id_with_a_service_account_acting_as_itself(fake, env, private_key_pem):  # noqa: F811
    """A calendar shared with a service account is writable but in no calendar list; calendars.get
    needs a scope followcal does not ask for, so the backend probes it with events.list."""
    fake.require_auth = True
    seed_sample(fake)
    target = fake.add_calendar("Team follow-ups", calendar_id="team-follow-ups@group.calendar.google.com", listed=False)
    key = service_account_key(env / "sa-key.json", fake, private_key_pem)
    config = write_config(env, fake, extra=f'service_account = "{key}"\n', to=f"g:{target}")
    config.write_text(config.read_text().replace('token = "none"\n', ""))
    sync(config)
    assert [c for c in fake.calls if c.path == "/calendars" and c.method == "POST"] == []
    assert set(fake.calendars) == {fake.calendar_id("Me"), fake.calendar_id("Interviews"), target}
    assert {i["iCalUID"] for i in fake.items(target)} == export_uids(config, env)
    fake.reset_counts()
    sync(config)
    assert fake.writes() == []


def test_unlisted_read_only_target_by_id_says_so(fake, env):
    seed_sample(fake)
    target = fake.add_calendar("Shared", calendar_id="shared@group.calendar.google.com", listed=False)
    fake.calendars[target]["accessRole"] = "reader"
    config = write_config(env, fake, to=f"g:{target}")
    result = run(config, "sync", "--now", NOW)
    assert result.exit_code == 1, result.output
    assert "may only read it" in result.output and not fake.writes()


def test_unknown_calendar_id_is_an_error_never_a_new_calendar(fake, env):
    seed_sample(fake)
    config = write_config(env, fake, to="g:nobody-shared-this@group.calendar.google.com")
    result = run(config, "sync", "--now", NOW)
    assert result.exit_code == 1, result.output
    assert "neither in the calendar list nor reachable by ID" in result.output and "Traceback" not in result.output
    assert len(fake.calendars) == 2  # Me and Interviews: nothing created


# --- sequence, lost state, purged ids --------------------------------------------------------


def test_lost_state_after_content_changes_restores_with_a_higher_sequence(fake, env):
    """Reminders updated once (sequence 1), then deleted by followcal (interview cancelled); the
    state is lost; the interview comes back. Google lists the deleted reminders id-only, the
    insert answers 409, and an update with sequence 0 would be refused: the backend reads the
    stored sequence first."""
    cid = seed_sample(fake)
    config = write_config(env, fake)
    sync(config)
    acme = next(e for e in fake.items(cid) if "Acme" in e["summary"])
    shift(fake, cid, acme, 2)
    sync(config)
    target = fake.calendar_id("Follow-ups")
    ours = {i["id"]: i for i in fake.items(target) if i["extendedProperties"]["private"]["interview_uid"] == acme["iCalUID"]}
    assert ours and all(i["sequence"] == 1 for i in ours.values())
    fake.change_event(cid, acme["id"], status="cancelled")
    sync(config)
    future = [k for k in ours if fake.events[target][k]["status"] == "cancelled"]
    assert future
    lose_state(env)
    fake.change_event(cid, acme["id"], status="confirmed")
    fake.reset_counts()
    sync(config)
    for ident in future:
        event = fake.events[target][ident]
        assert event["status"] == "confirmed" and event["sequence"] == 2
        assert [c.method for c in fake.calls if ident in c.path] == ["GET", "PUT"]
    fake.reset_counts()
    sync(config)
    assert fake.writes() == []


def test_purged_reminder_comes_back_with_force_under_a_replacement_id(fake, env):
    seed_sample(fake)
    config = write_config(env, fake)
    sync(config)
    target = fake.calendar_id("Follow-ups")
    victim = next(i for i in reminders(fake) if i["start"].get("dateTime", "") > "2026-12-10")
    uid = victim["iCalUID"]
    fake.change_event(target, victim["id"], status="cancelled")  # the user deletes it ...
    sync(config)  # ... followcal sees that and leaves it deleted
    fake.purge(target, victim["id"])  # ... and empties the trash
    fake.reset_counts()
    result = run(config, "sync", "--now", NOW, "--force")
    assert result.exit_code == 0, result.output
    replacement = google_map.next_event_id(uid, victim["id"])
    assert replacement == google_map.event_id(uid + "#2")
    restored = fake.events[target][replacement]
    assert restored["status"] == "confirmed" and restored["iCalUID"] == uid
    assert restored["extendedProperties"]["private"]["uid"] == uid
    assert [(m, i) for m, _, i in fake.applied] == [("POST", replacement)]
    fake.reset_counts()
    sync(config)
    assert fake.writes() == []
    # a fresh state (another machine) finds it by its private uid: still no duplicate
    lose_state(env)
    fake.reset_counts()
    result = run(config, "sync", "--now", NOW, "--force")
    assert result.exit_code == 0, result.output
    assert fake.writes() == []
    assert [len(v) for v in owned_by_uid(fake, target).values()] == [1] * len(owned_by_uid(fake, target))


def test_purged_id_with_fresh_state_reads_then_moves_to_the_replacement(fake, env):
    seed_sample(fake)
    target = fake.add_calendar("Follow-ups")
    config = write_config(env, fake)
    uid = sorted(export_uids(config, env))[0]
    fake.add_event(target, {"id": google_map.event_id(uid), "iCalUID": uid,
                            "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-02"}})
    fake.purge(target, google_map.event_id(uid))
    sync(config)
    ident = google_map.event_id(uid)
    assert [c.method for c in fake.calls if ident in c.path] == ["GET"]  # 409 on insert, 404 on read
    assert fake.events[target][google_map.event_id(uid + "#2")]["iCalUID"] == uid
    fake.reset_counts()
    sync(config)
    assert fake.writes() == []


def test_id_and_icaluid_both_sent_on_insert_and_why(fake, env):
    """The API description says to give only one of id and iCalUID on insert. followcal gives
    both: the id makes every write addressable without a lookup (a lost answer resent gives 409,
    never a duplicate; a fresh state reads the stored event with one GET), and the iCalUID keeps
    the UID that `followcal export` and every CalDAV target write, which an id-only insert loses
    (Google then makes it `<id>@google.com`)."""
    seed_sample(fake)
    config = write_config(env, fake)
    sync(config)
    target = fake.calendar_id("Follow-ups")
    items = fake.items(target)
    assert {i["iCalUID"] for i in items} == export_uids(config, env)
    assert all(i["id"] == google_map.event_id(i["iCalUID"]) for i in items)
    # what an id-only insert gets from Google: a UID nobody else has
    made = _client(fake).events().insert(calendarId=target, body={k: items[0][k] for k in ("start", "end", "summary")}
                                         | {"id": "abcdefabcdef0123"}).execute()
    assert made["iCalUID"] == "abcdefabcdef0123@google.com"
    # a resent insert (its first answer lost) is refused, not doubled; the 409 path then reads it
    again = _client(fake).events().insert(calendarId=target, body={k: items[0][k] for k in ("start", "end", "summary", "id")})
    with pytest.raises(Exception) as refused:
        again.execute()
    assert getattr(refused.value, "status_code", None) == 409


# --- scopes --------------------------------------------------------------------------------


def _sign_in(fake: FakeGoogle, env: Path, monkeypatch, granted: list[str], to: str = "g:Follow-ups"):
    import webbrowser

    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")
    monkeypatch.setattr(webbrowser, "get", lambda *a, **k: _Browser())
    fake.require_auth = True
    fake.grant_scopes = granted
    secrets_file = env / "client_secret.json"
    secrets_file.write_text(json.dumps({"installed": {
        "client_id": "cid.apps.googleusercontent.com", "client_secret": "shh",
        "auth_uri": fake.url + "auth", "token_uri": fake.url + "token", "redirect_uris": ["http://localhost"],
    }}))
    token = env / "google.json"
    config = write_config(env, fake, token=str(token), to=to)
    return config, token, run(config, "auth", "google", "--client-secrets", str(secrets_file))


def _expire(fake: FakeGoogle, token: Path) -> None:
    info = json.loads(token.read_text())
    fake.access_tokens.pop(info["token"])
    info["expiry"] = (datetime.now(UTC) - timedelta(hours=1)).replace(tzinfo=None).isoformat() + "Z"
    token.write_text(json.dumps(info))


def test_superset_grant_is_accepted_and_refreshes(fake, env, monkeypatch):
    seed_sample(fake)
    config, token, result = _sign_in(fake, env, monkeypatch, ASKED + [SCOPE + "calendar.readonly", SCOPE + "userinfo.email"])
    assert result.exit_code == 0, result.output
    assert "token stored" in result.output
    _expire(fake, token)
    sync(config)
    assert fake.token_requests == 2 and reminders(fake)


def test_subset_grant_without_calendar_creation_works_on_an_existing_calendar(fake, env, monkeypatch):
    seed_sample(fake)
    granted = [SCOPE + "calendar.events", SCOPE + "calendar.calendarlist.readonly"]
    config, token, result = _sign_in(fake, env, monkeypatch, granted)
    assert result.exit_code == 0, result.output
    assert "cannot create a missing reminder calendar" in result.output
    assert sorted(json.loads(token.read_text())["scopes"]) == sorted(granted)
    result = run(config, "sync", "--now", NOW)  # Follow-ups does not exist: creating it is refused
    assert result.exit_code == 1
    assert "calendar.app.created" in result.output and len(result.output.strip().splitlines()) == 1
    fake.add_calendar("Follow-ups")
    _expire(fake, token)  # the refresh asks for the granted scopes only (asking for more is invalid_scope)
    sync(config)
    assert reminders(fake)


def test_subset_grant_without_the_calendar_list_stores_no_token_and_says_what_is_missing(fake, env, monkeypatch):
    config, token, result = _sign_in(fake, env, monkeypatch, [SCOPE + "calendar.events", SCOPE + "calendar.app.created"])
    assert result.exit_code == 1
    assert "calendar list (calendar.calendarlist.readonly)" in result.output
    assert "calendar.events" not in result.output.split("permission to", 1)[1].split(";")[0]
    assert not token.exists()


def test_an_old_token_without_the_calendar_list_scope_names_what_is_missing(fake, env):
    fake.require_auth = True
    fake.refresh_tokens.add("1//old")
    fake.refresh_scopes["1//old"] = frozenset([SCOPE + "calendar.events"])
    token = _token_file(env, fake, "1//old", scopes=[SCOPE + "calendar.events"])
    config = write_config(env, fake, token=str(token))
    result = run(config, "calendars", "g")
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "calendar.calendarlist.readonly" in lines[0] and "followcal auth google" in lines[0]


# --- throttling and quota --------------------------------------------------------------------


def seed_many(fake: FakeGoogle, interviews: int) -> str:
    cid = fake.add_calendar("Interviews", tz="America/New_York")
    base = datetime(2026, 11, 2, 14, tzinfo=UTC)
    for n in range(interviews):
        start = base + timedelta(days=n % 40, minutes=17 * (n // 40))
        fake.add_event(cid, {
            "iCalUID": f"interview-{n}@example.com",
            "summary": f"Interview with Company{n:03d} (Backend Engineer)",
            "start": {"dateTime": start.isoformat(), "timeZone": "America/New_York"},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "America/New_York"},
            "organizer": {"email": f"recruiter@company{n:03d}.example", "displayName": "Pat Recruiter"},
            "attendees": [
                {"email": f"recruiter@company{n:03d}.example", "displayName": "Pat Recruiter", "responseStatus": "accepted"},
                {"email": "me@example.com", "displayName": "Alex Rivera", "responseStatus": "accepted"},
            ],
        })
    return cid


@pytest.mark.parametrize("status,retry_after", [(403, None), (429, "2")])
def test_throttled_first_sync_of_300_reminders_writes_each_exactly_once(fake, env, status, retry_after, caplog):
    seed_many(fake, 110)
    fake.add_calendar("Follow-ups")
    fake.throttle(limit=30, window=1.0, status=status, retry_after=retry_after)
    config = write_config(env, fake)
    result = sync(config)
    target = fake.calendar_id("Follow-ups")
    items = fake.items(target)
    assert len(items) >= 300
    written = [i for m, c, i in fake.applied if c == target]
    assert sorted(written) == sorted(i["id"] for i in items)  # each reminder written exactly once
    refused = [c for c in fake.calls if c.method == "POST" and c.path.endswith("/events")]
    assert len(refused) > len(items)  # Google did push back ...
    assert not any(c.method in ("GET", "PUT") and "/events/" in c.path for c in fake.calls)  # ... never a 409 path
    if retry_after:
        assert 2.0 in fake.slept  # Retry-After honoured
    assert "error" not in result.output.lower()
    assert caplog.text.count("continuing more slowly") == 1  # one line per calendar, not per wait
    fake.reset_counts()
    sync(config)
    assert fake.writes() == []


def test_quota_exceeded_stops_with_one_line_instead_of_spinning(fake, env):
    seed_sample(fake)
    fake.add_calendar("Follow-ups")
    fake.fail("POST", "/events", 403, "quotaExceeded", times=1000)
    config = write_config(env, fake)
    result = run(config, "sync", "--now", NOW)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "usage limit" in lines[0] and "quotaExceeded" in lines[0]
    assert fake.batches == 1 and fake.slept == []


def test_daily_limit_on_a_single_call_stops_at_once(fake, env):
    seed_sample(fake)
    fake.fail("GET", "/calendarList", 403, "dailyLimitExceeded", times=1000)
    config = write_config(env, fake)
    result = run(config, "sync", "--now", NOW)
    assert result.exit_code == 1 and "dailyLimitExceeded" in result.output
    assert len([c for c in fake.calls if "calendarList" in c.path]) == 1


# --- nested PATCH, id-only deletions, batches -------------------------------------------------


def _client(fake: FakeGoogle):
    from googleapiclient.discovery import build

    return build("calendar", "v3", client_options={"api_endpoint": fake.url}, static_discovery=True,
                 developerKey="test", cache_discovery=False)


def test_moved_interview_by_a_nested_patch_moves_its_reminders(fake, env):
    """Another client moves the interview with PATCH {start: {dateTime}}: Google merges the nested
    object (the time zone stays). Another app adds a private property to a reminder by PATCH: the
    merge keeps followcal's keys, so the reminder stays followcal's."""
    cid = seed_sample(fake)
    config = write_config(env, fake)
    sync(config)
    acme = next(e for e in fake.items(cid) if "Acme" in e["summary"])
    zone = acme["start"]["timeZone"]
    new = {k: {"dateTime": (datetime.fromisoformat(acme[k]["dateTime"]) + timedelta(days=3)).isoformat()}
           for k in ("start", "end")}
    _client(fake).events().patch(calendarId=cid, eventId=acme["id"], body=new).execute()
    assert fake.events[cid][acme["id"]]["start"]["timeZone"] == zone
    target = fake.calendar_id("Follow-ups")
    other = next(i for i in reminders(fake) if i["extendedProperties"]["private"]["interview_uid"] != acme["iCalUID"])
    body = {"extendedProperties": {"private": {"color": "x"}}}
    _client(fake).events().patch(calendarId=target, eventId=other["id"], body=body).execute()
    assert fake.events[target][other["id"]]["extendedProperties"]["private"]["followcal"] == "1"
    before = {i["id"]: i["start"] for i in reminders(fake)
              if i["extendedProperties"]["private"]["interview_uid"] == acme["iCalUID"]}
    fake.reset_counts()
    sync(config)
    after = {i["id"]: i["start"] for i in reminders(fake)
             if i["extendedProperties"]["private"]["interview_uid"] == acme["iCalUID"]}
    assert set(after) == set(before) and after != before
    assert {c.method for c in fake.writes()} == {"PUT"}
    assert other["id"] not in {c.path.rsplit("/", 1)[-1] for c in fake.writes()}


def test_deleted_events_are_listed_id_only_and_still_known(fake, env):
    seed_sample(fake)
    config = write_config(env, fake)
    target = fake.add_calendar("Follow-ups")
    sync(config)  # creates the reminders: Google has not listed them to followcal yet
    victim = next(i for i in reminders(fake) if i["start"].get("dateTime", "") > "2026-12-10")
    fake.change_event(target, victim["id"], status="cancelled")
    listed = _client(fake).events().list(calendarId=target, showDeleted=True).execute()["items"]
    assert {"kind", "etag", "id", "status"} == set(next(i for i in listed if i["id"] == victim["id"]))
    fake.reset_counts()
    sync(config)  # the id-only deletion is ours: followcal remembers what it wrote
    assert fake.writes() == []
    result = run(config, "sync", "--now", NOW, "--force")
    assert result.exit_code == 0, result.output
    assert [c.method for c in fake.writes()] == ["PUT"]  # restored in place, never inserted again


def test_batches_need_the_outer_credentials(fake, env):
    import httplib2
    from googleapiclient.errors import HttpError
    from googleapiclient.http import BatchHttpRequest

    fake.require_auth = True
    cid = fake.calendar_id("Me")
    results = []
    batch = BatchHttpRequest(callback=lambda rid, resp, exc: results.append(exc), batch_uri=fake.url + "batch/calendar/v3")
    batch.add(_client(fake).events().list(calendarId=cid))
    with pytest.raises(HttpError) as refused:
        batch.execute(http=httplib2.Http())
    assert refused.value.resp.status == 401


# --- the discovery-schema check itself --------------------------------------------------------


@pytest.mark.parametrize("method,target,body,finding", [
    ("GET", "/calendar/v3/users/me/calendarList?showHidden=yes", b"", "is not a boolean"),
    ("GET", "/calendar/v3/users/me/calendarList?hidden=true", b"", "unknown query parameter 'hidden'"),
    ("GET", "/calendar/v3/calendars/x/events?maxResults=0", b"", "below the minimum"),
    ("GET", "/calendar/v3/calendars/x/events?timeMin=2026-12-01", b"", "RFC 3339"),
    ("GET", "/calendar/v3/calendars/x/events?orderBy=start", b"", "is not one of"),
    ("POST", "/calendar/v3/calendars/x/events", b'{"uid": "a@b"}', "unknown field 'uid'"),
    ("POST", "/calendar/v3/calendars/x/events", b'{"sequence": "1"}', "is not an integer"),
    ("POST", "/calendar/v3/calendars/x/events", b'{"start": {"dateTime": "tomorrow"}}', "RFC 3339"),
    ("POST", "/calendar/v3/calendars/x/events", b'{"extendedProperties": {"private": {"n": 1}}}', "where a string is declared"),
    ("POST", "/calendar/v3/calendars/x/events", b"", "no request body"),
    ("DELETE", "/calendar/v3/calendars/x/events/abcde", b'{"a": 1}', "takes none"),
    ("PUT", "/calendar/v3/calendars/x/events", b"{}", "no discovery method"),
])
def test_the_discovery_check_refuses_what_google_would(fake, method, target, body, finding):
    status, payload, _ = fake.dispatch(method, target, {}, body)
    assert status == 400 and finding in payload["error"]["message"]
    assert fake.invalid and finding in fake.invalid[0]
    fake.invalid.clear()  # found on purpose: the fixture must not fail this test


def test_a_whole_sync_passes_the_discovery_check(fake, env):
    seed_sample(fake)
    config = write_config(env, fake)
    sync(config)
    assert fake.checked > 20 and fake.invalid == []


def test_the_fake_is_as_strict_as_google_on_sequence_purge_and_patch(fake):
    """The behaviours the backend tests rely on, through the real client."""
    from googleapiclient.errors import HttpError

    cid = fake.calendar_id("Me")
    events = _client(fake).events()
    when = {"start": {"dateTime": "2026-12-01T10:00:00", "timeZone": "Europe/Zurich"},
            "end": {"dateTime": "2026-12-01T11:00:00", "timeZone": "Europe/Zurich"}}
    made = events.insert(calendarId=cid, body={"id": "abcde12345", "summary": "x", "sequence": 2, **when}).execute()
    with pytest.raises(HttpError) as low:
        events.update(calendarId=cid, eventId=made["id"], body={"summary": "y", "sequence": 1, **when}).execute()
    assert low.value.status_code == 400 and "Invalid sequence value" in str(low.value)
    patched = events.patch(calendarId=cid, eventId=made["id"], body={"start": {"dateTime": "2026-12-01T09:00:00"}}).execute()
    assert patched["start"] == {"dateTime": "2026-12-01T09:00:00", "timeZone": "Europe/Zurich"}  # merged
    with pytest.raises(HttpError) as both:  # a nested merge can make an invalid event: Google refuses it
        events.patch(calendarId=cid, eventId=made["id"], body={"start": {"date": "2026-12-01"}}).execute()
    assert both.value.status_code == 400
    events.delete(calendarId=cid, eventId=made["id"]).execute()
    assert events.get(calendarId=cid, eventId=made["id"]).execute()["status"] == "cancelled"  # get shows it whole
    fake.purge(cid, made["id"])
    for call in (events.get(calendarId=cid, eventId=made["id"]),
                 events.update(calendarId=cid, eventId=made["id"], body={"summary": "z", **when})):
        with pytest.raises(HttpError) as gone:
            call.execute()
        assert gone.value.status_code == 404
    with pytest.raises(HttpError) as taken:
        events.insert(calendarId=cid, body={"id": made["id"], "summary": "again", **when}).execute()
    assert taken.value.status_code == 409
