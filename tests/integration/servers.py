"""Real CalDAV servers (Radicale, Xandikos) started on 127.0.0.1 for the integration tests, and a
small threaded counting reverse proxy that sits in front of them.

Reusable by every integration test, benchmark or manual session:

    server = start_radicale(tmp_path)                  # no auth: any user/password works
    server = start_radicale(tmp_path, auth=("alice", "secret"))   # htpasswd, plain
    server = start_xandikos(tmp_path)
    account = server.new_user()                        # a test's own account on a shared server
    url = server.make_calendar("interviews", "Interviews")
    server.put(url + "a.ics", ICS_BYTES)
    server.kill(); server.restart()                    # same port, same folder
    with CountingProxy(server.url) as proxy:           # proxy.url replaces server.url
        ...; proxy.count("PUT"); proxy.writes(); proxy.reset()
    server.stop()

Only the standard library is used here (no caldav, no requests), so these helpers never hide
a bug of the code under test. Cyrus and DAViCal (one per session, a fresh user per test) live in
cyrus_server.py and davical_server.py; the Digest gate and the redirect door in fronts.py.
"""

from __future__ import annotations

import base64
import dataclasses
import http.client
import itertools
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

READY_TIMEOUT = 20.0
XML = "application/xml; charset=utf-8"
WRITE_METHODS = frozenset({"PUT", "DELETE", "MKCALENDAR", "MKCOL", "PROPPATCH", "MOVE", "COPY", "POST"})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")


