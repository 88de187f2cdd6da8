"""A loopback fake of the Google Calendar v3 REST API, for the real google-api-python-client.

Serves on 127.0.0.1 (free port) what followcal uses: calendarList list/get, calendars insert/get,
events list (timeMin/timeMax, showDeleted, privateExtendedProperty, pagination with a small
server-side page size, syncToken/nextSyncToken, 410 for expired tokens), insert/import/get/
update/patch/delete with Google's semantics (ids never freed: delete = status cancelled; insert
of a known id = 409; If-Match -> 412), the multipart/mixed batch endpoint, an OAuth token
endpoint (refresh_token, authorization_code and service-account JWT-bearer grants, invalid_grant)
and injectable per-call faults. Every dispatched call is counted, batch parts included, so tests
can assert "no writes".
"""

from __future__ import annotations

import email.parser
import json
import re
import secrets
import threading
import urllib.parse
from dataclasses import dataclass
from datetime import date, datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PRIMARY = "me@example.com"
ID_RE = re.compile(r"^[a-v0-9]{5,1024}$")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"


@dataclass
class Fault:
    method: str  # "POST", "PUT", ..., or "*"
    path_contains: str
    status: int
    reason: str
    times: int


@dataclass
class Call:
    method: str
    path: str
    in_batch: bool
    query: dict[str, str]


