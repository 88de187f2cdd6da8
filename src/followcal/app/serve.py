"""`followcal serve`: the [feeds.*] of the config as subscribable .ics feeds (WSGI on waitress).

Routes: /feeds/<token>/<name>.ics (or /feeds/<name>.ics with no token on a loopback host) and
/healthz; everything else is 404, a wrong token included, so a scanner learns nothing. Routing
never touches the file system: a feed is looked up by exact name in memory, after every raw path
segment is decoded on its own, so `..`, `%2e%2e` and `%2f` cannot name anything.

Requests only read the last built bytes (feeds.Built); the refresher thread rebuilds them. The
token is a secret: the access log shows `<token>` in its place.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import re
import signal
import socket
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from email.utils import format_datetime, parsedate_to_datetime
from typing import Any
from urllib.parse import quote, unquote, urlsplit

from followcal.app.feeds import DEFAULT_POLL_SECONDS, Built, FeedBuilder, Refresher
from followcal.config import Settings
from followcal.errors import ConfigError, FollowcalError, UsageError

log = logging.getLogger("followcal.serve")
access_log = logging.getLogger("followcal.access")

TOKEN_RE = re.compile(r"[A-Za-z0-9._~-]+")
CALENDAR_TYPE = "text/calendar; charset=utf-8"
Environ = Mapping[str, Any]
StartResponse = Callable[..., Any]


def is_loopback(host: str) -> bool:
    if host.strip("[]").lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to anything


def check_serve_config(settings: Settings, host: str) -> None:
    """Refuse what would publish the feeds to the network unprotected (exit 2)."""
    token = settings.serve.token
    if token is not None and not TOKEN_RE.fullmatch(token):
        raise ConfigError(
            "serve.token may hold only letters, digits and - _ . ~ "
            "(make one with: python -c 'import secrets; print(secrets.token_urlsafe(32))')"
        )
    if not token and not is_loopback(host):
        raise UsageError(
            f"refusing to serve on {host} without a token: set [serve] token "
            "(python -c 'import secrets; print(secrets.token_urlsafe(32))') or use --host 127.0.0.1"
        )
    if not settings.feeds:
        where = settings.path or "the config"
        raise ConfigError(f"no [feeds.NAME] in {where}: nothing to serve")


class FeedApp:
    """The WSGI application; holds one FeedBuilder per feed and never blocks on them."""

    def __init__(self, builders: Mapping[str, FeedBuilder], *, token: str | None, plain_paths: bool) -> None:
        self.builders = dict(builders)
        self.token = token
        self.plain_paths = plain_paths  # /feeds/<name>.ics: only with no token on loopback

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        status_seen: list[str] = []

        def recording_start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            status_seen.append(status)
            return start_response(status, headers, exc_info) if exc_info else start_response(status, headers)

        body = self.respond(environ, recording_start_response)
        self._log_access(environ, status_seen[-1] if status_seen else "-", sum(len(b) for b in body))
        return body

    def respond(self, environ: Environ, start_response: StartResponse) -> list[bytes]:
        segments = _segments(environ)
        method = environ.get("REQUEST_METHOD", "GET")
        if segments == ["healthz"]:
            if method not in ("GET", "HEAD"):
                return _simple(start_response, "GET", "405 Method Not Allowed", b"GET or HEAD only\n", [("Allow", "GET, HEAD")])
            return _simple(start_response, method, "200 OK", b"ok\n")
        builder = self._route(segments)
        if builder is None:
            return _simple(start_response, "GET", "404 Not Found", b"not found\n")
        if method not in ("GET", "HEAD"):
            return _simple(start_response, "GET", "405 Method Not Allowed", b"GET or HEAD only\n", [("Allow", "GET, HEAD")])
        built = builder.current
        if built is None:
            return _simple(start_response, method, "503 Service Unavailable", b"feed not built yet\n", [("Retry-After", "60")])
        return _feed_response(environ, start_response, method, built, builder.feed.refresh_minutes)

    def _route(self, segments: list[str] | None) -> FeedBuilder | None:
        if not segments or segments[0] != "feeds" or not segments[-1].endswith(".ics"):
            return None
        if len(segments) == 3 and self.token:
            if not hmac.compare_digest(segments[1].encode("utf-8"), self.token.encode("utf-8")):
                return None
        elif not (len(segments) == 2 and self.plain_paths):
            return None
        return self.builders.get(segments[-1][: -len(".ics")])

    def _log_access(self, environ: Environ, status: str, length: int) -> None:
        if not access_log.isEnabledFor(logging.INFO):
            return
        uri = redact(str(environ.get("REQUEST_URI") or environ.get("PATH_INFO", "")), self.token)
        access_log.info(
            '%s "%s %s %s" %s %d',
            environ.get("REMOTE_ADDR", "-"), environ.get("REQUEST_METHOD", "-"), uri,
            environ.get("SERVER_PROTOCOL", "-"), status.split(" ", 1)[0], length,
        )


def redact(uri: str, token: str | None) -> str:
    """The request URI for the log: the token (or whatever stands in its place) -> <token>."""
    uri = re.sub(r"^(/feeds/)[^/?]+(/[^?]*)", r"\1<token>\2", uri)
    if token:
        uri = uri.replace(token, "<token>").replace(quote(token, safe=""), "<token>")
    return uri


def _segments(environ: Environ) -> list[str] | None:
    """The path's segments, each percent-decoded on its own; None for anything suspicious."""
    raw = str(environ.get("REQUEST_URI") or quote(str(environ.get("PATH_INFO", ""))))
    if "://" in raw.split("?", 1)[0]:  # absolute-form request target
        raw = urlsplit(raw).path
    path = raw.split("?", 1)[0].split("#", 1)[0]
    if not path.startswith("/"):
        return None
    segments = []
    for part in path[1:].split("/"):
        try:
            decoded = unquote(part, encoding="utf-8", errors="strict")
        except UnicodeDecodeError:
            return None
        if not decoded or decoded in (".", "..") or "/" in decoded or "\\" in decoded or "\x00" in decoded:
            return None
        segments.append(decoded)
    return segments


