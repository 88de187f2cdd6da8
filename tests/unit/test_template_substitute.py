"""drafts.compile_line + substitute (issue 17: drafting's placeholder fill without a regex callback
per call) == string.Template.safe_substitute, on the shipped templates and on arbitrary lines."""

from __future__ import annotations

from importlib import resources
from string import Template

from hypothesis import given, settings, strategies as st

from followcal.core import fill
from followcal.core.drafts import compile_line, substitute

VALUES = {"company": "Acme $1", "name": "", "x": "a\nb", "_y": "${x}", "role": "$$"}
LINES = ["", "plain", "$company", "${company}", "$$company", "$", "$ x", "${", "${9}", "$9", "a$x$_yb",
         "${missing} and $missing", "$company$", "x$$$company", "${ company}", "$ÄÖ", "$compañía"]


def _shipped_lines() -> list[str]:
    out = []
    root = resources.files("followcal") / "templates"
    for entry in [root, *(e for e in root.iterdir() if e.is_dir())]:
        for item in entry.iterdir():
            if item.name.endswith(".txt"):
                out.extend(item.read_text(encoding="utf-8").split("\n"))
    return out


def test_table_and_shipped_templates() -> None:
    lines = LINES + _shipped_lines()
    assert len(lines) > len(LINES) + 20
    names = {"company", "name", "x", "_y", "role"}
    values = {**VALUES, **{n: f"<{n}>" for line in lines for n in _names(line) if n not in names}}
    for line in lines:
        for mapping in (values, VALUES, {}):
            assert substitute(compile_line(line), mapping) == Template(line).safe_substitute(mapping), line


def _render_reference(text: str, values: dict[str, str]) -> str:
    """fill.render's contract (its module docstring), with string.Template itself."""
    tidy: list[str] = []
    for line in text.split("\n"):
        out = Template(line).safe_substitute(values).rstrip()
        if not out and line.strip() and "$" in line:
            continue
        if out or (tidy and tidy[-1]):
            tidy.append(out)
    while tidy and not tidy[-1]:
        tidy.pop()
    return "\n".join(tidy)


def _names(line: str) -> list[str]:
    return [m.group("named") or m.group("braced") for m in Template.pattern.finditer(line)
            if m.group("named") or m.group("braced")]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("$${}ab_9 xÄ\n")), max_size=30),
       st.dictionaries(st.sampled_from(["a", "ab", "b_", "_", "x", "a9"]), st.text(max_size=5)))
def test_arbitrary_lines(line: str, values: dict[str, str]) -> None:
    assert substitute(compile_line(line), values) == Template(line).safe_substitute(values)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("$${}ab_9 x\n\t")), max_size=40),
       st.dictionaries(st.sampled_from(["a", "ab", "b_", "_", "x", "a9"]), st.sampled_from(["", " ", "v", "{0}", "w "])))
def test_render_is_its_contract(text: str, values: dict[str, str]) -> None:
    assert fill.render(text, values) == _render_reference(text, values)


def test_interview_values_memo_changes_no_draft() -> None:
    """drafts reuses the interview's placeholders for its next reminder (same objects): drafting
    interleaved, in any order, with other senders, languages and decision dates gives what a
    fresh draft gives."""
    import itertools
    import random
    from datetime import date

    from test_drafts import make_interview, make_slot

    from followcal.core import drafts

    interviews = [make_interview(), make_interview(company="Beta", role=None, interviewers=())]
    slots = [make_slot("thank-you"), make_slot("follow-up-1"), make_slot("follow-up-2", channel="phone"),
             make_slot("cut-off"), make_slot("gracious-reply")]
    senders = [drafts.Sender(), drafts.Sender(name="Me Myself", phone="+1 555 0100")]
    cases = list(itertools.product(interviews, senders, ("en", "de"), (None, date(2026, 12, 1)), (False, True),
                                   slots))  # the slots innermost: one interview's reminders in a row
    shuffled = list(cases)
    random.Random(5).shuffle(shuffled)

    def one(case: tuple) -> tuple[str, str]:  # type: ignore[type-arg]
        iv, sender, language, decision_by, private, slot = case
        return drafts.draft(slot, iv, decision_by, follow_up_count=2, sender=sender, language=language,
                            private=private)

    in_a_row = [one(case) for case in cases + shuffled]
    fresh = []
    for case in cases + shuffled:
        drafts._LAST.clear()
        fresh.append(one(case))
    assert in_a_row == fresh
