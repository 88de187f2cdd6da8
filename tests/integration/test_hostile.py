"""URL sources (and CalDAV XML) against a hostile loopback server: a raw socket server that cuts
bodies short, drips bytes, sends gzip bombs, loops redirects and serves XML entity bombs.

Every case must end as ONE clear line (SourceError/BackendError, exit 1) quickly, never as a
smaller calendar: a sync fed by a cut download must leave its targets as they were.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
import time
import zlib
from pathlib import Path

import pytest
from support import NOW_TEXT as NOW, SAMPLE, run

from followcal.backends import caldav_xml, url as ics_backend
from followcal.errors import BackendError, SourceError

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _own_state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))


def _head(status: str, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "Connection: close", "", ""]
    return "\r\n".join(lines).encode()


def _gzip_bomb(size: int) -> bytes:
    """`size` zero bytes gzipped (about 1000:1), built in pieces."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 20)
    parts = [packer.compress(block) for _ in range(size >> 20)]
    return b"".join(parts) + packer.flush()


class HostileServer:
    """A raw socket HTTP/1.1 server on 127.0.0.1: each path is one misbehaviour. `body` is what
    /cal.ics and /full serve (tests may swap it: a feed that later gets truncated)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(32)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.body = SAMPLE.read_bytes()
        self.truncate = False
        self.bomb = _gzip_bomb(64 << 20)
        self.closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def close(self) -> None:
        self.closed = True
        self.sock.close()

    def _accept(self) -> None:
        while not self.closed:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            request = b""
            while b"\r\n\r\n" not in request:
                chunk = conn.recv(4096)
                if not chunk:
                    return
                request += chunk
            path = request.split(b" ", 2)[1].decode()
            self._answer(conn, path)
        except OSError:
            pass
        finally:
            conn.close()

    def _answer(self, conn: socket.socket, path: str) -> None:  # noqa: C901 - one branch per case
        body = self.body
        half = body[: len(body) // 2]
        if path == "/cal.ics":
            if self.truncate:  # the server closes before the announced length
                conn.sendall(_head("200 OK", {"Content-Length": str(len(body))}) + half)
            else:
                conn.sendall(_head("200 OK", {"Content-Length": str(len(body))}) + body)
        elif path == "/short":
            conn.sendall(_head("200 OK", {"Content-Type": "text/calendar", "Content-Length": str(len(body))}) + half)
        elif path == "/chunked-cut":  # chunks, then the connection drops mid-body
            conn.sendall(_head("200 OK", {"Transfer-Encoding": "chunked"}))
            conn.sendall(b"%x\r\n%s\r\n" % (len(half), half))
        elif path == "/chunked-early":  # a proper last chunk, but the calendar stops half-way
            conn.sendall(_head("200 OK", {"Transfer-Encoding": "chunked"}))
            conn.sendall(b"%x\r\n%s\r\n0\r\n\r\n" % (len(half), half))
        elif path == "/no-length-early":  # no length, closed half-way: only END:VCALENDAR tells
            conn.sendall(_head("200 OK", {}) + half)
        elif path == "/gzip":
            packed = gzip.compress(body)
            conn.sendall(_head("200 OK", {"Content-Encoding": "gzip", "Content-Length": str(len(packed))}) + packed)
        elif path == "/gzip-bomb":
            conn.sendall(_head("200 OK", {"Content-Encoding": "gzip", "Content-Length": str(len(self.bomb))}))
            conn.sendall(self.bomb)
        elif path == "/drip":  # a byte every 50 ms, forever: every read succeeds, none ends
            conn.sendall(_head("200 OK", {}) + b"BEGIN:VCALENDAR\r\n")
            while not self.closed:
                conn.sendall(b"X")
                time.sleep(0.05)
        elif path.startswith("/loop"):
            conn.sendall(_head("302 Found", {"Location": "/loop", "Content-Length": "0"}))
        elif path.startswith("/hop"):  # /hop1 -> /hop2 -> ... : an endless chain of new URLs
            n = int(path[4:] or 0) + 1
            conn.sendall(_head("302 Found", {"Location": f"/hop{n}", "Content-Length": "0"}))
        elif path == "/to-ftp":
            conn.sendall(_head("302 Found", {"Location": "ftp://127.0.0.1/cal.ics", "Content-Length": "0"}))
        elif path == "/to-file":
            conn.sendall(_head("302 Found", {"Location": "file:///etc/passwd", "Content-Length": "0"}))
        elif path == "/xml-bomb":
            bomb = billion_laughs()
            conn.sendall(_head("200 OK", {"Content-Type": "application/xml", "Content-Length": str(len(bomb))}) + bomb)
        else:
            conn.sendall(_head("404 Not Found", {"Content-Length": "0"}))


def billion_laughs(levels: int = 10) -> bytes:
    entities = ['<!ENTITY lol0 "lol">'] + [
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, levels)
    ]
    return (
        '<?xml version="1.0"?><!DOCTYPE d:multistatus [' + "".join(entities) + "]>"
        f'<d:multistatus xmlns:d="DAV:"><d:response><d:href>&lol{levels - 1};</d:href></d:response></d:multistatus>'
    ).encode()


@pytest.fixture(scope="module")
def hostile():
    server = HostileServer()
    yield server
    server.close()


def plan(*args: str) -> tuple[int, dict | None, str]:
    result = run(None, "plan", *args, "--json", "--now", NOW, "--tz", "America/New_York")
    data = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, data, result.stderr


@pytest.mark.parametrize(
    "path, words",
    [
        ("/short", "cut short"),
        ("/chunked-cut", "cut short"),
        ("/chunked-early", "no END:VCALENDAR"),
        ("/no-length-early", "no END:VCALENDAR"),
    ],
)
def test_a_download_cut_short_is_an_error_not_a_smaller_calendar(hostile: HostileServer, path: str, words: str) -> None:
    code, _, err = plan(hostile.url + path)
    assert code == 1, err
    assert words in err and "Traceback" not in err and "internal error" not in err
    assert err.strip().count("\n") == 0


def test_a_gzipped_feed_is_read(hostile: HostileServer) -> None:
    code, data, err = plan(hostile.url + "/gzip")
    assert code == 0, err
    _, whole, _ = plan(str(SAMPLE))
    assert data["interviews"] == whole["interviews"]


def test_gzip_bomb_stops_at_the_size_limit(hostile: HostileServer, monkeypatch: pytest.MonkeyPatch) -> None:
    import tracemalloc

    monkeypatch.setattr(ics_backend, "MAX_BYTES", 4 << 20)
    tracemalloc.start()
    started = time.monotonic()
    code, _, err = plan(hostile.url + "/gzip-bomb")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert code == 1 and "too large when decompressed" in err, err
    assert time.monotonic() - started < 5
    assert peak < 32 << 20  # the 64 MB of zeros are never held


def test_a_dripping_server_hits_the_total_time_limit(hostile: HostileServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ics_backend, "TOTAL_TIMEOUT", 1.0)
    started = time.monotonic()
    code, _, err = plan(hostile.url + "/drip")
    assert code == 1 and "too slow" in err, err
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("path", ["/loop", "/hop0"])
def test_redirect_loops_end(hostile: HostileServer, path: str) -> None:
    code, _, err = plan(hostile.url + path)
    assert code == 1 and "redirect" in err, err
    assert "internal error" not in err


@pytest.mark.parametrize("path, scheme", [("/to-ftp", "ftp"), ("/to-file", "file")])
def test_only_http_redirects_are_followed(hostile: HostileServer, path: str, scheme: str) -> None:
    code, _, err = plan(hostile.url + path)
    assert code == 1, err
    assert f"redirected to a {scheme}://" in err


def test_an_xml_bomb_as_a_feed_is_not_a_calendar(hostile: HostileServer) -> None:
    started = time.monotonic()
    code, _, err = plan(hostile.url + "/xml-bomb")
    assert code == 1 and "not an iCalendar" in err, err
    assert time.monotonic() - started < 5


def test_an_xml_bomb_from_a_caldav_server_is_refused() -> None:
    started = time.monotonic()
    with pytest.raises(BackendError, match="invalid XML|DTD"):
        caldav_xml.multistatus(billion_laughs(), "work")
    quadratic = (
        '<?xml version="1.0"?><!DOCTYPE d:multistatus [<!ENTITY a "' + "x" * 50_000 + '">]>'
        '<d:multistatus xmlns:d="DAV:"><d:response><d:href>' + "&a;" * 50_000 + "</d:href></d:response></d:multistatus>"
    ).encode()
    with pytest.raises(BackendError):
        caldav_xml.multistatus(quadratic, "work")
    assert time.monotonic() - started < 2


def test_fetch_url_raises_one_source_error(hostile: HostileServer) -> None:
    with pytest.raises(SourceError, match="cut short"):
        ics_backend.fetch_url(hostile.url + "/short")


def test_sync_from_a_cut_download_leaves_the_target_as_it_was(
    hostile: HostileServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    target = tmp_path / "followups.ics"
    config = tmp_path / "followcal.toml"
    config.write_text(
        f'timezone = "America/New_York"\n[[sync]]\nname = "main"\nfrom = ["{hostile.url}/cal.ics"]\nto = ["{target}"]\n'
    )
    argv = ["--config", str(config), "sync", "--now", NOW]
    hostile.truncate = False
    first = run(None, *argv)
    assert first.exit_code == 0, first.stderr
    before = target.read_bytes()
    assert before.count(b"BEGIN:VEVENT") > 5
    hostile.truncate = True
    try:
        second = run(None, *argv)
    finally:
        hostile.truncate = False
    assert second.exit_code == 1
    assert "cut short" in second.stderr
    assert target.read_bytes() == before
