"""`serve` under abuse (issue 19): idle connections must not lock subscribers out, and only GET
and HEAD are answered (405 with Allow), /healthz included. Real waitress on 127.0.0.1."""

from __future__ import annotations

import http.client
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import SAMPLE

from followcal.app.serve import LIMITS, FeedServer
from followcal.config import parse_settings

TOKEN = "t0ken-Abc_123.~xyz-0123456789"

pytestmark = pytest.mark.integration


def _server(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **limits: object) -> FeedServer:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    source = tmp_path / "interviews.ics"
    shutil.copyfile(SAMPLE, source)
    settings = parse_settings({"feeds": {"followups": {"from": [str(source)]}}, "serve": {"token": TOKEN}})
    return FeedServer(settings, "127.0.0.1", 0, poll_seconds=0.2, limits=limits).start()


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FeedServer]:
    server = _server(tmp_path, monkeypatch)
    yield server
    server.stop()


def _request(port: int, method: str, path: str, timeout: float = 5.0) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    conn.request(method, path)
    response = conn.getresponse()
    response.read()
    conn.close()
    return response


def _idle(port: int, count: int) -> list[socket.socket]:
    socks = []
    for _ in range(count):
        sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        socks.append(sock)
    return socks


@pytest.mark.parametrize("method", ["POST", "DELETE", "PUT", "OPTIONS", "PATCH"])
@pytest.mark.parametrize("path", ["/healthz", f"/feeds/{TOKEN}/followups.ics"])
def test_only_get_and_head(served: FeedServer, method: str, path: str) -> None:
    response = _request(served.port, method, path)
    assert response.status == 405
    assert response.getheader("Allow") == "GET, HEAD"
    assert _request(served.port, "HEAD", path).status in (200, 503)
    assert _request(served.port, "GET", "/healthz").status == 200


def test_unknown_paths_stay_404_for_every_method(served: FeedServer) -> None:
    assert _request(served.port, "POST", "/feeds/wrong-token/followups.ics").status == 404


def test_limits_are_sized_for_subscribers() -> None:
    assert LIMITS["connection_limit"] >= 500
    assert LIMITS["channel_timeout"] <= 30


def test_a_hundred_and_one_idle_connections_lock_nobody_out(served: FeedServer) -> None:
    socks = _idle(served.port, 101)
    try:
        started = time.monotonic()
        assert _request(served.port, "GET", "/healthz").status == 200
        assert time.monotonic() - started < 2
    finally:
        for sock in socks:
            sock.close()


def test_idle_connections_at_the_limit_are_closed_by_the_timeout(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    server = _server(tmp_path, monkeypatch, connection_limit=5, channel_timeout=1, cleanup_interval=0.5)
    try:
        socks = _idle(server.port, 5)
        started = time.monotonic()
        assert _request(server.port, "GET", "/healthz", timeout=10).status == 200
        assert time.monotonic() - started < 6
        for sock in socks:
            sock.close()
    finally:
        server.stop()


def test_a_huge_request_header_is_refused(served: FeedServer) -> None:
    sock = socket.create_connection(("127.0.0.1", served.port), timeout=5)
    try:
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-Junk: " + b"a" * 100_000 + b"\r\n\r\n")
        answer = sock.recv(200)
        assert answer.split(b"\r\n", 1)[0].split(b" ")[1] in (b"431", b"400")
    finally:
        sock.close()


def test_a_feed_with_a_broken_event_or_zone_still_builds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A year-9999 interview and a VTIMEZONE missing END:STANDARD used to fail the whole source,
    so the served feed never got built (or froze at its last good state)."""
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    text = SAMPLE.read_text().replace("END:STANDARD\r\n", "", 1).replace("END:STANDARD\n", "", 1)
    extra = "BEGIN:VEVENT\r\nUID:far@x\r\nDTSTART:99991231T230000Z\r\nSUMMARY:Interview with Far\r\nEND:VEVENT\r\n"
    text = text.replace("END:VCALENDAR", extra + "END:VCALENDAR")
    source = tmp_path / "interviews.ics"
    source.write_text(text)
    settings = parse_settings({"feeds": {"followups": {"from": [str(source)]}}, "serve": {"token": TOKEN}})
    server = FeedServer(settings, "127.0.0.1", 0, poll_seconds=0.2).start()
    try:
        deadline = time.monotonic() + 15
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
            conn.request("GET", f"/feeds/{TOKEN}/followups.ics")
            response = conn.getresponse()
            body = response.read()
            conn.close()
            if response.status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.2)
        assert response.status == 200
        assert body.count(b"BEGIN:VEVENT") >= 20
    finally:
        server.stop()
