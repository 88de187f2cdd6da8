"""The company a mail address names (followup-rules.md "Hints": domains): a domain becomes its
registrable name (public-suffix list bundled with tldextract, never fetched), title-cased; a
scheduling tool's, a mail provider's or a robot's address is never the company. Pure."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import lru_cache
from typing import TYPE_CHECKING

from followcal.core.hints import _email
from followcal.core.known_domains import PUBLIC_DOMAINS, PUBLIC_LABELS, SCHEDULING_DOMAINS
from followcal.core.model import Person

if TYPE_CHECKING:  # imported lazily at run time (its suffix list takes a while)
    import tldextract

_RESERVED_TLDS = {"example", "test", "invalid", "localhost", "local", "internal", "lan"}


@lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    import tldextract

    # the snapshot bundled with the package: no download, no cache files
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _domain(email: str | None) -> str | None:
    address = _email(email)
    if not address or address.count("@") != 1:
        return None
    domain = address.split("@")[1].strip(".")
    if not re.fullmatch(r"[a-z0-9-]+(\.[a-z0-9-]+)+", domain):
        return None
    return domain


# Google, Microsoft, Zoom and LinkedIn employ people too: only their robots are services
_ROBOT = re.compile(r"^(?:no-?reply|do-?not-?reply|calendar-notification|notifications?|"
                    r"[\w.-]*noreply[\w.-]*|invitations?|meetings?)@(?:[\w-]+\.)*"
                    r"(?:google\.com|microsoft\.com|zoom\.us|linkedin\.com|outlook\.com|teams\.com)$")


@lru_cache(maxsize=4096)  # pure; the same few addresses recur in every invite
def is_service_address(email: str | None) -> bool:
    """A scheduling tool's, mail provider's or calendar robot's address: never the company, never
    an interviewer."""
    address = _email(email) or ""
    domain = _domain(address)
    return bool(_ROBOT.match(address)) or (domain is not None and is_service_domain(domain))


def is_service_domain(domain: str) -> bool:
    """A public mail provider's or a scheduling tool's domain (or a subdomain of one)."""
    labels = domain.split(".")
    return labels[0] in PUBLIC_LABELS or any(
        ".".join(labels[i:]) in PUBLIC_DOMAINS | SCHEDULING_DOMAINS for i in range(len(labels))
    )


@lru_cache(maxsize=4096)  # pure; tldextract is the costly part
def registrable_label(domain: str) -> str | None:
    """"talent.weyland-yutani.co.uk" -> "weyland-yutani"; reserved TLDs (.example) count as
    suffixes so test domains work too."""
    labels = domain.split(".")
    if labels[-1] in _RESERVED_TLDS:
        return labels[-2] if len(labels) >= 2 else None
    found = _extractor()(domain)
    if not found.suffix or not found.domain:
        return None
    return found.domain


def registrable_domain(host: str) -> str | None:
    """"p01.dav.fastmail.com" -> "fastmail.com" (the public suffix list bundled with tldextract;
    no network); None for an IP address or a bare suffix."""
    found = _extractor()(host.strip(".").lower())
    return f"{found.domain}.{found.suffix}" if found.domain and found.suffix else None


def name_from_domain(domain: str, mentions: str = "", display_names: Iterable[str] = ()) -> str:
    """The registrable label as a company name: the spelling used in `mentions` (SUMMARY and
    DESCRIPTION) or by a participant's display name when one matches, else title-cased."""
    label = registrable_label(domain) or domain
    compact = label.replace("-", "").casefold()
    for name in display_names:
        words = re.sub(r"\s+(?:talent(?:\s+acquisition)?|recruiting|recruitment|careers?|jobs|"
                       r"hr|people|team|karriere|recrutement|selección|seleccion|talento|werving|"
                       r"selezione)\b.*$", "", name, flags=re.I).strip()
        if words and re.sub(r"[\s\-.]", "", words).casefold() == compact:
            return words
    if m := re.search(rf"(?<![A-Za-z0-9]){re.escape(label)}(?![A-Za-z0-9])", mentions, re.I):
        if m.group(0) != m.group(0).lower() or m.group(0) != label:
            return m.group(0)
    return "-".join(p[:1].upper() + p[1:] for p in label.split("-"))


def company_from_email(email: str | None) -> str | None:
    """The company a mail address stands for ("talent@weyland-yutani.com" -> "Weyland-Yutani"),
    None for mail providers and scheduling services, which say nothing about the employer."""
    domain = _domain(email)
    if domain is None or is_service_address(email):
        return None
    label = registrable_label(domain)
    return name_from_domain(domain) if label else None


def company_from_people(people: Iterable[Person], mine: set[str | None], mentions: str = "") -> str | None:
    """The most common employer domain among the participants other than the user (the
    organizer first on a tie), as a name."""
    counts: Counter[str] = Counter()
    order: dict[str, int] = {}
    names: dict[str, list[str]] = {}
    for i, p in enumerate(people):
        email = _email(p.email)
        domain = _domain(email)
        if email in mine or domain is None or is_service_address(email) or not registrable_label(domain):
            continue
        key = registrable_label(domain) or domain
        counts[key] += 1
        order.setdefault(key, i)
        names.setdefault(key, []).append(p.name or "")
        names[key].append(domain)
    if not counts:
        return None
    best = max(counts, key=lambda k: (counts[k], -order[k]))
    domain = next(n for n in names[best] if "." in n and "@" not in n and " " not in n)
    return name_from_domain(domain, mentions, [n for n in names[best] if n])
