"""Google JSON <-> domain mapping (pure; no client, no server)."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from followcal.backends import google, google_map
from followcal.backends.google_auth import is_loopback
from followcal.config import AccountConfig
from followcal.core.model import Reminder, reminder_uid
from followcal.errors import UsageError

NY = ZoneInfo("America/New_York")


def reminder(all_day: bool = False) -> Reminder:
    due = datetime(2026, 11, 19, 16, 0, tzinfo=NY)
    return Reminder(
        uid=reminder_uid("abc@google.com", None, "thank-you"),
        kind="thank-you",
        interview_id="0123456789ab",
        interview_uid="abc@google.com",
        interview_start=datetime(2026, 11, 19, 14, 0, tzinfo=NY),
        company="Acme Corp",
        role="Backend Engineer",
        date=due.date(),
        due=due,
        duration=timedelta(minutes=15),
        timezone="America/New_York",
        channel="email",
        summary="Thank-you note: Acme Corp (Backend Engineer)",
        description="Send the thank-you note today.\n\nDear Jane,\n...",
        stamp=datetime(2026, 11, 1, tzinfo=UTC),
        all_day=all_day,
    )


def test_event_id_is_32_chars_of_base32hex_and_deterministic():
    uid = reminder().uid
    ident = google_map.event_id(uid)
    assert re.fullmatch(r"[a-v0-9]{32}", ident)
    assert ident == google_map.event_id(uid) != google_map.event_id(uid + "x")
    # SHA-1("") = da39a3ee5e6b4b0d3255bfef95601890afd80709, in base32hex
    assert google_map.event_id("") == "r8sq7riudd5gqcilnvnpao0oi2ntg1o9"


def test_reminder_body_round_trips_to_an_owned_event_with_the_same_fingerprint():
    r = reminder()
    body = google_map.reminder_body(r, 3)
    assert body["start"] == {"dateTime": "2026-11-19T16:00:00-05:00", "timeZone": "America/New_York"}
    assert body["reminders"] == {"useDefault": False, "overrides": [{"method": "popup", "minutes": 0}]}
    private = body["extendedProperties"]["private"]
    assert private == {
        "followcal": "1", "kind": "thank-you", "uid": r.uid, "interview_uid": "abc@google.com",
        "hash": r.fingerprint, "interview_start": "2026-11-19T19:00:00Z",
    }
    assert all(len(k) <= 44 and len(v) <= 1024 for k, v in private.items())
    owned = google_map.owned_from_item({**body, "etag": '"7"'})
    assert owned is not None
    assert owned.uid == r.uid and owned.kind == "thank-you" and owned.sequence == 3 and owned.ref == body["id"]
    assert owned.fingerprint == r.fingerprint and not owned.user_edited and not owned.deleted
    assert owned.interview_start == datetime(2026, 11, 19, 19, tzinfo=UTC)


def test_all_day_reminder_body_and_fingerprint():
    r = reminder(all_day=True)
    body = google_map.reminder_body(r, 0)
    assert body["start"] == {"date": "2026-11-19"} and body["end"] == {"date": "2026-11-20"}
    assert google_map.owned_from_item(body).fingerprint == r.fingerprint


def test_cancelled_owned_event_is_marked_deleted_and_foreign_ones_are_not_owned():
    body = google_map.reminder_body(reminder(), 0)
    assert google_map.owned_from_item({**body, "status": "cancelled"}).deleted
    assert google_map.owned_from_item({**body, "extendedProperties": {}}) is None
    foreign = {**body, "extendedProperties": {"private": {"followcal": "1", "kind": "x", "uid": "not-ours@example"}}}
    assert google_map.owned_from_item(foreign) is None


def test_timed_event_to_source_event():
    item = {
        "id": "evt1", "iCalUID": "7kq2@google.com", "status": "confirmed", "summary": " Interview with Acme Corp ",
        "description": "Role: Backend", "updated": "2026-11-10T08:00:00.000Z",
        "start": {"dateTime": "2026-11-19T19:00:00Z", "timeZone": "America/New_York"},
        "end": {"dateTime": "2026-11-19T15:00:00-05:00"},
        "organizer": {"email": "Jane@Acme.example", "displayName": "Jane Doe"},
        "attendees": [
            {"email": "me@example.com", "responseStatus": "declined", "self": True},
            {"email": "bob@acme.example", "displayName": "Bob", "responseStatus": "needsAction"},
        ],
    }
    event = google_map.to_source_event(item, "g:Interviews", "UTC")
    assert event.uid == "7kq2@google.com" and event.summary == "Interview with Acme Corp"
    assert event.start == datetime(2026, 11, 19, 14, tzinfo=NY) and event.tzid == "America/New_York"
    assert event.end.utcoffset() == timedelta(hours=-5)  # the start's zone, not the calendar's
    assert event.recurrence_id is None and event.status == "CONFIRMED" and event.followcal_kind is None
    assert event.organizer.email == "jane@acme.example"
    assert [a.partstat for a in event.attendees] == ["DECLINED", "NEEDS-ACTION"]
    assert event.stamp == datetime(2026, 11, 10, 8, tzinfo=UTC)


def test_all_day_and_recurring_instance():
    item = {
        "id": "series_20261207", "iCalUID": "series@google.com", "recurringEventId": "series",
        "originalStartTime": {"dateTime": "2026-12-07T09:00:00-08:00", "timeZone": "America/Los_Angeles"},
        "start": {"dateTime": "2026-12-08T09:00:00-08:00", "timeZone": "America/Los_Angeles"},
        "end": {"dateTime": "2026-12-08T10:00:00-08:00", "timeZone": "America/Los_Angeles"},
        "summary": "Phone screen",
    }
    event = google_map.to_source_event(item, "g:x")
    assert event.recurrence_id == datetime(2026, 12, 7, 9, tzinfo=ZoneInfo("America/Los_Angeles"))
    all_day = {"id": "d", "summary": "Onsite", "start": {"date": "2026-12-04"}, "end": {"date": "2026-12-05"}}
    day = google_map.to_source_event(all_day, "g:x")
    assert day.start == date(2026, 12, 4) and day.end == date(2026, 12, 5) and day.uid == "d" and day.tzid is None


def test_our_own_reminders_read_as_source_carry_their_kind():
    body = google_map.reminder_body(reminder(), 0)
    event = google_map.to_source_event(body, "g:x")
    assert event.followcal_kind == "thank-you" and event.is_followcal


def test_owned_cache_merge_keeps_cancelled_minimal_items():
    body = google_map.reminder_body(reminder(), 0)
    cache: dict = {}
    google_map.merge_cached(cache, {**body, "etag": '"1"'})
    assert body["id"] in cache
    google_map.merge_cached(cache, {"id": body["id"], "status": "cancelled", "etag": '"2"'})  # incremental: id + status only
    owned = google_map.owned_from_item(cache[body["id"]])
    assert owned.deleted and owned.etag == '"2"'
    google_map.merge_cached(cache, {"id": "foreign", "summary": "Dentist"})
    assert "foreign" not in cache


@pytest.mark.parametrize("url, loopback", [
    ("http://127.0.0.1:8080/", True), ("http://127.5.6.7/", True), ("http://[::1]:9/", True),
    ("http://localhost:1/", True), ("https://www.googleapis.com/", False), ("http://10.0.0.1/", False),
    ("http://127.0.0.1.example.com/", False),
])
def test_is_loopback(url, loopback):
    assert is_loopback(url) is loopback


def test_token_none_needs_a_loopback_endpoint():
    from followcal.backends.google_auth import load_credentials

    with pytest.raises(UsageError):
        load_credentials(AccountConfig("g", "google", token="none", api_endpoint="https://calendar.example.com/"))
    with pytest.raises(UsageError):
        load_credentials(AccountConfig("g", "google", token="none"))
    creds = load_credentials(AccountConfig("g", "google", token="none", api_endpoint="http://127.0.0.1:1/"))
    assert type(creds).__name__ == "AnonymousCredentials"


def test_http_errors_map_to_followcal_errors():
    import httplib2
    from googleapiclient.errors import HttpError

    from followcal.errors import AuthError, BackendError, ConflictError, NotFoundError

    def err(status, reason=""):
        content = json.dumps({"error": {"code": status, "message": "m", "errors": [{"reason": reason}]}}).encode()
        return HttpError(httplib2.Response({"status": status}), content)

    assert isinstance(google._map_http(err(401), "x"), AuthError)
    assert isinstance(google._map_http(err(403, "forbidden"), "x"), AuthError)
    assert isinstance(google._map_http(err(404), "x"), NotFoundError)
    assert isinstance(google._map_http(err(412), "x"), ConflictError)
    assert type(google._map_http(err(500), "x")) is BackendError
    assert google._retryable(403, "rateLimitExceeded") and google._retryable(429, "") and google._retryable(503, "")
    assert not google._retryable(403, "forbidden") and not google._retryable(400, "")
