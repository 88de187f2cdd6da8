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
