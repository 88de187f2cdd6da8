"""Benchmark: `followcal sync` against a local Radicale holding a busy calendar.

A calendar of 5,000 generated events (about 100 of them interviews) is uploaded to Radicale; a
CountingProxy (tests/integration/servers.py) in front of it records every request. Then
`followcal sync main` runs twice as a whole process: the first sync creates the Follow-ups
calendar and writes every reminder (concurrently, through a small bounded pool: the proxy tracks
how many writes were in flight at once); the second is a no-op, which must write nothing and make
at most 3 requests per calendar (CTag / sync-token). Not part of the test suite.

    bench/run --caldav              # after the feed benchmark
    python bench/bench_caldav.py    # alone; --events N to change the size
"""

from __future__ import annotations

import argparse
import collections
import os
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT / "tests" / "integration")]

from bench_plan import followcal_command, measure  # noqa: E402
from generate_feed import generate_feed  # noqa: E402
from servers import WRITE_METHODS, CountingProxy, http_request, start_radicale  # noqa: E402

USER, PASSWORD = "alice", "bench-Pa55"
MAX_NOOP_REQUESTS_PER_CALENDAR = 3


class InFlight:
    """Counts writes in flight through the proxy (its before/after hooks) and keeps the maximum."""

    def __init__(self) -> None:
        self.now = self.peak = 0
        self.lock = threading.Lock()

    def before(self, method: str, path: str) -> None:
        if method in WRITE_METHODS:
            with self.lock:
                self.now += 1
                self.peak = max(self.peak, self.now)
        return None  # forward the request

    def after(self, method: str, path: str, status: int) -> None:
        if method in WRITE_METHODS:
            with self.lock:
                self.now -= 1


def seed(server, events: int) -> tuple[str, int]:
    """Upload the generated calendar as a whole collection (one PUT; Radicale splits it by UID)."""
    data = generate_feed(events, seed=2).replace(b"X-WR-CALNAME:Alex Rivera", b"X-WR-CALNAME:Interviews")
    url = server.calendar_url("interviews")
    resp = http_request(url, "PUT", data, {"Content-Type": "text/calendar; charset=utf-8"}, auth=server.auth, timeout=900)
    if resp.status not in (200, 201, 204):
        raise SystemExit(f"seeding {url} failed: {resp.status} {resp.body[:200]!r}")
    return url, len(server.hrefs(url))


def by_calendar(seen, server) -> dict[str, collections.Counter]:
    """Requests grouped by the calendar they hit (source, target, or discovery of the home)."""
    home = urllib.parse.urlsplit(server.home).path
    groups: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for s in seen:
        path = urllib.parse.unquote(s.path.split("?")[0])
        if path.startswith(home + "interviews/"):
            key = "Interviews (source)"
        elif path.startswith(home) and path != home:
            key = "Follow-ups (target)"
        else:
            key = "home / discovery"
        groups[key][s.method] += 1
    return groups


def report(label: str, run, seen, server, peak: int | None = None) -> int:
    writes = sum(1 for s in seen if s.method in WRITE_METHODS)
    print(f"\n{label}: {run.seconds:.2f} s wall, {run.cpu:.2f} s CPU, {run.max_rss_mb:.0f} MB peak RSS, "
          f"{len(seen)} HTTP requests, {writes} writes" + (f", at most {peak} writes in flight" if peak is not None else ""))
    print("| calendar | requests | by method |")
    print("|---|--:|---|")
    worst = 0
    for key, counter in sorted(by_calendar(seen, server).items()):
        total = sum(counter.values())
        if key != "home / discovery":
            worst = max(worst, total)
        print(f"| {key} | {total} | {', '.join(f'{m} {n}' for m, n in sorted(counter.items()))} |")
    return worst


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=5000, help="events in the source calendar (default 5000)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="followcal-bench-") as tmp_dir:
        tmp = Path(tmp_dir)
        server = start_radicale(tmp, auth=(USER, PASSWORD))
        try:
            started = time.perf_counter()
            source, resources = seed(server, args.events)
            print(f"Radicale seeded with {args.events} events ({resources} resources) in "
                  f"{time.perf_counter() - started:.0f} s")
            with CountingProxy(server.url) as proxy:
                flight = InFlight()
                proxy.before, proxy.after = flight.before, flight.after
                config = tmp / "followcal.toml"
                home_via_proxy = proxy.url + server.home[len(server.url):]
                config.write_text(
                    'region = "US"\ntimezone = "America/New_York"\nme = ["me@example.com"]\n\n'
                    f'[accounts.dav]\ntype = "caldav"\nurl = "{home_via_proxy}"\nusername = "{USER}"\n'
                    'password_env = "BENCH_DAV_PASSWORD"\n\n'
                    '[[sync]]\nname = "main"\nfrom = ["dav:Interviews"]\nto = ["dav:Follow-ups"]\n',
                    encoding="utf-8",
                )
                env = {**os.environ, "FOLLOWCAL_STATE_DIR": str(tmp / "state"), "BENCH_DAV_PASSWORD": PASSWORD}
                env.pop("PYTHONDONTWRITEBYTECODE", None)
                command = [*followcal_command(), "--config", str(config), "sync", "main"]  # the clock: now
                first = measure(command, tmp / "first.out", env)
                first_seen, first_peak = list(proxy.seen), flight.peak
                report("first sync", first, first_seen, server, first_peak)
                proxy.reset()
                flight.peak = 0
                again = measure(command, tmp / "again.out", env)
                again_seen = list(proxy.seen)
                worst = report("no-op re-sync", again, again_seen, server, flight.peak)
                written = len(server.hrefs(server.calendar_url("follow-ups")))
                noop_writes = sum(1 for s in again_seen if s.method in WRITE_METHODS)
                print(f"\nreminders in Follow-ups: {written}")
                print("targets:")
                print(f"  no-op re-sync makes no writes: {noop_writes} writes  {'met' if noop_writes == 0 else 'MISSED'}")
                print(f"  at most {MAX_NOOP_REQUESTS_PER_CALENDAR} requests per calendar: {worst}  "
                      f"{'met' if worst <= MAX_NOOP_REQUESTS_PER_CALENDAR else 'MISSED'}")
                print(f"  first-sync writes concurrent and bounded: at most {first_peak} in flight  "
                      f"{'met' if 1 < first_peak <= 8 else 'CHECK'}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
