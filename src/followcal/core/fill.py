"""Template text filled in (drafts.py's templates, DESIGN.md "Reminder events"). Pure.

`$name` placeholders take their values as string.Template.safe_substitute does (an unknown one
stays as written); every line is right-stripped, a line whose placeholders all expand to nothing
is dropped, and runs of blank lines become one, none at either end. Drafting fills several
sections per reminder, so a template is compiled once: each line cut at the placeholders
(`compile_line`), and each section turned into a `str.format_map` string per pattern of the lines
that its values keep or drop (`render`); `render_lines` is the line-by-line reference."""

from __future__ import annotations

from functools import lru_cache
from string import Template

# one template line, compiled: (literal before, placeholder name, placeholder as written) pieces
# and the literal tail; `_substitute` of it is Template(line).safe_substitute(values)
_Compiled = tuple[tuple[tuple[str, str, str], ...], str]


@lru_cache(maxsize=256)
def _template_lines(text: str) -> tuple[tuple[str, _Compiled | None], ...]:
    """A template's lines, each compiled once (drafting runs per reminder, hundreds of times);
    None for a line without "$", which substitution leaves as it is (then the line as written,
    trailing blanks stripped)."""
    return tuple((line.rstrip(), None) if "$" not in line else (line, compile_line(line)) for line in text.split("\n"))


def compile_line(line: str) -> _Compiled:
    """`line` cut at string.Template's own placeholder pattern, once, so that substituting it
    is a join (Template.safe_substitute runs a regex with a Python callback on every call)."""
    pieces: list[tuple[str, str, str]] = []
    literal: list[str] = []
    pos = 0
    for match in Template.pattern.finditer(line):
        literal.append(line[pos : match.start()])
        name = match.group("named") or match.group("braced")
        if name is not None:
            pieces.append(("".join(literal), name, match.group()))
            literal = []
        elif match.group("escaped") is not None:
            literal.append("$")
        else:  # an invalid placeholder: safe_substitute leaves it as written
            literal.append(match.group())
        pos = match.end()
    literal.append(line[pos:])
    return tuple(pieces), "".join(literal)


def substitute(compiled: _Compiled, values: dict[str, str]) -> str:
    """Template(line).safe_substitute(values) of the line `compile_line` made `compiled` of."""
    pieces, tail = compiled
    out: list[str] = []
    for literal, name, written in pieces:
        out.append(literal)
        out.append(values.get(name, written))
    out.append(tail)
    return "".join(out)


def render(text: str, values: dict[str, str]) -> str:
    """`render_lines(text, values)` by one `str.format_map` where that is certain to be the same:
    each line that ends in a placeholder (whose value decides whether the line is dropped or
    right-stripped) is either kept as it is or dropped, by its values; else line by line."""
    checks, _ = _render_plan(text)
    kept: list[bool] = []
    for name, written, lead_blank, fields in checks:
        value = values.get(name, written)
        if value and not value[-1].isspace():
            kept.append(True)  # the line ends in this value: nothing to strip, not empty
        elif lead_blank and not any(values.get(n, w).strip() for n, w in fields):
            kept.append(False)  # all blank: the line is dropped
        else:
            return render_lines(text, values)
    try:
        return _render_format(text, tuple(kept)).format_map(values)
    except KeyError:  # a placeholder without a value stays as written: line by line
        return render_lines(text, values)


# per line ending in a placeholder: (its name, as written, whether all literal text of the line is
# blank, every (name, as written) of the line); and per line, a format piece or None (ends in one)
_Check = tuple[str, str, bool, tuple[tuple[str, str], ...]]


@lru_cache(maxsize=256)
def _render_plan(text: str) -> tuple[tuple[_Check, ...], tuple[str | None, ...]]:
    checks: list[_Check] = []
    pieces: list[str | None] = []
    for line, compiled in _template_lines(text):
        if compiled is None:
            pieces.append(_braces(line))
            continue
        parts, tail = compiled
        fmt = "".join(_braces(literal) + "{" + name + "}" for literal, name, _ in parts)
        if tail.strip():  # right-stripping ends in the tail: always kept
            pieces.append(fmt + _braces(tail.rstrip()))
            continue
        if not parts:  # no placeholder and blank: always dropped (a "$" is not blank, though)
            continue
        lead_blank = not "".join(literal for literal, _, _ in parts).strip()
        checks.append((parts[-1][1], parts[-1][2], lead_blank, tuple((n, w) for _, n, w in parts)))
        pieces.append(None)
        pieces.append(fmt)  # None marks the next piece as one that depends on its values
    return tuple(checks), tuple(pieces)


def _braces(text: str) -> str:
    return text.replace("{", "{{").replace("}", "}}")


@lru_cache(maxsize=512)
def _render_format(text: str, kept: tuple[bool, ...]) -> str:
    """The format string of `text` when its value-dependent lines are kept or dropped as `kept`
    says: the other lines as `render_lines` leaves them, blank runs made one, none at the ends."""
    _, pieces = _render_plan(text)
    flags = iter(kept)
    tidy: list[str] = []
    marked = False
    for piece in pieces:
        if piece is None:
            marked = True
            continue
        if marked:
            marked = False
            if not next(flags):
                continue
        if piece or (tidy and tidy[-1]):
            tidy.append(piece)
    if tidy and not tidy[-1]:
        tidy.pop()
    return "\n".join(tidy)


def render_lines(text: str, values: dict[str, str]) -> str:
    """The template `text` filled in line by line (the reference `render` short-cuts)."""
    # every line is right-stripped, so a blank line is "": runs of them become one, none at
    # either end
    tidy: list[str] = []
    for line, compiled in _template_lines(text):
        if compiled is not None:
            out = substitute(compiled, values).rstrip()
            if not out and line.strip():
                continue  # a line of placeholders that all expanded to nothing
            line = out
        if line or (tidy and tidy[-1]):
            tidy.append(line)
    if tidy and not tidy[-1]:
        tidy.pop()
    return "\n".join(tidy)
