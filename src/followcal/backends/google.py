"""Google Calendar through google-api-python-client: interviews in, reminders out.

The I/O half of the Google backend: it builds the service, finds calendars (hidden ones too, and
ones reachable only by ID), sends writes in batches paced per calendar (google_pace.py: at most 50
calls a batch, Retry-After honoured, quota errors stop the run; google_write.py: the writes and
their follow-ups after 409/404), and keeps the reminder calendar's owned events in the state
store, refreshed incrementally with Google's sync token (410 GONE -> one full re-read). The event
JSON <-> model mapping lives in google_map.py; neither lets Google's JSON out of the backend.
Every library exception is mapped to a followcal error here; none escapes, and no message
carries a token.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.parse
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

from followcal.backends.base import KeyValueStore, MemoryStore
from followcal.backends.google_map import merge_cached, owned_from_item, to_source_event, utc_stamp
from followcal.backends.google_pace import MAX_BATCH, Pacer, quota, retry_after, retryable, throttled
from followcal.config import AccountConfig
from followcal.core.model import ApplyResult, OwnedEvent, Plan, SourceEvent, Window
from followcal.errors import AuthError, BackendError, ConflictError, FollowcalError, NotFoundError
from followcal.retries import note_retry

log = logging.getLogger(__name__)

BATCH_SIZE = MAX_BATCH  # Google's limit for Calendar batches
PAGE_SIZE = 250
MAX_ATTEMPTS = 6  # rounds in a row without progress before a write gives up
MAX_FOLLOW_UPS = 6  # conflict -> read -> update/replacement steps for one reminder
BASE_DELAY = 1.0  # seconds of the first backoff
SLEEP: Callable[[float], None] = time.sleep  # every wait goes through here; tests inject a clock
DEFAULT_BATCH_URI = "https://www.googleapis.com/batch/calendar/v3"
KV_NAMESPACE = "google"
NEED_EVENTS = "your calendar events (scope calendar.events)"
NEED_LIST = "your calendar list (scope calendar.calendarlist.readonly)"
NEED_CREATE = "creating calendars (scope calendar.app.created)"


def _sleep(seconds: float) -> None:
    SLEEP(seconds)


# --- errors at the boundary ------------------------------------------------------------------


def _http_reason(exc: Any) -> tuple[int, str, str]:
    """(status, first error reason, message) of a googleapiclient HttpError."""
    status = int(getattr(exc.resp, "status", 0) or 0)
    reason, message = "", ""
    try:
        data = json.loads(exc.content.decode("utf-8") if isinstance(exc.content, bytes) else exc.content)
        error = data.get("error", {})
        if isinstance(error, dict):
            message = str(error.get("message") or "")
            errors = error.get("errors") or []
            if errors and isinstance(errors[0], dict):
                reason = str(errors[0].get("reason") or "")
        elif isinstance(error, str):
            reason = error
    except (ValueError, AttributeError, TypeError):
        pass
    return status, reason, message[:200]


def _retryable(status: int, reason: str) -> bool:
    return retryable(status, reason)


def _retry_after(exc: Any) -> float | None:
    """Retry-After of an HttpError (a direct answer or one batch part), in seconds."""
    resp = getattr(exc, "resp", None) or {}
    try:
        value = resp.get("retry-after") or resp.get("Retry-After")
    except AttributeError:
        return None
    return retry_after(value)


def _pacer() -> Pacer:
    return Pacer(base_delay=BASE_DELAY, sleep=_sleep)


class _Gone(BackendError):
    """410: a sync token Google no longer accepts (read everything again)."""


def _map_http(exc: Any, what: str, need: str = NEED_EVENTS) -> FollowcalError:
    status, reason, message = _http_reason(exc)
    detail = f"HTTP {status}" + (f" {reason}" if reason else "") + (f": {message}" if message else "")
    if quota(status, reason):
        return BackendError(
            f"{what}: Google's usage limit is reached ({reason}); stopped instead of retrying. "
            "Run sync again later (Calendar limits reset within hours, a project's daily quota at midnight Pacific time)"
        )
    if status == 403 and reason in ("insufficientPermissions", "ACCESS_TOKEN_SCOPE_INSUFFICIENT"):
        return AuthError(
            f"{what}: the token grants no access to {need}; run `followcal auth google` again and allow it"
        )
    if status == 401:
        return AuthError(f"{what}: Google refused the credentials ({detail})")
    if status == 403 and not _retryable(status, reason):
        return AuthError(f"{what}: permission denied ({detail})")
    if status == 404:
        return NotFoundError(f"{what}: not found ({detail})")
    if status == 412:
        return ConflictError(f"{what}: changed on the server meanwhile ({detail})")
    if status == 410:
        return _Gone(f"{what}: {detail}")
    return BackendError(f"{what}: {detail}")


def _map_other(exc: BaseException, what: str, host: str, service_account: bool = False) -> FollowcalError | None:
    """Transport and auth exceptions -> followcal errors; None for anything else (a bug)."""
    import httplib2
    from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError

    if isinstance(exc, RefreshError):
        if service_account:
            return AuthError(
                f"{what}: Google refused the service account key (check the key, and the "
                "domain-wide delegation of its client id when `subject` is set)"
            )
        return AuthError(f"{what}: Google refused the stored token; run `followcal auth google` again")
    if isinstance(exc, TransportError):
        return BackendError(f"{what}: cannot reach the Google token endpoint")
    if isinstance(exc, GoogleAuthError):
        return AuthError(f"{what}: authentication failed ({type(exc).__name__})")
    if isinstance(exc, (httplib2.HttpLib2Error, OSError)):
        return BackendError(f"{what}: cannot reach {host} ({type(exc).__name__})")
    return None


# --- the client ------------------------------------------------------------------------------


class GoogleClient:
    """One authorised Calendar v3 service with retrying calls and a batch writer."""

    def __init__(self, config: AccountConfig) -> None:
        from followcal.backends.google_auth import load_credentials

        self.config = config
        self.creds = load_credentials(config)
        endpoint = config.api_endpoint
        self.host = urllib.parse.urlsplit(endpoint).netloc if endpoint else "www.googleapis.com"
        if endpoint:
            parts = urllib.parse.urlsplit(endpoint)
            self.batch_uri = f"{parts.scheme}://{parts.netloc}/batch/calendar/v3"
        else:
            self.batch_uri = DEFAULT_BATCH_URI
        self.service = self._guard(self._build, f"account {config.name!r}")
        self._initial_token = getattr(self.creds, "token", None)

    def _build(self) -> Any:
        import google_auth_httplib2
        import httplib2
        from googleapiclient.discovery import build

        verify = self.config.verify_tls
        http = httplib2.Http(
            timeout=self.config.timeout,
            ca_certs=verify if isinstance(verify, str) else None,
            disable_ssl_certificate_validation=verify is False,
        )
        authed = google_auth_httplib2.AuthorizedHttp(self.creds, http=http)
        options = {"api_endpoint": self.config.api_endpoint} if self.config.api_endpoint else None
        return build("calendar", "v3", http=authed, client_options=options, cache_discovery=False, static_discovery=True)

    def _guard(self, func: Callable[[], Any], what: str) -> Any:
        from googleapiclient.errors import Error as ApiError, HttpError

        try:
            return func()
        except HttpError as exc:
            raise _map_http(exc, what) from None
        except FollowcalError:
            raise
        except ApiError as exc:
            raise BackendError(f"{what}: unexpected answer from {self.host} ({type(exc).__name__})") from None
        except Exception as exc:
            mapped = _map_other(exc, what, self.host, service_account=bool(self.config.service_account))
            if mapped is None:
                raise
            raise mapped from None

    def call(self, request: Any, what: str, need: str = NEED_EVENTS) -> Any:
        """Execute one request; rate limits, 429 and 5xx are retried after Retry-After or a
        backoff with jitter; quota errors stop at once."""
        from googleapiclient.errors import HttpError

        pacer = _pacer()
        for attempt in range(MAX_ATTEMPTS):
            try:
                return self._guard_http(request.execute)
            except HttpError as exc:
                status, reason, _ = _http_reason(exc)
                if not _retryable(status, reason) or attempt == MAX_ATTEMPTS - 1:
                    raise _map_http(exc, what, need) from None
                note_retry(what, f"HTTP {status}")
                hint = _retry_after(exc)
                pacer.pause(hint if hint is not None else pacer.backoff(attempt))
        raise AssertionError("unreachable")

    def _guard_http(self, func: Callable[[], Any]) -> Any:
        """Like _guard but lets HttpError through (the caller classifies it)."""
        from googleapiclient.errors import HttpError

        try:
            return func()
        except HttpError:
            raise
        except FollowcalError:
            raise
        except Exception as exc:
            mapped = _map_other(
                exc, f"account {self.config.name!r}", self.host, service_account=bool(self.config.service_account)
            )
            if mapped is None:
                raise
            raise mapped from None

    def pages(self, make: Callable[[str | None], Any], what: str, need: str = NEED_EVENTS) -> Iterator[dict[str, Any]]:
        """Every page of a list call (pageToken); the last page carries nextSyncToken."""
        token: str | None = None
        while True:
            page = self.call(make(token), what, need)
            yield page
            token = page.get("nextPageToken")
            if not token:
                return

    def batch(
        self,
        calls: list[tuple[str, Callable[[], Any]]],
        on_result: Callable[[str, Any, Any], Callable[[], Any] | None],
        what: str,
        pacer: Pacer | None = None,
    ) -> None:
        """Run (key, make_request) calls in batches paced for one calendar (google_pace.Pacer).
        Throttled or failed calls are resent after Retry-After or a backoff; the write gives up
        only after MAX_ATTEMPTS rounds in a row without progress, and a quota error stops it at
        once. `on_result(key, response, error)` may return a follow-up call (e.g. read the
        stored event after a 409), which is sent next."""
        from googleapiclient.errors import HttpError
        from googleapiclient.http import BatchHttpRequest

        pacer = pacer or _pacer()
        queue = list(calls)
        stalled = 0
        while queue:
            chunk, queue = queue[: pacer.size], queue[pacer.size :]
            makers = dict(chunk)
            retry: list[tuple[str, Callable[[], Any]]] = []
            follow: list[tuple[str, Callable[[], Any]]] = []
            hints: list[float] = []
            seen = {"done": 0, "throttled": False}
            stop: list[Any] = []

            # callback and the lambda below run inside batch.execute, in this same iteration,
            # so the loop variables they read are the current ones (B023 cannot happen here).
            def callback(request_id: str, response: Any, exception: Any) -> None:
                if isinstance(exception, HttpError):
                    status, reason, _ = _http_reason(exception)
                    if quota(status, reason):
                        stop.append(exception)  # noqa: B023
                        return
                    if _retryable(status, reason):
                        retry.append((request_id, makers[request_id]))  # noqa: B023
                        seen["throttled"] = seen["throttled"] or throttled(status, reason)  # noqa: B023
                        hint = _retry_after(exception)
                        if hint is not None:
                            hints.append(hint)  # noqa: B023
                        return
                seen["done"] += 1  # noqa: B023
                nxt = on_result(request_id, response, exception)
                if nxt is not None:
                    follow.append((request_id, nxt))  # noqa: B023

            pacer.before_batch()
            batch = BatchHttpRequest(callback=callback, batch_uri=self.batch_uri)
            for key, make in chunk:
                batch.add(make(), request_id=key)
            try:
                self._guard_http(lambda: batch.execute(http=self.service._http))  # noqa: B023
            except HttpError as exc:
                status, reason, _ = _http_reason(exc)
                if not _retryable(status, reason):
                    raise _map_http(exc, what) from None
                retry = list(chunk)
                seen["throttled"] = throttled(status, reason)
                hint = _retry_after(exc)
                hints = [hint] if hint is not None else []
            if stop:
                raise _map_http(stop[0], what) from None
            if retry:
                stalled = 0 if seen["done"] else stalled + 1
                if stalled >= MAX_ATTEMPTS:
                    raise BackendError(
                        f"{what}: {len(retry)} write(s) still failing after {MAX_ATTEMPTS} attempts (rate limit or server error)"
                    )
                note_retry(what, f"{len(retry)} call(s) in a batch")
                if seen["throttled"]:
                    wait = pacer.after_batch(
                        throttled=True, hint=max(hints) if hints else None, attempt=stalled, accepted=seen["done"]
                    )
                    if pacer.throttles == 1:
                        log.warning("%s: Google limits how fast one calendar takes writes; continuing more slowly", what)
                    log.info("%s: Google asked to slow down; %d write(s) wait %.1f s, then go in batches of %d",
                             what, len(retry), wait, pacer.size)
                else:
                    wait = max(hints) if hints else pacer.backoff(stalled)
                    log.info("%s: resending %d call(s) after a server error", what, len(retry))
                if wait:
                    pacer.pause(wait)
            else:
                pacer.after_batch(throttled=False, hint=None, attempt=0)
            queue = retry + follow + queue

    def save_refreshed_token(self) -> None:
        """A token refreshed mid-run (401 -> refresh) is written back for the next run."""
        if getattr(self.creds, "token", None) != self._initial_token:
            from followcal.backends.google_auth import save_token

            save_token(self.config, self.creds)
            self._initial_token = self.creds.token


def client_for(config: AccountConfig) -> GoogleClient:
    return GoogleClient(config)


# --- the calendar: a Source and a Target -----------------------------------------------------


class GoogleCalendar:
    """One Google calendar: interviews are read from it, reminders written to it."""

    def __init__(self, client: GoogleClient, label: str, calendar_id: str | None, tz: str | None, *,
                 name: str = "", store: KeyValueStore | None = None) -> None:
        self.client = client
        self.store: KeyValueStore = store if store is not None else MemoryStore()  # the run's (app-given)
        self.label = label
        self.calendar_id = calendar_id  # None: missing, created by the first write (apply)
        self.name = name
        self.tz = tz
        self._kv_key = f"{client.config.name}:{calendar_id}"
        self._cache: dict[str, dict[str, Any]] | None = None
        self.on_created: Callable[[str, str, str | None], None] | None = None  # tells the account (id, name, zone)
        self.pacer = _pacer()  # one per calendar: Google limits writes to one calendar

    # Source -------------------------------------------------------------------------------

    def read_events(self, window: Window) -> tuple[list[SourceEvent], list[str]]:
        if self.calendar_id is None:
            return [], []
        events_api = self.client.service.events()
        params: dict[str, Any] = {"calendarId": self.calendar_id, "singleEvents": True, "maxResults": PAGE_SIZE}
        if window.since is not None:
            params["timeMin"] = utc_stamp(window.since)
        if window.until is not None:
            params["timeMax"] = utc_stamp(window.until)
        events: list[SourceEvent] = []
        warnings: list[str] = []
        for page in self.client.pages(lambda tok: events_api.list(pageToken=tok, **params), f"{self.label}: reading events"):
            zone = page.get("timeZone") or self.tz
            for item in page.get("items", []):
                if item.get("status") == "cancelled" and not item.get("start"):
                    continue
                try:
                    event = to_source_event(item, self.label, zone)
                except (ValueError, TypeError, KeyError) as exc:
                    warnings.append(f"skipped event {item.get('id')} ({self.label}): {exc}")
                    continue
                # as the .ics reader does (files, URLs, CalDAV): a single event that overlaps
                # `since` is kept, an occurrence of a series only when it starts inside the window
                if item.get("recurringEventId") and window.since is not None and _starts_before(event, window.since):
                    continue
                events.append(event)
        self.client.save_refreshed_token()
        return events, warnings

    # Target -------------------------------------------------------------------------------

    def list_owned(self) -> list[OwnedEvent]:
        """followcal's events here, deleted ones included (their ids can only be restored)."""
        if self.calendar_id is None:
            return []
        cache = self._read_changes()
        self._cache = cache
        owned = []
        for item in cache.values():
            event = owned_from_item(item)
            if event is not None:
                owned.append(event)
        self.client.save_refreshed_token()
        return owned

    def _read_changes(self) -> dict[str, dict[str, Any]]:
        """The cached owned events brought up to date with the sync token; 410 -> full read.
        Google lists a deleted event with its id only, so the cache (which holds what we wrote)
        is what tells a deleted reminder from a foreign deleted event."""
        store = self.store
        raw = store.kv_get(KV_NAMESPACE, self._kv_key + ":owned")
        token = store.kv_get(KV_NAMESPACE, self._kv_key + ":sync")
        cache: dict[str, dict[str, Any]] = json.loads(raw) if raw and token else {}
        try:
            cache, token = self._list_changes(cache if token else {}, token)
        except _Gone:
            log.info("%s: sync token expired; reading the calendar again", self.label)
            cache, token = self._list_changes(cache, None)
        store.kv_set(KV_NAMESPACE, self._kv_key + ":owned", json.dumps(cache, sort_keys=True))
        store.kv_set(KV_NAMESPACE, self._kv_key + ":sync", token)
        return cache

    def _list_changes(self, cache: dict[str, dict[str, Any]], token: str | None) -> tuple[dict[str, dict[str, Any]], str | None]:
        events_api = self.client.service.events()
        params: dict[str, Any] = {"calendarId": self.calendar_id, "showDeleted": True, "maxResults": PAGE_SIZE}
        if token:
            params["syncToken"] = token
        cache = dict(cache)
        next_token = None
        what = f"{self.label}: listing reminders"
        page_token: str | None = None
        seen: set[str] = set()
        while True:
            page = self.client.call(events_api.list(pageToken=page_token, **params), what)
            for item in page.get("items", []):
                merge_cached(cache, item)
                seen.add(item.get("id", ""))
            page_token = page.get("nextPageToken")
            if not page_token:
                next_token = page.get("nextSyncToken")
                break
        if not token:  # a full read: what it did not list is gone for good (purged)
            cache = {k: v for k, v in cache.items() if k in seen}
        return cache, next_token

    def _ids(self) -> dict[str, str]:
        """UID -> replacement event id, for reminders whose own id Google holds purged."""
        raw = self.store.kv_get(KV_NAMESPACE, self._kv_key + ":ids")
        return json.loads(raw) if raw else {}

    def _save(self, ids: dict[str, str]) -> None:
        self.store.kv_set(KV_NAMESPACE, self._kv_key + ":ids", json.dumps(ids, sort_keys=True) if ids else None)
        if self._cache is not None:
            self.store.kv_set(KV_NAMESPACE, self._kv_key + ":owned", json.dumps(self._cache, sort_keys=True))

    def apply(self, plan: Plan, progress: Callable[[int], None] | None = None) -> ApplyResult:
        """Write the plan (google_write.py: batches, 409 -> read -> update, purged ids)."""
        from followcal.backends.google_write import apply_plan

        if self.calendar_id is None and plan.writes:
            from followcal.backends.google_calendars import _create

            self.calendar_id, self.tz = _create(self.client, self.name)
            if self.on_created is not None:
                self.on_created(self.calendar_id, self.name, self.tz)
            self._kv_key = f"{self.client.config.name}:{self.calendar_id}"
            self._cache = self._read_changes()  # empty, but it starts the sync token for the next run
        return apply_plan(self, plan, progress)

    def _remember(self, ident: str, response: Any, deleted: bool) -> None:
        """What we just wrote joins the owned cache: Google will list it id-only once deleted."""
        if self._cache is None:
            return
        if deleted:
            if ident in self._cache:
                self._cache[ident] = {**self._cache[ident], "status": "cancelled"}
        elif isinstance(response, dict):
            merge_cached(self._cache, response)


def _starts_before(event: SourceEvent, when: datetime) -> bool:
    """The event starts before `when` (an all-day or floating start read in `when`'s zone)."""
    start = event.start
    if not isinstance(start, datetime):
        start = datetime.combine(start, datetime.min.time())
    if start.tzinfo is None:
        start = start.replace(tzinfo=when.tzinfo)
    return start < when
