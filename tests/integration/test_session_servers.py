"""The session CalDAV servers keep tests apart: every test takes its own account with
Server.new_user() (conftest.py), sees none of another test's calendars, and cannot stop, kill or
restart a server other tests share (a test that needs to is marked `own_server`)."""

from __future__ import annotations

import pytest
from servers import Server, http_request

pytestmark = pytest.mark.integration


def _names(account: Server) -> str:
    body = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:displayname/></D:prop></D:propfind>'
    answer = account.request("PROPFIND", account.home, body, {"Depth": "1", "Content-Type": "application/xml"})
    return answer.body.decode() if answer.status == 207 else ""


@pytest.mark.parametrize("kind", ["radicale", "radicale_auth", "xandikos"])
def test_two_accounts_on_one_session_server_do_not_see_each_other(kind: str, request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue(f"session_{kind}")
    one, two = server.new_user(), server.new_user()
    assert one.calendar_name("Interviews") != two.calendar_name("Interviews") or one.home != two.home
    names = {}
    for account in (one, two):
        names[account.username, account.tag] = name = account.calendar_name(f"Mine {account.username}")
        account.make_calendar(name.casefold().replace(" ", "-"), name)
    for mine, other in ((one, two), (two, one)):
        listing = _names(mine)
        assert f">{names[mine.username, mine.tag]}<" in listing
        if mine.home != other.home:  # Radicale: its own home, where the other's calendar is not
            assert f">{names[other.username, other.tag]}<" not in listing


def test_a_radicale_user_added_with_a_password_logs_in_and_a_wrong_one_does_not(session_radicale_auth: Server) -> None:
    account = session_radicale_auth.new_user()
    assert account.username != session_radicale_auth.username
    assert http_request(account.home, "PROPFIND", auth=account.auth, headers={"Depth": "0"}).status == 207
    assert http_request(account.home, "PROPFIND", auth=(account.username, "wrong"), headers={"Depth": "0"}).status == 401


@pytest.mark.parametrize("kind", ["radicale", "xandikos"])
def test_an_account_on_a_shared_server_cannot_stop_it(kind: str, request: pytest.FixtureRequest) -> None:
    server = request.getfixturevalue(f"session_{kind}")
    account = server.new_user()
    for what in (account.kill, account.restart, account.start):
        with pytest.raises(RuntimeError, match="own_server"):
            what()
    with pytest.raises(ValueError):
        account.new_user()
    account.stop()  # only its own front ends: the session server keeps running
    assert server.running


@pytest.mark.own_server
@pytest.mark.parametrize("dav_server", ["radicale", "xandikos"], indirect=True)
def test_own_server_gets_a_private_instance(dav_server: Server, request: pytest.FixtureRequest) -> None:
    shared = request.getfixturevalue(f"session_{dav_server.kind}")
    assert dav_server.running and not dav_server.shared and dav_server.port != shared.port
    dav_server.kill()
    assert not dav_server.running and shared.running
    dav_server.restart()
    assert dav_server.running
