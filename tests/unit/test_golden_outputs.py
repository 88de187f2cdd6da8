"""Outputs pinned byte for byte: `plan --json` and `export` on the bundled sample (files in
tests/golden/) and on the benchmark feeds (their SHA-256). Refactors and speed work must not
change a byte (issue 11, issue 17); a deliberate change of output updates these files and says
why in its commit."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from support import ROOT, SAMPLE, SAMPLE_CONFIG

from followcal.cli.commands import cli

sys.path.insert(0, str(ROOT / "bench"))
from generate_feed import write_feed  # noqa: E402

GOLDEN = ROOT / "tests" / "golden"
NOW = "2026-11-22T12:00"
BENCH_CONFIG = 'timezone = "America/New_York"\nme = ["me@example.com"]\n'
# sha256 of (plan --json, export) for bench feeds generated with seed 1 (bench/bench_plan.py)
BENCH = {
    1000: ("0171d8f7fa2dd0b151386822099fe449a6513c3873aaf0cd16e298b5e8360011",
           "3c3832cb2913ffb908d46c3fb9bc54d71d1d053eca4447b46fdd68005a2f033a"),
    20000: ("e21742084c32b1c244d6bca16fd36c8c874150c85fd1944b94ff0d0d1c9e246c",
            "b59e9b4b77be12644c868e3f5e71b8aed3fa660fca2bc2540e5af2e1db7d828f"),
}


def run(*args: str) -> bytes:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def export(config: Path, source: Path, out: Path) -> bytes:
    run("--config", str(config), "export", str(source), "-o", str(out), "--now", NOW)
    return out.read_bytes()


def test_sample_plan_json_is_unchanged() -> None:
    got = run("--config", str(SAMPLE_CONFIG), "plan", str(SAMPLE), "--json", "--now", NOW)
    assert got == (GOLDEN / "sample-plan.json").read_bytes()


def test_sample_export_is_unchanged(tmp_path: Path) -> None:
    assert export(SAMPLE_CONFIG, SAMPLE, tmp_path / "r.ics") == (GOLDEN / "sample-export.ics").read_bytes()


@pytest.mark.parametrize("events", sorted(BENCH))
def test_bench_feed_outputs_are_unchanged(events: int, tmp_path: Path) -> None:
    config = tmp_path / "bench.toml"
    config.write_text(BENCH_CONFIG, encoding="utf-8")
    feed = write_feed(tmp_path / f"feed-{events}.ics", events)
    plan = run("--config", str(config), "plan", str(feed), "--json", "--now", NOW)
    exported = export(config, feed, tmp_path / "export.ics")
    assert (hashlib.sha256(plan).hexdigest(), hashlib.sha256(exported).hexdigest()) == BENCH[events]
