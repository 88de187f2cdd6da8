"""`mailto:` links that open a draft in the user's mail app (RFC 6068). Pure.

The address, subject and body are UTF-8 percent-encoded: a space is %20 (never "+", which some
mail apps and `urllib.parse.parse_qs` read as a space and others keep), a line break is %0D%0A
(RFC 6068 section 5), and only RFC 6068's `qchar` characters are left as they are. Many apps and
browsers refuse or cut links past about 2,000 characters, so the body is trimmed at a paragraph
(else a word) boundary until the whole link fits; the decoded body is then a prefix of the draft.
"""

from __future__ import annotations

import re
from urllib.parse import quote

MAX_LENGTH = 2000
# RFC 6068: qchar = unreserved / pct-encoded / some-delims; "+" is encoded on purpose (see above),
# and "&", "=", "?", "#", "%" and "/" must be.
_SAFE = "!$'()*,;:@"
_ADDRESS_SAFE = "!$'*+-.^_`{|}~@"  # the dot-atom characters of an addr-spec, minus "%" "?" "&"


def _encode(text: str) -> str:
    return quote(text, safe=_SAFE, encoding="utf-8")


def link(address: str, subject: str, body: str, max_length: int = MAX_LENGTH) -> str:
    """The mailto: URI for one draft, at most `max_length` characters long."""
    to = f"mailto:{quote(address.strip(), safe=_ADDRESS_SAFE)}"
    room = max_length - len(to) - len("?subject=")
    if len(_encode(subject)) > room:  # only a pathological subject: keep what fits, no body
        return f"{to}?subject={_encode(_trim(subject, room))}" if room > 0 else to
    head = f"{to}?subject={_encode(subject)}"
    body = "\r\n".join(body.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()
    if not body:
        return head
    room = max_length - len(head) - len("&body=")
    full = _encode(body)
    if len(full) <= room:
        return f"{head}&body={full}"
    kept = _trim(body, room)
    return f"{head}&body={_encode(kept)}" if kept else head


def _trim(body: str, room: int) -> str:
    """The longest prefix of `body` ending at a paragraph (else a line, else a word) boundary
    whose encoding fits in `room` characters."""
    lo, hi = 0, len(body)
    while lo < hi:  # the longest prefix that fits, by character count
        mid = (lo + hi + 1) // 2
        if len(_encode(body[:mid])) <= room:
            lo = mid
        else:
            hi = mid - 1
    prefix = body[:lo]
    for boundary in ("\r\n\r\n", "\r\n", " "):
        cut = prefix.rfind(boundary)
        if cut > len(prefix) // 2:
            return prefix[:cut].rstrip()
    return prefix.rstrip()


def first_link(text: str) -> str | None:
    """The first mailto: link in a description (the event's URL property), or None."""
    found = _LINK.search(text)
    return found.group(0) if found else None


_LINK = re.compile(r"mailto:\S*")  # a link runs to the next white space
