"""Checks every request the fake Google receives against the Calendar v3 discovery document.

The document is the one google-api-python-client ships (googleapiclient/discovery_cache/documents/
calendar.v3.json), so the check is as strict as the description the real service publishes:
method + path must name a method, query parameters must be declared for it (or global) and have
the declared type/enum/minimum, and a JSON body may carry only the fields of the method's request
schema, each of the declared type. Anything else is a finding; the fake answers it with 400 and the
conftest fixture fails the test.
"""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any


@lru_cache(maxsize=1)
def discovery() -> dict[str, Any]:
    import googleapiclient

    path = Path(googleapiclient.__file__).parent / "discovery_cache" / "documents" / "calendar.v3.json"
    return json.loads(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _methods() -> list[tuple[str, re.Pattern[str], str, dict[str, Any]]]:
    """(HTTP method, path regex, method id, description) for every method of the document."""
    found = []

    def walk(resources: dict[str, Any]) -> None:
        for resource in resources.values():
            for method in resource.get("methods", {}).values():
                pattern = re.sub(r"\\\{\+?([A-Za-z]+)\\\}", r"(?P<\1>[^/]+)", re.escape(method["path"]))
                found.append((method["httpMethod"], re.compile(f"^{pattern}$"), method["id"], method))
            walk(resource.get("resources", {}))

    walk(discovery()["resources"])
    return found


def find_method(http_method: str, path: str) -> tuple[str, dict[str, Any]] | None:
    """The discovery method for a request path below the service path (`calendars/x/events`)."""
    path = path.lstrip("/")
    matches = [(mid, desc) for verb, rx, mid, desc in _methods() if verb == http_method and rx.match(path)]
    # `calendars/{id}/events/import` also matches `calendars/{id}/events/{eventId}`: literal wins
    matches.sort(key=lambda m: m[1]["path"].count("{"))
    return matches[0] if matches else None


def scopes_of(http_method: str, path: str) -> list[str]:
    found = find_method(http_method, path)
    return list(found[1].get("scopes", [])) if found else []


def _scalar_problem(name: str, value: str, spec: dict[str, Any]) -> str | None:
    kind = spec.get("type")
    if spec.get("enum") and value not in spec["enum"]:
        return f"{name}={value!r} is not one of {spec['enum']}"
    if kind == "boolean" and value not in ("true", "false"):
        return f"{name}={value!r} is not a boolean"
    if kind == "integer":
        if not re.fullmatch(r"-?\d+", value):
            return f"{name}={value!r} is not an integer"
        if "minimum" in spec and int(value) < int(spec["minimum"]):
            return f"{name}={value} is below the minimum {spec['minimum']}"
        if "maximum" in spec and int(value) > int(spec["maximum"]):
            return f"{name}={value} is above the maximum {spec['maximum']}"
    if spec.get("format") == "date-time" and not _is_datetime(value):
        return f"{name}={value!r} is not an RFC 3339 date-time"
    return None


def _is_datetime(value: str, offset: bool = True) -> bool:
    """RFC 3339; in an EventDateTime body the offset may be left out when timeZone is given
    (checked with the event, in fake_google._time_problem); in a query it is mandatory."""
    zone = r"(Z|[+-]\d\d:\d\d)" + ("" if offset else "?")
    if not re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?" + zone, value):
        return False
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def check_query(method: dict[str, Any], query: dict[str, list[str]]) -> list[str]:
    problems = []
    declared = {**discovery().get("parameters", {}), **method.get("parameters", {})}
    for name, values in query.items():
        spec = declared.get(name)
        if spec is None or spec.get("location") == "path":
            problems.append(f"unknown query parameter {name!r}")
            continue
        if len(values) > 1 and not spec.get("repeated"):
            problems.append(f"{name} given {len(values)} times but is not repeated")
        for value in values:
            problem = _scalar_problem(name, value, spec)
            if problem:
                problems.append(problem)
    return problems


def _schema(ref: str) -> dict[str, Any]:
    return discovery()["schemas"][ref]


def check_value(value: Any, spec: dict[str, Any], where: str) -> list[str]:
    """Problems of one JSON value against a discovery schema (type, format, fields)."""
    if "$ref" in spec:
        spec = _schema(spec["$ref"])
    kind = spec.get("type")
    if value is None:
        return []  # JSON null clears a field in PATCH semantics
    if kind == "string":
        if not isinstance(value, str):
            return [f"{where}: {type(value).__name__} where a string is declared"]
        fmt = spec.get("format")
        if fmt == "date-time" and not _is_datetime(value, offset=False):
            return [f"{where}: {value!r} is not an RFC 3339 date-time"]
        if fmt == "date":
            try:
                date.fromisoformat(value)
            except ValueError:
                return [f"{where}: {value!r} is not a date"]
        if fmt in ("int64", "uint64") and not re.fullmatch(r"-?\d+", value):
            return [f"{where}: {value!r} is not an int64 string"]
        if spec.get("enum") and value not in spec["enum"]:
            return [f"{where}: {value!r} is not one of {spec['enum']}"]
        return []
    if kind == "integer":
        ok = isinstance(value, int) and not isinstance(value, bool)
        return [] if ok else [f"{where}: {value!r} is not an integer"]
    if kind == "number":
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"{where}: {value!r} is not a number"]
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"{where}: {value!r} is not a boolean"]
    if kind == "array":
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__} where an array is declared"]
        return [p for i, item in enumerate(value) for p in check_value(item, spec.get("items", {}), f"{where}[{i}]")]
    if kind == "object" or "properties" in spec:
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} where an object is declared"]
        problems = []
        props = spec.get("properties", {})
        extra = spec.get("additionalProperties")
        for key, item in value.items():
            if key in props:
                problems.extend(check_value(item, props[key], f"{where}.{key}"))
            elif extra is not None:
                problems.extend(check_value(item, extra, f"{where}.{key}"))
            else:
                problems.append(f"{where}: unknown field {key!r}")
        return problems
    return []


def check_request(http_method: str, path: str, query: dict[str, list[str]], body: bytes) -> list[str]:
    """Every way the request departs from the discovery document (empty list: valid)."""
    found = find_method(http_method, path)
    if found is None:
        return [f"no discovery method for {http_method} {path}"]
    method_id, method = found
    problems = [f"{method_id}: {p}" for p in check_query(method, query)]
    request = method.get("request")
    if request is None:
        if body.strip():
            problems.append(f"{method_id}: a body is sent but the method takes none")
        return problems
    if not body.strip():
        return problems + [f"{method_id}: no request body"]
    try:
        payload = json.loads(body)
    except ValueError:
        return problems + [f"{method_id}: body is not JSON"]
    return problems + [f"{method_id}: {p}" for p in check_value(payload, request, request["$ref"])]
