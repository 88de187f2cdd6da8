"""Issue 19: mutated calendars through the CLI entry point. Zero internal errors, every run under
10 s, the whole test under a minute.

Seeded and bounded: hypothesis is derandomized (the same inputs on every run, no example
database), and each input is the sample or a small generated feed (bench/generate_feed.py) with
a few line-level mutations: lines dropped, repeated, swapped, cut, bytes flipped, values replaced
and hostile lines inserted (runaway RRULEs, extreme years, broken VTIMEZONEs, stray BEGIN/END).
`FOLLOWCAL_FUZZ_EXAMPLES` raises the count for a longer local run; the figures are printed.
The inputs come in CHUNKS parametrized tests of EXAMPLES / CHUNKS each (each chunk's inputs are
its own: the chunk number is part of every input's seed), so xdist spreads them over workers.
"""

from __future__ import annotations

import os
import random
import resource
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings, strategies as st

from followcal.cli.commands import cli

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench"))

from generate_feed import generate_feed  # noqa: E402

EXAMPLES = int(os.environ.get("FOLLOWCAL_FUZZ_EXAMPLES", "1200"))
CHUNKS = 8
LIMIT_SECONDS = 10.0

SEEDS = [
    (ROOT / "samples" / "interviews.ics").read_bytes(),
    generate_feed(25, seed=19, interview_share=0.3),
    generate_feed(25, seed=20, interview_share=0.3, x_wr_timezone="Europe/Berlin"),
]
SEED_LINES = [seed.split(b"\r\n") for seed in SEEDS]

HOSTILE_LINES = [
    b"BEGIN:VEVENT", b"END:VEVENT", b"BEGIN:VTIMEZONE", b"END:VTIMEZONE", b"BEGIN:STANDARD", b"END:STANDARD",
    b"END:STANDARDX", b"END:STAND", b"BEGIN:DAYLIGHT", b"BEGIN:VALARM", b"END:VALARM", b"BEGIN:VCALENDAR",
    b"END:VCALENDAR", b"BEGIN:X-FOO", b"BEGIN:", b"END:", b"TZID:America/New_York", b"TZID:Foo/Bar", b"TZID:",
    b"RRULE:FREQ=SECONDLY;COUNT=100000", b"RRULE:FREQ=MINUTELY", b"RRULE:FREQ=DAILY;INTERVAL=0",
    b"RRULE:FREQ=HOURLY", b"RRULE:FREQ=HOURLY;BYMINUTE=0,30", b"RRULE:FREQ=DAILY;BYSECOND=1,2,3;BYMINUTE=1,2,3,4,5,6,7,8,9",
    b"RRULE:FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU;BYSETPOS=-1", b"RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
    b"RRULE:FREQ=YEARLY;BYDAY=53MO", b"RRULE:FREQ=MONTHLY;UNTIL=19000101", b"RRULE:FREQ=DAILY;COUNT=0",
    b"RRULE:FREQ=DAILY;UNTIL=garbage", b"RRULE:FREQ=FORTNIGHTLY", b"RRULE:", b"EXRULE:FREQ=DAILY",
    b"DTSTART:99991231T235959Z", b"DTSTART:00010101T000000", b"DTSTART;VALUE=DATE:99991231",
    b"DTSTART;VALUE=DATE:00010101", b"DTSTART;TZID=Mars/Olympus:20261120T100000", b"DTSTART:20261120T250000",
    b"DTSTART;TZID=America/New_York:20260308T023000", b"DTEND:20261120T090000", b"DTEND:99991231T235959Z",
    b"DURATION:P99999999W", b"DURATION:-PT1H", b"DURATION:garbage", b"EXDATE:garbage",
    b"RDATE;VALUE=PERIOD:20261120T100000Z/PT1H", b"RDATE:99991231T000000Z", b"RECURRENCE-ID:20261120T100000Z",
    b"RECURRENCE-ID;RANGE=THISANDFUTURE:20261120T100000Z", b"SEQUENCE:99999999999999999999999", b"UID:",
    b'UID;X="a:b":x', b"SUMMARY:" + b"Interview " * 2000, b"SUMMARY:Interview", b"CATEGORIES:interview,,\\,",
    b'ATTENDEE;CN="x:y";PARTSTAT=DECLINED:mailto:me@example.com', b"ORGANIZER:mailto:", b"STATUS:CANCELLED",
    b"X-WR-TIMEZONE:Mars/Olympus", b"X-WR-TIMEZONE:America/New_York", b"TZOFFSETFROM:+9999", b"TZOFFSETTO:garbage",
    b"TZOFFSETFROM:", b"DESCRIPTION:Region: XX-YY\\nRound: final\\nCompany: \xff", b"DESCRIPTION:Outcome: rejected",
    b"LAST-MODIFIED:99991231T235959Z", b"DTSTAMP:00000000T000000Z", b"\xff\xfe\x00 bytes", b"\x00", b" folded",
    b"ATTACH;VALUE=BINARY;ENCODING=BASE64:" + b"A" * 3000,
]


