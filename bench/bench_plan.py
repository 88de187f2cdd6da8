"""Benchmark: `followcal plan` and `export` against a naive full parse and a read-and-scan floor,
as whole processes.

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
TARGET_SPEEDUP_20K = 20.0  # issue 17
TARGET_STRETCH_20K = 25.0
TARGET_SPEEDUP_1K = 3.0
TARGET_EXPORT_SHARE = 1.2
TARGET_HELP_S = 0.1


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
    return [found] if found else [sys.executable, "-c", "from followcal.cli.commands import main; main()"]


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
    """plan, export, the naive baseline and the floor on one feed, run alternately `reps` times."""
    feed = write_feed(OUT / f"feed-{events}.ics", events)
    base = [*followcal_command(), "--config", str(config)]
    commands = {
        "plan": ([*base, "plan", str(feed), "--json", "--now", NOW], OUT / f"plan-{events}.json"),
        # long options, as plan is given: with -o click builds a difflib suggestion for "-o" as a long
        # option before it tries the short one (2-3 ms; click 8.5)
        "export": ([*base, "export", str(feed), "--output", str(OUT / f"export-{events}.ics"), "--now", NOW], None),
        "naive": ([sys.executable, str(HERE / "naive_plan.py"), str(feed), "--now", NOW], None),
        "floor": ([sys.executable, str(HERE / "floor_scan.py"), str(feed)], None),
    }
    runs: dict[str, list[Run]] = {name: [] for name in commands}
    for argv, out in commands.values():  # warm-up: page cache, byte-compiled modules, holiday cache
        measure(argv, out, env)
    for _ in range(reps):
        for name, (argv, out) in commands.items():
            runs[name].append(measure(argv, out, env))
        line = " | ".join(f"{name} {r[-1].seconds:6.2f} s (cpu {r[-1].cpu:5.2f}) {r[-1].max_rss_mb:5.0f} MB"
                          for name, r in runs.items())
        print(f"  {events:>6} events: {line}", file=sys.stderr)
    result = json.loads((OUT / f"plan-{events}.json").read_text(encoding="utf-8"))
    return {
        "events": events,
        "mb": feed.stat().st_size / 1e6,
        "interviews": len(result["interviews"]),
        **{name: median(r) for name, r in runs.items()},
    }


def startup(env: dict[str, str], config: Path) -> dict[str, float]:
    """Start-up alone: `--help`, and `plan` of a calendar with no events (imports, config, output)."""
    empty = OUT / "empty.ics"
    empty.write_bytes(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\nEND:VCALENDAR\r\n")
    out = {}
    for name, argv in (("--help", [*followcal_command(), "--help"]),
                       ("plan of an empty calendar", [*followcal_command(), "--config", str(config), "plan",
                                                      str(empty), "--json", "--now", NOW]),
                       ("bare interpreter", [sys.executable, "-c", "pass"])):
        runs = [measure(argv, None, env) for _ in range(8)][2:]
        out[name] = statistics.median(r.seconds for r in runs)
        out[name + " cpu"] = statistics.median(r.cpu for r in runs)
    return out


def verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


def print_table(rows: list[dict], start: dict[str, float]) -> None:
    print()
    print(f"followcal plan/export vs naive full parse - {platform.python_implementation()} {platform.python_version()}, "
          f"{os.cpu_count()} CPUs, medians of alternating runs")
    print()
    print("| events | feed MB | interviews | plan s (CPU) | export s (CPU) | naive s (CPU) | floor s (CPU) "
          "| plan speed-up wall / CPU | export speed-up wall / CPU | export/plan wall / CPU "
          "| plan/floor wall / CPU | plan MB | naive MB | RSS plan/naive |")
    print("|-------:|--------:|-----------:|-------------:|---------------:|--------------:|--------------:"
          "|-------------------------:|---------------------------:|-----------------------:"
          "|----------------------:|--------:|---------:|---------------:|")
    for r in rows:
        p, e, n, f = r["plan"], r["export"], r["naive"], r["floor"]
        print(f"| {r['events']:>6} | {r['mb']:7.1f} | {r['interviews']:>10} | {p.seconds:5.2f} ({p.cpu:4.2f}) "
              f"| {e.seconds:6.2f} ({e.cpu:5.2f}) | {n.seconds:6.2f} ({n.cpu:5.2f}) | {f.seconds:5.2f} ({f.cpu:5.2f}) "
              f"| {n.seconds / p.seconds:10.1f}x / {n.cpu / p.cpu:5.1f}x "
              f"| {n.seconds / e.seconds:12.1f}x / {n.cpu / e.cpu:5.1f}x "
              f"| {e.seconds / p.seconds:9.2f}x / {e.cpu / p.cpu:4.2f}x "
              f"| {p.seconds / f.seconds:8.1f}x / {p.cpu / f.cpu:4.1f}x | {p.max_rss_mb:7.0f} "
              f"| {n.max_rss_mb:8.0f} | {p.max_rss_mb / n.max_rss_mb:14.2f} |")
    print()
    if len(rows) >= 2:
        print("growth (marginal cost per 1,000 events between sizes):")
        for a, b in zip(rows, rows[1:]):
            k = (b["events"] - a["events"]) / 1000
            print(f"  {a['events']:>6} -> {b['events']:>6}: plan {1000 * (b['plan'].seconds - a['plan'].seconds) / k:5.1f} ms "
                  f"and {(b['plan'].max_rss_mb - a['plan'].max_rss_mb) / k:4.2f} MB per 1k events; "
                  f"naive {1000 * (b['naive'].seconds - a['naive'].seconds) / k:6.1f} ms and "
                  f"{(b['naive'].max_rss_mb - a['naive'].max_rss_mb) / k:4.2f} MB per 1k events")
    print("start-up alone (median wall / CPU):")
    for name in ("--help", "plan of an empty calendar", "bare interpreter"):
        print(f"  {name:<27} {start[name]:.3f} s / {start[name + ' cpu']:.3f} s")
    print()
    print("targets:")
    help_s = start["--help"]
    for r in rows:
        p, e, n = r["plan"], r["export"], r["naive"]
        speed, cpu_speed = n.seconds / p.seconds, n.cpu / p.cpu
        goal = {1000: TARGET_SPEEDUP_1K, 20000: TARGET_SPEEDUP_20K}.get(r["events"])
        if goal:
            print(f"  {r['events']:>6} plan >= {goal:.0f}x naive: wall {speed:.1f}x {verdict(speed >= goal)}; "
                  f"CPU {cpu_speed:.1f}x {verdict(cpu_speed >= goal)}"
                  + (f" (stretch {TARGET_STRETCH_20K:.0f}x: {verdict(speed >= TARGET_STRETCH_20K)})"
                     if r["events"] == 20000 else ""))
        share, cpu_share = e.seconds / p.seconds, e.cpu / p.cpu
        print(f"  {r['events']:>6} export <= {TARGET_EXPORT_SHARE}x plan: wall {share:.2f}x "
              f"{verdict(share <= TARGET_EXPORT_SHARE)}; CPU {cpu_share:.2f}x {verdict(cpu_share <= TARGET_EXPORT_SHARE)}")
    print(f"  --help < {TARGET_HELP_S} s: {help_s:.3f} s {verdict(help_s < TARGET_HELP_S)}")


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
    env["FOLLOWCAL_CACHE_DIR"] = str(OUT / "cache")  # warmed by the first run, as on a user's machine
    start = startup(env, config)
    rows = [bench_size(n, args.reps, env, config) for n in sorted(sizes)]
    print_table(rows, start)


if __name__ == "__main__":
    main()
