"""Pure parts of the Google backend's pacing, replacement ids and scope checks (issue 15)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest
from hypothesis import given, strategies as st

from followcal.backends import google_auth, google_map, google_pace
from followcal.backends.google_pace import MAX_BATCH, MIN_BATCH, Pacer

G = "https://www.googleapis.com/auth/"
NOW = datetime(2026, 12, 1, 12, tzinfo=UTC)


@pytest.mark.parametrize("header,seconds", [
    (None, None), ("", None), ("2", 2.0), ("0", 0.0), (" 7 ", 7.0), ("-3", 0.0), ("86400", google_pace.MAX_WAIT),
    (format_datetime(NOW + timedelta(seconds=30), usegmt=True), 30.0),
    (format_datetime(NOW - timedelta(seconds=30), usegmt=True), 0.0), ("soon", None),
])
def test_retry_after_reads_seconds_and_http_dates(header, seconds):
    assert google_pace.retry_after(header, now=NOW) == seconds


@pytest.mark.parametrize("status,reason,retry,slow,stop", [
    (403, "rateLimitExceeded", True, True, False),
    (403, "userRateLimitExceeded", True, True, False),
    (429, "rateLimitExceeded", True, True, False),
    (429, "", True, True, False),
    (503, "backendError", True, False, False),
    (403, "quotaExceeded", False, False, True),
    (403, "dailyLimitExceeded", False, False, True),
    (429, "quotaExceeded", False, True, True),
    (403, "forbidden", False, False, False),
    (400, "invalid", False, False, False),
])
def test_error_classes(status, reason, retry, slow, stop):
    assert google_pace.retryable(status, reason) is retry
    assert google_pace.throttled(status, reason) is slow
    assert google_pace.quota(status, reason) is stop


def test_pacer_slows_down_on_throttle_and_recovers():
    waits: list[float] = []
    pacer = Pacer(base_delay=1.0, sleep=waits.append)
    assert pacer.after_batch(throttled=True, hint=2.0, attempt=1) == 2.0  # Retry-After wins
    assert (pacer.size, pacer.gap) == (MAX_BATCH // 2, 1.0)
    wait = pacer.after_batch(throttled=True, hint=None, attempt=1, accepted=20)
    assert 2.0 <= wait <= 3.0 and (pacer.size, pacer.gap) == (12, 2.0)  # no larger than accepted, half
    pacer.after_batch(throttled=True, hint=None, attempt=0, accepted=9)
    assert pacer.size == 6
    for _ in range(5):
        pacer.after_batch(throttled=True, hint=None, attempt=0)
    assert pacer.size == MIN_BATCH
    pacer.before_batch()
    assert waits == [pacer.gap]
    sizes = []
    for _ in range(30):
        assert pacer.after_batch(throttled=False, hint=None, attempt=0) == 0.0
        sizes.append(pacer.size)
    assert sizes == sorted(sizes) and sizes[1] - sizes[0] <= 2  # wins back size slowly
    assert (pacer.size, pacer.gap) == (MAX_BATCH, 0.0)


@given(st.text(min_size=1, max_size=80))
def test_replacement_ids_are_valid_distinct_and_deterministic(uid):
    chain = [google_map.event_id(uid)]
    for _ in range(4):
        chain.append(google_map.next_event_id(uid, chain[-1]))
    assert len(set(chain)) == 5
    assert all(re.fullmatch(r"[a-v0-9]{32}", i) for i in chain)
    assert chain[1] == google_map.event_id(uid + "#2") and chain[2] == google_map.event_id(uid + "#3")


@pytest.mark.parametrize("granted,missing", [
    (google_auth.SCOPES, []),
    (google_auth.SCOPES + [G + "calendar.readonly", G + "userinfo.email"], []),  # superset
    ([G + "calendar"], []),
    ([G + "calendar.events", G + "calendar.calendarlist.readonly"], []),  # no app.created: still enough
    ([G + "calendar.events", G + "calendar.readonly"], []),
    ([G + "calendar.events"], ["list"]),
    ([G + "calendar.calendarlist.readonly", G + "calendar.app.created"], ["events"]),
    ([G + "calendar.events.readonly", G + "calendar.calendarlist.readonly"], ["events"]),
    ([], ["events", "list"]),
])
def test_scopes_are_compared_by_what_is_needed(granted, missing):
    found = google_auth.missing_permissions(granted)
    assert [("events" if "events" in m else "list") for m in found] == missing
