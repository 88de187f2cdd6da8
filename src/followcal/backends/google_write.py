"""Writing a Plan to one Google calendar: the write state machine of the Google backend.

Each reminder's write is a short sequence of calls sent through the calendar's paced batches
(GoogleClient.batch): insert, or update of a known (possibly deleted) event, or delete. Google's
answers that have a known way out lead to a follow-up call for that reminder:
- 409 on insert (the id exists: deleted, written by another machine or an interrupted run) ->
  read the stored event (GET) -> update it with a sequence above the stored one (Google refuses
  a lower one) under its etag;
- 400 "Invalid sequence value" on update -> read, then update again;
- 404 on update or read (the id is purged: deleted and the trash emptied, while insert still
  answers 409) -> insert under the replacement id (google_map.next_event_id), remembered in the
  state store so later runs write there directly.
Split from google.py so that module stays about I/O set-up, calendars and listing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from followcal.backends.google import MAX_FOLLOW_UPS, GoogleCalendar, _http_reason, _map_http
from followcal.backends.google_map import event_id, next_event_id, reminder_body
from followcal.core.model import ApplyResult, Create, Delete, Plan, Update, Write
from followcal.errors import BackendError, ConflictError

log = logging.getLogger("followcal.backends.google")


@dataclass
class _Tally:
    created: int = 0
    updated: int = 0
    deleted: int = 0
    conflict: str | None = None


def apply_plan(self: GoogleCalendar, plan: Plan, progress: Callable[[int], None] | None = None) -> ApplyResult:
    """Write the plan. A 409 on insert (the id exists: deleted, or written by another machine
    or an interrupted run) reads the stored event first and updates it with a sequence above
    the stored one; an id Google reports purged (404 on read and update, 409 on insert) moves
    the reminder to its replacement id (google_map.next_event_id), remembered in the state."""
    events_api = self.client.service.events()
    cid = self.calendar_id
    tally = _Tally()
    errors: list[str] = []
    ids = self._ids()
    actions: dict[str, Write] = {}
    stage: dict[str, str] = {}
    steps: dict[str, int] = {}

    def put(ref: str, body: dict[str, Any], etag: str | None) -> Callable[[], Any]:
        def make() -> Any:
            request = events_api.update(calendarId=cid, eventId=ref, body=body)
            if etag:
                request.headers["If-Match"] = etag
            return request

        return make

    def insert(key: str, ident: str) -> Callable[[], Any]:
        action = actions[key]
        assert not isinstance(action, Delete)  # only creates and updates are (re)inserted
        body = {**reminder_body(action.reminder, action.sequence), "id": ident}
        stage[key] = "insert:" + ident
        return lambda: events_api.insert(calendarId=cid, body=body)

    def read(key: str, ident: str) -> Callable[[], Any]:
        stage[key] = "get:" + ident
        return lambda: events_api.get(calendarId=cid, eventId=ident)

    def replacement(key: str, ident: str) -> Callable[[], Any]:
        action = actions[key]
        assert not isinstance(action, Delete)  # follow_up gives a delete no second try
        uid = action.reminder.uid
        ids[uid] = next_event_id(uid, ident)
        log.info("%s: the id of %s was purged by Google; using %s", self.label, uid, ids[uid])
        return insert(key, ids[uid])

    calls: list[tuple[str, Callable[[], Any]]] = []
    for index, action in enumerate(plan.writes):
        key = str(index)
        actions[key] = action
        if isinstance(action, Create) and not (action.restore is not None and action.restore.ref):
            calls.append((key, insert(key, ids.get(action.reminder.uid) or event_id(action.reminder.uid))))
            continue
        if isinstance(action, Delete):
            ref, etag = action.existing.ref or event_id(action.existing.uid), action.existing.etag
            stage[key] = "delete:" + ref

            def delete(r: str = ref, e: str | None = etag) -> Any:
                request = events_api.delete(calendarId=cid, eventId=r)
                if e:
                    request.headers["If-Match"] = e
                return request

            calls.append((key, delete))
            continue
        existing = action.restore if isinstance(action, Create) else action.existing
        assert existing is not None
        body = reminder_body(action.reminder, action.sequence)
        body.pop("id")
        ref = existing.ref or event_id(action.reminder.uid)
        stage[key] = "put:" + ref
        calls.append((key, put(ref, body, existing.etag)))

    def follow_up(key: str, action: Write, status: int, message: str, response: Any) -> Callable[[], Any] | None:
        """The next step for a write Google refused in a way that has a known way out."""
        step, _, ident = stage[key].partition(":")
        if isinstance(action, Delete) or steps.get(key, 0) >= MAX_FOLLOW_UPS:
            return None
        steps[key] = steps.get(key, 0) + 1
        if step == "insert" and status == 409:
            return read(key, ident)  # the id is taken: read its sequence and etag
        if step == "put" and status == 400 and "sequence" in message.lower():
            return read(key, ident)  # our sequence is below the stored one
        if step in ("put", "get") and status == 404:
            return replacement(key, ident)
        return None

    def on_result(key: str, response: Any, error: Any) -> Callable[[], Any] | None:
        action = actions[key]
        step, _, ident = stage[key].partition(":")
        if error is None and step == "get":
            assert not isinstance(action, Delete)  # only a refused insert or update reads the stored event
            stored = int(response.get("sequence") or 0)
            body = reminder_body(action.reminder, max(action.sequence, stored + 1))
            body.pop("id")
            stage[key] = "put:" + ident
            return put(ident, body, response.get("etag"))
        if error is not None:
            status, _, message = _http_reason(error)
            nxt = follow_up(key, action, status, message, response)
            if nxt is not None:
                return nxt
            if isinstance(action, Delete) and status in (404, 410):
                error = None  # already gone
        if error is not None:
            mapped = _map_http(error, f"{self.label}: {action.op} {_uid_of(action)}")
            if isinstance(mapped, ConflictError):
                tally.conflict = str(mapped)
            else:
                errors.append(str(mapped))
        else:
            self._remember(ident, response, isinstance(action, Delete))
            if isinstance(action, Create):
                tally.created += 1
            elif isinstance(action, Update):
                tally.updated += 1
            else:
                tally.deleted += 1
        if progress:
            progress(1)
        return None

    try:
        if calls:
            self.client.batch(calls, on_result, f"{self.label}: writing reminders", self.pacer)
    finally:
        self._save(ids)
    self.client.save_refreshed_token()
    if tally.conflict:
        raise ConflictError(tally.conflict)
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise BackendError(errors[0] + more)
    return ApplyResult(
        self.label,
        created=tally.created,
        updated=tally.updated,
        deleted=tally.deleted,
        skipped=len(plan.actions) - len(plan.writes),
    )


def _uid_of(action: Write) -> str:
    return action.existing.uid if isinstance(action, Delete) else action.reminder.uid
