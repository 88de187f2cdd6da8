"""The backends of the contract suite (test_backend_contract.py), arranged and inspected beside
followcal's seam: each puts the sample, an empty calendar or a foreign event into its backend with
plain tools (files, stdlib HTTP to the DAV server, the fake's own store) and looks at what is
stored there, so no check goes through the code under test."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import icalendar
from servers import XML, CountingProxy, Server
from support import NOW, SAMPLE, SAMPLE_CONFIG

from followcal.config import Settings, parse_settings
from followcal.core.model import Window
from followcal.ical import read as ics

TZ = "America/New_York"


def settings_with(accounts: dict[str, Any]) -> Settings:
    """The sample config with these [accounts] (its own accounts, syncs and feeds left out)."""
    raw = tomllib.loads(SAMPLE_CONFIG.read_text(encoding="utf-8"))
    for key in ("accounts", "sync", "feeds", "serve"):
        raw.pop(key, None)
    raw["accounts"] = accounts
    return parse_settings(raw, SAMPLE_CONFIG)


def split_by_uid(data: bytes) -> dict[str, bytes]:
    """An .ics file cut into one calendar object per UID, with the time zones it uses, as a CalDAV
    client uploads an import (icalendar writes the objects)."""
    calendar = icalendar.Calendar.from_ical(data)
    zones = {str(z["TZID"]): z for z in calendar.walk("VTIMEZONE")}
    grouped: dict[str, list[Any]] = {}
    for event in calendar.walk("VEVENT"):
        grouped.setdefault(str(event["UID"]), []).append(event)
    out = {}
    for uid, events in grouped.items():
        obj = icalendar.Calendar()
        obj.add("prodid", "-//followcal tests//contract//EN")
        obj.add("version", "2.0")
        used = {m.decode() for e in events for m in re.findall(rb"TZID=([^:;]+)", e.to_ical())}
        for tzid in sorted(used):
            obj.add_component(zones[tzid])
        for event in events:
            obj.add_component(event)
        out[uid] = obj.to_ical()
    return out


def vevent(uid: str, summary: str, start: str, extra: Sequence[str] = ()) -> str:
    lines = ["BEGIN:VEVENT", f"UID:{uid}", "DTSTAMP:20261101T080000Z", f"DTSTART:{start}",
             "DURATION:PT1H", f"SUMMARY:{summary}", *extra, "END:VEVENT"]
    return "\r\n".join(lines) + "\r\n"


def vcalendar(*events: str) -> bytes:
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Apple Inc.//macOS 14.6//EN\r\n" + "".join(events)
            + "END:VCALENDAR\r\n").encode("utf-8")


def renamed(data: bytes, uid: str, summary: str) -> bytes:
    """The calendar with event `uid` renamed, re-serialised by icalendar as another app would."""
    calendar = icalendar.Calendar.from_ical(data)
    for event in calendar.walk("VEVENT"):
        if str(event["UID"]) == uid:
            event["SUMMARY"] = icalendar.vText(summary)
    out: bytes = calendar.to_ical()
    return out


# Foreign events another client put in the calendar: a plain one, and one that looks like ours
# (a reminder's marker and summary, e.g. copied by another app that gave it a UID of its own).
FOREIGN_PLAIN = vevent("dentist-7@smiles.example", "Dentist", "20261201T140000Z", ["DESCRIPTION:not followcal's"])
FOREIGN_LOOKALIKE = vevent("3F1C2E-copy@apple.example", "Thank-you note: Acme Corp (Backend Engineer)",
                           "20261215T150000Z", ["X-FOLLOWCAL-KIND:thank-you", "CATEGORIES:followcal"])


# --- the backends, arranged and inspected without followcal's code ----------------------------


class Backend:
    """How a test puts things into one backend and looks at them, beside followcal's seam."""

    kind = ""
    shares_calendar = True  # False: the target refuses a calendar holding foreign events
    settings: Settings

    def spec(self, name: str) -> str:
        raise NotImplementedError

    def seed_sample(self, name: str) -> None:
        raise NotImplementedError

    def sample_data(self) -> bytes:
        """The sample as this backend can hold it."""
        return SAMPLE.read_bytes()

    def make_empty(self, name: str) -> None:
        raise NotImplementedError

    def add_foreign(self, name: str) -> None:
        raise NotImplementedError

    def foreign(self, name: str) -> dict[str, Any]:
        """The foreign events of `name` exactly as stored (bytes or JSON)."""
        raise NotImplementedError

    def edit_summary(self, name: str, uid: str, summary: str) -> None:
        """Another client renames the event `uid` (and nothing else)."""
        raise NotImplementedError

    def calendars(self) -> list[str]:
        """What calendars (files) exist: a read must not add one."""
        raise NotImplementedError

    def mark(self) -> None:
        """Start counting writes."""

    def writes(self) -> list[str]:
        """Writes since mark()."""
        raise NotImplementedError


