"""Fixtures every test shares. The autouse one keeps each test away from the user's real state:
the state, cache and config dirs (followcal's own variables and the XDG ones platformdirs reads)
point into the test's temporary folder, and no `FOLLOWCAL_CONFIG` leaks in from the shell."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import NOW, SAMPLE, SAMPLE_CONFIG

_USER_DIR_VARIABLES = (
    ("FOLLOWCAL_STATE_DIR", "state"),
    ("FOLLOWCAL_CACHE_DIR", "cache"),
    ("XDG_CONFIG_HOME", "config"),
    ("XDG_STATE_HOME", "xdg-state"),
    ("XDG_CACHE_HOME", "xdg-cache"),
    ("XDG_DATA_HOME", "data"),
)
_REAL_DIRS: list[Path] = []
_BEFORE: dict[str, tuple[int, int]] = {}


def _real_user_dirs() -> list[Path]:
    """The user's own followcal dirs, as platformdirs finds them outside the tests."""
    import platformdirs

    return [Path(platformdirs.user_state_dir("followcal")), Path(platformdirs.user_config_dir("followcal")),
            Path(platformdirs.user_cache_dir("followcal"))]


def _snapshot(folders: list[Path]) -> dict[str, tuple[int, int]]:
    """(size, mtime_ns) of every file below the folders: what a test that leaked would change."""
    found: dict[str, tuple[int, int]] = {}
    for folder in folders:
        if folder.exists():
            for path in folder.rglob("*"):
                try:
                    info = path.stat()
                except OSError:
                    continue
                found[str(path)] = (info.st_size, info.st_mtime_ns)
    return found


_REAL_DIRS_VARIABLE = "FOLLOWCAL_TESTS_REAL_DIRS"


def pytest_configure(config: pytest.Config) -> None:
    """Before collection (test modules may plan at import time): note the real dirs, then point
    every user dir of the whole session into a temporary folder. An xdist worker inherits the
    controller's environment, which already points into the controller's temporary folder: it
    takes the real dirs the controller found from `FOLLOWCAL_TESTS_REAL_DIRS` instead."""
    inherited = os.environ.get(_REAL_DIRS_VARIABLE)
    _REAL_DIRS[:] = [Path(p) for p in inherited.split(os.pathsep)] if inherited else _real_user_dirs()
    os.environ[_REAL_DIRS_VARIABLE] = os.pathsep.join(map(str, _REAL_DIRS))
    _BEFORE.update(_snapshot(_REAL_DIRS))
    session_home = Path(tempfile.mkdtemp(prefix="followcal-tests-"))
    for variable, folder in _USER_DIR_VARIABLES:
        os.environ[variable] = str(session_home / folder)
    os.environ.pop("FOLLOWCAL_CONFIG", None)


@pytest.fixture(scope="session", autouse=True)
def real_user_dirs_untouched() -> Iterator[list[Path]]:
    """Fails the session if any test created or changed a file in the user's real dirs (another
    program of the user's writing there at the same time would show up too: run it again)."""
    yield _REAL_DIRS
    after = _snapshot(_REAL_DIRS)
    changed = sorted(k for k in after.keys() | _BEFORE.keys() if after.get(k) != _BEFORE.get(k))
    assert not changed, f"tests touched the user's real followcal dirs: {changed[:5]}"


@pytest.fixture(autouse=True)
def isolated_user_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own empty user dirs; a test may still set FOLLOWCAL_STATE_DIR itself."""
    home = tmp_path_factory.mktemp("user")
    for variable, folder in _USER_DIR_VARIABLES:
        monkeypatch.setenv(variable, str(home / folder))
    monkeypatch.delenv("FOLLOWCAL_CONFIG", raising=False)
    yield home


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The test's folder, with followcal's state dir at `env / "state"` (a test that wants the
    state lost removes that folder). Modules that need more (a config file) override it:
    `def env(env: Path) -> Path: ...` builds on this one."""
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    return tmp_path


@pytest.fixture(scope="session")
def sample_reminders() -> list:
    """Every reminder of the bundled sample, planned with its config at the fixed NOW."""
    from followcal.config import load_settings
    from followcal.core.model import Window
    from followcal.core.planner import plan_events
    from followcal.ical import read as ics

    settings = load_settings(SAMPLE_CONFIG)
    events, warnings = ics.read_calendar(SAMPLE.read_bytes(), str(SAMPLE), Window(), keywords=None, now=NOW)
    planned = plan_events(events, settings, default_tz="America/New_York", warnings=warnings)
    return [r for p in planned.interviews for r in p.reminders]
