"""What one run opens once and its command closes: the state store and the accounts.

The state store is opened at its first use (a plain `plan` of a file opens none) and shared by
the use cases and the backends, which get it as a `KeyValueStore` (backends/base.py) and never
open it themselves. Each account is opened once (client built, credentials loaded, calendars
discovered) and serves every calendar of it the run reads or writes.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

from followcal.config import Settings, state_dir

if TYPE_CHECKING:
    from followcal.backends.registry import Account
    from followcal.state import StateStore


class RunStore:
    """The run's state store, opened once on first use. Thread-safe: CalDAV writes run in a
    small pool and may remember a Digest challenge (kv_set) from a worker thread."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._store: StateStore | None = None
        self._lock = threading.RLock()

    def get(self) -> StateStore:
        """The store, created when there is none yet; a store that cannot be opened raises its
        one-line StateError (again at the next use: nothing is cached but an open store)."""
        with self._lock:
            if self._store is None:
                from followcal.state import StateStore

                self._store = StateStore(self._path, threads=True)
            return self._store

    def existing(self) -> StateStore | None:
        """The store when its file exists (or it is open), else None: reading recorded outcomes
        never creates one."""
        with self._lock:
            if self._store is None:
                from followcal.state import DB_NAME

                path = self._path or state_dir(create=False) / DB_NAME
                if not path.exists():
                    return None
            return self.get()

    def kv_get(self, namespace: str, key: str) -> str | None:
        with self._lock:
            return self.get().kv_get(namespace, key)

    def kv_set(self, namespace: str, key: str, value: str | None) -> None:
        with self._lock:
            self.get().kv_set(namespace, key, value)

    def close(self) -> None:
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None


class AccountPool:
    """Each account of the config opened at most once per run, by name (registry.open_account).
    An account that fails to open is not kept: the next calendar of it tries again and reports
    its own error, as a target of its own."""

    def __init__(self, settings: Settings, store: RunStore) -> None:
        self.settings = settings
        self.store = store
        self._open: dict[str, Account] = {}

    def get(self, name: str) -> Account:
        account = self._open.get(name)
        if account is None:
            from followcal.backends.registry import open_account

            account = self._open[name] = open_account(self.settings.account(name), self.store)
        return account

    @property
    def opened(self) -> int:
        """How many accounts this run has opened (tests check one per account)."""
        return len(self._open)
