"""What differs between CalDAV servers in the wild: Cyrus' account-wide unique UIDs, the
`.well-known/caldav` bootstrap (Cyrus and DAViCal answer with a redirect), refusals naming their
precondition, and credentials withheld from a host the account does not list."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from servers import Server
from test_caldav_sync import (
    Env,
    env as env,  # noqa: F401 - the fixture, used by name
    uids,
)

from followcal.backends import caldav as backend

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

ALL = pytest.mark.parametrize("dav_server", ["radicale", "xandikos", "cyrus", "davical"], indirect=True)


@ALL
def test_two_targets_on_one_account(env: Env) -> None:
    """Both targets get every reminder; Cyrus (unique UIDs per account) gets its second
    target's calendar folded into the UIDs, everywhere else both hold the same UIDs."""
    second = env.url_of("Second")
    config = env.write_config(["work:Interviews"], ["work:Follow-ups", "work:Second"], name="two.toml")
    first = env.sync(config=config)
    assert first.exit_code == 0, first.output
    one, two = uids(env.reminders()), uids(env.reminders(second))
    assert len(one) == len(two) == 12 and all(u.endswith("@followcal") for u in one + two)
    if env.server.kind == "cyrus":
        assert all(u.endswith(".second@followcal") for u in two)
        assert [backend.unfold_uid(u, "second") for u in two] == one
    else:
        assert two == one
    env.proxy.reset()
    again = env.sync("--json", config=config)
    assert again.exit_code == 0, again.output
    assert env.proxy.writes() == []
    targets = json.loads(again.output)["syncs"][0]["targets"]
    assert [t["unchanged"] for t in targets] == [12, 12]


def test_changed_to_on_cyrus_names_the_precondition(dav_server_cyrus: Server, env_factory) -> None:
    """`to` changed from Follow-ups to Elsewhere while Follow-ups still holds the reminders:
    Cyrus refuses the UIDs; the message names the precondition, the UID and what to do, and
    says nothing about the password."""
    env = env_factory(dav_server_cyrus)
    assert env.sync().exit_code == 0
    moved = env.write_config(["work:Interviews"], ["work:Elsewhere"], name="moved.toml")
    result = env.sync(config=moved)
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1, result.output
    assert "CALDAV:" in lines[0] and ("no-uid-conflict" in lines[0] or "unique-scheduling" in lines[0])
    assert "already exists in another calendar" in lines[0] and "@followcal" in lines[0]
    assert "password" not in lines[0] and "Traceback" not in result.output


@pytest.mark.parametrize("dav_server", ["cyrus", "davical"], indirect=True)
def test_well_known_bootstrap_from_the_server_root(env: Env) -> None:
    """Given only the server's root (or its /.well-known/caldav), discovery follows the 301 with
    the PROPFIND body and finds the calendars."""
    for i, path in enumerate(("/.well-known/caldav", "/")):
        root = env.url_via_proxy().split("/", 3)
        url = "/".join(root[:3]) + path
        config = env.write_config(["work:Interviews"], ["work:Follow-ups"], name=f"wk{i}.toml", url=url)
        listing = env.run("calendars", "work", config=config)
        assert listing.exit_code == 0, listing.output
        assert "Interviews\t" in listing.output
        result = env.sync("--dry-run", "--json", config=config)
        assert result.exit_code == 0, result.output
        assert len(json.loads(result.output)["syncs"][0]["targets"][0]["actions"]) == 12


def test_redirect_to_an_unlisted_host_keeps_the_credentials(dav_server_redirect: Server, env_factory) -> None:
    """The front door sends us to another host name that the account does not list: followcal
    sends no password there and says so in one line (not 'check your password')."""
    env = env_factory(dav_server_redirect)
    env.server.account_extra = ""
    config = env.write_config(["work:Interviews"], ["work:Follow-ups"], name="unlisted.toml")
    result = env.sync(config=config)
    assert result.exit_code == 1
    assert "another host" in result.output and "redirect_hosts" in result.output
    assert env.server.password not in result.output
    assert env.proxy.count() >= 1 and all(s.status == 401 for s in env.proxy.seen)


def test_trust_rules(state_dir: Path) -> None:
    from followcal.backends.caldav_http import Dav
    from followcal.config import AccountConfig

    dav = Dav(AccountConfig("w", "caldav", url="https://caldav.example.com/dav/", username="u", password="p",
                            redirect_hosts=("example.net",)))
    assert dav.trusted("https://caldav.example.com/other/")
    assert dav.trusted("https://p42.example.net/dav/") and dav.trusted("https://example.net/")
    assert not dav.trusted("http://caldav.example.com/dav/")  # https -> http never carries them
    assert not dav.trusted("https://evil-example.net/") and not dav.trusted("https://example.com.evil.org/")
    assert not dav.trusted("https://attacker.test/")


@pytest.fixture
def dav_server_cyrus(cyrus):
    yield cyrus.new_user()


@pytest.fixture
def dav_server_redirect(radicale_redirect: Server) -> Server:
    return radicale_redirect


@pytest.fixture
def env_factory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from servers import CountingProxy

    proxies = []

    def make(server: Server) -> Env:
        proxy = CountingProxy(server.upstream or server.url)
        proxies.append(proxy)
        return Env(server, proxy, tmp_path, monkeypatch)

    yield make
    for proxy in proxies:
        proxy.close()


def test_object_names_stay_safe_with_folded_uids() -> None:
    uid = backend.fold_uid("abc-thank-you@followcal", backend.calendar_tag("http://h/dav/calendars/user/u/Sécond%20One/"))
    assert uid == "abc-thank-you.s-cond-one@followcal"
    assert re.fullmatch(r"[A-Za-z0-9_.-]+\.ics", backend.object_name(uid))
    assert backend.unfold_uid(uid, "s-cond-one") == "abc-thank-you@followcal"
    assert backend.unfold_uid("abc@followcal", "x") == "abc@followcal"
