"""The HTTP side of the CalDAV backend: one requests session per thread, auth, redirects, limits.

Why followcal's own client and not python-caldav's DAVClient: followcal needs, on every request,
conditional writes (If-Match / If-None-Match -> ConflictError), a streamed read with a size cap and
a bounded gzip decoder, one overall deadline, redirects that keep the DAV method and body and
decide per host whether credentials follow, and server refusals mapped to what they mean. DAVClient
gives Basic/Digest/Bearer negotiation and RFC 6764 discovery, but reads answers whole
(`response.content`), follows redirects through requests (a 302 turns PROPFIND into GET,
credentials are stripped on another host), and raises its own errors for statuses; wrapping it
would mean re-doing all of the above around it. Digest (requests' HTTPDigestAuth after a 401
challenge) and the `.well-known/caldav` bootstrap are small, so they live here and in caldav.py;
the `caldav` package is therefore not a dependency.

- Auth: Basic is sent at once (one round trip less); a 401 that offers Digest switches the account
  to Digest (RFC 7616, via requests.auth.HTTPDigestAuth) for the rest of the run.
- Redirects (301, 302, 303, 307, 308) are followed by hand, at most MAX_REDIRECTS, keeping method
  and body. Credentials go to the configured host; to another host only over https and of the
  same registrable domain (tldextract's bundled public suffix list), or listed in the account's
  `redirect_hosts` (the name or a parent domain); never after a move from https to http.
- Limits: `max_response_mb` caps what is read, after decompression (gzip/deflate decoded here with
  a bounded zlib decoder, so a gzip bomb stops at the cap); `deadline` caps the whole request,
  retries and redirects included; `timeout` caps each socket wait. Each has its own one-line error.
- Refusals: 401 -> AuthError about credentials; 403/409 with a DAV:error precondition ->
  PreconditionError naming the precondition and the object; a plain 403 -> "forbidden".
"""

from __future__ import annotations

import random
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from followcal.backends.base import KeyValueStore, MemoryStore
from followcal.backends.caldav_xml import XML_TYPE, Props, multistatus
from followcal.config import AccountConfig
from followcal.errors import AuthError, BackendError, ConflictError, NotFoundError, PreconditionError
from followcal.retries import note_retry

RETRIES = 4  # attempts for 5xx, timeouts and refused connections
LOCKED_RETRIES = 12  # 423 Locked (Xandikos' git store under concurrent writes) clears quickly
BACKOFF = 0.5  # seconds before the 2nd attempt, doubled each time (tests make it tiny)
MAX_REDIRECTS = 5
CHUNK = 64 * 1024
USER_AGENT = "followcal (+https://pypi.org/project/followcal/)"

_RETRY_STATUS = frozenset({500, 502, 503, 504})
_REDIRECT_STATUS = frozenset({301, 302, 303, 307, 308})

# what the usual CalDAV/WebDAV preconditions mean, for the one-line message
_MEANING = {
    "no-uid-conflict": "an event with this UID already exists in another calendar of the account",
    "unique-scheduling-object-resource": "an event with this UID already exists in another calendar of the account",
    "valid-calendar-data": "the server rejects the calendar data",
    "valid-calendar-object-resource": "the server rejects the event",
    "supported-calendar-component": "the calendar does not accept events (VEVENT)",
    "supported-calendar-data": "the server does not accept this calendar data type",
    "calendar-collection-location-ok": "a calendar cannot be created here",
    "max-resource-size": "the event is larger than the server allows",
    "need-privileges": "the account lacks the permission",
    "resource-must-be-null": "the calendar or object already exists",
    "number-of-matches-within-limits": "the server refuses to list this many objects",
}


@dataclass(frozen=True)
class Answer:
    status: int
    body: bytes
    etag: str | None
    url: str  # after redirects


class _Retry(Exception):
    """One attempt failed in a way worth another attempt (timeout, refused connection)."""