def _simple(start_response: StartResponse, method: str, status: str, body: bytes,
            extra: list[tuple[str, str]] | None = None) -> list[bytes]:
    headers = [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body))),
               ("Cache-Control", "no-store"), *(extra or [])]
    start_response(status, headers)
    return [b""] if method == "HEAD" else [body]


def _feed_response(environ: Environ, start_response: StartResponse, method: str, built: Built,
                   refresh_minutes: int) -> list[bytes]:
    use_gzip = accepts_gzip(str(environ.get("HTTP_ACCEPT_ENCODING", "")))
    etag = built.gzip_etag if use_gzip else built.etag
    headers = [
        ("Content-Type", CALENDAR_TYPE),
        ("ETag", etag),
        ("Last-Modified", format_datetime(built.last_modified, usegmt=True)),
        ("Cache-Control", f"private, max-age={max(1, refresh_minutes) * 60}"),
        ("Vary", "Accept-Encoding"),
        ("X-Content-Type-Options", "nosniff"),
    ]
    if not_modified(environ, etag, built.last_modified):
        start_response("304 Not Modified", headers)
        return []
    if use_gzip:
        headers.append(("Content-Encoding", "gzip"))
    body = built.gzipped if use_gzip else built.body
    headers.append(("Content-Length", str(len(body))))
    start_response("200 OK", headers)
    return [b""] if method == "HEAD" else [body]


def accepts_gzip(header: str) -> bool:
    """Accept-Encoding names gzip (or *) with a non-zero q."""
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        if name.strip().lower() not in ("gzip", "x-gzip", "*"):
            continue
        q = params.strip().lower()
        if q.startswith("q="):
            try:
                return float(q[2:]) > 0
            except ValueError:
                return False
        return True
    return False


