"""Template text filled in (drafts.py's templates, DESIGN.md "Reminder events"). Pure.

`$name` placeholders take their values as string.Template.safe_substitute does (an unknown one
stays as written); every line is right-stripped, a line whose placeholders all expand to nothing
is dropped, and runs of blank lines become one, none at either end. Drafting fills several
sections per reminder, so each line of a template is cut at its placeholders once
(`compile_line`) and filled by a join (`substitute`). (A single `str.format_map` per section was
tried for issue 17 and measured slower on the shipped templates.)"""

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
    """The template `text` filled in, line by line (each line compiled once)."""
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
