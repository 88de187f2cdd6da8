"""The one small protocol every backend implements.

A source yields `SourceEvent`s for a window; a target lists the reminder events followcal owns
there and applies a `Plan`. Library objects never cross this boundary.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol, runtime_checkable

from followcal.core.model import ApplyResult, OwnedEvent, Plan, SourceEvent, Window


@runtime_checkable
class Source(Protocol):
    label: str

    def read_events(self, window: Window) -> tuple[list[SourceEvent], list[str]]:
        """Events (recurrences expanded inside `window`) and warnings about skipped ones."""
        ...


@runtime_checkable
class Target(Protocol):
    label: str

    def list_owned(self) -> list[OwnedEvent]:
        """Every event followcal made in this target (UID @followcal + X-FOLLOWCAL-KIND)."""
        ...

    def apply(self, plan: Plan, progress: Callable[[int], None] | None = None) -> ApplyResult:
        """Execute the plan; the only method that writes."""
        ...


class KeyValueStore(Protocol):
    """What backends keep between runs (CalDAV home and listings, Digest, Google sync tokens):
    small JSON strings by (namespace, key). The app passes the run's state store in; no backend
    opens one itself."""

    def kv_get(self, namespace: str, key: str) -> str | None: ...

    def kv_set(self, namespace: str, key: str, value: str | None) -> None:
        """Store `value` (None deletes the entry)."""
        ...


class MemoryStore:
    """A KeyValueStore that forgets at exit: for a backend used without a run (tests, one-off
    probes); nothing it learns is kept for the next run."""

    def __init__(self) -> None:
        self._data: dict[tuple[str, str], str] = {}

    def kv_get(self, namespace: str, key: str) -> str | None:
        return self._data.get((namespace, key))

    def kv_set(self, namespace: str, key: str, value: str | None) -> None:
        if value is None:
            self._data.pop((namespace, key), None)
        else:
            self._data[(namespace, key)] = value
