"""Business days for a region: workalendar UNITED with `holidays`, plus the user's own days.

Why a union: each library misses holidays the other has (measured for 2026: workalendar lacks US
Juneteenth, `holidays` lacks England's Easter Monday and Late Summer bank holiday). Why lazy: both
libraries are slow to import, and a plan over thousands of interviews must not call them per date,
so each calendar computes a year's non-working days once and then answers from a set.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any

from followcal.core.holiday_cache import holiday_cache
from followcal.errors import UnknownRegionError

SOURCES = ("workalendar", "holidays", "config")
_ONE_DAY = timedelta(days=1)
# (year) -> [(day, name), ...]; one per library that knows the region.
_Provider = Callable[[int], list[tuple[date, str]]]


@dataclass(frozen=True)
class Holiday:
    """One non-working (or weekend-dated) holiday and which source(s) listed it."""

    day: date
    names: tuple[str, ...]
    sources: tuple[str, ...]  # subset of SOURCES, in that order


class WorkCalendar:
    """Mon-Fri minus the region's holidays; use `work_calendar()` to get a cached instance."""

    def __init__(
        self,
        region: str,
        providers: dict[str, _Provider],
        extra_holidays: tuple[date, ...] = (),
        extra_working_days: tuple[date, ...] = (),
    ) -> None:
        self.region = region
        self._providers = providers
        self._extra_holidays = frozenset(extra_holidays)
        self._extra_working_days = frozenset(extra_working_days)
        self._years: dict[int, list[Holiday]] = {}
        self._off: dict[int, frozenset[date]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"WorkCalendar({self.region!r}, sources={sorted(self._providers)})"

    @property
    def sources(self) -> tuple[str, ...]:
        """The libraries that know this region, in SOURCES order."""
        return tuple(s for s in SOURCES[:2] if s in self._providers)

    def holidays(self, year: int) -> list[Holiday]:
        """The year's holidays (weekend-dated ones included) sorted by date, with their sources."""
        if year not in self._years:
            with self._lock:  # the libraries' own caches are not thread-safe
                if year not in self._years:
                    self._off[year], self._years[year] = self._compute(year)
        return list(self._years[year])

    def _compute(self, year: int) -> tuple[frozenset[date], list[Holiday]]:
        found: dict[date, tuple[list[str], list[str]]] = {}
        for source in SOURCES[:2]:
            if source in self._providers:
                for day, name in _quietly(self._providers[source], year):
                    names, sources = found.setdefault(day, ([], []))
                    if name not in names:
                        names.append(name)
                    if source not in sources:
                        sources.append(source)
        for day in self._extra_holidays:
            if day.year == year:
                names, sources = found.setdefault(day, ([], []))
                names.append("extra holiday")
                sources.append("config")
        listed = [
            Holiday(day, tuple(names), tuple(sources))
            for day, (names, sources) in sorted(found.items())
            if day.year == year and day not in self._extra_working_days
        ]
        return frozenset(h.day for h in listed), listed

    def is_working_day(self, day: date) -> bool:
        """Mon-Fri and not a holiday; extra_working_days cannot make a weekend a working day."""
        if day.weekday() >= 5:
            return False
        off = self._off.get(day.year)
        if off is None:
            self.holidays(day.year)
            off = self._off[day.year]
        return day not in off

    def add_business_days(self, day: date, n: int) -> date:
        """The n-th business day after `day` (`day` itself never counts; n=0 returns `day`)."""
        if n < 0:
            raise ValueError(f"add_business_days: n must be >= 0, got {n}")
        while n:
            day += _ONE_DAY
            if self.is_working_day(day):
                n -= 1
        return day

    def next_business_day_after(self, day: date) -> date:
        return self.add_business_days(day, 1)


def _quietly(provider: _Provider, year: int) -> list[tuple[date, str]]:
    """A library's holidays for `year`, or none: unsupported years warn or raise (JP, CN, HK)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return provider(year)
    except Exception:  # noqa: BLE001 - library boundary: the other library may still know the year
        return []


def normalise_region(region: str) -> str:
    """`us-ca`, ` US_CA ` -> `US-CA`; `UK`, `GBR` -> `GB` (regions.normalise_code)."""
    from followcal.core.regions import normalise_code

    return normalise_code(region)


def _providers(region: str) -> dict[str, _Provider]:
    """One provider per library that knows `region`; imports both libraries on first use."""
    found: dict[str, _Provider] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from workalendar.registry import registry

            wa_class: Any = registry.get(region)
            wa = wa_class() if wa_class is not None else None
        except Exception:  # noqa: BLE001 - library boundary
            wa = None
        if wa is not None:
            found["workalendar"] = lambda year: [(d, str(n)) for d, n in wa.holidays(year)]
        country, _, subdiv = region.partition("-")
        try:
            import holidays as holidays_lib

            holidays_lib.country_holidays(country, subdiv=subdiv or None)  # validates the codes
        except Exception:  # noqa: BLE001 - NotImplementedError for unknown country/subdivision
            return found

    def from_holidays(year: int) -> list[tuple[date, str]]:
        table = holidays_lib.country_holidays(country, subdiv=subdiv or None, years=year)
        return [(d, name) for d in sorted(table) for name in table.get_list(d)]

    found["holidays"] = from_holidays
    return found


@lru_cache(maxsize=256)
def _cached(region: str, extra: tuple[date, ...], working: tuple[date, ...]) -> WorkCalendar:
    providers = holiday_cache().providers(region, _providers) if region else {}
    if not providers:
        raise UnknownRegionError(region)
    return WorkCalendar(region, providers, extra, working)


def _dates(days: Iterable[date]) -> tuple[date, ...]:
    return tuple(sorted({d.date() if isinstance(d, datetime) else d for d in days}))


def work_calendar(
    region: str, extra_holidays: Iterable[date] = (), extra_working_days: Iterable[date] = ()
) -> WorkCalendar:
    """The cached calendar for `region`; UnknownRegionError when neither library knows it."""
    return _cached(normalise_region(region), _dates(extra_holidays), _dates(extra_working_days))


def check_region(region: str) -> str:
    """The normalised region, or UnknownRegionError (no holiday is computed)."""
    return work_calendar(region).region