class FileBackend(Backend):
    kind = "file"
    shares_calendar = False  # a reminder file holds only reminders; one with foreign events is refused

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.settings = settings_with({})
        self._stat: dict[str, tuple[int, int, int]] = {}

    def path(self, name: str) -> Path:
        return self.folder / f"{name}.ics"

    def spec(self, name: str) -> str:
        return str(self.path(name))

    def seed_sample(self, name: str) -> None:
        self.path(name).write_bytes(SAMPLE.read_bytes())

    def make_empty(self, name: str) -> None:
        self.path(name).write_bytes(vcalendar())

    def add_foreign(self, name: str) -> None:
        data = self.path(name).read_bytes()
        self.path(name).write_bytes(data.replace(b"END:VCALENDAR", (FOREIGN_PLAIN + "END:VCALENDAR").encode()))

    def foreign(self, name: str) -> dict[str, Any]:
        return {"file": self.path(name).read_bytes()}

    def edit_summary(self, name: str, uid: str, summary: str) -> None:
        self.path(name).write_bytes(renamed(self.path(name).read_bytes(), uid, summary))

    def calendars(self) -> list[str]:
        return sorted(p.name for p in self.folder.iterdir())

    def _snapshot(self) -> dict[str, tuple[int, int, int]]:
        return {p.name: (p.stat().st_ino, p.stat().st_mtime_ns, p.stat().st_size) for p in self.folder.iterdir()}

    def mark(self) -> None:
        self._stat = self._snapshot()

    def writes(self) -> list[str]:
        now = self._snapshot()
        return sorted(k for k in now.keys() | self._stat.keys() if now.get(k) != self._stat.get(k))


class UrlBackend(FileBackend):
    """Files in a folder that a loopback http.server publishes: a read-only source."""

    kind = "url"

    def __init__(self, folder: Path, base: str) -> None:
        super().__init__(folder)
        self.base = base

    def spec(self, name: str) -> str:
        return f"{self.base}/{name}.ics"