def http_request(url: str, method: str = "GET", body: bytes | str | None = None,
                 headers: dict[str, str] | None = None, auth: tuple[str, str] | None = None,
                 timeout: float = 10.0) -> Response:
    """One plain HTTP request (stdlib only); headers of the answer are lower-cased."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    send = dict(headers or {})
    if auth:
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()
        send["Authorization"] = f"Basic {token}"
    if isinstance(body, str):
        body = body.encode("utf-8")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    try:
        conn.request(method, path, body=body, headers=send)
        resp = conn.getresponse()
        data = resp.read()
        return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, data)
    finally:
        conn.close()


@dataclass
class Server:
    """A CalDAV server process on 127.0.0.1 serving `folder`; `home` is where calendars live."""

    kind: str
    url: str
    home: str
    folder: Path
    username: str
    password: str
    argv: list[str]
    log: Path
    process: subprocess.Popen | None = None
    env: dict[str, str] = field(default_factory=dict)
    # front ends (fronts.py): where a proxy in front should forward to (default: url), how the
    # proxy's root URL becomes the root URL followcal is given, extra [accounts.*] lines, cleanups
    upstream: str | None = None
    entry: Callable[[str], str] | None = None
    account_extra: str = ""
    cleanups: list[Callable[[], None]] = field(default_factory=list)
    # new_user(): Xandikos has one principal, so a test's account there is a tag its calendar
    # names carry; Radicale with htpasswd gets the new user in this file; `shared` marks an
    # account on a server other tests use too (it never starts, stops or kills the process)
    tag: str = ""
    users: Path | None = None
    shared: bool = False
    _accounts: itertools.count = field(default_factory=lambda: itertools.count(1), repr=False, compare=False)

    def new_user(self) -> Server:
        """A fresh account on this running server for one test, so tests sharing a session
        server cannot see each other's calendars: Radicale, a new user (an empty home; with
        htpasswd auth the user is added to the file, which Radicale reads at every login);
        Xandikos, the same home and a tag that calendar_name() adds to the test's names."""
        if self.shared:
            raise ValueError("new_user() of the session server, not of an account on it")
        n = next(self._accounts)
        if self.kind == "radicale":
            user = f"{self.username}{n}"
            if self.users is not None:
                with open(self.users, "a", encoding="utf-8") as users:
                    users.write(f"{user}:{self.password}\n")
            return dataclasses.replace(self, username=user, home=f"{self.url}{user}/", process=None,
                                       cleanups=[], users=None, shared=True)
        if self.kind == "xandikos":
            return dataclasses.replace(self, tag=f"t{n}", process=None, cleanups=[], shared=True)
        raise ValueError(f"{self.kind}: no new_user() here")

    def calendar_name(self, name: str) -> str:
        """The display name a test's calendar `name` has on this account (see new_user)."""
        return f"{name} {self.tag}" if self.tag else name

    def _own(self, what: str) -> None:
        if self.shared:
            raise RuntimeError(f"{what} of a session {self.kind} other tests share: mark the test "
                               "@pytest.mark.own_server for a private instance")

    @property
    def port(self) -> int:
        return urllib.parse.urlsplit(self.url).port or 80

    @property
    def auth(self) -> tuple[str, str]:
        return (self.username, self.password)

    def start(self) -> Server:
        self._own("start()")
        env = {**os.environ, **self.env}
        with open(self.log, "ab") as log:
            self.process = subprocess.Popen(self.argv, stdout=log, stderr=subprocess.STDOUT, env=env,
                                            start_new_session=True)
        self.wait_ready()
        return self

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.kind} exited with {self.process.returncode}: {self.log_tail()}")
            try:
                resp = http_request(self.url, "OPTIONS", auth=self.auth, timeout=2)
                if resp.status < 500:
                    return
            except OSError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"{self.kind} not ready on {self.url} after {timeout} s: {self.log_tail()}")

    def log_tail(self, lines: int = 20) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""

    def kill(self) -> None:
        """SIGKILL the server at once (a crash), without waiting for requests to finish."""
        self._own("kill()")
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)

    def stop(self) -> None:
        while self.cleanups:
            self.cleanups.pop()()
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()

    def restart(self) -> Server:
        """Start again on the same port and folder (after kill() or stop())."""
        self._own("restart()")
        self.stop()
        if self.kind == "xandikos":
            # Xandikos keeps each calendar in a git repository and writes its index under
            # index.lock; a SIGKILL in the middle leaves that file, and Xandikos then answers
            # every write to that calendar with 423 Locked, as git refuses to work while the lock
            # stays. With the process gone no writer holds it: clear it, as git's own advice is.
            for lock in self.folder.rglob("index.lock"):
                lock.unlink()
        return self.start()

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    # --- direct WebDAV helpers for arranging and inspecting test data -------------------------

    def request(self, method: str, url: str, body: bytes | str | None = None,
                headers: dict[str, str] | None = None) -> Response:
        if not url.startswith("http"):
            url = urllib.parse.urljoin(self.url, url)
        return http_request(url, method, body, headers, auth=self.auth)

    def calendar_url(self, slug: str) -> str:
        return urllib.parse.urljoin(self.home, slug.strip("/") + "/")

    def make_calendar(self, slug: str, display_name: str | None = None) -> str:
        """MKCALENDAR under the home; returns the calendar URL."""
        url = self.calendar_url(slug)
        body = (
            '<?xml version="1.0" encoding="utf-8"?>'
            '<C:mkcalendar xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav"><D:set><D:prop>'
            f"<D:displayname>{display_name or slug}</D:displayname>"
            "<C:supported-calendar-component-set><C:comp name=\"VEVENT\"/></C:supported-calendar-component-set>"
            "</D:prop></D:set></C:mkcalendar>"
        )
        resp = self.request("MKCALENDAR", url, body, {"Content-Type": XML})
        if resp.status not in (200, 201):
            raise RuntimeError(f"MKCALENDAR {url}: {resp.status} {resp.body[:300]!r}")
        return url

    def put(self, url: str, data: bytes | str, headers: dict[str, str] | None = None) -> Response:
        resp = self.request("PUT", url, data, {"Content-Type": "text/calendar; charset=utf-8", **(headers or {})})
        if resp.status not in (200, 201, 204):
            raise RuntimeError(f"PUT {url}: {resp.status} {resp.body[:300]!r}")
        return resp

    def get(self, url: str) -> Response:
        return self.request("GET", url)

    def delete(self, url: str) -> Response:
        return self.request("DELETE", url)

    def hrefs(self, calendar_url: str) -> list[str]:
        """The object hrefs (paths) of a calendar, sorted."""
        body = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:getetag/></D:prop></D:propfind>'
        resp = self.request("PROPFIND", calendar_url, body, {"Depth": "1", "Content-Type": XML})
        import xml.etree.ElementTree as ET

        root = ET.fromstring(resp.body)
        own = urllib.parse.urlsplit(calendar_url).path
        out = []
        for el in root.iter("{DAV:}href"):
            path = urllib.parse.unquote(el.text or "")
            if path.rstrip("/") != own.rstrip("/"):
                out.append(path)
        return sorted(out)

    def objects(self, calendar_url: str) -> dict[str, bytes]:
        """href -> body of every object in a calendar."""
        return {href: self.get(href).body for href in self.hrefs(calendar_url)}


