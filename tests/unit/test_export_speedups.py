"""Issue 17, export as cheap as plan: each shortcut in drafting and writing == the code it
replaced (kept here as the reference), on tables, the shipped templates and arbitrary input."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from followcal.core import languages
from followcal.core.languages import detect_language

# --- languages.detect_language ------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")


def _detect_reference(summary: str, description: str = "") -> str:
    scores = dict.fromkeys(languages._STRONG, 0)
    head = summary.casefold()
    body = description[:4000].casefold()
    for code, words in languages._STRONG.items():
        scores[code] += sum(5 for w in words if w in head) + sum(2 for w in words if w in body)
    for word in _WORD.findall(head + " " + body):
        for code, weak in languages._WEAK.items():
            if word in weak:
                scores[code] += 1
    best = max(("de", "fr", "es"), key=lambda c: scores[c])
    return best if scores[best] >= 4 and scores[best] > scores["en"] else "en"


_MARKERS = sorted({w for ws in languages._STRONG.values() for w in ws}
                  | {w for ws in languages._WEAK.values() for w in ws})
_LANG_TEXT = st.lists(st.one_of(st.sampled_from(_MARKERS), st.sampled_from([" ", ", ", "-", "1", "_", "\n", "É", "ß"]),
                                st.text(max_size=6)), max_size=30).map("".join)

LANG_TABLE = [
    ("Vorstellungsgespräch bei Acme", "Wir freuen uns auf das Gespräch mit Ihnen"),
    ("Entretien - Acme", "Nous avons le plaisir de vous inviter pour le poste"),
    ("Entrevista con Acme", "Gracias por su candidatura para el puesto"),
    ("Interview with Acme", "Looking forward to it"),
    ("Gespräch", ""), ("", ""), ("la le les", "et et"), ("ÉTÉ und der die", "das mit"),
    ("Interview", "und der die das mit sie ihre ihr bitte wir für uns zum bei"),
    ("x" * 10, "und " * 2000), ("résumé", "entretien" * 500 + " la"),
]


def test_detect_language_table() -> None:
    for summary, description in LANG_TABLE:
        assert detect_language(summary, description) == _detect_reference(summary, description)


@settings(max_examples=400, deadline=None)
@given(_LANG_TEXT, _LANG_TEXT)
def test_detect_language_equals_reference(summary: str, description: str) -> None:
    assert detect_language(summary, description) == _detect_reference(summary, description)


# --- drafts._render (one format_map) == fill.render_lines (line by line) ---------------------

from followcal.core import drafts, fill  # noqa: E402

_NAMES = ["company", "role", "x", "_y", "setup_hint", "missing"]
_TEMPLATE_LINE = st.lists(st.one_of(
    st.sampled_from(["$company", "${role}", "$x", "$_y", "$setup_hint", "$missing", "$$", "$", "${", " ", "  ",
                     "\t", "{", "}", "{x}", "Dear", ",", "\u00a0", "é"]),
    st.text(alphabet=" a{}$\t", max_size=3)), max_size=6).map("".join)
_TEMPLATE = st.lists(_TEMPLATE_LINE, max_size=10).map("\n".join)
_VALUE = st.one_of(st.sampled_from(["", " ", "  ", "x", "x ", " x", "{}", "{0}", "a\nb", "\n", "$x", "\u00a0", "é\t"]),
                   st.text(max_size=4))


@settings(max_examples=600, deadline=None)
@given(_TEMPLATE, st.dictionaries(st.sampled_from(_NAMES[:-1]), _VALUE))
def test_render_equals_line_by_line(text: str, values: dict[str, str]) -> None:
    assert fill.render(text, values) == fill.render_lines(text, values)


def test_render_on_shipped_templates() -> None:
    """Every shipped template section, with values empty, blank, trailing-blank and plain."""
    from importlib import resources

    root = resources.files("followcal") / "templates"
    texts = [item.read_text(encoding="utf-8") for entry in [root, *(e for e in root.iterdir() if e.is_dir())]
             for item in entry.iterdir() if item.name.endswith(".txt")]
    assert len(texts) > 20
    for text in texts:
        for section in drafts._sections(text).values():
            for value in ("", " ", "v", "v ", "{v}"):
                values = dict.fromkeys(drafts.PLACEHOLDERS, value)
                for name in drafts.PLACEHOLDERS:  # each one alone empty, the others set
                    one = {**values, name: ""} if value else {**values, name: "v"}
                    assert fill.render(section, one) == fill.render_lines(section, one)
                assert fill.render(section, values) == fill.render_lines(section, values)
                partial = {k: v for i, (k, v) in enumerate(values.items()) if i % 3}
                assert fill.render(section, partial) == fill.render_lines(section, partial)


@settings(max_examples=600, deadline=None)
@given(_TEMPLATE, st.fixed_dictionaries({name: _VALUE for name in _NAMES[:-1]}))
def test_render_with_every_value_set_equals_line_by_line(text: str, values: dict[str, str]) -> None:
    # "$missing" still sends such a template line by line; the others take the format_map
    assert fill.render(text, values) == fill.render_lines(text, values)
