"""ical/write.py's shortcuts (issue 17) == the code they short-cut: TEXT escaping without the
replaces that have nothing to do, and content lines encoded once with only long or non-ASCII
lines folded."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from followcal.ical.write import content_lines, escape_text, fold_bytes

ALPHABET = st.sampled_from(list("aZ ;,\n\r\\N:é€😀^\t"))


def _escape_reference(text: str) -> str:
    return (text.replace("\\N", "\n").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40))
def test_escape_text(text: str) -> None:
    assert escape_text(text) == _escape_reference(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=ALPHABET, max_size=200), max_size=6),
       st.lists(st.integers(60, 90), max_size=3))
def test_content_lines(lines: list[str], widths: list[int]) -> None:
    lines = [*lines, *("x" * w for w in widths), *("é" * (w // 2) for w in widths), *("\\" * w for w in widths),
             *("a^" * w for w in widths), *(("a" * 73 + "\\n") * 3 for w in widths)]
    assert content_lines(lines) == b"".join(fold_bytes(line.encode("utf-8")) + b"\r\n" for line in lines)