@st.composite
def mutated(draw, chunk: int = 0) -> tuple[bytes, int]:
    """A seed with 1-4 mutations; positions come from a seeded Random (hypothesis's integer
    draws favour the edges, and the first line is the one that matters least). Derandomized,
    hypothesis draws the same integers in every chunk: the chunk number makes the inputs differ."""
    rnd = random.Random(draw(st.integers(0, 2**64)) * CHUNKS + chunk)
    which = rnd.randrange(len(SEEDS))
    lines = list(SEED_LINES[which])
    for _ in range(rnd.randint(1, 4)):
        op = rnd.randrange(8)
        i = rnd.randrange(1, len(lines))
        if op == 0 and len(lines) > 2:
            del lines[i]
        elif op == 1:
            lines.insert(i, lines[i])
        elif op == 2:
            j = rnd.randrange(1, len(lines))
            lines[i], lines[j] = lines[j], lines[i]
        elif op in (3, 4):
            lines.insert(i, rnd.choice(HOSTILE_LINES))
        elif op == 5:  # a property's value replaced with one of another property's
            name = lines[i].split(b":", 1)[0]
            other = rnd.choice(HOSTILE_LINES)
            lines[i] = name + b":" + (other.split(b":", 1)[1] if b":" in other else other)
        elif op == 6:
            line = lines[i]
            if line:
                k = rnd.randrange(len(line))
                lines[i] = line[:k] + bytes([rnd.randrange(256)]) + line[k + 1 :]
        else:
            lines[i] = lines[i][: rnd.randint(0, len(lines[i]))]
    data = b"\r\n".join(lines)
    if rnd.randrange(20) == 0:  # cut short somewhere
        data = data[: rnd.randint(0, len(data))]
    return data, which


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.timeout(300)
@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_mutated_calendars_never_crash_or_hang(chunk: int, fuzz_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(fuzz_dir / "state"))
    examples = EXAMPLES // CHUNKS + (chunk < EXAMPLES % CHUNKS)
    STATS: dict = {"inputs": 0, "internal_errors": 0, "slowest": 0.0, "exit_codes": {}}
    runner = CliRunner()
    failures: list[str] = []
    started = time.monotonic()

    @settings(max_examples=examples, derandomize=True, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(mutated(chunk), st.sampled_from(["plan", "plan-full", "export"]))
    def run(case: tuple[bytes, int], command: str) -> None:
        data, _ = case
        path = fuzz_dir / f"in-{chunk}.ics"
        path.write_bytes(data)
        args = ["plan", str(path), "--json"]
        if command == "plan-full":
            args.append("--full-parse")
        elif command == "export":
            args = ["export", str(path), "-o", str(fuzz_dir / f"out-{chunk}.ics")]
        began = time.monotonic()
        result = runner.invoke(cli, [*args, "--now", "2026-11-22T12:00", "--tz", "America/New_York"])
        took = time.monotonic() - began
        STATS["inputs"] += 1
        STATS["slowest"] = max(STATS["slowest"], took)
        STATS["exit_codes"][result.exit_code] = STATS["exit_codes"].get(result.exit_code, 0) + 1
        if os.environ.get("FOLLOWCAL_FUZZ_DEBUG") and result.exit_code:
            print("ERR", result.stderr.strip().split(": ", 2)[-1][:90])
        crashed = "internal error" in result.stderr or (
            result.exception is not None and not isinstance(result.exception, SystemExit)
        )
        if crashed or result.exit_code not in (0, 1) or took > LIMIT_SECONDS:
            STATS["internal_errors"] += crashed
            (fuzz_dir / f"failure-{chunk}-{len(failures)}.ics").write_bytes(data)
            failures.append(f"{command} exit {result.exit_code} in {took:.1f}s: {result.stderr.strip()[:300]}")

    run()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"\nfuzz chunk {chunk}: {STATS['inputs']} inputs, {STATS['internal_errors']} internal errors, slowest run "
        f"{STATS['slowest']:.2f} s, peak RSS {peak_mb:.0f} MB, total {time.monotonic() - started:.1f} s, "
        f"exit codes {STATS['exit_codes']}"
    )
    assert not failures, "\n".join(failures[:20])
