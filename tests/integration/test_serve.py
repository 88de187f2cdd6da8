"""`followcal serve` end to end: the real waitress server on a free loopback port, real HTTP.

Feeds are planned against the real clock (file sources are read whole, so that is stable), and
every test gets its own copy of samples/interviews.ics and its own state dir.
"""

from __future__ import annotations

import asyncio
import gzip
import http.client
import http.server
import logging
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ClassVar

import icalendar
import pytest
from servers import serve_in_thread
from support import SAMPLE, run

from followcal.app.serve import FeedServer, build_app, redact
from followcal.config import parse_settings

pytestmark = pytest.mark.integration

TOKEN = "t0ken-Abc_123.~xyz-0123456789"
POLL = 0.1


@pytest.fixture
def source(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    target = tmp_path / "interviews.ics"
    shutil.copyfile(SAMPLE, target)
    return target


def settings_for(sources: list[str], *, token: str | None = TOKEN, refresh: int = 15, **serve: object):
    raw: dict = {"feeds": {"followups": {"from": sources, "refresh_minutes": refresh}}, "serve": dict(serve)}
    if token:
        raw["serve"]["token"] = token
    return parse_settings(raw)


@pytest.fixture
def start_server() -> Iterator[Callable[..., FeedServer]]:
    started: list[FeedServer] = []

    def start(settings, **kw) -> FeedServer:
        server = FeedServer(settings, "127.0.0.1", 0, poll_seconds=POLL, **kw).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def server(source: Path, start_server) -> FeedServer:
    return start_server(settings_for([str(source)]))


def feed_path(token: str | None = TOKEN, name: str = "followups") -> str:
    return f"/feeds/{token}/{name}.ics" if token else f"/feeds/{name}.ics"


def request(server: FeedServer, path: str, method: str = "GET", headers: dict[str, str] | None = None):
    """(status, headers, body) over a fresh http.client connection; the path is sent as is."""
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.headers, response.read()
    finally:
        conn.close()


def wait_for(predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def etag_of(server: FeedServer) -> str:
    status, headers, _ = request(server, feed_path(), "HEAD")
    assert status == 200
    return headers["ETag"]


def test_feed_is_a_calendar_with_refresh_interval(server: FeedServer) -> None:
    status, headers, body = request(server, feed_path())
    assert status == 200
    assert headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert re.fullmatch(r'"[0-9a-f]{40}"', headers["ETag"])
    assert headers["Last-Modified"].endswith(" GMT")
    assert "max-age=900" in headers["Cache-Control"]
    assert headers["Vary"] == "Accept-Encoding"
    calendar = icalendar.Calendar.from_ical(body)
    events = list(calendar.walk("VEVENT"))
    assert len(events) > 10
    assert all(str(e["UID"]).endswith("@followcal") for e in events)
    assert calendar["X-WR-CALNAME"] == "followups"
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT15M" in body
    assert b"X-PUBLISHED-TTL:PT15M" in body


def test_feed_bytes_equal_export(server: FeedServer, source: Path, tmp_path: Path) -> None:
    out = tmp_path / "export.ics"
    result = run(None, "export", str(source), "-o", str(out), "--refresh-minutes", "15", "--name", "followups")
    assert result.exit_code == 0, result.output
    _, _, body = request(server, feed_path())
    assert body == out.read_bytes()


def test_conditional_requests_give_304(server: FeedServer) -> None:
    _, headers, _ = request(server, feed_path())
    etag, last_modified = headers["ETag"], headers["Last-Modified"]
    for conditional in (
        {"If-None-Match": etag},
        {"If-None-Match": f'"other", W/{etag}'},
        {"If-Modified-Since": last_modified},
        {"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"},
    ):
        status, again, body = request(server, feed_path(), headers=conditional)
        assert (status, body) == (304, b""), conditional
        assert again["ETag"] == etag
    for fresh in (
        {"If-None-Match": '"something-else"'},
        {"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"},
        # If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
        {"If-None-Match": '"something-else"', "If-Modified-Since": last_modified},
    ):
        status, _, body = request(server, feed_path(), headers=fresh)
        assert status == 200 and body, fresh


def test_head_has_the_get_headers_and_no_body(server: FeedServer) -> None:
    _, get_headers, get_body = request(server, feed_path())
    status, head_headers, head_body = request(server, feed_path(), "HEAD")
    assert status == 200 and head_body == b""
    for name in ("Content-Type", "ETag", "Last-Modified", "Cache-Control", "Content-Length", "Vary"):
        assert head_headers[name] == get_headers[name], name
    assert int(head_headers["Content-Length"]) == len(get_body)


def test_gzip_decodes_to_the_same_bytes(server: FeedServer) -> None:
    _, plain_headers, plain = request(server, feed_path())
    status, headers, body = request(server, feed_path(), headers={"Accept-Encoding": "br, gzip;q=0.8"})
    assert status == 200
    assert headers["Content-Encoding"] == "gzip"
    assert headers["Vary"] == "Accept-Encoding"
    assert headers["ETag"] != plain_headers["ETag"]
    assert len(body) < len(plain) / 3
    assert gzip.decompress(body) == plain
    # each variant validates only itself
    assert request(server, feed_path(), headers={"Accept-Encoding": "gzip", "If-None-Match": headers["ETag"]})[0] == 304
    assert request(server, feed_path(), headers={"If-None-Match": headers["ETag"]})[0] == 200
    _, identity, _ = request(server, feed_path(), headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in identity


def test_wrong_token_other_paths_and_methods(server: FeedServer) -> None:
    for path in (
        feed_path("wrong-token"),
        feed_path(TOKEN[:-1]),
        feed_path(TOKEN + "x"),
        feed_path(None),  # no plain path when a token is set
        feed_path(TOKEN, "nope"),
        f"/feeds/{TOKEN}/followups",
        f"/feeds/{TOKEN}/followups.ics/",
        f"/feeds/{TOKEN}/",
        "/", "/feeds", "/feeds/", "/favicon.ico",
    ):
        status, _, body = request(server, path)
        assert status == 404, path
        assert b"VCALENDAR" not in body
    assert request(server, feed_path(), "POST")[0] == 405
    assert request(server, "/healthz")[:3:2] == (200, b"ok\n")


@pytest.mark.parametrize("path", [
    "/feeds/../../etc/passwd",
    "/feeds/%2e%2e/%2e%2e/etc/passwd",
    "/feeds/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
    "/feeds/..%2f..%2fetc%2fpasswd",
    f"/feeds/{TOKEN}/../followups.ics",
    f"/feeds/{TOKEN}/%2e%2e/followups.ics",
    f"/feeds/{TOKEN}%2ffollowups.ics",
    f"/feeds/{TOKEN}/..%2f..%2f..%2fetc%2fpasswd",
    f"/feeds/{TOKEN}/.%2ffollowups.ics",
    f"/feeds/{TOKEN}//followups.ics",
    f"/feeds/{TOKEN}/followups.ics%00",
    "/feeds/..%5c..%5cetc%5cpasswd",
    "/../../../../etc/passwd",
    "/%2e%2e/%2e%2e/etc/passwd",
])
def test_path_traversal_is_404(server: FeedServer, path: str) -> None:
    status, _, body = request(server, path)
    assert status == 404
    assert b"root:" not in body and b"VCALENDAR" not in body


def test_50_concurrent_requests(server: FeedServer) -> None:
    expected = request(server, feed_path())[2]

    def fetch(i: int) -> tuple[int, bytes]:
        status, _, body = request(server, feed_path(), headers={"Accept-Encoding": "gzip"} if i % 2 else {})
        return status, gzip.decompress(body) if i % 2 else body

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=50) as pool:
        results = list(pool.map(fetch, range(50)))
    elapsed = time.monotonic() - started
    assert [s for s, _ in results] == [200] * 50
    assert all(body == expected for _, body in results)
    assert elapsed < 10


def test_edited_source_gives_a_new_etag_within_seconds(server: FeedServer, source: Path) -> None:
    _, first, _ = request(server, feed_path())
    before = first["ETag"]
    text = source.read_text(encoding="utf-8")
    assert "Vandelay Industries" in text
    source.write_text(text.replace("Vandelay Industries", "Vandelay Imports"), encoding="utf-8")
    started = time.monotonic()
    assert wait_for(lambda: etag_of(server) != before, timeout=10)
    print(f"new ETag after {time.monotonic() - started:.2f} s")
    _, _, body = request(server, feed_path())
    assert b"Vandelay Imports" in body and b"Vandelay Industries" not in body
    # a client that revalidates by date alone sees the change too, even within the same second
    assert request(server, feed_path(), headers={"If-Modified-Since": first["Last-Modified"]})[0] == 200


@pytest.mark.parametrize("damage", [b"this is not a calendar\n", b"", "truncated"])
def test_unparsable_file_keeps_the_last_good_feed(server: FeedServer, source: Path, damage,
                                                  caplog: pytest.LogCaptureFixture) -> None:
    _, headers, good = request(server, feed_path())
    caplog.set_level(logging.WARNING, logger="followcal.serve")
    data = source.read_bytes()
    source.write_bytes(data[: len(data) // 2] if damage == "truncated" else damage)
    assert wait_for(lambda: any("source failed" in r.getMessage() for r in caplog.records), timeout=5)
    time.sleep(5 * POLL)  # several more polls: still one warning
    status, again, body = request(server, feed_path())
    assert (status, body, again["ETag"]) == (200, good, headers["ETag"])
    failures = [r for r in caplog.records if "source failed" in r.getMessage()]
    assert len(failures) == 1
    assert str(source) in failures[0].getMessage()
    source.write_bytes(data.replace(b"Vandelay Industries", b"Vandelay Imports"))  # repaired: updates again
    assert wait_for(lambda: etag_of(server) != headers["ETag"], timeout=10)
    assert any("works again" in r.getMessage() for r in caplog.records)


class IcsHandler(http.server.BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # TCP_NODELAY: no 40 ms delayed-ACK stall per answer
    """A calendar publisher that can break: serves `state["data"]` with an ETag, or `state["status"]`."""

    state: ClassVar[dict] = {}

    def do_GET(self) -> None:
        state = self.state
        state["requests"].append(self.headers.get("If-None-Match"))
        time.sleep(state.get("delay", 0.0))
        if state["status"] != 200:
            self.send_error(state["status"])
            return
        etag = f'"v{hash(state["data"]) & 0xFFFFFF:x}"'
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(state["data"])))
        self.end_headers()
        self.wfile.write(state["data"])

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def publisher() -> Iterator[tuple[str, dict]]:
    state = {"data": SAMPLE.read_bytes(), "status": 200, "requests": []}
    handler = type("Handler", (IcsHandler,), {"state": state})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    serve_in_thread(httpd)
    yield f"http://127.0.0.1:{httpd.server_address[1]}/cal/interviews.ics?key=abc", state
    httpd.shutdown()
    httpd.server_close()


def test_failing_url_source_keeps_the_last_good_feed(publisher, source: Path, start_server,
                                                      caplog: pytest.LogCaptureFixture) -> None:
    url, state = publisher
    caplog.set_level(logging.WARNING, logger="followcal.serve")
    server = start_server(settings_for([url]), refresh_seconds=0.3)
    _, headers, good = request(server, feed_path())
    assert icalendar.Calendar.from_ical(good).walk("VEVENT")
    # unchanged upstream: conditional GETs answered 304, the feed stays the same
    assert wait_for(lambda: sum(1 for r in state["requests"] if r) >= 2, timeout=5)
    state["status"] = 500
    assert wait_for(lambda: any("source failed" in r.getMessage() for r in caplog.records), timeout=5)
    count = len(state["requests"])
    status, again, body = request(server, feed_path())
    assert (status, body, again["ETag"]) == (200, good, headers["ETag"])
    failures = [r.getMessage() for r in caplog.records if "source failed" in r.getMessage()]
    assert len(failures) == 1 and "HTTP 500" in failures[0]
    assert "key=abc" not in failures[0]  # the query (often a secret) is redacted
    # it comes back with new content: the feed follows (a failed source is retried soon)
    state["data"] = state["data"].replace(b"Vandelay Industries", b"Vandelay Imports")
    state["status"] = 200
    assert wait_for(lambda: etag_of(server) != headers["ETag"], timeout=10)
    assert len(state["requests"]) > count


def test_restart_serves_the_saved_feed_while_a_source_is_broken(source: Path, start_server) -> None:
    settings = settings_for([str(source)])
    first = start_server(settings)
    _, headers, good = request(first, feed_path())
    first.stop()
    source.write_bytes(b"BEGIN:VCALENDAR\r\n")  # broken before the restart
    second = start_server(settings)
    status, again, body = request(second, feed_path())
    assert (status, body, again["ETag"]) == (200, good, headers["ETag"])
    assert again["Last-Modified"] == headers["Last-Modified"]


def test_restart_with_a_saved_feed_answers_at_once_and_rebuilds_behind(publisher, start_server) -> None:
    """Issue 17: `serve` answers within 1 s of start when a saved feed exists, however slow its
    sources; the refresher's first pass then brings the new content."""
    url, state = publisher
    settings = settings_for([url])
    first = start_server(settings)
    _, headers, good = request(first, feed_path())
    first.stop()
    state["data"] = state["data"].replace(b"Vandelay Industries", b"Vandelay Imports")
    state["delay"] = 1.5  # the source now takes 1.5 s to answer: longer than the 1 s allowed below
    started = time.monotonic()
    second = start_server(settings)
    status, again, body = request(second, feed_path())
    assert time.monotonic() - started < 1.0
    assert (status, body, again["ETag"]) == (200, good, headers["ETag"])
    try:
        assert wait_for(lambda: etag_of(second) != headers["ETag"], timeout=15)
        assert b"Vandelay Imports" in request(second, feed_path())[2]
    finally:
        state["delay"] = 0.0  # the publisher's handler threads end at once at teardown


def test_feed_that_was_never_built_is_503(tmp_path: Path, source: Path, start_server) -> None:
    server = start_server(settings_for([str(tmp_path / "missing.ics")]))
    status, headers, _ = request(server, feed_path())
    assert status == 503 and headers["Retry-After"]
    shutil.copyfile(SAMPLE, tmp_path / "missing.ics")
    assert wait_for(lambda: request(server, feed_path())[0] == 200, timeout=10)


def test_no_token_on_loopback_serves_plain_paths(source: Path, start_server) -> None:
    server = start_server(settings_for([str(source)], token=None))
    assert request(server, feed_path(None))[0] == 200
    assert request(server, feed_path("anything"))[0] == 404
    assert server.urls()["followups"][0] == f"http://127.0.0.1:{server.port}/feeds/followups.ics"


def test_subscribe_urls_use_public_url(source: Path, start_server) -> None:
    server = start_server(settings_for([str(source)], public_url="https://cal.example.com/"))
    assert server.urls()["followups"] == (
        f"https://cal.example.com/feeds/{TOKEN}/followups.ics",
        f"webcal://cal.example.com/feeds/{TOKEN}/followups.ics",
    )


def test_non_loopback_bind_without_token_is_refused(source: Path, tmp_path: Path) -> None:
    config = tmp_path / "followcal.toml"
    config.write_text(f'[feeds.followups]\nfrom = ["{source}"]\n', encoding="utf-8")
    for host in ("0.0.0.0", "::", "192.0.2.10", "cal.example.com"):
        result = run(config, "serve", "--host", host, "--port", "0")
        assert result.exit_code == 2, (host, result.output)
        assert "without a token" in result.output
    with pytest.raises(Exception, match="without a token"):
        build_app(settings_for([str(source)], token=None), host="0.0.0.0")


def test_access_log_redacts_the_token(server: FeedServer, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="followcal.access")
    request(server, feed_path())
    request(server, feed_path(TOKEN[:-2]))  # a near miss is not logged either
    request(server, f"/feeds/x/y.ics?t={TOKEN}")
    lines = [r.getMessage() for r in caplog.records if r.name == "followcal.access"]
    assert len(lines) == 3
    assert all(TOKEN[:-2] not in line for line in lines)
    assert '"GET /feeds/<token>/followups.ics HTTP/1.1" 200' in lines[0]
    assert redact("/feeds/abc/x.ics", None) == "/feeds/<token>/x.ics"


def test_vdirsyncer_http_storage_reads_the_feed(server: FeedServer) -> None:
    """A subscriber nobody here wrote: vdirsyncer's read-only `http` storage (aiohttp)."""
    aiohttp = pytest.importorskip("aiohttp")
    http_storage = pytest.importorskip("vdirsyncer.storage.http")
    url = server.urls()["followups"][0]
    expected = icalendar.Calendar.from_ical(request(server, feed_path())[2])
    expected_summaries = sorted(str(e["SUMMARY"]) for e in expected.walk("VEVENT"))

    async def read_all() -> list[str]:
        async with aiohttp.TCPConnector() as connector:
            storage = http_storage.HttpStorage(url=url, connector=connector)
            items = []
            async for href, _etag in storage.list():
                item, _ = await storage.get(href)
                items.append(item.raw)
            return items

    raws = asyncio.run(read_all())
    assert len(raws) == len(expected_summaries)
    summaries = sorted(str(icalendar.Calendar.from_ical(raw).walk("VEVENT")[0]["SUMMARY"]) for raw in raws)
    assert summaries == expected_summaries


def test_urllib_subscriber_with_gzip_and_revalidation(server: FeedServer) -> None:
    url = server.urls()["followups"][0]
    req = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"})
    with urllib.request.urlopen(req, timeout=10) as response:
        etag = response.headers["ETag"]
        data = gzip.decompress(response.read())
    assert icalendar.Calendar.from_ical(data)
    with pytest.raises(urllib.error.HTTPError) as info:
        conditional = urllib.request.Request(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
        urllib.request.urlopen(conditional, timeout=10)
    assert info.value.code == 304


def test_cli_serve_prints_urls_and_stops_on_sigterm(source: Path, tmp_path: Path) -> None:
    config = tmp_path / "followcal.toml"
    config.write_text(
        f'[feeds.followups]\nfrom = ["{source}"]\n[serve]\ntoken = "{TOKEN}"\npublic_url = "https://cal.example.com"\n',
        encoding="utf-8",
    )
    env = {**os.environ, "FOLLOWCAL_STATE_DIR": str(tmp_path / "state")}
    proc = subprocess.Popen(
        [sys.executable, "-m", "followcal", "--config", str(config), "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any("webcal://" in line for line in lines):
            lines.append(proc.stdout.readline())
        port = int(re.search(r"on 127\.0\.0\.1:(\d+)", "".join(lines)).group(1))
        assert f"https://cal.example.com/feeds/{TOKEN}/followups.ics" in "".join(lines)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/feeds/{TOKEN}/followups.ics", timeout=10) as response:
            assert response.status == 200
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=15)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, err
    assert "stopped" in out
    assert TOKEN not in err  # the access log says <token>
    assert "<token>" in err
