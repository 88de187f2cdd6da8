"""The VTIMEZONE writer finds a zone's changes with a weekly scan (issue 17: a fresh export's
zones cost 7x less). That is exact only if no zone changes and changes back within a week: checked
here for every IANA zone over the years exports are written for (and once, outside the suite,
for 1970-2040: no zone differs)."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo, available_timezones

from followcal.ical.vtimezone import _DAY, _STEP, _scan, transitions


def test_weekly_scan_equals_a_daily_scan_for_every_zone() -> None:
    first, last = date(2025, 1, 1), date(2029, 12, 31)
    differ = [name for name in sorted(available_timezones())
              if _scan(ZoneInfo(name), first, last, _STEP) != _scan(ZoneInfo(name), first, last, _DAY)]
    assert differ == []


def test_a_change_near_the_end_of_the_range_is_found() -> None:
    # New York springs forward on 2027-03-14: a range ending that day still sees it
    _, changes = transitions(ZoneInfo("America/New_York"), date(2027, 3, 1), date(2027, 3, 14))
    assert [c[0].isoformat() for c in changes] == ["2027-03-14T07:00:00+00:00"]
