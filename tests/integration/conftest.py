"""Fixtures for the integration tests: real CalDAV servers on 127.0.0.1 (see servers.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from servers import CountingProxy, Server, start_radicale, start_server, start_xandikos  # noqa: E402

__all__ = ["CountingProxy", "Server", "start_radicale", "start_xandikos"]


@pytest.fixture(params=["radicale", "xandikos"])
def dav_server(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh Radicale (no auth) or Xandikos server; stopped after the test."""
    server = start_server(request.param, tmp_path)
    yield server
    server.stop()


@pytest.fixture
def radicale(tmp_path: Path):
    server = start_radicale(tmp_path)
    yield server
    server.stop()


@pytest.fixture
def radicale_auth(tmp_path: Path):
    """Radicale with htpasswd (plain) auth: user alice, password s3cret-Pa55."""
    server = start_radicale(tmp_path, auth=("alice", "s3cret-Pa55"))
    yield server
    server.stop()


@pytest.fixture
def counting_proxy(dav_server: Server):
    with CountingProxy(dav_server.url) as proxy:
        yield proxy


@pytest.fixture
def state_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "state"
    folder.mkdir()
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(folder))
    return folder


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch):
    """The loopback fake of the Google Calendar v3 API (fake_google.py), retries without delay."""
    from fake_google import FakeGoogle

    from followcal.backends import google

    monkeypatch.setattr(google, "BASE_DELAY", 0.0)
    server = FakeGoogle().start()
    yield server
    server.stop()


# --- issue 18: a real Cyrus IMAP server (cyrus_imap.py), started once per session ---------------


@pytest.fixture(scope="session")
def cyrus_imap():
    """cyrmaster on 127.0.0.1 (IMAPS and STARTTLS ports, LMTP delivery); each test adds its own user."""
    from cyrus_imap import start_cyrus_imap

    server = start_cyrus_imap()
    yield server
    server.stop()


# --- issue 11: CalDAV servers started once per session (test_backend_contract.py) -------------
# Tests that share one of these give themselves a fresh user (Radicale: any name logs in) or a
# fresh calendar name (Xandikos has one home), so they stay independent; never stop() them.


@pytest.fixture(scope="session")
def session_radicale(tmp_path_factory: pytest.TempPathFactory):
    """One Radicale (no auth, owner_only rights) for the whole session."""
    server = start_radicale(tmp_path_factory.mktemp("session-radicale"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def session_xandikos(tmp_path_factory: pytest.TempPathFactory):
    """One Xandikos (--defaults: home /user/calendars/) for the whole session."""
    server = start_xandikos(tmp_path_factory.mktemp("session-xandikos"))
    yield server
    server.stop()
