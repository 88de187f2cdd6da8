"""`mailto:` links that open a draft in the user's mail app (RFC 6068). Pure.

The address, subject and body are UTF-8 percent-encoded: a space is %20 (never "+", which some
mail apps and `urllib.parse.parse_qs` read as a space and others keep), a line break is %0D%0A
(RFC 6068 section 5), and only RFC 6068's `qchar` characters are left as they are. Many apps and
browsers refuse or cut links past about 2,000 characters, so the body is trimmed at a paragraph
(else a word) boundary until the whole link fits; the decoded body is then a prefix of the draft.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

MAX_LENGTH = 2000
# RFC 6068: qchar = unreserved / pct-encoded / some-delims; "+" is encoded on purpose (see above),
# and "&", "=", "?", "#", "%" and "/" must be.
_SAFE = "!$'()*,;:@"
_ADDRESS_SAFE = "!$'*+-.^_`{|}~@"  # the dot-atom characters of an addr-spec, minus "%" "?" "&"


def _encode(text: str) -> str:
    return _quote(text, _SAFE)


@lru_cache(maxsize=8)
def _tables(safe: str) -> tuple[list[str], list[str], re.Pattern[str], tuple[tuple[str, str], ...]]:
    """urllib.parse.quote's encoding as tables: ASCII code point -> itself or "%XX" (a list, for
    str.translate), byte -> the same (for UTF-8 bytes); and, as most drafts encode only spaces
    and line breaks, a pattern of the other ASCII characters to encode with the replaces that
    do when none of them is there."""
    keep = set(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~") | set(safe.encode("ascii", "ignore"))
    by_byte = [chr(b) if b in keep else f"%{b:02X}" for b in range(256)]
    common = tuple((ch, by_byte[ord(ch)]) for ch in " \r\n" if ord(ch) not in keep)
    rare = "".join(re.escape(chr(b)) for b in range(128) if b not in keep and chr(b) not in " \r\n")
    return by_byte[:128], by_byte, re.compile(f"[{rare}]"), common


@lru_cache(maxsize=8)
def _plain_bytes(safe: str) -> bytes:
    """The ASCII bytes `_quote` leaves as they are or encodes by its replaces (space, CR, LF)."""
    _, by_byte, _, common = _tables(safe)
    return bytes(b for b in range(128) if by_byte[b] == chr(b) or chr(b) in dict(common))


def _only_common(text: str, safe: str) -> bool:
    """An ASCII `text` with no character but those of `_plain_bytes`: `rare.search(text) is None`,
    by deleting those bytes (a regex scan of a draft's body took five times as long)."""
    return not text.encode("ascii").translate(None, _plain_bytes(safe))


def _quote(text: str, safe: str) -> str:
    """`urllib.parse.quote(text, safe=safe)` (UTF-8), several times faster: drafting encodes
    every subject and body of every reminder (the unit tests compare the two)."""
    ascii_table, by_byte, rare, common = _tables(safe)
    if text.isascii():
        if _only_common(text, safe):
            for ch, encoded in common:
                text = text.replace(ch, encoded)
            return text
        return text.translate(ascii_table)
    if "%" not in text:  # mostly ASCII (a name with an accent): the other characters first
        # the ASCII encoder hands each run of other characters to `_percent_runs`, which gives its
        # %XX octets; then the text is ASCII and every "%" in it starts one of them, which the
        # ASCII path keeps as it is
        return _quote(text.encode("ascii", _PERCENT_RUNS).decode("ascii"), safe + "%")
    return "".join(map(by_byte.__getitem__, text.encode("utf-8")))


def _percent_runs(error: UnicodeError) -> tuple[str, int]:
    """The codec error handler `_quote` encodes with: a run of non-ASCII characters as its UTF-8
    octets, each %XX (a lone surrogate, which UTF-8 cannot encode, raises as `encode` would)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    run = error.object[error.start : error.end].encode("utf-8")
    return "".join(map(_tables(_SAFE)[1].__getitem__, run)), error.end


_PERCENT_RUNS = "followcal-mailto-percent"
codecs.register_error(_PERCENT_RUNS, _percent_runs)


def link(address: str, subject: str, body: str, max_length: int = MAX_LENGTH) -> str:
    """The mailto: URI for one draft, at most `max_length` characters long."""
    to = _to(address)
    room = max_length - len(to) - len("?subject=")
    encoded = _encode(subject)
    if len(encoded) > room:  # only a pathological subject: keep what fits, no body
        return f"{to}?subject={_encode(_trim(subject, room))}" if room > 0 else to
    head = f"{to}?subject={encoded}"
    if "\r" in body:
        body = body.replace("\r\n", "\n").replace("\r", "\n")
    # every line break CRLF, as RFC 6068 asks; stripped before that, which strips the same
    body = body.strip()
    if not body:
        return head
    room = max_length - len(head) - len("&body=")
    if body.isascii() and _only_common(body, _SAFE):  # _encode's replaces, CRLF in one go
        full = body.replace(" ", "%20").replace("\n", "%0D%0A")
    else:
        full = _encode(body.replace("\n", "\r\n"))
    if len(full) <= room:
        return f"{head}&body={full}"
    kept = _trim(body.replace("\n", "\r\n"), room)
    return f"{head}&body={_encode(kept)}" if kept else head


@lru_cache(maxsize=1024)  # one per interviewer: each of their drafts asks again
def _to(address: str) -> str:
    return f"mailto:{_quote(address.strip(), _ADDRESS_SAFE)}"


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
    at = text.find("mailto:")
    if at < 0:
        return None
    # `_LINK.search(text).group(0)`: \S and str.split both stop at what Py_UNICODE_ISSPACE calls space
    return text[at:].split(None, 1)[0]


_LINK = re.compile(r"mailto:\S*")  # a link runs to the next white space
