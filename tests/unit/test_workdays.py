"""workdays: the holiday union, the user's own days, region errors and business-day arithmetic."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

import followcal
from followcal.core.workdays import Holiday, check_region, work_calendar
from followcal.errors import UnknownRegionError, UsageError

D = date


def sources(region: str, day: date) -> tuple[str, ...] | None:
    """The sources that list `day` in `region`, None when it is no holiday."""
    for h in work_calendar(region).holidays(day.year):
        if h.day == day:
            return h.sources
    return None


# --- which days are off, and who says so (values checked against the libraries, 2026) ----------

OFF = [  # region, day, sources; every day here is a weekday unless noted
    ("US", D(2026, 11, 26), ("workalendar", "holidays")),  # Thanksgiving
    ("US", D(2026, 6, 19), ("holidays",)),  # Juneteenth: workalendar 17 lacks it
    ("US", D(2026, 7, 3), ("workalendar", "holidays")),  # Independence Day observed (Jul 4 = Sat)
    ("GB", D(2026, 4, 6), ("workalendar",)),  # Easter Monday: holidays' GB (UK-wide) lacks it
    ("GB", D(2026, 8, 31), ("workalendar",)),  # Late Summer bank holiday, idem
    ("GB", D(2026, 12, 28), ("workalendar", "holidays")),  # Boxing Day Shift / (observed)
    ("US-CA", D(2026, 3, 31), ("workalendar", "holidays")),  # Cesar Chavez Day
    ("US-CA", D(2026, 11, 27), ("workalendar", "holidays")),  # Day after Thanksgiving (CA only)
    ("US-CA", D(2027, 10, 29), ("holidays",)),  # Diwali (holidays only; Sunday in 2026)
    ("DE-BY", D(2026, 1, 6), ("workalendar", "holidays")),  # Epiphany
    ("DE-BY", D(2026, 6, 4), ("workalendar", "holidays")),  # Corpus Christi
    ("JP", D(2026, 9, 22), ("holidays",)),  # National Holiday: workalendar lacks it
    ("AU-NSW", D(2026, 4, 27), ("holidays",)),  # ANZAC Day (observed)
]


@pytest.mark.parametrize(("region", "day", "expected"), OFF)
def test_non_working_day_and_its_sources(region: str, day: date, expected: tuple[str, ...]) -> None:
    cal = work_calendar(region)
    assert day.weekday() < 5
    assert not cal.is_working_day(day)
    assert sources(region, day) == expected


WORKING = [  # region, day: weekdays that are off elsewhere but not here
    ("US", D(2026, 11, 27)),  # day after Thanksgiving: only some states
    ("US", D(2026, 3, 31)),  # Cesar Chavez Day is California's
    ("DE-BE", D(2026, 1, 6)),  # Epiphany is Bavarian, not Berlin's
    ("DE-BE", D(2026, 6, 4)),  # Corpus Christi, idem
    ("GB", D(2026, 12, 29)),
    ("US", D(2026, 11, 25)),
]


@pytest.mark.parametrize(("region", "day"), WORKING)
def test_working_day(region: str, day: date) -> None:
    assert work_calendar(region).is_working_day(day)
    assert sources(region, day) is None


@pytest.mark.parametrize(
    ("region", "day", "expected"),
    [
        ("GB", D(2026, 12, 26), ("workalendar", "holidays")),  # Boxing Day, a Saturday
        ("DE-BY", D(2026, 11, 1), ("workalendar", "holidays")),  # All Saints, a Sunday
        ("DE-BY", D(2026, 8, 15), ("workalendar",)),  # Assumption, a Saturday
        ("US", D(2026, 7, 4), ("workalendar", "holidays")),  # Saturday
    ],
)
def test_weekend_holidays_are_listed_and_not_working(
    region: str, day: date, expected: tuple[str, ...]
) -> None:
    assert day.weekday() >= 5
    assert sources(region, day) == expected
    assert not work_calendar(region).is_working_day(day)


def test_names_of_both_libraries_are_kept() -> None:
    (shift,) = [h for h in work_calendar("GB").holidays(2026) if h.day == D(2026, 12, 28)]
    assert shift == Holiday(
        D(2026, 12, 28), ("Boxing Day Shift", "Boxing Day (observed)"), ("workalendar", "holidays")
    )


def test_holidays_are_sorted_within_the_year_and_a_copy() -> None:
    cal = work_calendar("US")
    listed = cal.holidays(2026)
    assert [h.day for h in listed] == sorted({h.day for h in listed})
    assert all(h.day.year == 2026 and h.names and h.sources for h in listed)
    listed.clear()
    assert cal.holidays(2026)


# --- business-day arithmetic ------------------------------------------------------------------

ADD = [  # region, start, n, expected
    ("US", D(2026, 11, 19), 5, D(2026, 11, 27)),  # worked example: Thanksgiving skipped
    ("US", D(2026, 11, 27), 10, D(2026, 12, 11)),  # follow-up-2
    ("US", D(2026, 12, 11), 5, D(2026, 12, 18)),  # cut-off
    ("US-CA", D(2026, 11, 19), 5, D(2026, 11, 30)),  # California also skips Nov 27
    ("US", D(2026, 11, 19), 0, D(2026, 11, 19)),
    ("US", D(2026, 11, 21), 0, D(2026, 11, 21)),  # n=0 returns even a Saturday unchanged
    ("US", D(2026, 11, 20), 1, D(2026, 11, 23)),  # Fri -> Mon
    ("US", D(2026, 12, 24), 1, D(2026, 12, 28)),  # over Christmas
    ("US", D(2026, 12, 31), 1, D(2027, 1, 4)),  # over the year end and New Year (Fri)
    ("GB", D(2026, 12, 24), 1, D(2026, 12, 29)),  # Christmas, Boxing Day weekend, its shift
    ("GB", D(2026, 4, 2), 1, D(2026, 4, 7)),  # Good Friday, Easter Monday
    ("DE-BY", D(2026, 6, 3), 1, D(2026, 6, 5)),
    ("DE-BE", D(2026, 6, 3), 1, D(2026, 6, 4)),
]


@pytest.mark.parametrize(("region", "start", "n", "expected"), ADD)
def test_add_business_days(region: str, start: date, n: int, expected: date) -> None:
    assert work_calendar(region).add_business_days(start, n) == expected


def test_next_business_day_after() -> None:
    cal = work_calendar("US")
    assert cal.next_business_day_after(D(2026, 11, 25)) == D(2026, 11, 27)
    assert cal.next_business_day_after(D(2026, 11, 25)) == cal.add_business_days(D(2026, 11, 25), 1)


def test_negative_n_is_refused() -> None:
    with pytest.raises(ValueError):
        work_calendar("US").add_business_days(D(2026, 1, 5), -1)


# --- the user's own days -------------------------------------------------------------------------


def test_extra_holidays_and_extra_working_days() -> None:
    cal = work_calendar(
        "US",
        extra_holidays=[D(2026, 11, 24), D(2026, 11, 26)],
        extra_working_days={D(2026, 6, 19), D(2026, 11, 28)},
    )
    assert not cal.is_working_day(D(2026, 11, 24))
    assert cal.is_working_day(D(2026, 6, 19))  # Juneteenth worked
    assert not cal.is_working_day(D(2026, 11, 28))  # a Saturday stays a weekend day
    assert cal.add_business_days(D(2026, 11, 19), 5) == D(2026, 11, 30)
    by_day = {h.day: h for h in cal.holidays(2026)}
    assert by_day[D(2026, 11, 24)] == Holiday(D(2026, 11, 24), ("extra holiday",), ("config",))
    assert by_day[D(2026, 11, 26)].sources == ("workalendar", "holidays", "config")
    assert D(2026, 6, 19) not in by_day
    assert work_calendar("US").is_working_day(D(2026, 11, 24))  # the plain calendar is untouched


def test_calendars_are_cached_on_normalised_arguments() -> None:
    a = work_calendar("de-by", [D(2026, 3, 2), D(2026, 3, 1)], iter(()))
    b = work_calendar(" DE-BY ", (D(2026, 3, 1), D(2026, 3, 2), D(2026, 3, 1)), [])
    assert a is b
    assert a.region == "DE-BY"
    assert work_calendar("DE-BY") is not a


# --- regions ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given_region", "normalised"),
    [("us", "US"), ("US-CA", "US-CA"), ("gb", "GB"), ("de-by", "DE-BY"), ("au-nsw", "AU-NSW"),
     ("JP", "JP"), ("GB-ENG", "GB-ENG")],  # GB-ENG: only holidays knows it
)
def test_check_region(given_region: str, normalised: str) -> None:
    assert check_region(given_region) == normalised
    assert work_calendar(given_region).region == normalised


@pytest.mark.parametrize("region", ["XX", "US-ZZ", "xx", "", "Narnia"])
def test_unknown_region(region: str) -> None:
    for call in (check_region, work_calendar):
        with pytest.raises(UnknownRegionError) as info:
            call(region)
        assert isinstance(info.value, UsageError)
        assert repr(region.strip().upper()) in str(info.value)
        assert info.value.region == region.strip().upper()


@pytest.mark.parametrize(("region", "year"), [("JP", 1800), ("JP", 2200), ("CN", 2026), ("HK", 2150)])
def test_unsupported_years_neither_raise_nor_warn(region: str, year: int) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cal = work_calendar(region)
        cal.holidays(year)
        assert cal.add_business_days(D(year, 1, 1), 3) > D(year, 1, 1)


def test_importing_the_module_does_not_import_the_libraries() -> None:
    src = str(Path(followcal.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    code = (
        "import sys, followcal.core.workdays; "
        "assert not {'workalendar', 'holidays'} & set(sys.modules), 'eager import'"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True)


# --- properties --------------------------------------------------------------------------------------

REGIONS = ["US", "US-CA", "GB", "DE-BY", "JP"]
starts = st.dates(min_value=D(2020, 1, 1), max_value=D(2030, 12, 31))


@settings(max_examples=300, deadline=None)
@given(region=st.sampled_from(REGIONS), start=starts, n=st.integers(0, 30))
def test_add_business_days_properties(region: str, start: date, n: int) -> None:
    cal = work_calendar(region)
    result = cal.add_business_days(start, n)
    if n == 0:
        assert result == start
    else:
        assert result > start
        assert cal.is_working_day(result)
    span = [start + timedelta(days=i) for i in range(1, (result - start).days + 1)]
    assert sum(cal.is_working_day(d) for d in span) == n
    assert cal.add_business_days(start, n + 1) > result  # strictly monotonic in n


@settings(max_examples=200, deadline=None)
@given(region=st.sampled_from(REGIONS), day=starts)
def test_is_working_day_agrees_with_holidays(region: str, day: date) -> None:
    cal = work_calendar(region)
    off = {h.day for h in cal.holidays(day.year)}
    assert cal.is_working_day(day) == (day.weekday() < 5 and day not in off)
