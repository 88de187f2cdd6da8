"""URL sources against a real local HTTP server: redirects, errors, size limit, timeout, webcal."""

from __future__ import annotations

import json
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from servers import serve_in_thread
from support import NOW_TEXT as NOW, SAMPLE, run

from followcal.backends import url as ics_backend
from followcal.errors import SourceError

pytestmark = pytest.mark.integration


class Handler(BaseHTTPRequestHandler):
    disable_nagle_algorithm = True  # TCP_NODELAY: no 40 ms delayed-ACK stall per answer
    def do_GET(self) -> None:  # noqa: N802 - http.server naming
        if self.path == "/cal.ics":
            body = SAMPLE.read_bytes()
            etag = '"v1"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(200)
            self.send_header("Content-Type", "text/calendar")
            self.send_header("ETag", etag)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "/cal.ics")
            self.end_headers()
        elif self.path == "/slow.ics":
            time.sleep(2)
            self.send_response(200)
            self.end_headers()
        elif self.path == "/big.ics":
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"BEGIN:VCALENDAR\r\n" + b"X" * 4096)
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def base_url():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    serve_in_thread(server)
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def plan_json(*args: str) -> tuple[int, dict | None, str]:
    result = run(None, "plan", *args, "--json", "--now", NOW, "--tz", "America/New_York")
    data = json.loads(result.stdout) if result.exit_code == 0 else None
    return result.exit_code, data, result.stderr


def test_url_source_gives_the_same_plan_as_the_file(base_url: str) -> None:
    code, from_url, _ = plan_json(f"{base_url}/cal.ics")
    assert code == 0
    _, from_file, _ = plan_json(str(SAMPLE))
    assert from_url["interviews"] == from_file["interviews"]
    assert any(i["company"] == "Acme Corp" for i in from_url["interviews"])


def test_redirects_are_followed(base_url: str) -> None:
    code, data, _ = plan_json(f"{base_url}/redirect")
    assert code == 0 and data["interviews"]


def test_http_error_is_one_line_exit_1(base_url: str) -> None:
    code, _, err = plan_json(f"{base_url}/missing.ics")
    assert code == 1
    assert err.strip().count("\n") == 0
    assert "HTTP 404" in err and "/missing.ics" in err and "Traceback" not in err


def test_unreachable_server_is_one_line_exit_1() -> None:
    code, _, err = plan_json("http://127.0.0.1:9/nothing.ics")
    assert code == 1
    assert "cannot connect" in err and "Traceback" not in err


def test_size_limit_and_timeout(base_url: str) -> None:
    with pytest.raises(SourceError, match="too large"):
        ics_backend.fetch_url(f"{base_url}/big.ics", max_bytes=1024)
    with pytest.raises(SourceError, match="timed out"):
        ics_backend.fetch_url(f"{base_url}/slow.ics", timeout=0.3)


def test_conditional_get_returns_not_modified(base_url: str) -> None:
    first = ics_backend.fetch_url(f"{base_url}/cal.ics")
    assert first.data and first.etag == '"v1"'
    again = ics_backend.fetch_url(f"{base_url}/cal.ics", etag=first.etag)
    assert again.data is None


def test_credentials_and_query_never_shown() -> None:
    shown = ics_backend.redact_url("https://me:secret@cal.example.com/feed.ics?token=abc")
    assert shown == "https://cal.example.com/feed.ics"
    code, _, err = plan_json("http://me:hunter2@127.0.0.1:9/x.ics?key=zzz")
    assert code == 1 and "hunter2" not in err and "zzz" not in err


def test_webcal_means_https(monkeypatch: pytest.MonkeyPatch) -> None:
    seen = []

    def fake_urlopen(request, timeout):  # records the URL; no network
        seen.append(request.full_url)
        raise ics_backend.urllib.error.URLError("offline")

    monkeypatch.setattr(ics_backend, "_urlopen", fake_urlopen)
    with pytest.raises(SourceError):
        ics_backend.fetch_url("webcal://cal.example.com/feed.ics")
    assert seen == ["https://cal.example.com/feed.ics"]
