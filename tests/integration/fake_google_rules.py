"""Google's event rules the loopback fake (fake_google.py) applies, as plain functions: error
bodies, the id-only form of a deleted event, PATCH's nested merge, start/end validity."""

from __future__ import annotations

import base64
import json
import re
import secrets
from datetime import UTC, date, datetime
from typing import Any


def _error(status: int, reason: str, message: str, domain: str = "global") -> tuple[int, dict[str, Any]]:
    errors = [{"domain": domain, "reason": reason, "message": message}]
    return status, {"error": {"code": status, "message": message, "errors": errors}}


def _calendar(entry: dict[str, Any]) -> dict[str, Any]:
    return {"kind": "calendar#calendar", "etag": entry["etag"], "id": entry["id"], "summary": entry["summary"],
            "timeZone": entry["timeZone"]}


def _public(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if not k.startswith("_")}


def _deleted(event: dict[str, Any]) -> dict[str, Any]:
    """A deleted event as Google lists it: only the id is guaranteed."""
    return {"kind": "calendar#event", "etag": event["etag"], "id": event["id"], "status": "cancelled"}


def _merge(current: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """Google's PATCH: nested objects merged key by key, arrays and scalars replaced, null clears."""
    merged = dict(current)
    for key, value in patch.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _time_problem(event: dict[str, Any], *, required: bool) -> str | None:
    """Google refuses a start/end that is missing, has both date and dateTime, or is floating."""
    for key in ("start", "end"):
        value = event.get(key)
        if value is None:
            if required:
                return f"Missing {key} time."
            continue
        if ("date" in value) == ("dateTime" in value):
            return f"Invalid {key} time."
        raw = value.get("dateTime")
        if raw and not re.search(r"(Z|[+-]\d\d:\d\d)$", raw) and not value.get("timeZone"):
            return f"Missing time zone definition for {key} time."
    return None


def _jwt_claims(assertion: str) -> dict[str, Any]:
    body = assertion.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


def _random_id() -> str:
    alphabet = "abcdefghijklmnopqrstuv0123456789"
    return "".join(secrets.choice(alphabet) for _ in range(26))


def _when(value: dict[str, Any] | None) -> str:
    value = value or {}
    return value.get("dateTime") or value.get("date") or "1970-01-01"


def _instant(raw: str) -> datetime:
    if len(raw) == 10:
        return datetime.combine(date.fromisoformat(raw), datetime.min.time(), UTC)
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
