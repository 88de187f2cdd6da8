"""The floor: the least any Python tool must do to find interview candidates in a calendar file.

A fresh interpreter reads the bytes, lower-cases them once and counts the events and the keyword
hits; no parsing, no rules, no output beyond two numbers. `followcal plan` can approach this
cost but not go below it, so bench_plan.py prints the ratio to it as the remaining gap.

    python bench/floor_scan.py FEED.ics
"""

from __future__ import annotations

import sys

KEYWORDS = (b"interview", b"phone screen", b"screening call", b"technical screen", b"onsite", b"on-site",
            b"hiring manager", b"recruiter call")


def main() -> None:
    with open(sys.argv[1], "rb") as handle:
        data = handle.read().lower()
    events = data.count(b"begin:vevent")
    hits = sum(data.count(k) for k in KEYWORDS)
    sys.stdout.write(f"{events} events, {hits} keyword hits\n")


if __name__ == "__main__":
    main()
