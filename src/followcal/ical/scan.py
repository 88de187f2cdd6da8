"""The cheap text scan that keeps big calendar files fast (issue: large feeds).

Works on raw bytes, linearly: unfold the content lines, cut the VCALENDAR into its top-level
components, and pick the VEVENTs worth a full parse: a keyword in SUMMARY or CATEGORIES, plus
every component sharing such an event's UID (series masters and overrides) and the VTIMEZONEs.
It may pick too much, never too little: read.read_calendar with `keywords=None` skips this
selection, and the equivalence tests hold both paths to the same plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from typing import NamedTuple

from followcal.errors import SourceError

_FOLD = re.compile(rb"\n[ \t]")
_BOUNDARY = re.compile(rb"\n(?:[Bb][Ee][Gg][Ii][Nn]|[Ee][Nn][Dd]):[^\n]*")
_NAME_RE = re.compile(rb"^([A-Za-z0-9-]+)")
# on text with lines joined by LF (the last two on lowercased text):
_UID_VALUE = re.compile(rb"\n[Uu][Ii][Dd]([;:][^\n]*)")
_TEXT_LINE = re.compile(rb"\n(?:summary|categories)[;:]")
_NON_ASCII_TEXT_LINE = re.compile(rb"\n(?:summary|categories)[;:][^\n\x80-\xff]*[\x80-\xff]")
_TEXT_PROPS = (b"summary:", b"summary;", b"categories:", b"categories;")
_ESCAPED = (",", ";", "\\", "\n", "\r")  # a keyword with one of these may be hidden by an escape
MAX_NESTING = 50


def unfold(data: bytes) -> bytes:
    """RFC 5545 unfolding, exactly `re.sub(rb"\\r?\\n[ \\t]", b"", data)`: a CR that precedes a
    folding LF goes with it. Splitting on the literal LF first is several times faster."""
    parts = _FOLD.split(data)
    last = parts.pop()
    return b"".join([p[:-1] if p.endswith(b"\r") else p for p in parts] + [last])


def _unfolded_lf(data: bytes) -> bytes:
    """`unfold(data)` with CRLF and then CR made LF. With no lone CR and no LF-TAB fold (as
    nearly every file) that is two replaces; the equivalence tests hold it to the definition."""
    crs = data.count(b"\r")
    if crs and crs != data.count(b"\r\n"):  # a CR that ends a line on its own
        return unfold(data).replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    # every CR is a CRLF's: deleting the CRs is replacing CRLF by LF, three times faster
    text = data.translate(None, b"\r") if crs else data
    if b"\t" in text and b"\n\t" in text:  # the tab first: one byte is found far faster
        return b"".join(_LF_FOLD.split(text))
    return b"".join(text.split(b"\n "))  # `replace(b"\n ", b"")`, which searches slower


_LF_FOLD = re.compile(rb"\n[ \t]")


class Block(NamedTuple):
    """One top-level component of a VCALENDAR: its unfolded text, lines joined by LF.

    A NamedTuple: a large export makes tens of thousands of these, and a frozen dataclass's
    __init__ costs several times more."""

    name: str
    text: bytes

    @property
    def lines(self) -> list[bytes]:
        return self.text.split(b"\n")

    def prop(self, name: bytes) -> list[bytes]:
        """Raw values of a property (parameters dropped; sub-components' lines too); cheap, no
        unescaping."""
        return prop_of(self.lines, name)


def prop_of(lines: list[bytes], name: bytes) -> list[bytes]:
    """Block.prop over lines already split (an upper-case `name`, matched in any case)."""
    out = []
    size = len(name)
    for line in lines:
        if line[:size].upper() == name and line[size : size + 1] in (b":", b";"):
            value = _value_of(line)
            if value is not None:
                out.append(value)
    return out


def _value_of(line: bytes) -> bytes | None:
    """The value after the first colon that is not inside a quoted parameter."""
    colon = line.find(b":")
    if colon >= 0 and b'"' not in line[:colon]:
        return line[colon + 1 :]
    quoted = False
    for i, ch in enumerate(line):
        if ch == 0x22:  # "
            quoted = not quoted
        elif ch == 0x3A and not quoted:  # :
            return line[i + 1 :]
    return None


# Components that only ever appear at the top of a VCALENDAR: a BEGIN of one inside another
# means the one before lacks its END line.
_TOP_LEVEL = frozenset((b"VEVENT", b"VTODO", b"VJOURNAL", b"VFREEBUSY", b"VTIMEZONE", b"VAVAILABILITY"))


def split_calendar(
    data: bytes, origin: str, warnings: list[str] | None = None
) -> tuple[list[bytes], list[Block]]:
    """Calendar-level property lines and top-level component blocks, in one linear pass.

    Line ends are those of bytes.splitlines() (CRLF, LF, CR). Only BEGIN:/END: lines are visited
    in Python (a regex finds them); a block is a slice of the unfolded text. BEGIN and END are
    matched by name: a component with a missing, mangled or unmatched END line (or a VTIMEZONE
    with two different TZIDs) is dropped with a warning naming it, and never swallows the
    components after it. Raises SourceError when the data is not an iCalendar stream at all.
    """
    from followcal.ical.select import split_plain

    text = normalized(data, origin)
    plain = split_plain(text, origin, warnings)  # the common shape, without the stack machine
    return plain if plain is not None else split_text(text, origin, warnings)


def normalized(data: bytes, origin: str) -> bytes:
    """The unfolded text with every line end an LF and an LF in front (what split_text cuts);
    raises SourceError when the data is not an iCalendar stream at all."""
    if _blank(data):
        raise SourceError(f"{origin}: the file is empty")
    text = b"\n" + _unfolded_lf(data.lstrip(b"\xef\xbb\xbf"))
    first = _FIRST_LINE.match(text).group(1)  # type: ignore[union-attr]  # always matches
    if first.strip().upper() != b"BEGIN:VCALENDAR":
        raise SourceError(f"{origin}: not an iCalendar file (it does not start with BEGIN:VCALENDAR)")
    return text


# `text.lstrip().split(b"\n", 1)[0]` without copying the whole text twice (bytes.lstrip's set)
_FIRST_LINE = re.compile(rb"[ \t\n\r\x0b\x0c]*([^\n]*)")


def _blank(data: bytes) -> bool:
    """`not data.strip()`, looking at the start first (strip copies a whole large file)."""
    return not data[:4096].strip() and not data.strip()


def split_text(text: bytes, origin: str, warnings: list[str] | None = None) -> tuple[list[bytes], list[Block]]:
    """split_calendar of `normalized` text: the stack machine over every BEGIN/END line."""
    problems = warnings if warnings is not None else []
    header: list[bytes] = []
    blocks: list[Block] = []
    calendars = 0
    inside = False  # within a VCALENDAR
    stack: list[bytes] = []  # the open components below the VCALENDAR; stack[0] is the block's
    start, pos, kind = -1, 0, ""
    broken: str | None = None

    def finish(stop: int) -> None:
        block: Block | None = Block(kind, text[start:stop])
        if broken is None and kind == "VTIMEZONE":
            block = _checked_timezone(Block(kind, text[start:stop]), origin, problems)
        if broken is not None:
            problems.append(f"skipped {_describe(Block(kind, text[start:stop]))} ({origin}): {broken}")
        elif block is not None:
            blocks.append(block)

    for match in _BOUNDARY.finditer(text):
        at = match.start() + 1
        if inside and not stack and at > pos + 1:
            header.extend(ln for ln in text[pos:at].split(b"\n") if ln.strip())
        pos = match.end()
        begin = text[at] in b"Bb"
        name = text[at + (6 if begin else 4) : pos].strip().upper()
        if not inside:
            if begin:
                inside, calendars = True, calendars + 1
            continue
        if begin:
            if stack and name in _TOP_LEVEL:  # the block before never ended
                broken = broken or f"BEGIN:{stack[-1].decode('ascii', 'replace')} has no END line"
                finish(at - 1)
                stack = []
            if not stack:
                start, broken, kind = at, None, name.decode("ascii", "replace")
            stack.append(name)
            continue
        if not stack:
            if name == b"VCALENDAR":
                inside = False
            continue  # a stray END line at calendar level
        if name == stack[-1]:
            stack.pop()
        elif name in stack:  # closes an outer component: the ones inside it never ended
            broken = broken or f"BEGIN:{stack[-1].decode('ascii', 'replace')} has no END line"
            del stack[len(stack) - 1 - stack[::-1].index(name) :]
        elif name == b"VCALENDAR":
            broken = broken or f"BEGIN:{stack[-1].decode('ascii', 'replace')} has no END line"
            finish(at - 1)
            stack, inside = [], False
            continue
        else:
            broken = broken or f"END:{name[:40].decode('ascii', 'replace')} matches no BEGIN line"
            continue
        if not stack:
            finish(pos)
    if stack:
        broken = broken or f"BEGIN:{stack[-1].decode('ascii', 'replace')} has no END line (the file ends first)"
        finish(len(text))
    elif inside:
        header.extend(ln for ln in text[pos:].split(b"\n") if ln.strip())
    if calendars == 0:
        raise SourceError(f"{origin}: not an iCalendar file (no VCALENDAR)")
    return header, blocks


def _describe(block: Block) -> str:
    """How a warning names a component: an event by UID, a time zone by TZID."""
    if block.name == "VTIMEZONE":
        tzid = block.prop(b"TZID")
        return f"time zone {tzid[0].decode('utf-8', 'replace').strip()[:80] if tzid else '(no TZID)'}"
    if block.name == "VEVENT":
        return f"event {block_uid(block)[:200]}"
    return f"{block.name[:40]} {block_uid(block)[:200]}"


def _own_properties(lines: list[bytes]) -> Iterator[tuple[int, bytes]]:
    """(index, line) of a component's own property lines: not BEGIN/END, not inside its
    sub-components (a VALARM's UID, a STANDARD's TZOFFSETFROM)."""
    depth = 0
    for index, line in enumerate(lines):
        head = line[:6].upper()
        if head == b"BEGIN:":
            depth += 1
        elif head[:4] == b"END:":
            depth -= 1
        elif depth == 1:
            yield index, line


def _checked_timezone(block: Block, origin: str, warnings: list[str]) -> Block | None:
    """A VTIMEZONE with its own TZID line once: a repeated identical TZID is dropped, two
    different ones make the zone unusable (None, with a warning)."""
    lines = block.lines
    seen: list[bytes] = []
    repeated: set[int] = set()
    for index, line in _own_properties(lines):
        head = line[:5].upper()
        if head[:4] == b"TZID" and head[4:5] in (b":", b";"):
            value = (_value_of(line) or b"").strip()
            if seen and value in seen:
                repeated.add(index)
            else:
                seen.append(value)
    if len(seen) > 1:
        warnings.append(f"skipped {_describe(block)} ({origin}): it has {len(seen)} different TZIDs")
        return None
    if not repeated:
        return block
    return Block(block.name, b"\n".join(line for index, line in enumerate(lines) if index not in repeated))


def _unescape(text: str) -> str:
    """TEXT unescaping the way icalendar does it for SUMMARY."""
    return text.replace("\\N", "\\n").replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\")


def _text_line_matches(line: bytes, words: Sequence[str]) -> bool:
    """A SUMMARY/CATEGORIES line read as detect reads it (decoded, unescaped or not, casefolded)."""
    raw = line.decode("utf-8", "replace")
    variants = {raw.casefold(), _unescape(raw).casefold(), raw.replace("\\", "").casefold()}
    return any(w in v for v in variants for w in words)


def _own_uid(block: Block) -> bytes | None:
    """The component's own UID (not a VALARM's), raw and stripped; None when it has none."""
    for _, line in _own_properties(block.lines):
        if line[:3].upper() == b"UID" and line[3:4] in (b":", b";"):
            value = _value_of(line)
            if value is not None:
                return value.strip()
    return None


def keyword_sets(keywords: Iterable[str]) -> tuple[list[str], list[bytes], bool]:
    """The casefolded keywords, those matched as bytes (ASCII, nothing TEXT escaping could hide),
    and whether any keyword holds a character TEXT escaping could hide."""
    words = [k.casefold() for k in keywords if k.strip()]
    fast = [w.encode("ascii") for w in words if w.isascii() and not any(c in w for c in _ESCAPED)]
    return words, fast, any(c in w for w in words for c in _ESCAPED)


def select_blocks(blocks: list[Block], keywords: Iterable[str] | None) -> list[Block]:
    """VTIMEZONEs, candidate VEVENTs and every VEVENT sharing a candidate's UID.

    A candidate has a keyword in a SUMMARY or CATEGORIES line. That is a superset of what
    detect.is_interview accepts: ASCII lines are matched in bytes (lowercase == casefold there);
    lines with non-ASCII bytes, and every line when a keyword holds a character that TEXT escapes,
    are decoded and matched raw, unescaped and without backslashes. The blocks are searched as one
    lowercased text, so only keyword hits and UID lines are visited in Python.
    """
    if keywords is None:
        return blocks
    from bisect import bisect_right

    words, fast, escaped = keyword_sets(keywords)
    starts, offset = [], 1
    for block in blocks:
        starts.append(offset)
        offset += len(block.text) + 1
    joined = b"\n" + b"\n".join(b.text for b in blocks)
    lowered = joined.lower()

    hits: set[int] = set()
    for word in fast:  # bytes.find beats a regex alternation several times over
        at = lowered.find(word)
        while at >= 0:
            # one look per line: the next search starts after this line, so a line holding the
            # word a million times costs one step, not a walk back to its start per hit
            line_end = lowered.find(b"\n", at)
            if lowered.startswith(_TEXT_PROPS, lowered.rfind(b"\n", 0, at) + 1):
                hits.add(bisect_right(starts, at) - 1)
            if line_end < 0:
                break
            at = lowered.find(word, line_end)
    # Lines the byte search above may miss: those with non-ASCII bytes (casefolding them can
    # change what matches, and only they can hold a non-ASCII keyword such as 面接), and every
    # line when a keyword holds a character that TEXT escaping could hide.
    lines = _TEXT_LINE if escaped else _NON_ASCII_TEXT_LINE
    for match in lines.finditer(lowered):
        end = joined.find(b"\n", match.end())
        if _text_line_matches(joined[match.start() + 1 : end if end >= 0 else None], words):
            hits.add(bisect_right(starts, match.start() + 1) - 1)

    # every VEVENT whose own UID is a candidate's (series masters, overrides); a UID line is
    # only looked at closely when its value is one of those few UIDs
    keys = {i: _own_uid(blocks[i]) for i in hits if blocks[i].name == "VEVENT"}
    chosen = set(keys)
    wanted = {k for k in keys.values() if k is not None}
    if wanted:
        for match in _UID_VALUE.finditer(joined):
            raw = match.group(1)
            key = raw[1:].strip() if raw[:1] == b":" else (_value_of(raw) or b"").strip()
            if key in wanted:
                i = bisect_right(starts, match.start() + 1) - 1
                if i not in chosen and blocks[i].name == "VEVENT" and _own_uid(blocks[i]) in wanted:
                    chosen.add(i)
    return [block for i, block in enumerate(blocks) if block.name == "VTIMEZONE" or i in chosen]


MAX_LINE = 64 * 1024  # bytes of one unfolded content line; longer ones are cut short or dropped
MAX_SUMMARY = 1024
_TRIMMABLE = (b"SUMMARY", b"DESCRIPTION")


def trimmed(block: Block, origin: str, warnings: list[str]) -> list[bytes]:
    """The block's lines with absurdly long ones cut short (SUMMARY, DESCRIPTION) or dropped
    (attachments, anything else): one 20 MB line must not make parsing, drafting and writing the
    reminders crawl, and the event itself still counts."""
    lines = block.lines
    if max(map(len, lines), default=0) <= MAX_SUMMARY:
        return lines
    out = []
    for line in lines:
        match = _NAME_RE.match(line)
        name = match.group(1).upper() if match else b"?"
        limit = MAX_SUMMARY if name == b"SUMMARY" else MAX_LINE
        if len(line) <= limit:
            out.append(line)
            continue
        shown = f"event {block_uid(block)} ({origin}): {name[:40].decode('ascii', 'replace')}"
        if name in _TRIMMABLE and _value_of(line[:limit]) is not None:
            end = limit
            while end > 0 and 0x80 <= line[end] < 0xC0:  # never split a UTF-8 character
                end -= 1
            cut = line[:end]
            if (len(cut) - len(cut.rstrip(b"\\"))) % 2:  # nor an escape
                cut = cut[:-1]
            out.append(cut)
            warnings.append(f"{shown} longer than {limit} bytes; cut short")
        else:
            warnings.append(f"{shown} longer than {limit} bytes; ignored")
    return out


_SUB_BEGIN = re.compile(rb"\n[Bb][Ee][Gg][Ii][Nn]:")


def own_lines(block: Block, lines: list[bytes]) -> list[bytes]:
    """A VEVENT's lines without its sub-components (VALARMs): nothing is read from them, and
    icalendar would parse them and recurring-ical-events copy them into every occurrence."""
    if not _SUB_BEGIN.search(block.text):
        return lines
    out, depth = [], 0
    for line in lines:
        head = line[:6].upper()
        if head == b"BEGIN:":
            depth += 1
        if depth <= 1:
            out.append(line)
        if head[:4] == b"END:":
            depth -= 1
    return out


# Every VEVENT property followcal (to_source_event, _event_problem) or recurring-ical-events
# reads. The fast path hands icalendar only these; the full path parses everything, and the
# equivalence tests hold both to the same plan.
_USED = frozenset(
    b"BEGIN END UID SUMMARY DESCRIPTION CATEGORIES DTSTART DTEND DURATION RRULE RDATE EXDATE "
    b"EXRULE RECURRENCE-ID SEQUENCE STATUS ORGANIZER ATTENDEE LAST-MODIFIED DTSTAMP".split()
)


def used_lines(lines: list[bytes]) -> list[bytes]:
    out = []
    for line in lines:
        match = _NAME_RE.match(line)
        name = match.group(1).upper() if match else b""
        if name in _USED or name.startswith(b"X-FOLLOWCAL-"):
            out.append(line)
    return out


def too_deep(block: Block) -> bool:
    depth = 0
    for line in block.lines:
        head = line[:6].upper()
        if head == b"BEGIN:":
            depth += 1
            if depth > MAX_NESTING:
                return True
        elif line[:4].upper() == b"END:":
            depth -= 1
    return False


def block_uid(block: Block, lines: list[bytes] | None = None) -> str:
    uid = prop_of(block.lines if lines is None else lines, b"UID")
    return uid[0].decode("utf-8", "replace").strip() if uid else "(no UID)"
