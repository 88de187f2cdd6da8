"""Fixtures for the integration tests: real CalDAV servers on 127.0.0.1 (see servers.py)."""

from __future__ import annotations

import dataclasses
import os
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from servers import CountingProxy, Server, start_radicale, start_server, start_xandikos  # noqa: E402

__all__ = ["CountingProxy", "Server", "start_radicale", "start_xandikos"]


DAV_SERVERS = ["radicale", "xandikos", "cyrus", "davical", "digest", "redirect"]


def _not_here(why: str) -> None:
    """A server that cannot start: skipped on a developer's machine, a failure in CI, where
    .ci/run installs every package the tests need (a skipped test there counts as not run)."""
    if os.environ.get("CI"):
        pytest.fail(f"{why} (CI must install it: see .ci/run)")
    pytest.skip(why)


@pytest.fixture(scope="session")
def cyrus():
    """One Cyrus IMAP/CalDAV per session (cyrus_server.py); tests take a fresh user each."""
    import cyrus_server

    why = cyrus_server.available()
    if why:
        _not_here(why)
    server = cyrus_server.CyrusServer.start_new()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def davical():
    """One DAViCal (Apache + PostgreSQL) per session (davical_server.py); a fresh user per test."""
    import davical_server

    why = davical_server.available()
    if why:
        _not_here(why)
    server = davical_server.DavicalServer.start_new()
    yield server
    server.stop()


def _digest_radicale(radicale: Server) -> Server:
    """Radicale (no auth) behind a Digest-only gate: followcal must answer the challenge."""
    from fronts import DigestGate

    server = dataclasses.replace(radicale, password="s3cret-Pa55")
    gate = DigestGate(server.url, server.username, server.password)
    server.kind, server.upstream = "digest", gate.url
    server.cleanups.append(gate.close)
    return server


def _redirected_radicale(radicale_auth: Server) -> Server:
    """Radicale with a password behind a front door on 127.0.0.1 that redirects every request
    (301/302/307/308 in turn) to the host name localhost, listed in the account's redirect_hosts."""
    from fronts import RedirectDoor

    server = dataclasses.replace(radicale_auth, kind="redirect")

    def entry(proxy_url: str) -> str:
        door = RedirectDoor(proxy_url.replace("127.0.0.1", "localhost"))
        server.cleanups.append(door.close)
        return door.url

    server.entry = entry
    server.account_extra = 'redirect_hosts = ["localhost"]\n'
    return server


@pytest.fixture(params=DAV_SERVERS)
def dav_server(request: pytest.FixtureRequest, tmp_path: Path):
    """A fresh account on Radicale (no auth), Xandikos, Cyrus, DAViCal, Radicale behind a
    Digest-only gate, or Radicale behind a cross-host redirect. Every server is started once per
    session (per xdist worker) and each test gets its own account on it (Server.new_user); a test
    marked `own_server` (it stops, kills or restarts the server) gets a private Radicale or Xandikos."""
    kind = request.param
    if request.node.get_closest_marker("own_server"):
        if kind not in ("radicale", "xandikos"):
            raise ValueError(f"own_server: only Radicale or Xandikos, not {kind}")
        server = start_server(kind, tmp_path)
    elif kind in ("cyrus", "davical"):
        server = request.getfixturevalue(kind).new_user()
    elif kind == "digest":
        server = _digest_radicale(request.getfixturevalue("radicale"))
    elif kind == "redirect":
        server = request.getfixturevalue("radicale_redirect")
    else:
        server = request.getfixturevalue(f"session_{kind}").new_user()
    yield server
    server.stop()


@pytest.fixture
def radicale(session_radicale: Server) -> Server:
    """A fresh user (an empty home) on the session Radicale without auth."""
    return session_radicale.new_user()


@pytest.fixture
def radicale_auth(session_radicale_auth: Server) -> Server:
    """A fresh user with password s3cret-Pa55 on the session Radicale with htpasswd (plain) auth."""
    return session_radicale_auth.new_user()


@pytest.fixture
def radicale_redirect(radicale_auth: Server):
    """A fresh user on the session Radicale with auth, reached through a cross-host redirect."""
    server = _redirected_radicale(radicale_auth)
    yield server
    server.stop()


@pytest.fixture
def counting_proxy(dav_server: Server):
    with CountingProxy(dav_server.upstream or dav_server.url) as proxy:
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

    server = FakeGoogle().start()
    # every wait of the backend (backoff, Retry-After, pacing) advances the fake's clock instead
    # of sleeping: throttling scenarios run in milliseconds and see the time the backend waited
    offset = [0.0]
    server.clock = lambda: time.monotonic() + offset[0]
    server.slept = []

    def advance(seconds: float) -> None:
        server.slept.append(seconds)
        offset[0] += seconds

    monkeypatch.setattr(google, "SLEEP", advance)
    yield server
    server.stop()
    # every request the backend sent must pass the Calendar v3 discovery schema
    assert not server.invalid, "requests the discovery document refuses:\n" + "\n".join(server.invalid[:10])


# --- issue 18: a real Cyrus IMAP server (cyrus_imap.py), started once per session ---------------


@pytest.fixture(scope="session")
def cyrus_imap():
    """cyrmaster on 127.0.0.1 (IMAPS and STARTTLS ports, LMTP delivery); each test adds its own user."""
    from cyrus_imap import start_cyrus_imap

    server = start_cyrus_imap()
    yield server
    server.stop()


# --- issue 11: CalDAV servers started once per session (per xdist worker) ----------------------
# Tests that share one of these take a fresh account with new_user() (Radicale: a new user;
# Xandikos has one home: a tag on the test's calendar names), so they stay independent; only
# the session fixture stops them.


@pytest.fixture(scope="session")
def session_radicale(tmp_path_factory: pytest.TempPathFactory):
    """One Radicale (no auth, owner_only rights) for the whole session."""
    server = start_radicale(tmp_path_factory.mktemp("session-radicale"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def session_radicale_auth(tmp_path_factory: pytest.TempPathFactory):
    """One Radicale with htpasswd (plain) auth for the whole session; new_user() adds users."""
    server = start_radicale(tmp_path_factory.mktemp("session-radicale-auth"), auth=("alice", "s3cret-Pa55"))
    yield server
    server.stop()


@pytest.fixture(scope="session")
def session_xandikos(tmp_path_factory: pytest.TempPathFactory):
    """One Xandikos (--defaults: home /user/calendars/) for the whole session."""
    server = start_xandikos(tmp_path_factory.mktemp("session-xandikos"))
    yield server
    server.stop()