def not_modified(environ: Environ, etag: str, last_modified: datetime) -> bool:
    """RFC 9110: If-None-Match (weak comparison) wins; If-Modified-Since only without it."""
    inm = environ.get("HTTP_IF_NONE_MATCH")
    if inm is not None:
        tags = [t.strip() for t in str(inm).split(",")]
        return "*" in tags or _opaque(etag) in {_opaque(t) for t in tags}
    ims = environ.get("HTTP_IF_MODIFIED_SINCE")
    if ims:
        try:
            since = parsedate_to_datetime(str(ims))
        except (TypeError, ValueError, IndexError):
            return False
        if since.tzinfo is None:
            return False
        return last_modified <= since
    return False


def _opaque(tag: str) -> str:
    return tag.removeprefix("W/")


def build_app(settings: Settings, *, host: str | None = None, now_func: Callable[[], datetime | None] = lambda: None,
              refresh_seconds: float | None = None) -> FeedApp:
    """The app, every feed ready to serve (a failing source logs a warning; config errors raise).

    A feed with a saved last good file is served from it at once and rebuilt by the refresher's
    first pass, so a restart answers its subscribers within a second however slow the sources
    are; a feed without one is built here, before the server listens.
    `refresh_seconds` overrides every feed's refresh_minutes for URL/account sources (tests)."""
    host = host or settings.serve.host
    check_serve_config(settings, host)
    builders = {
        name: FeedBuilder(settings, feed, now_func=now_func, refresh_seconds=refresh_seconds)
        for name, feed in settings.feeds.items()
    }
    for builder in builders.values():
        if builder.current is None:
            builder.refresh(force=True)
        else:
            builder.first_build_pending = True
    token = settings.serve.token or None
    return FeedApp(builders, token=token, plain_paths=token is None and is_loopback(host))


def subscribe_urls(base: str, token: str | None, name: str) -> tuple[str, str]:
    """(http(s) URL, webcal URL) of a feed under `base` (public_url, else http://host:port)."""
    path = "/feeds/" + (f"{quote(token, safe='')}/" if token else "") + quote(name, safe="") + ".ics"
    url = base.rstrip("/") + path
    return url, "webcal://" + url.split("://", 1)[1]


# Sized for calendar subscribers (issue 19): each one polls every few minutes, sends one small
# request and goes. Idle or half-sent connections are closed after CHANNEL_TIMEOUT seconds (checked
# every CLEANUP_INTERVAL), so a client holding sockets open cannot lock the others out for long;
# past CONNECTION_LIMIT new connections wait in the listen backlog. Requests are tiny: the
# header and body limits stop a client feeding the server megabytes.
LIMITS: dict[str, Any] = {
    "connection_limit": 1000,
    "channel_timeout": 15,
    "cleanup_interval": 2,
    "backlog": 1024,
    "max_request_header_size": 16 * 1024,
    "max_request_body_size": 64 * 1024,
}