class Dav:
    """The HTTP side of one account. Thread-safe: each thread gets its own requests.Session."""

    def __init__(self, config: AccountConfig, store: KeyValueStore | None = None) -> None:
        self.config = config
        self.store: KeyValueStore = store if store is not None else MemoryStore()  # the run's (app-given)
        self.account = config.name
        url = config.url or ""
        self.url = url if url.rstrip("/").endswith("/.well-known/caldav") else _slash(url)  # DAViCal: no slash
        self._password = config.password_value()
        self._has_credentials = config.username is not None or self._password is not None
        self._digest: Any = None
        self._lock = threading.Lock()
        self._local = threading.local()
        self.limit = int(config.max_response_mb * 1024 * 1024)
        if self._has_credentials and _knows_digest(self.store, self.url, config.username or ""):
            self._use_digest()

    def _session(self) -> Any:
        session = getattr(self._local, "session", None)
        if session is None:
            import requests

            session = requests.Session()
            session.verify = self.config.verify_tls
            session.headers["User-Agent"] = USER_AGENT
            session.headers["Accept-Encoding"] = "gzip, deflate"
            self._local.session = session
        return session

    # --- which host gets the credentials ---------------------------------------------------------

    def trusted(self, url: str) -> bool:
        """The configured host; over https, a host of the same registrable domain (a provider's
        front door sending to its per-user host: dav.fastmail.com -> p01.dav.fastmail.com); or a
        `redirect_hosts` entry (or its subdomain). Never after a move from https to http."""
        start, there = urllib.parse.urlsplit(self.url), urllib.parse.urlsplit(url)
        if start.scheme == "https" and there.scheme != "https":
            return False
        host = (there.hostname or "").lower()
        if host == (start.hostname or "").lower():
            return True
        if any(host == h or host.endswith("." + h) for h in self.config.redirect_hosts if h):
            return True
        if start.scheme == there.scheme == "https":
            from followcal.core.company_domains import registrable_domain

            mine = registrable_domain(start.hostname or "")
            return mine is not None and registrable_domain(host) == mine
        return False

    def _auth(self, url: str) -> Any:
        if not self._has_credentials or not self.trusted(url):
            return None
        return self._digest or (self.config.username or "", self._password or "")

    def _use_digest(self) -> None:
        """Digest for this account from now on; shared by its Dav objects in this process (the
        nonce is reused per thread) and remembered in the state store for the next run."""
        from requests.auth import HTTPDigestAuth

        key = (self.url, self.config.username or "")
        with _DIGEST_LOCK:
            if key not in _DIGESTS:
                _DIGESTS[key] = HTTPDigestAuth(self.config.username or "", self._password or "")
                _remember_digest(self.store, self.url, self.config.username or "")
            self._digest = _DIGESTS[key]

    # --- one request ------------------------------------------------------------------------------

    def request(self, method: str, url: str, body: str | bytes | None = None, headers: dict[str, str] | None = None,
                ok: Iterable[int] = (200, 201, 204, 207)) -> Answer:
        """Send with retries on 5xx/timeouts, redirects followed; errors mapped (see module doc)."""
        where = f"account {self.account!r}: {method} {redact(url)}"
        data = body.encode("utf-8") if isinstance(body, str) else body
        deadline = time.monotonic() + self.config.deadline
        problem = ""
        attempt = locked = 0
        while attempt < RETRIES:
            if problem == "locked (423)":
                time.sleep(random.uniform(0.02, 0.1) * locked)
            elif attempt:
                note_retry(where, problem)  # shown at -v, counted for the summary line
                time.sleep(min(BACKOFF * 2 ** (attempt - 1), max(0.0, deadline - time.monotonic())))
            attempt += 1
            self._check_deadline(deadline, where)
            try:
                status, etag, content, final = self._follow(method, url, data, headers or {}, deadline, where)
            except _Retry as exc:
                problem = str(exc)
                continue
            if status in _RETRY_STATUS:
                problem = f"server error {status}"
                continue
            if status == 423 and locked < LOCKED_RETRIES:
                problem, locked, attempt = "locked (423)", locked + 1, attempt - 1
                continue
            if status in ok:
                return Answer(status, content, etag, final)
            self._refused(status, content, final, where)
        raise BackendError(f"{where}: {problem} after {RETRIES} attempts")

    def _check_deadline(self, deadline: float, where: str) -> None:
        if time.monotonic() > deadline:
            raise BackendError(f"{where}: no complete answer within {self.config.deadline:g} s "
                               f"(accounts.{self.account}.deadline)")

    def _follow(self, method: str, url: str, data: bytes | None, headers: dict[str, str], deadline: float,
                where: str) -> tuple[int, str | None, bytes, str]:
        """One attempt: send, answer a Digest challenge, follow redirects; (status, etag, body, url)."""
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            resp = self._send(method, current, data, headers, deadline, where)
            if resp.status_code == 401 and self._digest is None and self._auth(current) is not None \
                    and "digest" in resp.headers.get("WWW-Authenticate", "").lower():
                resp.close()
                self._use_digest()
                resp = self._send(method, current, data, headers, deadline, where)
            location = resp.headers.get("Location")
            if resp.status_code in _REDIRECT_STATUS and location:
                resp.close()
                current = urllib.parse.urljoin(current, location.strip())
                if urllib.parse.urlsplit(current).scheme not in ("http", "https"):
                    raise BackendError(f"{where}: redirected to a non-HTTP address")
                continue
            try:
                content = self._read(resp, deadline, where)
            finally:
                resp.close()
            return resp.status_code, resp.headers.get("ETag"), content, current
        raise BackendError(f"{where}: more than {MAX_REDIRECTS} redirects (the last to {redact(current)})")

    def _send(self, method: str, url: str, data: bytes | None, headers: dict[str, str], deadline: float,
              where: str) -> Any:
        import requests

        left = deadline - time.monotonic()
        if left <= 0:
            self._check_deadline(deadline, where)
        wait = max(0.01, min(self.config.timeout, left))
        try:
            return self._session().request(method, url, data=data, headers=headers, auth=self._auth(url),
                                           timeout=(wait, wait), allow_redirects=False, stream=True)
        except requests.exceptions.SSLError:
            raise BackendError(f"{where}: TLS certificate not trusted (set verify_tls to a CA bundle path)") from None
        except requests.exceptions.Timeout:
            self._check_deadline(deadline, where)
            raise _Retry(f"no answer within {self.config.timeout:g} s") from None
        except requests.exceptions.ConnectionError:
            self._check_deadline(deadline, where)
            raise _Retry("server unreachable") from None
        except requests.exceptions.RequestException as exc:
            raise BackendError(f"{where}: {type(exc).__name__}") from None

    def _read(self, resp: Any, deadline: float, where: str) -> bytes:
        """The body, streamed: at most `limit` bytes after decoding, and within the deadline."""
        import requests

        encoding = resp.headers.get("Content-Encoding", "").strip().lower()
        if encoding in ("gzip", "x-gzip", "deflate"):
            decoder: Any = zlib.decompressobj(wbits=47)  # gzip or zlib framing, detected
        elif encoding in ("", "identity"):
            decoder = None
        else:
            raise BackendError(f"{where}: the server sent an unsupported Content-Encoding {encoding!r}")
        declared = resp.headers.get("Content-Length", "")
        if decoder is None and declared.isdigit() and int(declared) > self.limit:
            self._too_large(where)
        out = bytearray()
        try:
            while True:
                self._check_deadline(deadline, where)
                chunk = resp.raw.read1(CHUNK, decode_content=False)
                if not chunk:
                    break
                if decoder is not None:
                    chunk = decoder.decompress(chunk, self.limit + 1 - len(out))
                    if decoder.unconsumed_tail:
                        self._too_large(where)
                out += chunk
                if len(out) > self.limit:
                    self._too_large(where)
            if decoder is not None:
                out += decoder.flush()
                if len(out) > self.limit:
                    self._too_large(where)
        except zlib.error:
            raise BackendError(f"{where}: the server sent a corrupt {encoding} body") from None
        except (requests.exceptions.RequestException, OSError, ValueError) as exc:
            self._check_deadline(deadline, where)
            raise _Retry(f"answer cut off ({type(exc).__name__})") from None
        except Exception as exc:  # urllib3's ProtocolError / ReadTimeoutError
            if type(exc).__module__.startswith("urllib3"):
                self._check_deadline(deadline, where)
                raise _Retry(f"answer cut off ({type(exc).__name__})") from None
            raise
        return bytes(out)

    def _too_large(self, where: str) -> None:
        raise BackendError(f"{where}: answer larger than {self.config.max_response_mb:g} MB "
                           f"(accounts.{self.account}.max_response_mb)")

    def _refused(self, status: int, body: bytes, final: str, where: str) -> None:
        if status == 401:
            if self._has_credentials and not self.trusted(final):
                raise AuthError(
                    f"account {self.account!r}: redirected to {redact(final)}, another host than "
                    f"{redact(self.url)}, which asks for credentials; followcal did not send them "
                    f"(list the host in accounts.{self.account}.redirect_hosts if you trust it)")
            raise AuthError(f"account {self.account!r}: username or password refused by {redact(self.url)} (401); "
                            "check username and password_env/password_command")
        if status == 412:
            raise ConflictError(f"{where}: changed on the server meanwhile (412)")
        if status in (403, 409):
            found = precondition(body)
            if found is not None:
                name, href = found
                meaning = _MEANING.get(name.split(":", 1)[-1], "a server precondition failed")
                at = f" ({redact(urllib.parse.urljoin(final, href))})" if href else ""
                raise PreconditionError(f"{where}: refused ({status} {name}): {meaning}{at}", name)
            if status == 403:
                raise BackendError(f"{where}: forbidden (403): the account may not do this here")
        if status == 404:
            raise NotFoundError(f"{where}: not found (404)")
        raise BackendError(f"{where}: unexpected answer {status}")

    # --- DAV shorthands -------------------------------------------------------------------------------

    def propfind_at(self, url: str, body: str, depth: str) -> tuple[str, list[tuple[str, Props]]]:
        """(the URL that answered, after redirects; its multistatus)."""
        answer = self.request("PROPFIND", url, body, {"Depth": depth, "Content-Type": XML_TYPE})
        return answer.url, multistatus(answer.body, self.account)

    def propfind(self, url: str, body: str, depth: str) -> list[tuple[str, Props]]:
        return self.propfind_at(url, body, depth)[1]

    def report(self, url: str, body: str, depth: str = "1") -> list[tuple[str, Props]]:
        answer = self.request("REPORT", url, body, {"Depth": depth, "Content-Type": XML_TYPE})
        return multistatus(answer.body, self.account)


