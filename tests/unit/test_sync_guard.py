"""The guard against a shrunken source: a sync that would delete more than half of a target's
future reminders (and more than a few) stops with one line asking for --force."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from support import NOW_TEXT as NOW, SAMPLE, run


def _without_events(data: bytes, keep: int) -> bytes:
    """The sample with only its first `keep` VEVENTs."""
    text = data.decode()
    events = re.findall(r"BEGIN:VEVENT.*?END:VEVENT\r?\n", text, flags=re.S)
    for event in events[keep:]:
        text = text.replace(event, "", 1)
    return text.encode()


@pytest.fixture
def setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path, list[str]]:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    source = tmp_path / "interviews.ics"
    source.write_bytes(SAMPLE.read_bytes())
    target = tmp_path / "followups.ics"
    config = tmp_path / "followcal.toml"
    config.write_text(f'timezone = "America/New_York"\n[[sync]]\nname = "main"\nfrom = ["{source}"]\nto = ["{target}"]\n')
    first = run(config, "sync", "--now", NOW)
    assert first.exit_code == 0, first.stderr
    return source, target, ["--config", str(config), "sync", "--now", NOW]


def test_a_sync_that_would_empty_the_target_stops(setup: tuple[Path, Path, list[str]]) -> None:
    source, target, argv = setup
    before = target.read_bytes()
    source.write_bytes(_without_events(SAMPLE.read_bytes(), 0))
    result = run(None, *argv)
    assert result.exit_code == 1
    assert "--force" in result.stderr and "would delete" in result.stderr
    assert "Traceback" not in result.stderr
    assert target.read_bytes() == before
    dry = run(None, *argv, "--dry-run")
    assert dry.exit_code == 1 and "--force" in dry.stderr
    forced = run(None, *argv, "--force")
    assert forced.exit_code == 0, forced.stderr
    assert b"BEGIN:VEVENT" not in target.read_bytes()


def test_a_small_change_still_syncs(setup: tuple[Path, Path, list[str]]) -> None:
    source, target, argv = setup
    data = SAMPLE.read_bytes()
    total = data.count(b"BEGIN:VEVENT")
    source.write_bytes(_without_events(data, total - 1))
    result = run(None, *argv)
    assert result.exit_code == 0, result.stderr