def _python() -> str:
    return sys.executable


def start_radicale(tmp_path: Path, auth: tuple[str, str] | None = None, port: int | None = None) -> Server:
    """Radicale on a free port with its storage under tmp_path. auth=(user, password) enables
    htpasswd (plain); without it any user name and password are accepted."""
    root = Path(tmp_path) / f"radicale-{port or 'x'}-{time.monotonic_ns()}"
    root.mkdir(parents=True)
    port = port or free_port()
    user, password = auth or ("alice", "secret")
    argv = [
        _python(), "-m", "radicale",
        "--config", "",
        f"--storage-filesystem-folder={root / 'collections'}",
        f"--server-hosts=127.0.0.1:{port}",
        "--rights-type=owner_only",
        "--logging-level=warning",
    ]
    if auth:
        htpasswd = root / "users"
        htpasswd.write_text(f"{user}:{password}\n")
        argv += ["--auth-type=htpasswd", f"--auth-htpasswd-filename={htpasswd}",
                 "--auth-htpasswd-encryption=plain", "--auth-delay=0"]
    else:
        argv += ["--auth-type=none"]
    url = f"http://127.0.0.1:{port}/"
    server = Server("radicale", url, f"{url}{user}/", root, user, password, argv, root / "server.log",
                    users=root / "users" if auth else None)
    return server.start()


def start_xandikos(tmp_path: Path, port: int | None = None) -> Server:
    """Xandikos on a free port (no auth) with --defaults: home /user/calendars/."""
    root = Path(tmp_path) / f"xandikos-{time.monotonic_ns()}"
    root.mkdir(parents=True)
    port = port or free_port()
    argv = [
        _python(), "-m", "xandikos.web", "--defaults", "-d", str(root / "data"),
        "--state-dir", str(root / "state"), "-l", "127.0.0.1", "-p", str(port),
        "--no-detect-systemd",
    ]
    url = f"http://127.0.0.1:{port}/"
    server = Server("xandikos", url, f"{url}user/calendars/", root, "user", "secret", argv, root / "server.log")
    return server.start()


def start_server(kind: str, tmp_path: Path, **kwargs) -> Server:
    return {"radicale": start_radicale, "xandikos": start_xandikos}[kind](tmp_path, **kwargs)


# --- threaded test HTTP servers -------------------------------------------------------------

SHUTDOWN_POLL = 0.01


