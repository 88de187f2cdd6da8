"""Benchmark: `followcal plan FEED --json` against a naive full parse, as whole processes.

For each feed size the two commands run alternately (so machine noise hits both alike), each a
fresh process; wall time is measured around the child, peak RSS is the child's own ru_maxrss from
os.wait4. The table shows medians and the ratios the performance targets are stated in; it also
times `followcal --help` (start-up cost of the CLI). Not part of the test suite.

    bench/run                  # 1k and 20k events, 3 repetitions each
    bench/run --big            # adds the 100k-event feed (about 30 MB; takes a few minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate_feed import write_feed  # noqa: E402

OUT = HERE / "out"
NOW = "2026-11-22T12:00"
CONFIG = 'timezone = "America/New_York"\nme = ["me@example.com"]\n'
TARGET_SPEEDUP = 10.0
TARGET_RSS_SHARE = 0.5
TARGET_HELP_S = 0.2


@dataclass
class Run:
    seconds: float  # wall
    max_rss_mb: float
    cpu: float = 0.0  # user + system: less sensitive than wall time to other load on the machine


def followcal_command() -> list[str]:
    """The installed console script next to this interpreter (not a pyenv/asdf shim)."""
    script = Path(sys.executable).parent / "followcal"
    if script.exists():
        return [str(script)]
    found = shutil.which("followcal")
    return [found] if found else [sys.executable, "-c", "from followcal.cli import main; main()"]


def measure(argv: list[str], stdout: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Wall time and peak RSS of one child process; fails loudly if the child fails."""
    out = open(stdout, "wb") if stdout else subprocess.DEVNULL
    try:
        start = time.perf_counter()
        child = subprocess.Popen(argv, stdout=out, stderr=subprocess.PIPE, env=env)
        _, status, usage = os.wait4(child.pid, 0)
        elapsed = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        err = child.stderr.read().decode("utf-8", "replace") if child.stderr else ""
    finally:
        if stdout:
            out.close()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(argv)} failed ({child.returncode}): {err.strip()[:500]}")
    return Run(elapsed, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime)  # ru_maxrss: KiB on Linux


def median(runs: list[Run]) -> Run:
    return Run(statistics.median(r.seconds for r in runs), statistics.median(r.max_rss_mb for r in runs),
               statistics.median(r.cpu for r in runs))


def bench_size(events: int, reps: int, env: dict[str, str], config: Path) -> dict:
    feed = write_feed(OUT / f"feed-{events}.ics", events)
    plan_cmd = [*followcal_command(), "--config", str(config), "plan", str(feed), "--json", "--now", NOW]
    naive_cmd = [sys.executable, str(HERE / "naive_plan.py"), str(feed), "--now", NOW]
    plan_out = OUT / f"plan-{events}.json"
    plans, naives = [], []
    measure(plan_cmd, plan_out, env)  # warm-up: page cache, and byte-compiles followcal once
    measure(naive_cmd, None, env)
    for _ in range(reps):
        plans.append(measure(plan_cmd, plan_out, env))
        naives.append(measure(naive_cmd, None, env))
        p, n = plans[-1], naives[-1]
        print(f"  {events:>6} events: plan {p.seconds:6.2f} s (cpu {p.cpu:5.2f}) {p.max_rss_mb:5.0f} MB | "
              f"naive {n.seconds:6.2f} s (cpu {n.cpu:5.2f}) {n.max_rss_mb:5.0f} MB", file=sys.stderr)
    result = json.loads(plan_out.read_text(encoding="utf-8"))
    return {
        "events": events,
        "mb": feed.stat().st_size / 1e6,
        "interviews": len(result["interviews"]),
        "plan": median(plans),
        "naive": median(naives),
    }


