"""A loopback fake of the Google Calendar v3 REST API, for the real google-api-python-client.

Serves on 127.0.0.1 (free port) what followcal uses, as strictly as the real service behaves:
- every request is checked against the Calendar v3 discovery document (fake_google_schema.py);
  an invalid one answers 400 and is recorded in `invalid` (the conftest fixture fails the test);
- calendarList hides hidden calendars unless showHidden=true; a calendar can be reachable by ID
  but absent from the list (a service account acting as itself); calendars.get needs a
  calendar-level scope (calendar.events does not grant it), per the discovery document;
- with `require_auth`, every call (each batch part too, whose credentials are the outer
  request's) needs a token, and the token's scopes must be among the method's scopes; a scope
  of calendar.app.created reaches only calendars the app created;
- ids are never freed: delete = status cancelled; `purge` drops an event from the trash, after
  which get/update/patch/delete answer 404 but insert of that id still answers 409;
- a sequence lower than the stored one is refused (400 "Invalid sequence value");
- PATCH merges nested objects (start, end, extendedProperties) and replaces arrays, like Google;
- deleted events are listed id-only (kind, etag, id, status) on incremental sync / showDeleted;
- `throttle` limits writes to one calendar in quick succession (403 rateLimitExceeded in the
  usageLimits domain, or 429), with an optional Retry-After, measured on `clock` (injectable);
- the token endpoint grants `grant_scopes` (a subset or superset of those asked) and refuses a
  refresh asking for scopes never granted (invalid_scope).
Every dispatched call is counted, batch parts included, so tests can assert "no writes";
`applied` lists the writes that took effect.
"""

from __future__ import annotations

import email.parser
import json
import re
import secrets
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fake_google_rules import (
    _calendar,
    _deleted,
    _error,
    _instant,
    _jwt_claims,
    _merge,
    _public,
    _random_id,
    _time_problem,
    _when,
)
from fake_google_schema import check_request, scopes_of
from servers import serve_in_thread

PRIMARY = "me@example.com"
ID_RE = re.compile(r"^[a-v0-9]{5,1024}$")
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
SCOPE = "https://www.googleapis.com/auth/"
ASKED = [SCOPE + "calendar.events", SCOPE + "calendar.calendarlist.readonly", SCOPE + "calendar.app.created"]

Answer = tuple[int, "dict[str, Any] | None", "dict[str, str]"]


@dataclass
class Fault:
    method: str  # "POST", "PUT", ..., or "*"
    path_contains: str
    status: int
    reason: str
    times: int
    retry_after: str | None = None


@dataclass
class Call:
    method: str
    path: str
    in_batch: bool
    query: dict[str, str]


@dataclass
class Throttle:
    limit: int  # writes to one calendar allowed per `window` seconds
    window: float
    status: int  # 403 (rateLimitExceeded, usageLimits) or 429
    retry_after: str | None