def _quiet_on_disconnect(report):
    """A peer that closes or resets its connection is not a server error: socketserver would print
    its traceback to sys.stderr, which a CliRunner in the same process captures as the command's
    output (a `sync --json` once failed to parse on such a stray trace). Anything else is printed."""

    def handle_error(request, client_address) -> None:
        if isinstance(sys.exc_info()[1], (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            return
        report(request, client_address)

    return handle_error


def serve_in_thread(httpd: ThreadingHTTPServer) -> threading.Thread:
    """Serve `httpd` from a daemon thread that looks for shutdown() every 10 ms: with the
    default 0.5 s each test server's shutdown() waited up to half a second (a quarter of a
    second on average, per server, per test: most of the suite's teardown time).

    Every test handler also sets `disable_nagle_algorithm = True` (TCP_NODELAY): an answer is
    written as headers, then body; with Nagle the body waited for the client's delayed ACK of
    the headers, up to 40 ms per keep-alive answer (a paged Google sync took 5 s, now 0.5 s)."""
    httpd.daemon_threads = True
    httpd.handle_error = _quiet_on_disconnect(httpd.handle_error)  # type: ignore[method-assign]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": SHUTDOWN_POLL}, daemon=True)
    thread.start()
    return thread


# --- counting reverse proxy -------------------------------------------------------------------


def send_answer(handler: BaseHTTPRequestHandler, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
    """One whole HTTP answer from a test server's handler (no body for HEAD)."""
    handler.send_response(status)
    for key, value in headers:
        handler.send_header(key, value)
    handler.send_header("Content-Length", str(len(data)))
    handler.end_headers()
    if handler.command != "HEAD":
        handler.wfile.write(data)


@dataclass(frozen=True)
class Seen:
    method: str
    path: str
    status: int


class CountingProxy:
    """A threaded HTTP reverse proxy to `upstream` that records every request.

    `proxy.url` replaces the upstream's root URL (paths are forwarded unchanged, Host too).
    `before(method, path) -> int | None`: answer with that status instead of forwarding (fault
    injection). `after(method, path, status)`: called after each forwarded answer (e.g. kill the
    server after the 3rd PUT). Upstream down -> 502.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = urllib.parse.urlsplit(upstream)
        self.seen: list[Seen] = []
        self.before: Callable[[str, str], int | None] | None = None
        self.after: Callable[[str, str, int], None] | None = None
        self._lock = threading.Lock()
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # TCP_NODELAY: no 40 ms delayed-ACK stall per answer
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                method = self.command
                status = proxy.before(method, self.path) if proxy.before else None
                if status is not None:  # recorded before answering: the client may look at once
                    proxy._record(method, self.path, status)
                    self._answer(status, [], b"injected fault\n")
                    return
                try:
                    conn = http.client.HTTPConnection(proxy.upstream.hostname, proxy.upstream.port, timeout=60)
                    headers = {k: v for k, v in self.headers.items() if k.lower() not in ("connection", "keep-alive")}
                    conn.request(method, self.path, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                    out = [(k, v) for k, v in resp.getheaders()
                           if k.lower() not in ("connection", "keep-alive", "transfer-encoding", "content-length")]
                    conn.close()
                    status = resp.status
                except OSError:
                    status, out, data = 502, [], b"upstream unreachable\n"
                proxy._record(method, self.path, status)
                self._answer(status, out, data)
                if proxy.after:
                    proxy.after(method, self.path, status)

            def _answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
                send_answer(self, status, headers, data)

            do_GET = do_PUT = do_DELETE = do_POST = do_HEAD = do_OPTIONS = _handle
            do_PROPFIND = do_PROPPATCH = do_REPORT = do_MKCALENDAR = do_MKCOL = do_MOVE = do_COPY = _handle

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self._thread = serve_in_thread(self.httpd)

    def _record(self, method: str, path: str, status: int) -> None:
        with self._lock:
            self.seen.append(Seen(method, path, status))

    def count(self, *methods: str) -> int:
        with self._lock:
            return sum(1 for s in self.seen if not methods or s.method in methods)

    def writes(self) -> list[Seen]:
        with self._lock:
            return [s for s in self.seen if s.method in WRITE_METHODS]

    def reset(self) -> None:
        with self._lock:
            self.seen.clear()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> CountingProxy:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def rmtree_quiet(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