class DavBackend(Backend):
    """A session CalDAV server; this test's own account on it (Server.new_user: a fresh
    Radicale user, or a tag on this test's calendar names on Xandikos)."""

    def __init__(self, server: Server, proxy: CountingProxy) -> None:
        self.kind = server.kind
        self.server = server.new_user()
        self.proxy = proxy
        self.settings = settings_with({"dav": {
            "type": "caldav", "url": proxy.url, "username": self.server.username, "password": self.server.password,
            "timeout": 5,
        }})

    def display(self, name: str) -> str:
        return self.server.calendar_name(name)

    def url(self, name: str) -> str:
        return self.server.calendar_url(re.sub(r"[^a-z0-9]+", "-", self.display(name).casefold()))

    def spec(self, name: str) -> str:
        return f"dav:{self.display(name)}"

    def make_empty(self, name: str) -> None:
        slug = self.url(name).rstrip("/").rsplit("/", 1)[-1]
        self.server.make_calendar(slug, self.display(name))

    def seed_sample(self, name: str) -> None:
        self.make_empty(name)
        for uid, data in split_by_uid(SAMPLE.read_bytes()).items():
            self.server.put(self.url(name) + hashlib.sha1(uid.encode()).hexdigest()[:20] + ".ics", data)

    def add_foreign(self, name: str) -> None:
        self.server.put(self.url(name) + "foreign-dentist.ics", vcalendar(FOREIGN_PLAIN))
        self.server.put(self.url(name) + "foreign-lookalike.ics", vcalendar(FOREIGN_LOOKALIKE))

    def edit_summary(self, name: str, uid: str, summary: str) -> None:
        for href, body in self.server.objects(self.url(name)).items():
            if f"UID:{uid}".encode() in body:
                etag = self.server.get(href).etag or ""
                self.server.put(href, renamed(body, uid, summary), {"If-Match": etag})
                return
        raise AssertionError(f"no object with UID {uid}")

    def foreign(self, name: str) -> dict[str, Any]:
        out = {}
        for href in ("foreign-dentist.ics", "foreign-lookalike.ics"):
            answer = self.server.get(self.url(name) + href)
            out[href] = (answer.status, answer.etag, answer.body)
        return out

    def calendars(self) -> list[str]:
        body = '<?xml version="1.0"?><D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>'
        answer = self.server.request("PROPFIND", self.server.home, body, {"Depth": "1", "Content-Type": XML})
        if answer.status == 404:
            return []
        assert answer.status == 207, answer
        return sorted({h.decode() for h in re.findall(rb"<(?:\w+:)?href>([^<]+)</", answer.body)})

    def mark(self) -> None:
        self.proxy.reset()

    def writes(self) -> list[str]:
        return [f"{s.method} {s.path}" for s in self.proxy.writes()]


class GoogleBackend(Backend):
    kind = "google"

    def __init__(self, fake: Any) -> None:
        self.fake = fake
        self.settings = settings_with({"g": {"type": "google", "token": "none", "api_endpoint": fake.url}})
        self.foreign_ids: dict[str, list[str]] = {}

    def spec(self, name: str) -> str:
        return f"g:{name}"

    def make_empty(self, name: str) -> None:
        self.fake.add_calendar(name, tz=TZ)

    def sample_data(self) -> bytes:
        """Google events carry no CATEGORIES: the sample without them (so Nordwind's interview,
        known only by its category, is not one here; test_google_sync.py does the same)."""
        from test_google_sync import sample_bytes

        return sample_bytes()

    def seed_sample(self, name: str) -> None:
        from test_google_sync import (
            google_event,  # a sample event as the JSON Google holds
        )

        cid = self.fake.add_calendar(name, tz=TZ)
        events, _ = ics.read_calendar(self.sample_data(), str(SAMPLE), Window(), keywords=None, now=NOW)
        for event in events:
            self.fake.add_event(cid, google_event(event))

    def add_foreign(self, name: str) -> None:
        cid = self.fake.calendar_id(name)
        plain = {"summary": "Dentist", "description": "not followcal's",
                 "start": {"dateTime": "2026-12-01T14:00:00Z"}, "end": {"dateTime": "2026-12-01T15:00:00Z"}}
        lookalike = {"summary": "Thank-you note: Acme Corp (Backend Engineer)",
                     "start": {"dateTime": "2026-12-15T15:00:00Z"}, "end": {"dateTime": "2026-12-15T15:30:00Z"},
                     "extendedProperties": {"private": {"kind": "thank-you"}}}
        self.foreign_ids[name] = [self.fake.add_event(cid, plain)["id"], self.fake.add_event(cid, lookalike)["id"]]

    def edit_summary(self, name: str, uid: str, summary: str) -> None:
        cid = self.fake.calendar_id(name)
        item = next(i for i in self.fake.items(cid) if i.get("iCalUID") == uid)
        self.fake.change_event(cid, item["id"], summary=summary)

    def foreign(self, name: str) -> dict[str, Any]:
        items = {i["id"]: i for i in self.fake.items(self.fake.calendar_id(name), deleted=True)}
        return {key: json.dumps(items.get(key), sort_keys=True) for key in self.foreign_ids[name]}

    def calendars(self) -> list[str]:
        return sorted(meta["summary"] for meta in self.fake.calendars.values())

    def mark(self) -> None:
        self.fake.reset_counts()

    def writes(self) -> list[str]:
        return [f"{c.method} {c.path}" for c in self.fake.writes()]
