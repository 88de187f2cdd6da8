"""Split and select in one pass for the common, well-formed calendar (issue 17).

`scan.split_calendar` walks every BEGIN/END line in Python and makes a Block of every component;
`scan.select_blocks` then searches each keyword through the whole text. On a 20,000-event export
that was a third of `plan`. Here, when the calendar's BEGIN/END lines form the plain shape almost
every export has (one VCALENDAR; VEVENTs and VTODOs with VALARMs, VTIMEZONEs with STANDARD and
DAYLIGHT, VJOURNALs, VFREEBUSYs; exact upper-case names, nothing else), the structure is checked
by one regex over those lines, the keywords are searched in the SUMMARY and CATEGORIES lines only,
and Blocks are made only of the VTIMEZONEs and the chosen VEVENTs. Any other shape takes
split_calendar + select_blocks, and the equivalence tests hold both to the same header, blocks
and warnings (bench feeds, samples, the fuzz corpus).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from itertools import accumulate

from followcal.ical.scan import (
    _BOUNDARY,
    _NON_ASCII_TEXT_LINE,
    _TEXT_LINE,
    Block,
    _checked_timezone,
    _own_uid,
    _text_line_matches,
    _value_of,
    keyword_sets,
    normalized,
    select_blocks,
    split_text,
)

_TOP = rb"(?:VEVENT|VTODO|VJOURNAL|VFREEBUSY|VTIMEZONE)"
# the BEGIN/END lines (each with its LF in front, joined) of a calendar split_text cuts exactly
# so: no warning about structure, every top-level component a block, nothing after END:VCALENDAR
_PLAIN_SHAPE = re.compile(
    rb"\nBEGIN:VCALENDAR"
    rb"(?:\nBEGIN:(VEVENT|VTODO)(?:\nBEGIN:VALARM\nEND:VALARM)*\nEND:\1"
    rb"|\nBEGIN:VTIMEZONE(?:\nBEGIN:(STANDARD|DAYLIGHT)\nEND:\2)*\nEND:VTIMEZONE"
    rb"|\nBEGIN:(VJOURNAL|VFREEBUSY)\nEND:\3)*"
    rb"\nEND:VCALENDAR"
)
# a top-level END line whose next line is not a top-level BEGIN: calendar-level lines follow
_GAP = re.compile(rb"\nEND:" + _TOP + rb"(?=\n)(?!\nBEGIN:" + _TOP + rb"\n)")
_TEXT_LINES = re.compile(rb"\n(?:summary|categories)[;:][^\n]*")  # on lowercased text
_UID_LINE = re.compile(rb"\n[Uu][Ii][Dd]([;:][^\n]*)")
_TIMEZONE = re.compile(rb"\nBEGIN:VTIMEZONE\n")


def split_select(
    data: bytes, origin: str, keywords: Iterable[str] | None, warnings: list[str]
) -> tuple[list[bytes], list[Block]]:
    """`select_blocks(split_calendar(data, origin, warnings), keywords)`, in one pass when the
    calendar has the plain shape (see the module docstring)."""
    text = normalized(data, origin)
    if keywords is not None and _PLAIN_SHAPE.fullmatch(b"".join(_BOUNDARY.findall(text))):
        return _plain_header(text), _plain_select(text, keywords, origin, warnings)
    header, blocks = split_text(text, origin, warnings)
    return header, select_blocks(blocks, keywords)


def split_plain(text: bytes, origin: str, warnings: list[str] | None) -> tuple[list[bytes], list[Block]] | None:
    """`split_text(text, origin, warnings)` for a calendar of the plain shape (None for any other),
    without walking every BEGIN/END line in Python: reading back our own export, the full parse."""
    blocks = plain_blocks(text)
    if blocks is None:
        return None
    problems = warnings if warnings is not None else []
    out = []
    for block in blocks:
        checked = _checked_timezone(block, origin, problems) if block.name == "VTIMEZONE" else block
        if checked is not None:
            out.append(checked)
    return _plain_header(text), out


def plain_blocks(text: bytes) -> list[Block] | None:
    """Every top-level component of `normalized` text of the plain shape (None for any other):
    split_text's blocks before its VTIMEZONE check, without visiting the sub-components."""
    if not _PLAIN_SHAPE.fullmatch(b"".join(_BOUNDARY.findall(text))):
        return None
    out = []
    for match in re.finditer(rb"\nBEGIN:(" + _TOP + rb")\n", text):
        name = match.group(1)
        end = text.find(b"\nEND:" + name + b"\n", match.start())
        out.append(Block(name.decode("ascii"), text[match.start() + 1 : end + 5 + len(name)]))
    return out


