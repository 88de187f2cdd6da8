"""Loopback front ends put before a real CalDAV server, the way providers deploy them.

- DigestGate: a reverse proxy that accepts only HTTP Digest (RFC 7616, MD5, qop=auth), never
  Basic, and forwards authenticated requests to its upstream (a Radicale without auth, told the
  user name the way auth front ends do).
- RedirectDoor: a "front door" host that answers every request with a redirect (301, 302, 307 or
  308, in turn or fixed) to the same path on another base URL: 127.0.0.1 -> localhost is a
  different host name to a client, as caldav.example.com -> p42-caldav.example.com is.

Standard library only (hashlib, http.server), so they cannot share a bug with the client code.
"""

from __future__ import annotations

import base64
import hashlib
import http.client
import itertools
import re
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from servers import send_answer, serve_in_thread

DAV_METHODS = ("GET", "PUT", "DELETE", "POST", "HEAD", "OPTIONS", "PROPFIND", "PROPPATCH", "REPORT",
               "MKCALENDAR", "MKCOL", "MOVE", "COPY")
HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "authorization", "host"}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode()).hexdigest()


class _Front:
    """A threaded loopback HTTP server whose handler calls self.handle(handler, body)."""

    def __init__(self) -> None:
        front = self

        class Handler(BaseHTTPRequestHandler):
            disable_nagle_algorithm = True  # TCP_NODELAY: no 40 ms delayed-ACK stall per answer
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _any(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else None
                front.handle(self, body)

        for method in DAV_METHODS:
            setattr(Handler, f"do_{method}", Handler._any)
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.requests = 0
        serve_in_thread(self.httpd)

    def handle(self, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:  # pragma: no cover
        raise NotImplementedError

    answer = staticmethod(send_answer)

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


class DigestGate(_Front):
    """Digest-only authentication in front of `upstream` (which itself accepts anyone)."""

    realm = "followcal-digest-test"

    def __init__(self, upstream: str, username: str, password: str) -> None:
        self.upstream = urllib.parse.urlsplit(upstream)
        self.username, self.password = username, password
        self.nonces: set[str] = set()
        self.refused = 0
        self.basic_seen = 0
        super().__init__()

    def _challenge(self, handler: BaseHTTPRequestHandler) -> None:
        nonce = secrets.token_hex(16)
        self.nonces.add(nonce)
        self.refused += 1
        header = f'Digest realm="{self.realm}", qop="auth", nonce="{nonce}", opaque="{secrets.token_hex(8)}", algorithm=MD5'
        self.answer(handler, 401, [("WWW-Authenticate", header), ("Content-Type", "text/plain")], b"digest required\n")

    def _valid(self, handler: BaseHTTPRequestHandler) -> bool:
        header = handler.headers.get("Authorization", "")
        if header.lower().startswith("basic"):
            self.basic_seen += 1
        if not header.lower().startswith("digest "):
            return False
        fields = {k: a or b for k, a, b in re.findall(r'(\w+)=(?:"([^"]*)"|([^,\s]*))', header[7:])}
        if fields.get("username") != self.username or fields.get("realm") != self.realm:
            return False
        if fields.get("nonce") not in self.nonces or fields.get("uri") != handler.path:
            return False
        ha1 = _md5(f"{self.username}:{self.realm}:{self.password}")
        ha2 = _md5(f"{handler.command}:{fields['uri']}")
        if fields.get("qop") == "auth":
            expected = _md5(f"{ha1}:{fields['nonce']}:{fields.get('nc')}:{fields.get('cnonce')}:auth:{ha2}")
        else:
            expected = _md5(f"{ha1}:{fields['nonce']}:{ha2}")
        return secrets.compare_digest(expected, fields.get("response", ""))

    def handle(self, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        self.requests += 1
        if not self._valid(handler):
            self._challenge(handler)
            return
        conn = http.client.HTTPConnection(self.upstream.hostname, self.upstream.port, timeout=60)
        try:
            headers = {k: v for k, v in handler.headers.items() if k.lower() not in HOP}
            # the upstream (Radicale, auth none) learns the user as from any auth front end
            headers["Authorization"] = "Basic " + base64.b64encode(f"{self.username}:-".encode()).decode()
            conn.request(handler.command, handler.path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            out = [(k, v) for k, v in resp.getheaders() if k.lower() not in HOP]
            status = resp.status
        except OSError:
            status, out, data = 502, [], b"upstream unreachable\n"
        finally:
            conn.close()
        self.answer(handler, status, out, data)


class RedirectDoor(_Front):
    """Every request -> a redirect to the same path under `target` (statuses taken in turn)."""

    def __init__(self, target: str, statuses: tuple[int, ...] = (301, 302, 307, 308)) -> None:
        self.target = target.rstrip("/")
        self._statuses = itertools.cycle(statuses)
        self._lock = threading.Lock()
        self.seen: list[tuple[str, int]] = []
        super().__init__()

    def handle(self, handler: BaseHTTPRequestHandler, body: bytes | None) -> None:
        with self._lock:
            status = next(self._statuses)
            self.seen.append((handler.command, status))
        self.requests += 1
        self.answer(handler, status, [("Location", self.target + handler.path)], b"")
