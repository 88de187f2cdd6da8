"""Constants and small helpers the tests share (importable from every test: tests/ is on sys.path
through the root conftest)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "interviews.ics"
SAMPLE_CONFIG = ROOT / "samples" / "followcal.toml"
NOW = datetime(2026, 11, 22, 12, tzinfo=ZoneInfo("America/New_York"))