class FakeGoogle:
    def __init__(self, max_page: int = 250) -> None:
        self.lock = threading.RLock()
        self.max_page = max_page
        self.counter = 0
        self.min_sync_token = 0
        self.calendars: dict[str, dict[str, Any]] = {}
        self.events: dict[str, dict[str, dict[str, Any]]] = {}
        self.calls: list[Call] = []
        self.batches = 0
        self.faults: list[Fault] = []
        self.require_auth = False
        self.access_tokens: set[str] = set()
        self.refresh_tokens: set[str] = set()
        self.token_requests = 0
        self.jwt_assertions: list[str] = []  # service-account (JWT-bearer) grants, as received
        self.add_calendar("Me", calendar_id=PRIMARY, tz="America/New_York", primary=True)
        self.server: ThreadingHTTPServer | None = None

    # --- test helpers --------------------------------------------------------------------

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/"

    def start(self) -> FakeGoogle:
        fake = self

        class Handler(_Handler):
            owner = fake

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def add_calendar(self, summary: str, *, calendar_id: str | None = None, tz: str = "UTC", primary: bool = False) -> str:
        with self.lock:
            cid = calendar_id or f"{secrets.token_hex(8)}@group.calendar.google.com"
            self.calendars[cid] = {
                "kind": "calendar#calendarListEntry", "id": cid, "summary": summary, "timeZone": tz,
                "accessRole": "owner", **({"primary": True} if primary else {}),
            }
            self.events[cid] = {}
            return cid

    def calendar_id(self, summary: str) -> str:
        return next(c for c, meta in self.calendars.items() if meta["summary"] == summary)

    def add_event(self, calendar_id: str, event: dict[str, Any]) -> dict[str, Any]:
        """Store a (foreign) event as if another client had made it."""
        with self.lock:
            body = dict(event)
            body.setdefault("id", _random_id())
            body.setdefault("iCalUID", f"{body['id']}@google.com")
            return self._store(calendar_id, body, new=True)

    def change_event(self, calendar_id: str, event_id: str, **changes: Any) -> None:
        with self.lock:
            current = self.events[calendar_id][event_id]
            self._store(calendar_id, {**current, **changes}, new=False)

    def items(self, calendar_id: str, *, deleted: bool = False) -> list[dict[str, Any]]:
        with self.lock:
            return [_public(e) for e in self.events[calendar_id].values() if deleted or e.get("status") != "cancelled"]

    def fail(self, method: str, path_contains: str, status: int, reason: str = "backendError", times: int = 1) -> None:
        """The next `times` calls matching method and path answer `status` (batch parts too)."""
        with self.lock:
            self.faults.append(Fault(method, path_contains, status, reason, times))

    def expire_sync_tokens(self) -> None:
        with self.lock:
            self.min_sync_token = self.counter + 1

    def writes(self) -> list[Call]:
        return [c for c in self.calls if c.method in WRITE_METHODS and not c.path.startswith("/token")]

    def reset_counts(self) -> None:
        with self.lock:
            self.calls.clear()
            self.batches = 0

    # --- internals -----------------------------------------------------------------------

    def _store(self, cid: str, body: dict[str, Any], *, new: bool) -> dict[str, Any]:
        self.counter += 1
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        body["_seq"] = self.counter
        body["etag"] = f'"{self.counter}"'
        body["updated"] = now
        body.setdefault("created", now)
        body.setdefault("status", "confirmed")
        body.setdefault("sequence", 0)
        body["kind"] = "calendar#event"
        self.events[cid][body["id"]] = body
        return body

    def _fault(self, method: str, path: str) -> tuple[int, dict[str, Any]] | None:
        for fault in self.faults:
            if fault.times > 0 and fault.method in ("*", method) and fault.path_contains in path:
                fault.times -= 1
                return _error(fault.status, fault.reason, f"injected {fault.status}")
        return None

    def dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes, *, in_batch: bool = False) -> tuple[int, dict[str, Any] | None]:
        parts = urllib.parse.urlsplit(target)
        path = parts.path
        if path.startswith("/calendar/v3/"):
            path = path[len("/calendar/v3") :]
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(parts.query).items()}
        with self.lock:
            self.calls.append(Call(method, path, in_batch, query))
            fault = self._fault(method, path)
            if fault is not None:
                return fault
            if self.require_auth and not in_batch:
                auth = headers.get("authorization", "")
                if not auth.startswith("Bearer ") or auth[7:] not in self.access_tokens:
                    return _error(401, "authError", "Invalid Credentials")
            try:
                payload = json.loads(body) if body else {}
            except ValueError:
                return _error(400, "parseError", "bad JSON")
            return self._route(method, [urllib.parse.unquote(s) for s in path.strip("/").split("/")], query, headers, payload)

    def _route(self, method: str, seg: list[str], q: dict[str, str], headers: dict[str, str], body: dict[str, Any]) -> tuple[int, dict[str, Any] | None]:
        if seg[:3] == ["users", "me", "calendarList"]:
            entries = list(self.calendars.values())
            if len(seg) == 4:
                cid = PRIMARY if seg[3] == "primary" else seg[3]
                return (200, self.calendars[cid]) if cid in self.calendars else _error(404, "notFound", "Not Found")
            return 200, self._page(entries, q, "calendar#calendarList")
        if seg == ["calendars"] and method == "POST":
            cid = self.add_calendar(body.get("summary", "Untitled"), tz=body.get("timeZone", "UTC"))
            meta = self.calendars[cid]
            return 200, {"kind": "calendar#calendar", "id": cid, "summary": meta["summary"], "timeZone": meta["timeZone"]}
        if len(seg) < 2 or seg[0] != "calendars":
            return _error(404, "notFound", "no such endpoint")
        cid = PRIMARY if seg[1] == "primary" else seg[1]
        if cid not in self.calendars:
            return _error(404, "notFound", "Not Found")
        if len(seg) == 2:
            return 200, self.calendars[cid]
        store = self.events[cid]
        if seg[2:] == ["events"] and method == "GET":
            return self._list(cid, q)
        if seg[2:] == ["events"] and method == "POST":
            ident = body.get("id") or _random_id()
            if not ID_RE.match(ident):
                return _error(400, "invalid", "Invalid resource id value.")
            if ident in store:
                return _error(409, "duplicate", "The requested identifier already exists.")
            uid = body.get("iCalUID")
            if uid and any(e.get("iCalUID") == uid and e.get("status") != "cancelled" for e in store.values()):
                return _error(409, "duplicate", "The requested identifier already exists.")
            new = {**body, "id": ident}
            new.setdefault("iCalUID", f"{ident}@google.com")
            return 200, _public(self._store(cid, new, new=True))
        if seg[2:] == ["events", "import"] and method == "POST":
            existing = next((e for e in store.values() if e.get("iCalUID") == body.get("iCalUID")), None)
            ident = existing["id"] if existing else _random_id()
            return 200, _public(self._store(cid, {**body, "id": ident}, new=existing is None))
        if len(seg) != 4 or seg[2] != "events":
            return _error(404, "notFound", "no such endpoint")
        current = store.get(seg[3])
        if current is None:
            return _error(404, "notFound", "Not Found")
        if method == "GET":
            return 200, _public(current)
        match = headers.get("if-match")
        if match and match != current["etag"]:
            return _error(412, "conditionNotMet", "Precondition Failed")
        if method == "DELETE":
            if current.get("status") == "cancelled":
                return _error(410, "deleted", "Resource has been deleted")
            self._store(cid, {**current, "status": "cancelled"}, new=False)
            return 204, None
        if method == "PUT":
            new = {**body, "id": current["id"], "iCalUID": current["iCalUID"], "created": current["created"]}
            new.setdefault("status", "confirmed")
            return 200, _public(self._store(cid, new, new=False))
        if method == "PATCH":
            return 200, _public(self._store(cid, {**current, **body, "id": current["id"]}, new=False))
        return _error(405, "notAllowed", "method not allowed")

    def _list(self, cid: str, q: dict[str, str]) -> tuple[int, dict[str, Any]]:
        events = list(self.events[cid].values())
        token = q.get("syncToken")
        if token:
            if any(k in q for k in ("timeMin", "timeMax", "privateExtendedProperty", "iCalUID", "q")):
                return _error(400, "invalid", "syncToken cannot be combined with these parameters")
            since = int(token.split("-", 1)[1])
            if since < self.min_sync_token:
                return _error(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
            events = [e for e in events if e["_seq"] > since]
        else:
            if q.get("showDeleted") != "true":
                events = [e for e in events if e.get("status") != "cancelled"]
            if "timeMin" in q:
                lo = _instant(q["timeMin"])
                events = [e for e in events if _instant(_when(e.get("end") or e.get("start"))) > lo]
            if "timeMax" in q:
                hi = _instant(q["timeMax"])
                events = [e for e in events if _instant(_when(e.get("start"))) < hi]
            if "privateExtendedProperty" in q:
                key, _, value = q["privateExtendedProperty"].partition("=")
                events = [e for e in events if ((e.get("extendedProperties") or {}).get("private") or {}).get(key) == value]
        page = self._page([_public(e) for e in events], q, "calendar#events")
        page["timeZone"] = self.calendars[cid]["timeZone"]
        if "nextPageToken" not in page:
            page["nextSyncToken"] = f"tok-{self.counter}"
        return 200, page

    def _page(self, items: list[dict[str, Any]], q: dict[str, str], kind: str) -> dict[str, Any]:
        size = min(int(q.get("maxResults", 250)), self.max_page)
        offset = int(q.get("pageToken", "0"))
        page: dict[str, Any] = {"kind": kind, "items": items[offset : offset + size]}
        if offset + size < len(items):
            page["nextPageToken"] = str(offset + size)
        return page

    def token_endpoint(self, form: dict[str, str]) -> tuple[int, dict[str, Any]]:
        with self.lock:
            self.token_requests += 1
            if form.get("grant_type") == "authorization_code" and form.get("code") == "fake-code":
                access, refresh = f"ya29.fake-{secrets.token_hex(8)}", f"1//fake-{secrets.token_hex(8)}"
                self.access_tokens.add(access)
                self.refresh_tokens.add(refresh)
                return 200, {"access_token": access, "refresh_token": refresh, "expires_in": 3600, "token_type": "Bearer"}
            if form.get("grant_type") == JWT_BEARER and form.get("assertion"):
                self.jwt_assertions.append(form["assertion"])  # not verified: tests decode and inspect it
                access = f"ya29.fake-sa-{secrets.token_hex(8)}"
                self.access_tokens.add(access)
                return 200, {"access_token": access, "expires_in": 3600, "token_type": "Bearer"}
            if form.get("grant_type") != "refresh_token" or form.get("refresh_token") not in self.refresh_tokens:
                return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
            access = f"ya29.fake-{secrets.token_hex(8)}"
            self.access_tokens.add(access)
            return 200, {"access_token": access, "expires_in": 3600, "token_type": "Bearer",
                         "scope": "https://www.googleapis.com/auth/calendar.events"}

    def batch(self, content_type: str, body: bytes) -> tuple[int, str, bytes]:
        """The multipart/mixed batch endpoint: each part is dispatched like a direct call."""
        with self.lock:
            self.batches += 1
        message = email.parser.BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
        boundary = f"batch_{secrets.token_hex(8)}"
        out = []
        for part in message.get_payload():
            raw = part.get_payload()
            if isinstance(raw, bytes):
                raw = raw.decode("utf-8")
            request_line, rest = raw.split("\n", 1)
            method, target, _ = request_line.strip().split(" ", 2)
            head, _, inner_body = rest.replace("\r\n", "\n").partition("\n\n")
            headers = {}
            for line in head.split("\n"):
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            status, payload = self.dispatch(method, target, headers, inner_body.encode("utf-8"), in_batch=True)
            text = json.dumps(payload) if payload is not None else ""
            content_id = part["Content-ID"].strip()
            out.append(
                f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <response-{content_id[1:]}\r\n\r\n"
                f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\nContent-Type: application/json; charset=UTF-8\r\n"
                f"Content-Length: {len(text.encode())}\r\n\r\n{text}\r\n"
            )
        out.append(f"--{boundary}--\r\n")
        return 200, f"multipart/mixed; boundary={boundary}", "".join(out).encode("utf-8")


_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            409: "Conflict", 410: "Gone", 412: "Precondition Failed", 429: "Too Many Requests", 503: "Service Unavailable"}


