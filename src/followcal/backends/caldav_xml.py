"""WebDAV/CalDAV XML without I/O: the request bodies followcal sends and the multistatus it reads.

Kept apart from backends/caldav.py (session, retries, cache, the calendar class) so the protocol
text can be read on its own. Answers become plain (href, {"{ns}name": element}) pairs; the small
accessors below are the only code that looks inside the elements.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from xml.sax.saxutils import escape

from followcal.core.model import Window
from followcal.errors import BackendError

D, C, CS = "DAV:", "urn:ietf:params:xml:ns:caldav", "http://calendarserver.org/ns/"
XML_TYPE = "application/xml; charset=utf-8"

Props = dict[str, ET.Element]

PROPS_PRINCIPAL = f'<D:propfind xmlns:D="{D}"><D:prop><D:current-user-principal/><D:resourcetype/></D:prop></D:propfind>'
PROPS_HOME_SET = f'<D:propfind xmlns:D="{D}" xmlns:C="{C}"><D:prop><C:calendar-home-set/></D:prop></D:propfind>'
PROPS_HOME = (
    f'<D:propfind xmlns:D="{D}" xmlns:C="{C}" xmlns:CS="{CS}"><D:prop><D:displayname/>'
    "<D:resourcetype/><CS:getctag/><D:sync-token/></D:prop></D:propfind>"
)
PROPS_ETAGS = (
    f'<D:propfind xmlns:D="{D}" xmlns:CS="{CS}"><D:prop><D:resourcetype/><D:getetag/>'
    "<CS:getctag/><D:sync-token/></D:prop></D:propfind>"
)


# --- answers -----------------------------------------------------------------------------------------


def multistatus(body: bytes, account: str) -> list[tuple[str, Props]]:
    """(href, {"{ns}name": element}) per response, with the properties found (status 200)."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:  # no server needs a DTD: entity bombs (issue 19)
        raise BackendError(f"account {account!r}: the server sent XML with a DTD (refused)")
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise BackendError(f"account {account!r}: the server sent invalid XML") from None
    out = []
    for response in root.iter(f"{{{D}}}response"):
        href = response.findtext(f"{{{D}}}href", "").strip()
        props: Props = {}
        for propstat in response.findall(f"{{{D}}}propstat"):
            status = propstat.findtext(f"{{{D}}}status", "")
            if " 200 " not in status and not status.endswith(" 200"):
                continue
            for prop in propstat.findall(f"{{{D}}}prop"):
                for child in prop:
                    props[child.tag] = child
        out.append((href, props))
    return out


def text(props: Props, tag: str) -> str | None:
    el = props.get(tag)
    return el.text.strip() if el is not None and el.text else None


def ctag_of(props: Props) -> str | None:
    """The collection's change tag: `getctag`, else the `sync-token`."""
    return text(props, f"{{{CS}}}getctag") or text(props, f"{{{D}}}sync-token")


def href_in(props: Props, tag: str) -> str | None:
    """The <D:href> inside a property such as current-user-principal (unstripped)."""
    el = props.get(tag)
    return el.findtext(f"{{{D}}}href") if el is not None else None


def has_type(props: Props, tag: str) -> bool:
    """Whether <D:resourcetype> contains `tag` (a calendar, a collection)."""
    kind = props.get(f"{{{D}}}resourcetype")
    return kind is not None and kind.find(tag) is not None


# --- request bodies -----------------------------------------------------------------------------------


def _time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar_query(window: Window) -> str:
    bounds = ""
    if window.since is not None:
        bounds += f' start="{_time(window.since)}"'
    if window.until is not None:
        bounds += f' end="{_time(window.until)}"'
    time_range = f"<C:time-range{bounds}/>" if bounds else ""
    return (f'<C:calendar-query xmlns:D="{D}" xmlns:C="{C}"><D:prop><D:getetag/><C:calendar-data/></D:prop>'
            f'<C:filter><C:comp-filter name="VCALENDAR"><C:comp-filter name="VEVENT">{time_range}'
            "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>")


def multiget(hrefs: list[str]) -> str:
    refs = "".join(f"<D:href>{escape(h)}</D:href>" for h in hrefs)
    return (f'<C:calendar-multiget xmlns:D="{D}" xmlns:C="{C}"><D:prop><D:getetag/><C:calendar-data/></D:prop>'
            f"{refs}</C:calendar-multiget>")


def mkcalendar(name: str) -> str:
    return (f'<C:mkcalendar xmlns:D="{D}" xmlns:C="{C}"><D:set><D:prop>'
            f"<D:displayname>{escape(name)}</D:displayname><C:supported-calendar-component-set>"
            '<C:comp name="VEVENT"/></C:supported-calendar-component-set></D:prop></D:set></C:mkcalendar>')