def print_table(rows: list[dict], help_s: float) -> None:
    print()
    print(f"followcal plan vs naive full parse - {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, medians of alternating runs")
    print()
    print("| events | feed MB | interviews | plan s | naive s | speed-up | plan CPU s | naive CPU s | CPU speed-up "
          "| plan MB | naive MB | RSS plan/naive |")
    print("|-------:|--------:|-----------:|-------:|--------:|---------:|-----------:|------------:|-------------:"
          "|--------:|---------:|---------------:|")
    for r in rows:
        p, n = r["plan"], r["naive"]
        print(f"| {r['events']:>6} | {r['mb']:7.1f} | {r['interviews']:>10} | {p.seconds:6.2f} | {n.seconds:7.2f} | "
              f"{n.seconds / p.seconds:7.1f}x | {p.cpu:10.2f} | {n.cpu:11.2f} | {n.cpu / p.cpu:11.1f}x "
              f"| {p.max_rss_mb:7.0f} | {n.max_rss_mb:8.0f} | {p.max_rss_mb / n.max_rss_mb:14.2f} |")
    print()
    if len(rows) >= 2:
        print("growth (marginal cost per 1,000 events between sizes):")
        for a, b in zip(rows, rows[1:]):
            k = (b["events"] - a["events"]) / 1000
            print(f"  {a['events']:>6} -> {b['events']:>6}: plan {1000 * (b['plan'].seconds - a['plan'].seconds) / k:5.1f} ms "
                  f"and {(b['plan'].max_rss_mb - a['plan'].max_rss_mb) / k:4.2f} MB per 1k events; "
                  f"naive {1000 * (b['naive'].seconds - a['naive'].seconds) / k:6.1f} ms and "
                  f"{(b['naive'].max_rss_mb - a['naive'].max_rss_mb) / k:4.2f} MB per 1k events")
    print(f"followcal --help: {help_s:.3f} s (median)")
    ref = next((r for r in rows if r["events"] == 20000), None)
    if ref:
        speed = ref["naive"].seconds / ref["plan"].seconds
        cpu_speed = ref["naive"].cpu / ref["plan"].cpu
        share = ref["plan"].max_rss_mb / ref["naive"].max_rss_mb
        print()
        print("targets on the 20k-event feed:")
        print(f"  speed-up >= {TARGET_SPEEDUP:.0f}x: wall {speed:.1f}x  {'met' if speed >= TARGET_SPEEDUP else 'MISSED'}; "
              f"CPU {cpu_speed:.1f}x  {'met' if cpu_speed >= TARGET_SPEEDUP else 'MISSED'}")
        print(f"  peak RSS <= {TARGET_RSS_SHARE:.0%} of naive: {share:.0%}  {'met' if share <= TARGET_RSS_SHARE else 'MISSED'}")
        print(f"  --help < {TARGET_HELP_S} s: {help_s:.3f} s  {'met' if help_s < TARGET_HELP_S else 'MISSED'}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,20000", help="comma-separated event counts (default 1000,20000)")
    parser.add_argument("--big", action="store_true", help="also the 100,000-event feed")
    parser.add_argument("--reps", type=int, default=3, help="alternating repetitions per size (default 3)")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if args.big and 100000 not in sizes:
        sizes.append(100000)
    OUT.mkdir(parents=True, exist_ok=True)
    state = OUT / "state"
    state.mkdir(exist_ok=True)
    config = OUT / "bench.toml"
    config.write_text(CONFIG, encoding="utf-8")
    env = {**os.environ, "FOLLOWCAL_STATE_DIR": str(state)}
    env.pop("FOLLOWCAL_CONFIG", None)
    # as in any pip install, modules run from cached bytecode: without this an editable install
    # under PYTHONDONTWRITEBYTECODE=1 recompiles followcal's modules on every start
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    help_runs = [measure([*followcal_command(), "--help"], None, env) for _ in range(6)][1:]
    rows = [bench_size(n, args.reps, env, config) for n in sorted(sizes)]
    print_table(rows, statistics.median(r.seconds for r in help_runs))


if __name__ == "__main__":
    main()