class _Handler(BaseHTTPRequestHandler):
    owner: FakeGoogle
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, content_type: str, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _handle(self) -> None:
        body = self._body()
        path = urllib.parse.urlsplit(self.path).path
        fake = self.owner
        if path == "/token":
            form = {k: v[-1] for k, v in urllib.parse.parse_qs(body.decode("utf-8")).items()}
            status, payload = fake.token_endpoint(form)
            self._send(status, "application/json", json.dumps(payload).encode())
            return
        headers = {k.lower(): v for k, v in self.headers.items()}
        if path in ("/batch/calendar/v3", "/batch"):
            fault = fake._fault("POST", path)
            if fault is not None:
                self._send(fault[0], "application/json", json.dumps(fault[1]).encode())
                return
            status, ctype, data = fake.batch(self.headers.get("Content-Type", ""), body)
            self._send(status, ctype, data)
            return
        status, payload = fake.dispatch(self.command, self.path, headers, body)
        self._send(status, "application/json; charset=UTF-8", json.dumps(payload).encode() if payload is not None else b"")

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle


def _error(status: int, reason: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error": {"code": status, "message": message, "errors": [{"domain": "global", "reason": reason, "message": message}]}}


def _public(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if not k.startswith("_")}


def _random_id() -> str:
    alphabet = "abcdefghijklmnopqrstuv0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(26))


def _when(value: dict[str, Any] | None) -> str:
    value = value or {}
    return value.get("dateTime") or value.get("date") or "1970-01-01"


def _instant(raw: str) -> datetime:
    if len(raw) == 10:
        return datetime.combine(date.fromisoformat(raw), datetime.min.time(), timezone.utc)
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
