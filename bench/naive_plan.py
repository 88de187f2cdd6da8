"""The naive baseline: what a small script would do to find the interviews in a calendar export.

Parse everything with icalendar, expand every series with recurring-ical-events over the window
(one year either side of --now, the span `followcal plan` expands series over when no
--since/--until is given), keep the events whose SUMMARY or CATEGORIES holds an interview keyword.
It does less than `followcal plan` (no rules, no holidays, no drafts), so the ratio is a floor.

    python bench/naive_plan.py FEED.ics --now 2026-11-22T12:00
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timedelta

import icalendar
import recurring_ical_events

KEYWORDS = ("interview", "phone screen", "screening call", "technical screen", "onsite", "on-site",
            "hiring manager", "recruiter call")  # followcal's defaults (config.DEFAULT_KEYWORDS)
EXCLUDE = ("prep", "practice", "mock")


def interviews(data: bytes, now: datetime) -> list[tuple[str, str]]:
    calendar = icalendar.Calendar.from_ical(data)
    found = []
    for event in recurring_ical_events.of(calendar).between(now - timedelta(days=365), now + timedelta(days=365)):
        categories = event.get("CATEGORIES")
        cats = [] if categories is None else categories if isinstance(categories, list) else [categories]
        text = " ".join([str(event.get("SUMMARY", "")), *(" ".join(map(str, c.cats)) for c in cats)]).casefold()
        if any(k in text for k in KEYWORDS) and not any(x in text for x in EXCLUDE):
            found.append((str(event.get("UID")), str(event.get("DTSTART").dt)))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("feed")
    parser.add_argument("--now", default="2026-11-22T12:00")
    args = parser.parse_args()
    with open(args.feed, "rb") as handle:
        found = interviews(handle.read(), datetime.fromisoformat(args.now))
    sys.stdout.write(f"{len(found)} interview occurrences\n")


if __name__ == "__main__":
    main()
