"""What one run opens (app/run.py, issue 11): the state store at most once, only when needed,
closed by the command; an unusable store is a warning for plan/export and one line for the
commands that write it (sync, mark, status)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from followcal import state
from followcal.cli.commands import cli

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "interviews.ics"
NOW = "2026-10-20T12:00"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    folder = tmp_path / "state"
    folder.mkdir()
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(folder))
    config = tmp_path / "followcal.toml"
    target = tmp_path / "out.ics"
    config.write_text(
        'region = "US"\ntimezone = "America/New_York"\nme = ["me@example.com"]\n\n'
        f'[[sync]]\nname = "main"\nfrom = ["{SAMPLE}"]\nto = ["{target}"]\n',
        encoding="utf-8",
    )
    return {"state": folder, "config": config, "target": target, "tmp": tmp_path}


def run(env: dict[str, Path], *args: str):
    return CliRunner().invoke(cli, ["--config", str(env["config"]), *args])


@dataclass
class Opened:
    opened: list[Path] = field(default_factory=list)
    closed: list[Path] = field(default_factory=list)


@pytest.fixture
def stores(monkeypatch: pytest.MonkeyPatch) -> Opened:
    """Every StateStore opened and closed (their paths), as the run does them."""
    seen = Opened()
    real_init, real_close = state.StateStore.__init__, state.StateStore.close

    def init(self: state.StateStore, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        seen.opened.append(self.path)

    def close(self: state.StateStore) -> None:
        seen.closed.append(self.path)
        real_close(self)

    monkeypatch.setattr(state.StateStore, "__init__", init)
    monkeypatch.setattr(state.StateStore, "close", close)
    return seen


def test_plan_of_a_file_opens_no_state_store(env: dict[str, Path], stores: Opened) -> None:
    result = run(env, "plan", "--json", "--now", NOW, str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert stores.opened == [] and not list(env["state"].iterdir())


def test_a_sync_opens_the_store_once_and_closes_it(env: dict[str, Path], stores: Opened) -> None:
    for _ in range(2):  # a first sync (writes) and a re-run (reads what was written)
        stores.opened.clear()
        stores.closed.clear()
        result = run(env, "sync", "--now", NOW)
        assert result.exit_code == 0, result.output
        # marks, the written fingerprints and the record of this write: one store for all of them
        assert len(stores.opened) == 1 and stores.closed == stores.opened
    assert env["target"].exists()


@pytest.fixture
def broken(env: dict[str, Path]) -> dict[str, Path]:
    (env["state"] / state.DB_NAME).write_bytes(b"this is not an SQLite file" * 100)
    return env


@pytest.mark.parametrize("command", [["plan"], ["export", "-o", "{tmp}/export.ics"]])
def test_plan_and_export_warn_about_an_unusable_store(broken: dict[str, Path], command: list[str]) -> None:
    args = [a.format(tmp=broken["tmp"]) for a in command]
    result = run(broken, *args, "--now", NOW, str(SAMPLE))
    assert result.exit_code == 0, result.output
    assert "outcomes recorded with `followcal mark` are ignored for now" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("command", [["sync"], ["status"], ["mark", "Hooli", "replied"]])
def test_commands_that_write_the_store_stop_with_one_line(broken: dict[str, Path], command: list[str]) -> None:
    result = run(broken, *command, "--now", NOW)
    assert result.exit_code == 1, result.output
    assert "state.sqlite3" in result.output and "Traceback" not in result.output
    assert "ignored for now" not in result.output
