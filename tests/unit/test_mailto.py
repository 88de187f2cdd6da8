"""mailto.py: RFC 6068 links that decode (with the standard library) to the draft they open."""

from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from hypothesis import given, settings, strategies as st

from followcal.core import mailto
from followcal.core.mailto import MAX_LENGTH, first_link, link


def decode(uri: str) -> tuple[str, str, str]:
    """(address, subject, body) as a mail app reads them; body line breaks back to "\\n"."""
    parts = urlsplit(uri)
    assert parts.scheme == "mailto"
    query = parse_qs(parts.query, keep_blank_values=True, strict_parsing=bool(parts.query))
    assert all(len(v) == 1 for v in query.values())
    body = query.get("body", [""])[0]
    assert "\n" not in body.replace("\r\n", "")  # every break is CRLF
    return unquote(parts.path), query.get("subject", [""])[0], body.replace("\r\n", "\n")


def test_encoding_is_rfc_6068():
    uri = link("jürgen.weiss@nordwind.example", "Danke & bis bald? 100% #1 a+b",
               "Guten Tag,\n\nviele Grüße\nAlex")
    assert uri == ("mailto:j%C3%BCrgen.weiss@nordwind.example?subject=Danke%20%26%20bis%20bald%3F"
                   "%20100%25%20%231%20a%2Bb&body=Guten%20Tag,%0D%0A%0D%0Aviele%20Gr%C3%BC%C3%9Fe"
                   "%0D%0AAlex")
    assert " " not in uri and "+" not in uri.split("?", 1)[1]
    assert decode(uri) == ("jürgen.weiss@nordwind.example", "Danke & bis bald? 100% #1 a+b",
                           "Guten Tag,\n\nviele Grüße\nAlex")


def test_long_body_is_trimmed_at_a_paragraph():
    body = "\n\n".join(f"Paragraph {i} " + "word " * 40 for i in range(20))
    uri = link("jane@acme.example", "Hello", body)
    assert len(uri) <= MAX_LENGTH
    address, subject, kept = decode(uri)
    assert (address, subject) == ("jane@acme.example", "Hello")
    assert body.startswith(kept) and body[len(kept):].lstrip(" ").startswith("\n\n") and len(kept) > 500


def test_first_link():
    assert first_link("To: x\nOpen: mailto:a@b.example?subject=x&body=y\nmore mailto:c@d") == \
        "mailto:a@b.example?subject=x&body=y"
    assert first_link("no link here") is None


@settings(max_examples=300, deadline=None)
@given(local=st.text(st.characters(codec="utf-8", categories=["L", "N"]), min_size=1, max_size=20),
       subject=st.text(st.characters(codec="utf-8", exclude_categories=["Cs", "Cc"]), max_size=120),
       body=st.text(st.characters(codec="utf-8", exclude_categories=["Cs"], exclude_characters="\r"), max_size=3000),
       limit=st.integers(300, 2000))
def test_every_link_decodes_and_fits(local, subject, body, limit):
    address = f"{local}@example.com"
    uri = link(address, subject, body, max_length=limit)
    assert len(uri) <= limit
    got_address, got_subject, got_body = decode(uri)
    assert got_address == address and subject.startswith(got_subject)
    expected = body.strip() if got_subject == subject else ""
    assert (expected or body.strip()).startswith(got_body)
    # nothing is cut from a link that fits whole (a cut at a word may leave far less than the
    # limit, so how short the link is says nothing)
    whole = link(address, subject, body, max_length=10**9)
    if len(whole) <= limit:
        assert uri == whole and (got_subject, got_body) == (subject, body.strip())


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ09 \r\n\t%&?#/=+,;:@!$'()*-._~\"<>\\^`{|}\x00\x7f")), max_size=40),
       st.sampled_from(["!$'()*,;:@", "!$'*+-.^_`{|}~@", "", " ", "\n%"]))
def test_ascii_quote_is_urllib_quote(text: str, safe: str) -> None:
    """The ASCII shortcuts of mailto._quote (three replaces, or a table) == urllib's quote."""
    from urllib.parse import quote

    assert mailto._quote(text, safe) == quote(text, safe=safe, encoding="utf-8")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \r\n\t%&é")), max_size=60))
def test_body_line_breaks_as_before(body: str) -> None:
    """link's CRLF normalisation (replaces only where needed) == the split/join it replaced."""
    before = "\r\n".join(body.replace("\r\n", "\n").replace("\r", "\n").split("\n")).strip()
    expected = f"mailto:a@b.example?subject=s&body={mailto._encode(before)}" if before else "mailto:a@b.example?subject=s"
    assert link("a@b.example", "s", body) == expected
