"""Hostile or broken CalDAV servers: a gzip bomb, an endless body, a slow drip, an endless
redirect. Each must fail fast with one line and bounded memory: the CLI runs in a subprocess
whose peak RSS (os.wait4) and wall time are measured."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from servers import serve_in_thread

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

BOMB_MB = 512  # what the bomb inflates to; the account allows 5
LIMIT_MB = 5
DEADLINE = 2.0
MAX_RSS_MB = 120  # python + followcal take ~40-50 MB here; a body read whole would be > 500 MB


def _gzip_bomb(megabytes: int) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)  # gzip framing
    block = bytes(1024 * 1024)
    parts = [packer.compress(block) for _ in range(megabytes)]
    return b"".join(parts) + packer.flush()


class Hostile:
    def __init__(self) -> None:
        bomb = _gzip_bomb(BOMB_MB)

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # TCP_NODELAY: no 40 ms delayed-ACK stall per answer
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def do_PROPFIND(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                kind = self.path.strip("/").split("/")[0]
                try:
                    if kind == "loop":
                        self.send_response(302)
                        self.send_header("Location", f"/loop/{time.monotonic_ns()}/")
                        self.send_header("Content-Length", "0")
                        self.end_headers()
                        return
                    self.send_response(207)
                    self.send_header("Content-Type", "application/xml; charset=utf-8")
                    if kind == "bomb":
                        self.send_header("Content-Encoding", "gzip")
                        self.send_header("Content-Length", str(len(bomb)))
                        self.end_headers()
                        self.wfile.write(bomb)
                        return
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(b'<?xml version="1.0"?><multistatus xmlns="DAV:">')
                    block = b"<response><href>/x/</href></response>" * 2000
                    while True:  # huge: as fast as it goes; drip: a byte every 50 ms, forever
                        self.wfile.write(block if kind == "huge" else b" ")
                        self.wfile.flush()
                        if kind == "drip":
                            time.sleep(0.05)
                except OSError:
                    return

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        serve_in_thread(self.httpd)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture(scope="module")
def hostile():
    server = Hostile()
    yield server
    server.close()


def _run(tmp_path: Path, url: str) -> tuple[int, str, float, float]:
    """`followcal calendars work` in a subprocess: (exit code, output, seconds, peak RSS in MB)."""
    config = tmp_path / "c.toml"
    config.write_text(
        "[accounts.work]\ntype = \"caldav\"\n"
        f"url = \"{url}\"\nusername = \"alice\"\npassword = \"pw\"\ntimeout = 5\n"
        f"max_response_mb = {LIMIT_MB}\ndeadline = {DEADLINE}\n"
    )
    env = {**os.environ, "FOLLOWCAL_STATE_DIR": str(tmp_path / "state")}
    peak = tmp_path / "peak-rss"
    started = time.monotonic()
    # A forked child starts with its parent's peak RSS (Linux keeps the high-water mark across
    # exec), and pytest grows over a session: a small launcher forks followcal instead, so the
    # figure is followcal's own.
    proc = subprocess.Popen([sys.executable, "-c", _LAUNCHER, str(peak), sys.executable, "-m", "followcal",
                             "--config", str(config), "calendars", "work"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env)
    out = proc.stdout.read().decode(errors="replace")
    proc.wait()
    return proc.returncode, out, time.monotonic() - started, int(peak.read_text()) / 1024


_LAUNCHER = (
    "import os, subprocess, sys\n"
    "child = subprocess.Popen(sys.argv[2:])\n"
    "_, status, usage = os.wait4(child.pid, 0)\n"
    "open(sys.argv[1], 'w').write(str(usage.ru_maxrss))\n"
    "sys.exit(os.waitstatus_to_exitcode(status))\n"
)


@pytest.mark.parametrize("kind, expected", [
    ("bomb", f"answer larger than {LIMIT_MB} MB (accounts.work.max_response_mb)"),
    ("huge", f"answer larger than {LIMIT_MB} MB (accounts.work.max_response_mb)"),
    ("drip", f"no complete answer within {DEADLINE:g} s (accounts.work.deadline)"),
    ("loop", "more than 5 redirects"),
])
def test_hostile_server_fails_fast_in_one_line(hostile: Hostile, tmp_path: Path, kind: str, expected: str) -> None:
    code, out, seconds, rss = _run(tmp_path, f"{hostile.url}{kind}/")
    lines = [ln for ln in out.splitlines() if ln.strip()]
    print(f"{kind}: exit {code} in {seconds:.2f} s, peak RSS {rss:.0f} MB: {out.strip()}")
    assert code == 1 and len(lines) == 1, out
    assert expected in lines[0] and "account 'work'" in lines[0] and "pw" not in lines[0].split("'work'")[1]
    assert seconds < DEADLINE + 8  # interpreter start-up and imports included
    assert rss < MAX_RSS_MB, f"peak RSS {rss:.0f} MB"
