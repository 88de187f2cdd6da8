"""A disk cache of each holiday library's answer per region and year (issue 17: start in a blink).

Importing `holidays` and `workalendar` costs more than everything else a small plan does (they
load every country's module); the tables themselves take milliseconds. So what each library says
about a region (whether it knows it, and its holidays of a year) is kept in one JSON file in the
user cache dir, keyed by both libraries' installed versions: a warm run imports neither, and an
upgrade of either starts a new file. Only the libraries' raw lists are cached: the union, the
user's extra days and everything else are computed as before, so a cached answer cannot differ
from a live one. A cache that cannot be read or written is ignored (the libraries answer).
"""

from __future__ import annotations

import json
import os
import threading
import warnings
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

LIBRARIES = ("workalendar", "holidays")
_FORMAT = 1
Provider = Callable[[int], list[tuple[date, str]]]
LiveProviders = Callable[[str], dict[str, Provider]]


def cache_dir() -> Path:
    """`$FOLLOWCAL_CACHE_DIR`, else the platformdirs user cache dir."""
    folder = os.environ.get("FOLLOWCAL_CACHE_DIR")
    if folder:
        return Path(folder)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("followcal"))


def _versions() -> str:
    """Both libraries' installed versions, read from their dist-info folder names: importing
    importlib.metadata and asking it costs about 20 ms, more than the warm cache saves elsewhere.
    Where no dist-info is found (an unusual install), the package file's mtime stands in."""
    import importlib.util

    parts = []
    for name in LIBRARIES:
        spec = importlib.util.find_spec(name)
        if spec is None or not spec.origin:
            parts.append(f"{name}-none")
            continue
        package = Path(spec.origin).parent
        prefix = name.replace("-", "_") + "-"
        try:
            found = sorted(e for e in os.listdir(package.parent) if e.startswith(prefix) and e.endswith(".dist-info"))
        except OSError:
            found = []
        if found:
            parts.append(found[-1][: -len(".dist-info")])
        else:
            parts.append(f"{name}-{os.stat(spec.origin).st_mtime_ns}")
    return "_".join(parts)


class HolidayCache:
    """The cache file of one pair of library versions; safe to share between threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        self._data: dict[str, Any] | None = None
        self._live: dict[str, dict[str, Provider]] = {}  # the libraries' own providers, once imported

    def _load(self) -> dict[str, Any]:
        if self._data is None:
            try:
                raw = json.loads(self.path.read_text(encoding="utf-8"))
                self._data = raw if isinstance(raw, dict) and raw.get("format") == _FORMAT else {}
            except (OSError, ValueError):
                self._data = {}
            self._data.setdefault("format", _FORMAT)
            self._data.setdefault("regions", {})
        return self._data

    def _save(self) -> None:
        """Atomic replace; another process's entries are merged in first, so none is lost."""
        data = self._load()
        try:
            other = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(other, dict) and other.get("format") == _FORMAT:
                for region, entry in other.get("regions", {}).items():
                    mine = data["regions"].setdefault(region, entry)
                    if mine is not entry:
                        for library, years in entry.get("years", {}).items():
                            for year, days in years.items():
                                mine.setdefault("years", {}).setdefault(library, {}).setdefault(year, days)
        except (OSError, ValueError):
            pass
        import tempfile  # only when writing: it costs a few ms to import

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".holidays-", suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, separators=(",", ":"), sort_keys=True)
            os.replace(tmp, self.path)
        except OSError:
            try:
                os.unlink(tmp)
            except (OSError, UnboundLocalError):
                pass

    def providers(self, region: str, live: LiveProviders) -> dict[str, Provider]:
        """The providers for `region`: answered from the cache, falling back to `live` (which
        imports the libraries) for what the cache does not hold yet, and remembered."""
        with self._lock:
            entry = self._load()["regions"].get(region)
            if entry is None:
                real = live(region)
                entry = {"known": sorted(real), "years": {name: {} for name in real}}
                self._load()["regions"][region] = entry
                self._live[region] = real
                self._save()
        return {name: self._provider(region, name, live) for name in entry["known"]}

    def _provider(self, region: str, library: str, live: LiveProviders) -> Provider:
        def year_days(year: int) -> list[tuple[date, str]]:
            with self._lock:
                years = self._load()["regions"][region].setdefault("years", {}).setdefault(library, {})
                cached = years.get(str(year))
                if cached is not None:
                    return [(date.fromisoformat(day), name) for day, name in cached]
                real = self._live.get(region)
                if real is None:
                    real = self._live[region] = live(region)
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        days = real[library](year) if library in real else []
                except Exception:  # noqa: BLE001 - as workdays._quietly: unsupported years raise (JP, CN)
                    days = []
                years[str(year)] = [[day.isoformat(), name] for day, name in days]
                self._save()
                return days

        return year_days


_caches: dict[Path, HolidayCache] = {}


def holiday_cache() -> HolidayCache:
    """The process's cache object for the current cache dir and library versions."""
    path = cache_dir() / f"holidays-{_versions()}.json"
    cache = _caches.get(path)
    if cache is None:
        cache = _caches[path] = HolidayCache(path)
    return cache