_DIGESTS: dict[tuple[str, str], Any] = {}
_DIGEST_LOCK = threading.Lock()


def _knows_digest(store: KeyValueStore, url: str, user: str) -> bool:
    if (url, user) in _DIGESTS:
        return True
    return store.kv_get("caldav", f"digest {url} {user}") == "1"


def _remember_digest(store: KeyValueStore, url: str, user: str) -> None:
    store.kv_set("caldav", f"digest {url} {user}", "1")


_PREFIX = {"urn:ietf:params:xml:ns:caldav": "CALDAV", "DAV:": "DAV"}


def precondition(body: bytes) -> tuple[str, str | None] | None:
    """('CALDAV:no-uid-conflict', href or None) from a <D:error> body, else None."""
    if b"error" not in body[:4096]:
        return None
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    if root.tag != "{DAV:}error" or len(root) == 0:
        return None
    first = root[0]
    ns, _, local = first.tag[1:].partition("}") if first.tag.startswith("{") else ("", "", first.tag)
    href = first.findtext("{DAV:}href")
    return f"{_PREFIX.get(ns, ns or 'DAV')}:{local}", href.strip() if href else None


def _slash(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def redact(url: str) -> str:
    """scheme://host:port/path: no user info, query or fragment (they may hold secrets)."""
    parts = urllib.parse.urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, "", ""))
