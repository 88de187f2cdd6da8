"""holiday_cache: a warm cache answers exactly what the libraries answer, and imports neither."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from support import NOW, SAMPLE, SAMPLE_CONFIG

from followcal.core import holiday_cache, workdays
from followcal.errors import UnknownRegionError

REGIONS = ["US", "US-CA", "GB", "DE-BY", "JP", "AU-NSW", "FR", "CA-QC"]
YEARS = [2025, 2026, 2027]


def fresh() -> None:
    workdays._cached.cache_clear()
    holiday_cache._caches.clear()


def listing(region: str) -> dict[int, list]:
    cal = workdays.work_calendar(region)
    return {year: cal.holidays(year) for year in YEARS}


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("FOLLOWCAL_CACHE_DIR", str(folder))
    fresh()
    yield folder
    fresh()


@pytest.mark.parametrize("region", REGIONS)
def test_cold_and_warm_answers_are_the_live_ones(cache: Path, monkeypatch: pytest.MonkeyPatch, region: str) -> None:
    live = {name: provider for name, provider in workdays._providers(region).items()}
    expected = {}
    for year in YEARS:
        cal = workdays.WorkCalendar(region, live)
        expected[year] = cal.holidays(year)
    cold = listing(region)
    fresh()
    # a warm cache must not call the libraries at all
    monkeypatch.setattr(workdays, "_providers", lambda region: pytest.fail("a library was asked"))
    warm = listing(region)
    assert cold == warm == expected


def test_unknown_region_is_still_an_error_when_cached(cache: Path) -> None:
    for _ in range(2):
        fresh()
        with pytest.raises(UnknownRegionError):
            workdays.work_calendar("XX-NOPE")


def test_a_corrupt_cache_is_ignored_and_rewritten(cache: Path) -> None:
    expected = listing("GB")
    (path,) = cache.glob("holidays-*.json")
    path.write_text("{not json", encoding="utf-8")
    fresh()
    assert listing("GB") == expected
    assert json.loads(path.read_text(encoding="utf-8"))["regions"]["GB"]["known"]


def test_the_file_is_keyed_by_both_library_versions(cache: Path) -> None:
    from importlib.metadata import version

    listing("US")
    (path,) = cache.glob("holidays-*.json")
    assert version("holidays") in path.name and version("workalendar") in path.name


def test_a_warm_plan_imports_neither_library(tmp_path: Path) -> None:
    env = {**os.environ, "FOLLOWCAL_CACHE_DIR": str(tmp_path / "cache"), "FOLLOWCAL_STATE_DIR": str(tmp_path / "s")}
    code = (
        "import sys\n"
        "from followcal.cli.commands import cli\n"
        "try:\n"
        f"    cli(['--config', {str(SAMPLE_CONFIG)!r}, 'plan', {str(SAMPLE)!r}, '--json', '--now', {NOW.isoformat()!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('LIBS', [m for m in ('holidays', 'workalendar') if m in sys.modules], file=sys.stderr)\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
            for _ in range(2)]
    assert "LIBS ['holidays', 'workalendar']" in runs[0].stderr
    assert "LIBS []" in runs[1].stderr, runs[1].stderr
    assert runs[0].stdout == runs[1].stdout and '"interviews"' in runs[0].stdout