class FeedServer:
    """The app on a waitress server; start()/stop() run it in a thread (tests), run() in front."""

    def __init__(self, settings: Settings, host: str | None = None, port: int | None = None, *,
                 poll_seconds: float = DEFAULT_POLL_SECONDS, now_func: Callable[[], datetime | None] = lambda: None,
                 refresh_seconds: float | None = None, threads: int = 8, limits: Mapping[str, Any] | None = None) -> None:
        self.limits = {**LIMITS, **(limits or {})}
        self.settings = settings
        self.host = host or settings.serve.host
        self.wanted_port = settings.serve.port if port is None else port
        self.threads = threads
        self.app = build_app(settings, host=self.host, now_func=now_func, refresh_seconds=refresh_seconds)
        self.refresher = Refresher(list(self.app.builders.values()), poll_seconds)
        self._server: Any = None
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        server = self._server
        if hasattr(server, "effective_port"):
            return int(server.effective_port)
        return int(server.effective_listen[0][1])

    @property
    def base_url(self) -> str:
        if self.settings.serve.public_url:
            return self.settings.serve.public_url.rstrip("/")
        host = self.host
        if host in ("0.0.0.0", "::", ""):
            host = socket.gethostname()
        if ":" in host and not host.startswith("["):
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    def urls(self) -> dict[str, tuple[str, str]]:
        return {name: subscribe_urls(self.base_url, self.app.token, name) for name in self.app.builders}

    def listen(self) -> None:
        from waitress.server import create_server

        try:
            self._server = create_server(self.app, host=self.host, port=self.wanted_port, threads=self.threads,
                                         ident="followcal", expose_tracebacks=False, **self.limits)
        except OSError as exc:
            raise FollowcalError(f"cannot listen on {self.host}:{self.wanted_port}: {exc.strerror or exc}") from None
        except ValueError as exc:  # waitress: a host it cannot resolve
            raise UsageError(f"cannot listen on {self.host}:{self.wanted_port}: {exc}") from None

    def start(self) -> FeedServer:
        """Listen and serve in a background thread (no signal handlers): for tests and embedding."""
        if self._server is None:
            self.listen()
        self.refresher.start()
        self._thread = threading.Thread(target=self._server.run, name="followcal-serve", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Close the sockets from inside the server loop (it owns them), then the threads."""
        self.refresher.stop(timeout)
        server = self._server
        if server is None:
            return
        socket_map = getattr(server, "_map", None)
        if socket_map is None:
            socket_map = server.map
        if self._thread is not None and self._thread.is_alive():
            from waitress.trigger import trigger

            pulls = [obj for obj in list(socket_map.values()) if isinstance(obj, trigger)]
            if pulls:
                try:
                    # waitress calls the thunk with no argument; types-waitress declares one
                    pulls[0].pull_trigger(lambda: _close_all(socket_map))  # type: ignore[arg-type,misc]
                except OSError:  # the trigger is already closed: the loop has ended or is ending
                    pass
                self._thread.join(timeout)
        if self._thread is None or not self._thread.is_alive():
            _close_all(socket_map)  # never from here while the loop thread still owns the sockets
        server.task_dispatcher.shutdown(timeout=timeout)
        self._server = None

    def serve_forever(self) -> None:
        """Listen in this (main) thread until SIGINT/SIGTERM, then stop cleanly."""
        if self._server is None:
            self.listen()
        self.refresher.start()

        def on_signal(signum: int, _frame: Any) -> None:
            raise SystemExit(0)  # waitress's loop catches it and shuts its task threads down

        previous = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGINT, signal.SIGTERM):
                previous[signum] = signal.signal(signum, on_signal)
        try:
            self._server.run()
        finally:
            for signum, handler in previous.items():
                signal.signal(signum, handler)
            self._thread = None
            self.stop()


def _close_all(socket_map: dict[Any, Any]) -> None:
    for obj in list(socket_map.values()):
        try:
            obj.close()
        except OSError:
            pass


def run_server(settings: Settings, *, host: str | None = None, port: int | None = None,
               echo: Callable[[str], Any] = print) -> None:
    """`followcal serve`: build every feed, print the subscribe URLs, serve until stopped."""
    import gc

    gc.enable()  # the console script runs one-shot commands without it (cli/main.py); a server runs for days
    if access_log.level == logging.NOTSET:
        access_log.setLevel(logging.INFO)
    server = FeedServer(settings, host, port)
    if not settings.serve.token and settings.serve.public_url:
        log.warning("serve.public_url is set but there is no serve.token: anyone who can reach %s can read the feeds",
                    settings.serve.public_url)
    server.listen()
    echo(f"followcal: serving {len(server.app.builders)} feed(s) on {server.host}:{server.port} (Ctrl-C to stop)")
    for name, (url, webcal) in server.urls().items():
        state = "ready" if server.app.builders[name].current is not None else "not built yet (a source failed)"
        echo(f"  {name} [{state}]\n    {url}\n    {webcal}")
    server.serve_forever()
    echo("followcal: stopped")
