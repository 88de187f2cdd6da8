"""`followcal sync` against real CalDAV servers (Radicale and Xandikos), through the CLI.

Every request goes through a CountingProxy, so the tests can say how many requests and which
writes a sync made.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path

import pytest
from servers import CountingProxy, Server
from support import NOW_TEXT as NOW, event_ics, run

from followcal.backends import caldav as backend, caldav_http

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]

PASSWORD = "s3cret-Pa55"


INTERVIEWS = {
    "acme.ics": event_ics("acme-1@example.com", "Interview: Acme Corp (Backend Engineer)",
                          "20261119T150000Z", "20261119T160000Z"),
    "beta.ics": event_ics("beta-1@example.com", "Phone screen: Beta Labs", "20261120T170000Z", "20261120T173000Z"),
    "gamma.ics": event_ics("gamma-1@example.com", "Onsite interview: Gamma Inc (SRE)", "20261118T140000Z", "20261118T180000Z"),
}
FOREIGN = event_ics("dentist-7@example.com", "Dentist", "20261201T090000Z", "20261201T100000Z",
                    "DESCRIPTION:not followcal's business")


def slug(name: str) -> str:
    """The last URL segment followcal gives a calendar it creates for `name` (caldav._slug)."""
    return re.sub(r"[^a-z0-9]+", "-", name.casefold()).strip("-")


class Env:
    """A server with an Interviews calendar, a proxy in front, a config and a state dir.

    Calendar names are the test's own: on a shared Xandikos (one home) they carry the
    account's tag (Server.calendar_name), so write_config and url_of map them."""

    def __init__(self, server: Server, proxy: CountingProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.server = server
        self.proxy = proxy
        self.tmp = tmp_path
        self.monkeypatch = monkeypatch
        self._root: str | None = None
        self.challenge = 1 if server.kind == "digest" else 0  # a fresh run answers one Digest 401
        monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
        monkeypatch.setenv("DAV_PASSWORD", server.password)
        monkeypatch.setattr(caldav_http, "BACKOFF", 0.01)
        self.source = self.make_calendar("Interviews")
        for name, data in INTERVIEWS.items():
            server.put(self.source + name, data)
        self.target = self.url_of("Follow-ups")
        self.config = self.write_config(["work:Interviews"], ["work:Follow-ups"])

    def cal(self, name: str) -> str:
        """The display name of this test's calendar `name`."""
        return self.server.calendar_name(name)

    def make_calendar(self, name: str) -> str:
        """MKCALENDAR this test's calendar `name`, at the URL followcal would give it; its URL."""
        return self.server.make_calendar(slug(self.cal(name)), self.cal(name))

    def url_of(self, name: str) -> str:
        """The URL of this test's calendar `name` (made by Env or created by followcal)."""
        return self.server.calendar_url(slug(self.cal(name)))

    def spec(self, spec: str) -> str:
        """"work:Name" as this test's calendar; a path (work:/...) stays as it is."""
        account, _, name = spec.partition(":")
        return spec if name.startswith("/") else f"{account}:{self.cal(name)}"

    def url_via_proxy(self) -> str:
        if self._root is None:
            self._root = self.server.entry(self.proxy.url) if self.server.entry else self.proxy.url
        return self._root + self.server.home[len(self.server.url):]

    def write_config(self, sources: list[str], targets: list[str], name: str = "config.toml", url: str | None = None) -> Path:
        path = self.tmp / name
        path.write_text(
            "region = \"US\"\ntimezone = \"America/New_York\"\n\n"
            "[accounts.work]\ntype = \"caldav\"\n"
            f"url = \"{url or self.url_via_proxy()}\"\nusername = \"{self.server.username}\"\n"
            f"password_env = \"DAV_PASSWORD\"\ntimeout = 5\n{self.server.account_extra}\n"
            f"[[sync]]\nname = \"main\"\nfrom = {json.dumps([self.spec(x) for x in sources])}\n"
            f"to = {json.dumps([self.spec(x) for x in targets])}\n",
            encoding="utf-8",
        )
        return path

    def run(self, *args: str, config: Path | None = None):
        return run(config or self.config, *args)

    def sync(self, *args: str, config: Path | None = None):
        return self.run("sync", "--now", NOW, *args, config=config)

    def reminders(self, calendar: str | None = None) -> dict[str, bytes]:
        return {h: b for h, b in self.server.objects(calendar or self.target).items() if b"X-FOLLOWCAL-KIND" in b}


@pytest.fixture
def env(dav_server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    with CountingProxy(dav_server.upstream or dav_server.url) as proxy:
        yield Env(dav_server, proxy, tmp_path, monkeypatch)


def uids(objects: dict[str, bytes]) -> list[str]:
    return sorted(re.search(rb"\nUID:([^\r\n]+)", b).group(1).decode() for b in objects.values())


def kinds_for(objects: dict[str, bytes], interview_uid: str) -> list[str]:
    out = []
    for body in objects.values():
        if f"RELATED-TO:{interview_uid}".encode() in body:
            out.append(re.search(rb"X-FOLLOWCAL-KIND:([^\r\n]+)", body).group(1).decode())
    return sorted(out)


def fail_first(method: str, status: int, times: int):
    """A CountingProxy.before hook: answer the first `times` `method` requests with `status`."""
    left = [times]

    def hook(seen_method: str, path: str) -> int | None:
        if seen_method == method and left[0] > 0:
            left[0] -= 1
            return status
        return None

    return hook


def test_first_sync_then_noop(env: Env) -> None:
    first = env.sync()
    assert first.exit_code == 0, first.output
    reminders = env.reminders()
    assert len(reminders) == 12  # 3 interviews x thank-you, 2 follow-ups, cut-off
    assert len(set(uids(reminders))) == 12
    assert kinds_for(reminders, "acme-1@example.com") == ["cut-off", "follow-up-1", "follow-up-2", "thank-you"]
    for href, body in reminders.items():  # resource name derived from the UID
        assert href.endswith(backend.object_name(re.search(rb"\nUID:([^\r\n]+)", body).group(1).decode()))

    env.proxy.reset()
    again = env.sync("--json")
    assert again.exit_code == 0, again.output
    assert env.proxy.writes() == []
    # two calendars: home PROPFIND + REPORT (+ PROPFIND); Digest adds its challenge (one 401)
    assert env.proxy.count() <= 4 + env.challenge, env.proxy.seen
    data = json.loads(again.output)
    target = data["syncs"][0]["targets"][0]
    assert target["actions"] == [] and target["unchanged"] == 12
    assert env.reminders() == reminders


def test_moved_cancelled_and_deleted_interviews(env: Env) -> None:
    assert env.sync().exit_code == 0
    before = env.reminders()
    # acme moves a day later, beta is cancelled, gamma is deleted: on the server, between syncs
    env.server.put(env.source + "acme.ics", INTERVIEWS["acme.ics"].replace("20261119T", "20261120T"))
    env.server.put(env.source + "beta.ics", INTERVIEWS["beta.ics"].replace("SUMMARY:", "STATUS:CANCELLED\r\nSUMMARY:"))
    env.server.delete(env.source + "gamma.ics")
    env.proxy.reset()
    result = env.sync()
    assert result.exit_code == 0, result.output
    after = env.reminders()
    assert kinds_for(after, "acme-1@example.com") == ["cut-off", "follow-up-1", "follow-up-2", "thank-you"]
    moved = [b for b in after.values() if b"RELATED-TO:acme-1@example.com" in b and b"follow-up-1" in b][0]
    assert moved != [b for b in before.values() if b"RELATED-TO:acme-1@example.com" in b and b"follow-up-1" in b][0]
    assert b"SEQUENCE:1" in moved
    # future reminders of cancelled/deleted interviews go; past ones (thank-you notes) stay as history
    assert kinds_for(after, "beta-1@example.com") == ["thank-you"]
    assert kinds_for(after, "gamma-1@example.com") == ["thank-you"]
    assert {s.method for s in env.proxy.writes()} <= {"PUT", "DELETE"}
    env.proxy.reset()
    assert env.sync().exit_code == 0
    assert env.proxy.writes() == []


def test_foreign_event_in_target_is_left_byte_for_byte(env: Env) -> None:
    env.make_calendar("Follow-ups")
    env.server.put(env.target + "dentist.ics", FOREIGN)
    original = env.server.get(env.target + "dentist.ics")
    assert env.sync().exit_code == 0
    env.server.put(env.source + "acme.ics", INTERVIEWS["acme.ics"].replace("20261119T", "20261120T"))
    assert env.sync().exit_code == 0
    now = env.server.get(env.target + "dentist.ics")
    assert now.body == original.body and now.etag == original.etag
    assert not [s for s in env.proxy.writes() if "dentist" in s.path]


def test_same_calendar_as_source_and_target(env: Env) -> None:
    config = env.write_config(["work:Interviews"], ["work:Interviews"], name="same.toml")
    first = env.sync(config=config)
    assert first.exit_code == 0, first.output
    objects = env.server.objects(env.source)
    assert len(objects) == 3 + 12
    env.proxy.reset()
    again = env.sync("--json", config=config)
    assert again.exit_code == 0, again.output
    assert env.proxy.writes() == []
    assert env.proxy.count() <= 3 + env.challenge, env.proxy.seen
    data = json.loads(again.output)
    assert data["syncs"][0]["targets"][0]["unchanged"] == 12  # its own reminders are not interviews


def test_dry_run_writes_nothing(env: Env) -> None:
    result = env.sync("--dry-run")
    assert result.exit_code == 0, result.output
    assert "would 12 create" in result.output or "would create" in result.output or "12 create" in result.output
    assert env.proxy.writes() == []
    assert env.target.split("/", 3)[3] not in "".join(env.server.hrefs(env.server.home))  # not even created
    as_json = env.sync("--dry-run", "--json")
    data = json.loads(as_json.output)
    assert data["syncs"][0]["dry_run"] is True
    assert len(data["syncs"][0]["targets"][0]["actions"]) == 12
    assert env.proxy.writes() == []


def test_calendars_command_lists_names_and_urls(env: Env) -> None:
    result = env.run("calendars", "work")
    assert result.exit_code == 0, result.output
    assert f"{env.cal('Interviews')}\t" in result.output
    assert env.source.split("/", 3)[3] in result.output


def test_missing_calendar_lists_existing_ones(env: Env) -> None:
    config = env.write_config(["work:Nope"], ["work:Follow-ups"], name="missing.toml")
    result = env.sync(config=config)
    assert result.exit_code == 1
    assert f"no calendar '{env.cal('Nope')}'" in result.output and env.cal("Interviews") in result.output
    assert env.proxy.writes() == []


def test_server_errors_are_retried_then_reported(env: Env) -> None:
    env.proxy.before = fail_first("REPORT", 503, times=2)
    result = env.sync()
    assert result.exit_code == 0, result.output
    assert len(env.reminders()) == 12
    env.proxy.before = lambda method, path: 503
    broken = env.sync()
    assert broken.exit_code == 1
    lines = [ln for ln in broken.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "server error 503" in lines[0] and "account 'work'" in lines[0]


def RESTARTABLE(test):  # noqa: N802 - a decorator: a private server, stopped or killed by the test
    test = pytest.mark.own_server(test)
    return pytest.mark.parametrize("dav_server", ["radicale", "xandikos"], indirect=True)(test)


@RESTARTABLE
def test_unreachable_server_is_one_line(env: Env) -> None:
    config = env.write_config(["work:Interviews"], ["work:Follow-ups"], name="direct.toml", url=env.server.home)
    env.server.stop()
    result = env.sync(config=config)
    assert result.exit_code == 1
    assert "unreachable" in result.output and "Traceback" not in result.output


@RESTARTABLE
def test_server_killed_mid_sync_then_completed_without_duplicates(env: Env) -> None:
    puts = {"n": 0}

    def after(method: str, path: str, status: int) -> None:
        if method == "PUT" and status in (200, 201, 204):
            puts["n"] += 1
            if puts["n"] == 3:
                env.server.kill()

    env.proxy.after = after
    result = env.sync()
    assert result.exit_code == 1
    assert "after 4 attempts" in result.output  # the proxy answers 502 while the server is down
    env.proxy.after = None
    env.server.restart()
    partial = env.reminders()
    assert 3 <= len(partial) < 12
    again = env.sync()
    assert again.exit_code == 0, again.output
    done = env.reminders()
    assert len(done) == 12 and len(set(uids(done))) == 12
    env.proxy.reset()
    assert env.sync().exit_code == 0
    assert env.proxy.writes() == []


def test_two_syncs_at_once_are_serialised(env: Env) -> None:
    from datetime import datetime

    from followcal.app.pipeline import Context
    from followcal.app.sync import run_syncs
    from followcal.config import load_settings

    settings = load_settings(env.config)
    reports: list = []
    errors: list = []

    def one() -> None:
        try:
            ctx = Context.create(settings, datetime.fromisoformat(NOW))
            reports.extend(run_syncs(ctx, []))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors
    assert len(reports) == 2 and not any(r.failed for r in reports)
    created = sorted(r.targets[0].result.created for r in reports)
    assert created == [0, 12]
    assert len(env.reminders()) == 12


def test_wrong_password_names_account_not_password(
    radicale_auth: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FOLLOWCAL_STATE_DIR", str(tmp_path / "state"))
    radicale_auth.make_calendar("interviews", "Interviews")
    wrong = "totally-Wrong-pw"
    monkeypatch.setenv("DAV_PASSWORD", wrong)
    config = tmp_path / "c.toml"
    config.write_text(
        "[accounts.work]\ntype = \"caldav\"\n"
        f"url = \"{radicale_auth.url}\"\nusername = \"{radicale_auth.username}\"\npassword_env = \"DAV_PASSWORD\"\n\n"
        "[[sync]]\nname = \"main\"\nfrom = [\"work:Interviews\"]\nto = [\"work:Follow-ups\"]\n"
    )
    result = run(config, "sync", "--now", NOW)
    assert result.exit_code == 1
    assert "account 'work'" in result.output
    assert wrong not in result.output and PASSWORD not in result.output
    listing = run(config, "calendars", "work")
    assert listing.exit_code == 1 and "account 'work'" in listing.output and wrong not in listing.output


def test_conflict_on_write_is_replanned_once(env: Env) -> None:
    assert env.sync().exit_code == 0
    env.server.put(env.source + "acme.ics", INTERVIEWS["acme.ics"].replace("20261119T", "20261120T"))
    env.proxy.before = fail_first("PUT", 412, times=1)
    result = env.sync()
    assert result.exit_code == 0, result.output
    assert kinds_for(env.reminders(), "acme-1@example.com") == ["cut-off", "follow-up-1", "follow-up-2", "thank-you"]
    assert all(b"SEQUENCE:1" in b for b in env.reminders().values() if b"RELATED-TO:acme-1" in b)
    env.proxy.before = None
    env.proxy.reset()
    assert env.sync().exit_code == 0
    assert env.proxy.writes() == []


def test_create_over_an_existing_object_does_not_duplicate(env: Env) -> None:
    """A previous run wrote the reminder but was cut off before it could remember it."""
    assert env.sync().exit_code == 0
    for key in ("state",):
        import shutil
        shutil.rmtree(env.tmp / key)  # forget the cached listing and what was written
    env.proxy.reset()
    result = env.sync()
    assert result.exit_code == 0, result.output
    assert env.proxy.writes() == []
    assert len(env.reminders()) == 12


def test_calendar_named_by_path(env: Env) -> None:
    path = "/" + env.source.split("/", 3)[3]
    config = env.write_config([f"work:{path}"], ["work:Follow-ups"], name="bypath.toml")
    result = env.sync("--dry-run", "--json", config=config)
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["syncs"][0]["targets"][0]["actions"]) == 12