def _plain_header(text: bytes) -> list[bytes]:
    """Calendar-level lines, as split_text collects them: the non-blank lines between BEGIN:VCALENDAR
    and the first component, between components, and before END:VCALENDAR."""
    first = _BOUNDARY.search(text)  # BEGIN:VCALENDAR (the shape says so)
    gaps = [first.end() if first else len(text)]
    gaps.extend(match.end() for match in _GAP.finditer(text))
    header: list[bytes] = []
    for pos in gaps:
        following = _BOUNDARY.search(text, pos)
        at = following.start() + 1 if following else len(text)
        if at > pos + 1:
            header.extend(ln for ln in text[pos:at].split(b"\n") if ln.strip())
    return header


def _plain_select(text: bytes, keywords: Iterable[str], origin: str, warnings: list[str]) -> list[Block]:
    words, fast, escaped = keyword_sets(keywords)
    lowered = text.lower()
    lines = _TEXT_LINES.findall(lowered)  # each with its LF in front
    where = [match.start() for match in _TEXT_LINES.finditer(lowered)]  # each line's LF in text
    joined = b"".join(lines)
    offsets = [0, *accumulate(map(len, lines))]
    hit_lines: set[int] = set()
    for word in fast:
        at = joined.find(word)
        while at >= 0:
            k = bisect_right(offsets, at) - 1
            hit_lines.add(k)
            at = joined.find(word, offsets[k + 1])
    # as select_blocks: lines with non-ASCII bytes (or every line, for a keyword TEXT escaping
    # could hide) are decoded and matched raw, unescaped and without backslashes
    seen: dict[bytes, bool] = {}  # a calendar repeats its titles: each distinct line read once
    for match in (_TEXT_LINE if escaped else _NON_ASCII_TEXT_LINE).finditer(joined):
        k = bisect_right(offsets, match.start()) - 1
        if k not in hit_lines:
            pos = where[k] + 1
            end = text.find(b"\n", pos)
            line = text[pos : end if end >= 0 else None]
            matches = seen.get(line)
            if matches is None:
                matches = seen[line] = _text_line_matches(line, words)
            if matches:
                hit_lines.add(k)

    spans: dict[int, int] = {}  # a chosen VEVENT's start (its LF) -> its end

    def enclosing(pos: int) -> int | None:
        """The start of the VEVENT the line at `pos` (its LF) is in, or None."""
        start = text.rfind(b"\nBEGIN:VEVENT\n", 0, pos + 1)
        if start < 0:
            return None
        end = spans.get(start)
        if end is None:
            end = text.find(b"\nEND:VEVENT\n", start) + 11
        if pos >= end:  # after its END line (the LF that ends it starts the next line)
            return None
        spans[start] = end
        return start

    def block(start: int) -> Block:
        return Block("VEVENT", text[start + 1 : spans[start]])

    chosen: dict[int, Block] = {}
    for k in hit_lines:
        start = enclosing(where[k])
        if start is not None and start not in chosen:
            chosen[start] = block(start)
    keys = {_own_uid(b) for b in chosen.values()}
    wanted = {k for k in keys if k is not None}
    if wanted:
        # a superset first (a line with parameters always passes), then the exact key
        found = [(m.start(), g) for m in _UID_LINE.finditer(text)
                 if (g := m.group(1))[:1] == b";" or g[1:].strip() in wanted]
        for pos, raw in found:
            if _uid_key(raw) not in wanted:
                continue
            start = enclosing(pos)
            if start is not None and start not in chosen:
                candidate = block(start)
                if _own_uid(candidate) in wanted:
                    chosen[start] = candidate
    for match in _TIMEZONE.finditer(text):
        start = match.start()
        zone = _checked_timezone(
            Block("VTIMEZONE", text[start + 1 : text.find(b"\nEND:VTIMEZONE\n", start) + 14]), origin, warnings
        )
        if zone is not None:
            chosen[start] = zone
    return [chosen[start] for start in sorted(chosen)]


def _uid_key(raw: bytes) -> bytes:
    return raw[1:].strip() if raw[:1] == b":" else (_value_of(raw) or b"").strip()
