"""`followcal clean` on a Google calendar (the loopback fake through the real client): only the
events followcal made (extendedProperties.private.followcal) are deleted."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from support import run
from test_google_sync import NOW, reminders, seed_sample, write_config  # tests/integration is on sys.path

pytestmark = pytest.mark.integration


def test_clean_a_google_calendar_keeps_foreign_events(fake, env) -> None:
    seed_sample(fake)
    config = write_config(env, fake)
    assert run(config, "sync", "--now", NOW).exit_code == 0
    cid = fake.calendar_id("Follow-ups")
    start = datetime(2026, 12, 1, 9, tzinfo=UTC)
    fake.add_event(cid, {"summary": "Dentist", "start": {"dateTime": start.isoformat()},
                         "end": {"dateTime": (start + timedelta(hours=1)).isoformat()}})
    ours = [e for e in reminders(fake) if e.get("summary") != "Dentist"]
    assert len(ours) > 10

    listed = run(config, "clean", "g:Follow-ups", "--dry-run", "--json")
    data = json.loads(listed.stdout)
    assert data["dry_run"] and len(data["events"]) == len(ours) and data["deleted"] == 0
    assert len(reminders(fake)) == len(ours) + 1

    done = run(config, "clean", "g:Follow-ups")
    assert done.exit_code == 0 and f"deleted {len(ours)} followcal reminder(s)" in done.stdout
    assert [e["summary"] for e in reminders(fake)] == ["Dentist"]
    assert "nothing to clean" in run(config, "clean", "g:Follow-ups").stdout
    # a later sync writes them again (clean made the state store forget them)
    again = run(config, "sync", "--now", NOW)
    assert again.exit_code == 0 and len(reminders(fake)) == len(ours) + 1