class FakeGoogle:
    def __init__(self, max_page: int = 250) -> None:
        self.lock = threading.RLock()
        self.max_page = max_page
        self.counter = 0
        self.min_sync_token = 0
        self.calendars: dict[str, dict[str, Any]] = {}
        self.listed: set[str] = set()  # in the user's calendar list
        self.app_created: set[str] = set()
        self.events: dict[str, dict[str, dict[str, Any]]] = {}
        self.purged: dict[str, set[str]] = {}
        self.calls: list[Call] = []
        self.applied: list[tuple[str, str, str]] = []  # (method, calendar, event id) that took effect
        self.invalid: list[str] = []  # discovery-schema findings
        self.checked = 0  # requests checked against the discovery document
        self.batches = 0
        self.faults: list[Fault] = []
        self.require_auth = False
        self.access_tokens: dict[str, frozenset[str]] = {}
        self.refresh_tokens: set[str] = set()
        self.refresh_scopes: dict[str, frozenset[str]] = {}
        self.grant_scopes: list[str] | None = None  # None: grant what followcal asks
        self.token_requests = 0
        self.jwt_assertions: list[str] = []  # service-account (JWT-bearer) grants, as received
        self.throttling: Throttle | None = None
        self.clock: Callable[[], float] = time.monotonic
        self.write_times: dict[str, list[float]] = {}
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
        serve_in_thread(self.server)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def add_calendar(self, summary: str, *, calendar_id: str | None = None, tz: str = "UTC", primary: bool = False,
                     hidden: bool = False, listed: bool = True) -> str:
        """A calendar; `hidden` (unticked in the Calendar UI) or not in the list at all."""
        with self.lock:
            cid = calendar_id or f"{secrets.token_hex(8)}@group.calendar.google.com"
            self.calendars[cid] = {
                "kind": "calendar#calendarListEntry", "etag": f'"c{len(self.calendars)}"', "id": cid, "summary": summary,
                "timeZone": tz, "accessRole": "owner",
                **({"primary": True} if primary else {}), **({"hidden": True} if hidden else {}),
            }
            if listed:
                self.listed.add(cid)
            self.events[cid] = {}
            self.purged[cid] = set()
            return cid

    def calendar_id(self, summary: str) -> str:
        return next(c for c, meta in self.calendars.items() if meta["summary"] == summary)

    def add_event(self, calendar_id: str, event: dict[str, Any]) -> dict[str, Any]:
        """Store a (foreign) event as if another client had made it."""
        with self.lock:
            body = dict(event)
            body.setdefault("id", _random_id())
            body.setdefault("iCalUID", f"{body['id']}@google.com")
            return self._store(calendar_id, body)

    def change_event(self, calendar_id: str, event_id: str, **changes: Any) -> None:
        with self.lock:
            current = self.events[calendar_id][event_id]
            self._store(calendar_id, {**current, **changes})

    def purge(self, calendar_id: str, event_id: str) -> None:
        """The trash is emptied: the event is gone for good, but its id stays reserved."""
        with self.lock:
            del self.events[calendar_id][event_id]
            self.purged[calendar_id].add(event_id)
            self.counter += 1

    def items(self, calendar_id: str, *, deleted: bool = False) -> list[dict[str, Any]]:
        with self.lock:
            return [_public(e) for e in self.events[calendar_id].values() if deleted or e.get("status") != "cancelled"]

    def fail(self, method: str, path_contains: str, status: int, reason: str = "backendError", times: int = 1,
             retry_after: str | None = None) -> None:
        """The next `times` calls matching method and path answer `status` (batch parts too)."""
        with self.lock:
            self.faults.append(Fault(method, path_contains, status, reason, times, retry_after))

    def throttle(self, limit: int, window: float = 1.0, status: int = 403, retry_after: str | None = None) -> None:
        """More than `limit` writes to one calendar within `window` seconds (on `clock`) are refused."""
        self.throttling = Throttle(limit, window, status, retry_after)

    def expire_sync_tokens(self) -> None:
        with self.lock:
            self.min_sync_token = self.counter + 1

    def writes(self) -> list[Call]:
        return [c for c in self.calls if c.method in WRITE_METHODS and not c.path.startswith("/token")]

    def reset_counts(self) -> None:
        with self.lock:
            self.calls.clear()
            self.applied.clear()
            self.batches = 0

    # --- internals -----------------------------------------------------------------------

    def _store(self, cid: str, body: dict[str, Any]) -> dict[str, Any]:
        self.counter += 1
        now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        body["_seq"] = self.counter
        body["etag"] = f'"{self.counter}"'
        body["updated"] = now
        body.setdefault("created", now)
        body.setdefault("status", "confirmed")
        body.setdefault("sequence", 0)
        body["kind"] = "calendar#event"
        self.events[cid][body["id"]] = body
        return body

    def _fault(self, method: str, path: str) -> Answer | None:
        for fault in self.faults:
            if fault.times > 0 and fault.method in ("*", method) and fault.path_contains in path:
                fault.times -= 1
                status, payload = _error(fault.status, fault.reason, f"injected {fault.status}")
                return status, payload, ({"Retry-After": fault.retry_after} if fault.retry_after else {})
        return None

    def _token_scopes(self, headers: dict[str, str]) -> frozenset[str] | None:
        auth = headers.get("authorization", "")
        return self.access_tokens.get(auth[7:]) if auth.startswith("Bearer ") else None

    def dispatch(self, method: str, target: str, headers: dict[str, str], body: bytes, *, in_batch: bool = False) -> Answer:
        parts = urllib.parse.urlsplit(target)
        path = parts.path
        if path.startswith("/calendar/v3/"):
            path = path[len("/calendar/v3") :]
        full_query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
        query = {k: v[-1] for k, v in full_query.items()}
        with self.lock:
            self.calls.append(Call(method, path, in_batch, query))
            problems = check_request(method, path, full_query, body)
            self.checked += 1
            if problems:
                self.invalid.extend(f"{method} {path}: {p}" for p in problems)
                return (*_error(400, "invalid", "; ".join(problems)), {})
            fault = self._fault(method, path)
            if fault is not None:
                return fault
            seg = [urllib.parse.unquote(s) for s in path.strip("/").split("/")]
            if self.require_auth:
                scopes = self._token_scopes(headers)
                if scopes is None:
                    return (*_error(401, "authError", "Invalid Credentials"), {})
                denied = self._scope_denied(method, path, seg, scopes)
                if denied:
                    return (*_error(403, "insufficientPermissions", denied), {})
            payload = json.loads(body) if body else {}
            status, answer = self._route(method, seg, query, headers, payload)
            if method in WRITE_METHODS and status < 300 and len(seg) >= 3 and seg[2] == "events":
                self.applied.append((method, seg[1], seg[3] if len(seg) > 3 else (answer or {}).get("id", "")))
            return status, answer, {}

    def _scope_denied(self, method: str, path: str, seg: list[str], scopes: frozenset[str]) -> str | None:
        allowed = set(scopes_of(method, path)) & scopes
        if not allowed:
            return "Request had insufficient authentication scopes."
        if allowed == {SCOPE + "calendar.app.created"} and seg[0] == "calendars" and len(seg) > 1:
            if seg[1] not in self.app_created:
                return "calendar.app.created reaches only calendars this app created."
        return None

    def _throttled(self, cid: str) -> Answer | None:
        rule = self.throttling
        if rule is None:
            return None
        now = self.clock()
        recent = [t for t in self.write_times.get(cid, []) if now - t < rule.window]
        self.write_times[cid] = recent
        if len(recent) >= rule.limit:
            extra = {"Retry-After": rule.retry_after} if rule.retry_after else {}
            if rule.status == 429:
                return (*_error(429, "rateLimitExceeded", "Rate Limit Exceeded"), extra)
            status, payload = _error(403, "rateLimitExceeded", "Rate Limit Exceeded", domain="usageLimits")
            return status, payload, extra
        recent.append(now)
        return None

    def _route(
        self, method: str, seg: list[str], q: dict[str, str], headers: dict[str, str], body: dict[str, Any]
    ) -> tuple[int, dict[str, Any] | None]:
        if seg[:3] == ["users", "me", "calendarList"]:
            if len(seg) == 4:
                cid = PRIMARY if seg[3] == "primary" else seg[3]
                return (200, self.calendars[cid]) if cid in self.listed else _error(404, "notFound", "Not Found")
            entries = [self.calendars[c] for c in self.calendars if c in self.listed]
            if q.get("showHidden") != "true":
                entries = [e for e in entries if not e.get("hidden")]
            return 200, self._page(entries, q, "calendar#calendarList")
        if seg == ["calendars"] and method == "POST":
            cid = self.add_calendar(body.get("summary", "Untitled"), tz=body.get("timeZone", "UTC"))
            self.app_created.add(cid)
            return 200, _calendar(self.calendars[cid])
        cid = PRIMARY if seg[1] == "primary" else seg[1]
        if cid not in self.calendars:
            return _error(404, "notFound", "Not Found")
        if len(seg) == 2:
            return 200, _calendar(self.calendars[cid])
        if method in WRITE_METHODS:
            throttled = self._throttled(cid)
            if throttled is not None:
                return throttled[0], {**(throttled[1] or {}), "_headers": throttled[2]}
        store = self.events[cid]
        if seg[2:] == ["events"] and method == "GET":
            return self._list(cid, q)
        if seg[2:] == ["events"] and method == "POST":
            ident = body.get("id") or _random_id()
            if not ID_RE.match(ident):
                return _error(400, "invalid", "Invalid resource id value.")
            if ident in store or ident in self.purged[cid]:
                return _error(409, "duplicate", "The requested identifier already exists.")
            uid = body.get("iCalUID")
            if uid and any(e.get("iCalUID") == uid and e.get("status") != "cancelled" for e in store.values()):
                return _error(409, "duplicate", "The requested identifier already exists.")
            problem = _time_problem(body, required=True)
            if problem:
                return _error(400, "invalid", problem)
            new = {**body, "id": ident}
            new.setdefault("iCalUID", f"{ident}@google.com")
            return 200, _public(self._store(cid, new))
        if seg[2:] == ["events", "import"] and method == "POST":
            existing = next((e for e in store.values() if e.get("iCalUID") == body.get("iCalUID")), None)
            ident = existing["id"] if existing else _random_id()
            return 200, _public(self._store(cid, {**body, "id": ident}))
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
            self._store(cid, {**current, "status": "cancelled"})
            return 204, None
        if "sequence" in body and body["sequence"] is not None and body["sequence"] < current.get("sequence", 0):
            return _error(400, "invalid", "Invalid sequence value. The specified sequence number is below "
                          "the current sequence number of the resource.")
        if method == "PUT":
            new = {**body, "id": current["id"], "iCalUID": current["iCalUID"], "created": current["created"]}
            new.setdefault("sequence", current.get("sequence", 0))
            new.setdefault("status", "confirmed")
        else:
            new = {**_merge(current, body), "id": current["id"]}
        problem = _time_problem(new, required=True)
        if problem:
            return _error(400, "invalid", problem)
        return 200, _public(self._store(cid, new))

    def _list(self, cid: str, q: dict[str, str]) -> tuple[int, dict[str, Any]]:
        events = list(self.events[cid].values())
        token = q.get("syncToken")
        if token:
            if any(k in q for k in ("timeMin", "timeMax", "privateExtendedProperty", "iCalUID", "q", "updatedMin")):
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
                events = [e for e in events
                          if e.get("status") == "cancelled" or _instant(_when(e.get("end") or e.get("start"))) > lo]
            if "timeMax" in q:
                hi = _instant(q["timeMax"])
                events = [e for e in events if e.get("status") == "cancelled" or _instant(_when(e.get("start"))) < hi]
            if "privateExtendedProperty" in q:
                key, _, value = q["privateExtendedProperty"].partition("=")
                events = [e for e in events if ((e.get("extendedProperties") or {}).get("private") or {}).get(key) == value]
        listed = [_deleted(e) if e.get("status") == "cancelled" else _public(e) for e in events]
        page = self._page(listed, q, "calendar#events")
        page["timeZone"] = self.calendars[cid]["timeZone"]
        page["accessRole"] = self.calendars[cid]["accessRole"]
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
            granted = frozenset(self.grant_scopes if self.grant_scopes is not None else ASKED)
            if form.get("grant_type") == "authorization_code" and form.get("code") == "fake-code":
                access, refresh = f"ya29.fake-{secrets.token_hex(8)}", f"1//fake-{secrets.token_hex(8)}"
                self.access_tokens[access] = granted
                self.refresh_tokens.add(refresh)
                self.refresh_scopes[refresh] = granted
                return 200, {"access_token": access, "refresh_token": refresh, "expires_in": 3600, "token_type": "Bearer",
                             "scope": " ".join(sorted(granted))}
            if form.get("grant_type") == JWT_BEARER and form.get("assertion"):
                self.jwt_assertions.append(form["assertion"])  # not verified: tests decode and inspect it
                access = f"ya29.fake-sa-{secrets.token_hex(8)}"
                self.access_tokens[access] = frozenset(_jwt_claims(form["assertion"]).get("scope", "").split())
                return 200, {"access_token": access, "expires_in": 3600, "token_type": "Bearer"}
            refresh = form.get("refresh_token", "")
            if form.get("grant_type") != "refresh_token" or refresh not in self.refresh_tokens:
                return 400, {"error": "invalid_grant", "error_description": "Token has been expired or revoked."}
            held = self.refresh_scopes.get(refresh, granted)
            asked = frozenset(form["scope"].split()) if form.get("scope") else held
            if not asked <= held:
                return 400, {"error": "invalid_scope", "error_description": "Bad Request"}
            access = f"ya29.fake-{secrets.token_hex(8)}"
            self.access_tokens[access] = asked
            return 200, {"access_token": access, "expires_in": 3600, "token_type": "Bearer", "scope": " ".join(sorted(asked))}

    def batch(self, content_type: str, body: bytes, outer: dict[str, str]) -> tuple[int, str, bytes]:
        """The multipart/mixed batch endpoint: each part is dispatched like a direct call, with the
        outer request's credentials unless the part carries its own."""
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
            headers = {"authorization": outer["authorization"]} if "authorization" in outer else {}
            for line in head.split("\n"):
                if ":" in line:
                    k, v = line.split(":", 1)
                    headers[k.strip().lower()] = v.strip()
            status, payload, extra = self.dispatch(method, target, headers, inner_body.encode("utf-8"), in_batch=True)
            extra = {**extra, **((payload or {}).pop("_headers", None) or {})}
            text = json.dumps(payload) if payload is not None else ""
            content_id = part["Content-ID"].strip()
            more = "".join(f"{k}: {v}\r\n" for k, v in extra.items())
            out.append(
                f"--{boundary}\r\nContent-Type: application/http\r\nContent-ID: <response-{content_id[1:]}\r\n\r\n"
                f"HTTP/1.1 {status} {_REASONS.get(status, 'Status')}\r\nContent-Type: application/json; charset=UTF-8\r\n"
                f"{more}Content-Length: {len(text.encode())}\r\n\r\n{text}\r\n"
            )
        out.append(f"--{boundary}--\r\n")
        return 200, f"multipart/mixed; boundary={boundary}", "".join(out).encode("utf-8")


_REASONS = {200: "OK", 204: "No Content", 400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
            409: "Conflict", 410: "Gone", 412: "Precondition Failed", 429: "Too Many Requests", 503: "Service Unavailable"}


class _Handler(BaseHTTPRequestHandler):
    owner: FakeGoogle
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # TCP_NODELAY: no 40 ms delayed-ACK stall per answer

    def log_message(self, *args: Any) -> None:
        pass

    def _body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, content_type: str, data: bytes, extra: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for key, value in (extra or {}).items():
            self.send_header(key, value)
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
                self._send(fault[0], "application/json", json.dumps(fault[1]).encode(), fault[2])
                return
            if fake.require_auth and fake._token_scopes(headers) is None:
                status, payload = _error(401, "authError", "Invalid Credentials")
                self._send(status, "application/json", json.dumps(payload).encode())
                return
            status, ctype, data = fake.batch(self.headers.get("Content-Type", ""), body, headers)
            self._send(status, ctype, data)
            return
        status, payload, extra = fake.dispatch(self.command, self.path, headers, body)
        extra = {**extra, **((payload or {}).pop("_headers", None) or {})}
        self._send(status, "application/json; charset=UTF-8", json.dumps(payload).encode() if payload is not None else b"", extra)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle
