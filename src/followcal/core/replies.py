"""Which mail is a reply from the employer (DESIGN.md "Replies from the mailbox"). Pure.

A message counts for a process when it comes from one of its interviewers, from an address at
the company's registrable domain (role mailboxes such as talent@ included), or from a scheduling
tool whose display name or Reply-To names the company; and when it is dated after the latest
interview ended and no later than the process's cut-off day. The user's own mail never counts.
Each match carries the reason, so `followcal replies` and `-v` can say why.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from followcal.core.known_domains import PUBLIC_DOMAINS as _PROVIDERS, SCHEDULING_DOMAINS as _TOOLS
from followcal.core.model import Interview, Outcome, OutcomeRecord

if TYPE_CHECKING:  # imported lazily at run time (its suffix list takes a while)
    import tldextract

# Applicant-tracking and scheduling services send on the employer's behalf, so their own domain
# says nothing about the company; the display name or Reply-To has to name it (known_domains.py).
SCHEDULING_DOMAINS = frozenset(_TOOLS)
# Public mail providers: an interviewer writing from gmail.com is matched by address only; here
# google.com too (calendar.google.com resources and Google's own notifications).
PUBLIC_DOMAINS = frozenset(_PROVIDERS | {"google.com"})
_LEGAL = re.compile(
    r"[\s,]+(inc|inc\.|corp|corp\.|corporation|co|co\.|company|llc|l\.l\.c\.|ltd|ltd\.|limited|gmbh|ag|se|"
    r"sa|s\.a\.|sas|bv|b\.v\.|nv|plc|pty|oy|ab|as|kg|srl|spa|s\.p\.a\.|group|holdings)$",
    re.IGNORECASE,
)
LOOKBACK_DAYS = 120  # a process whose cut-off is older than this is no longer watched


@dataclass(frozen=True)
class Address:
    name: str | None
    email: str  # lower case

    def label(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


@dataclass(frozen=True)
class MailMessage:
    """The headers of one message (never the body), as the IMAP backend read them."""

    message_id: str
    sender: Address | None
    reply_to: tuple[Address, ...]
    date: datetime | None  # aware
    subject: str
    account: str = ""
    folder: str = ""


@dataclass(frozen=True)
class Watch:
    """What one process waits for: mail from these people or domains within [after, until)."""

    interview_id: str  # the latest interview of the process
    company: str
    role: str | None
    timezone: str
    after: datetime
    until: datetime
    addresses: frozenset[str]
    domains: frozenset[str]


@dataclass(frozen=True)
class MailReply:
    """A reply found in the mailbox, as the state store keeps it (headers only)."""

    interview_id: str
    company: str
    message_id: str
    sender: str
    subject: str
    sent: datetime
    on: date  # the message date in the interview's zone
    reason: str
    account: str = ""
    folder: str = ""

    def record(self) -> OutcomeRecord:
        return OutcomeRecord(Outcome.REPLIED, self.on, note=f"mail: {self.subject}", source="mail")


@functools.lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    """tldextract with its bundled Public Suffix List snapshot: no download, no cache file."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


@functools.lru_cache(maxsize=4096)
def registrable_domain(host: str) -> str | None:
    """`mail.eu.acme.co.uk` -> `acme.co.uk` (None for `localhost` or a bare suffix)."""
    parts = _extractor()(host.strip(".").lower())
    if not parts.domain or not parts.suffix:
        return None
    return f"{parts.domain}.{parts.suffix}"


def _domain_of(email: str) -> str | None:
    return registrable_domain(email.rsplit("@", 1)[1]) if "@" in email else None


def company_domains(interview: Interview) -> frozenset[str]:
    """Registrable domains of the interviewers' addresses, less public providers and tools."""
    found = set()
    for person in interview.interviewers:
        domain = _domain_of((person.email or "").lower())
        if domain and domain not in PUBLIC_DOMAINS and domain not in SCHEDULING_DOMAINS:
            found.add(domain)
    return frozenset(found)


def watch_for(interview: Interview, cut_off: date, earlier: Sequence[Interview] = ()) -> Watch:
    """A Watch for a process whose latest interview is `interview`, ending on its cut-off day."""
    zone = ZoneInfo(interview.timezone)
    people = {p.email.lower() for i in (*earlier, interview) for p in i.interviewers if p.email}
    domains = frozenset().union(*(company_domains(i) for i in (*earlier, interview)))
    return Watch(interview.id, interview.company, interview.role, interview.timezone, interview.end,
                 datetime.combine(cut_off + timedelta(days=1), time(0), zone), frozenset(people), domains)


def watchable(watch: Watch, now: datetime) -> bool:
    """An interview that has ended and a cut-off that is not long past."""
    return watch.after <= now and watch.until >= now - timedelta(days=LOOKBACK_DAYS)


def search_terms(watches: Iterable[Watch]) -> list[str]:
    """What to ask the server for (IMAP FROM is a substring match, so a domain finds its
    addresses): each interviewer, each company domain, each scheduling tool. Sorted, so every
    run sends the same SEARCH."""
    terms: set[str] = set()
    for watch in watches:
        terms |= watch.domains
        terms |= {a for a in watch.addresses if _domain_of(a) not in watch.domains}
    terms |= SCHEDULING_DOMAINS
    return sorted(t for t in terms if t.isascii() and '"' not in t and "\\" not in t)


def company_core(company: str) -> str:
    """`Acme Corp.` -> `acme`: the part of a company name a sender's display name repeats."""
    name = company.strip().casefold()
    while True:
        shorter = _LEGAL.sub("", name).strip(" ,.")
        if shorter == name or not shorter:
            return name
        name = shorter


def _names(text: str | None, company: str) -> bool:
    core = company_core(company)
    if not text or len(core) < 3:
        return False
    return re.search(rf"(?<![\w]){re.escape(core)}(?![\w])", text.casefold()) is not None


def _is_tool(email: str) -> str | None:
    host = email.rsplit("@", 1)[-1]
    labels = host.split(".")
    for i in range(len(labels) - 1):
        if ".".join(labels[i:]) in SCHEDULING_DOMAINS:
            return ".".join(labels[i:])
    return None


def why(message: MailMessage, watch: Watch) -> str | None:
    """The reason `message` is from this process's employer, or None."""
    sender = message.sender
    if sender is None:
        return None
    if sender.email in watch.addresses:
        return f"from an interviewer ({sender.email})"
    domain = _domain_of(sender.email)
    if domain and domain in watch.domains:
        return f"from the company's domain {domain} ({sender.email})"
    tool = _is_tool(sender.email)
    if tool is None:
        return None
    if _names(sender.name, watch.company):
        return f"from {tool} (a scheduling tool) with the display name {sender.name!r}, naming {watch.company}"
    for reply_to in message.reply_to:
        rdomain = _domain_of(reply_to.email)
        if reply_to.email in watch.addresses or (rdomain and rdomain in watch.domains):
            return f"from {tool} (a scheduling tool) with Reply-To {reply_to.email} at the company"
        if _names(reply_to.name, watch.company) or (rdomain and _names(rdomain.split(".")[0], watch.company)):
            return f"from {tool} (a scheduling tool) with Reply-To {reply_to.label()}, naming {watch.company}"
    return None


@dataclass(frozen=True)
class Verdict:
    """What one message meant for one process (shown with -v)."""

    message: MailMessage
    watch: Watch | None
    reply: MailReply | None
    note: str


def match(
    messages: Iterable[MailMessage], watches: Sequence[Watch], me: Iterable[str]
) -> tuple[dict[str, MailReply], list[Verdict]]:
    """The earliest reply of each watched process, and a verdict for every message."""
    mine = {m.casefold() for m in me}
    found: dict[str, MailReply] = {}
    verdicts: list[Verdict] = []
    ordered = sorted(messages, key=lambda m: (m.date or datetime.max.replace(tzinfo=ZoneInfo("UTC")), m.message_id))
    for message in ordered:
        if message.sender is None or message.sender.email in mine:
            verdicts.append(Verdict(message, None, None, "ignored: sent by you" if message.sender else "ignored: no sender"))
            continue
        if message.date is None:
            verdicts.append(Verdict(message, None, None, "ignored: no Date header"))
            continue
        matched = False
        for watch in watches:
            reason = why(message, watch)
            if reason is None:
                continue
            matched = True
            if message.date <= watch.after:
                verdicts.append(Verdict(message, watch, None, f"ignored for {watch.company}: dated before the interview ended"))
            elif message.date >= watch.until:
                verdicts.append(Verdict(message, watch, None, f"ignored for {watch.company}: dated after the cut-off"))
            elif watch.interview_id in found:
                verdicts.append(Verdict(message, watch, None, f"a later reply from {watch.company}; the first one counts"))
            else:
                reply = MailReply(
                    watch.interview_id, watch.company, message.message_id, message.sender.label(),
                    message.subject, message.date, message.date.astimezone(ZoneInfo(watch.timezone)).date(),
                    reason, message.account, message.folder,
                )
                found[watch.interview_id] = reply
                verdicts.append(Verdict(message, watch, reply, f"reply from {watch.company}: {reason}"))
        if not matched:
            verdicts.append(Verdict(message, None, None, "ignored: not from any watched employer"))
    return found, verdicts


def merge(
    marks: Mapping[str, OutcomeRecord], groups: Iterable[Sequence[str]], replies: Mapping[str, MailReply]
) -> dict[str, OutcomeRecord]:
    """`marks` plus, for each process (its interview ids) without a mark, its mail reply as R7
    `replied`: a `mark` always wins over mail. Each interview keeps the first reply after it, so
    the newest of them is the reply to the latest round."""
    out = dict(marks)
    for ids in groups:
        if any(i in marks for i in ids):
            continue
        found = sorted((replies[i] for i in ids if i in replies), key=lambda r: (r.sent, r.message_id))
        if found:
            out[found[-1].interview_id] = found[-1].record()
    return out
