"""Glue for "Replies from the mailbox": which processes wait for a reply, ask the IMAP accounts
of [replies], record what was found, and hand the planner the outcomes (marks win).

plan, export, sync, serve and status call `planning_marks`; `followcal replies` calls
`look_for_replies` (check_mail after reading the sources) and the CLI prints its report. The
matching itself is pure (replies.py); the mailbox is read by backends/imap.py only. A mailbox
that fails is one warning: the follow-ups then stay planned.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from followcal.core.model import Interview, OutcomeRecord, SourceEvent, Window
from followcal.core.replies import MailReply, Verdict, Watch, match, merge, search_terms, watch_for, watchable
from followcal.core.rules import Process, cut_off_date, processes
from followcal.errors import FollowcalError

if TYPE_CHECKING:
    from datetime import date, datetime

    from followcal.app.pipeline import Context
    from followcal.config import Settings

log = logging.getLogger(__name__)


@dataclass
class MailCheck:
    """What one look at the mailbox found, and the outcomes the planner should use."""

    marks: dict[str, OutcomeRecord]
    processes: list[Process]
    watches: list[Watch] = field(default_factory=list)
    found: dict[str, MailReply] = field(default_factory=dict)  # new this run
    stored: dict[str, MailReply] = field(default_factory=dict)  # recorded by earlier runs
    verdicts: list[Verdict] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    since: date | None = None  # the SEARCH SINCE date sent to the server


def _interviews(events: Sequence[SourceEvent], ctx: Context) -> list[Interview]:
    from followcal.core.detect import detect
    from followcal.core.workdays import check_region

    if ctx.settings.region:  # as plan_events does: no default region is not an error
        check_region(ctx.settings.region)
    interviews, _warnings = detect(events, ctx.settings, ctx.default_tz, check_region)  # plan_events reports them
    return list({i.id: i for i in interviews}.values())


def my_addresses(settings: Settings) -> set[str]:
    """`me`, plus the login of every mail account that is an address."""
    mine = {m.casefold() for m in settings.me}
    for account in settings.accounts.values():
        if account.type == "imap" and account.username and "@" in account.username:
            mine.add(account.username.casefold())
    return mine


def check_mail(
    events: Sequence[SourceEvent], ctx: Context, marks: Mapping[str, OutcomeRecord], *, record: bool = True
) -> MailCheck:
    """Look for replies to every process that waits for one; record them unless `record` is False."""
    from followcal.backends.imap import Deadline, read_headers
    from followcal.core.planner import calendar_for
    settings = ctx.settings
    lookup = calendar_for(settings)
    procs = processes(_interviews(events, ctx), settings.rules, lookup)
    store = ctx.store.existing()  # replies recorded by earlier runs; none when there is no store yet
    check = MailCheck(dict(marks), procs, stored=store.mail_replies() if store is not None else {})
    for process in procs:
        latest = process.latest
        if any(i.id in marks or i.outcome is not None for i in process.interviews) or latest.id in check.stored:
            continue  # a mark (or an Outcome: hint) says it already; or the reply is on record
        watch = watch_for(latest, cut_off_date(latest, settings.rules, lookup(latest.region)), process.interviews[:-1])
        if watchable(watch, ctx.now):
            check.watches.append(watch)
    if check.watches and settings.replies is not None:
        check.since = min(w.after for w in check.watches).date() - timedelta(days=1)
        senders = search_terms(check.watches)
        deadline = Deadline(settings.replies.max_seconds, per_call=30.0)  # every account together
        messages = []
        for name in settings.replies.accounts:
            config = settings.account(name)
            try:
                found, problems = read_headers(config, settings, check.since, senders, deadline.calls_of(config.timeout))
                messages.extend(found)
                check.warnings.extend(problems)
            except FollowcalError as exc:
                check.warnings.append(f"{exc}; follow-ups stay as planned")
            except Exception as exc:  # noqa: BLE001  a library surprise must not fail the run
                check.warnings.append(f"mail account {name!r}: {type(exc).__name__}: {exc}; follow-ups stay as planned")
        check.found, check.verdicts = match(messages, check.watches, my_addresses(settings))
        for verdict in check.verdicts:
            m = verdict.message
            log.info("mail %s from %s (%s): %s", m.message_id, m.sender.label() if m.sender else "?",
                     m.date.isoformat() if m.date else "no date", verdict.note)
        if record and check.found:
            ctx.store.get().add_mail_replies(check.found.values())
    replies = {**check.stored, **check.found}
    check.marks = merge(marks, [[i.id for i in p.interviews] for p in procs], replies)
    return check


def planning_marks(events: Sequence[SourceEvent], ctx: Context, warnings: list[str],
                   marks: Mapping[str, OutcomeRecord] | None = None, *, record: bool = True) -> Mapping[str, OutcomeRecord]:
    """The outcomes to plan with: `mark`s, plus replies from the mailbox when [replies] is set
    (recorded in the state store unless `record` is False: `sync --dry-run`)."""
    from followcal.app.pipeline import stored_marks

    if marks is None:
        marks = stored_marks(ctx)
    if ctx.settings.replies is None:
        return marks
    check = check_mail(events, ctx, marks, record=record)
    warnings.extend(w for w in check.warnings if w not in warnings)
    return check.marks


def report(check: MailCheck) -> list[dict[str, Any]]:
    """One row per process: the reply on record or found now, or what it waits for."""
    watched = {w.interview_id: w for w in check.watches}
    replies = {**check.stored, **check.found}
    rows = []
    for process in check.processes:
        latest = process.latest
        ids = [i.id for i in process.interviews]
        reply = max((replies[i] for i in ids if i in replies), key=lambda r: (r.sent, r.message_id), default=None)
        marked = next((check.marks[i] for i in ids if i in check.marks and check.marks[i].source != "mail"), None)
        if marked is not None:
            state = f"marked {marked.outcome.value} ({marked.on.isoformat()}): the mark wins"
        elif reply is not None:
            state = "replied (mail)" + (" - found now" if reply.interview_id in check.found else "")
        elif latest.id in watched:
            state = "no reply yet"
        elif latest.outcome is not None:
            state = f"{latest.outcome.outcome.value} (Outcome: in the event)"
        else:
            state = "not watched (interview not over, or cut-off long past)"
        row: dict[str, Any] = {
            "company": process.company, "interview_id": latest.id,
            "last_interview": latest.start.isoformat(), "state": state, "reply": None,
        }
        if latest.id in watched:
            w = watched[latest.id]
            row["watching"] = {"after": w.after.isoformat(), "until": w.until.isoformat(),
                               "cut_off": (w.until - timedelta(days=1)).date().isoformat(),
                               "addresses": sorted(w.addresses), "domains": sorted(w.domains)}
        if reply is not None:
            row["reply"] = {"date": reply.on.isoformat(), "sent": reply.sent.isoformat(), "sender": reply.sender,
                            "subject": reply.subject, "message_id": reply.message_id, "reason": reply.reason,
                            "account": reply.account, "folder": reply.folder}
        rows.append(row)
    return rows


def _look(ctx: Context, reads: Sequence[tuple[str, Window]], dry_run: bool) -> tuple[MailCheck, list[str]]:
    """Read the sources as mark and status do, then look at the mailbox."""
    from followcal.app.pipeline import read_sources, stored_marks

    events, warnings = read_sources(ctx, reads)
    return check_mail(events, ctx, stored_marks(ctx), record=not dry_run), warnings


def look_for_replies(settings: Settings, *, dry_run: bool = False, sources: Sequence[str] = (),
                     now: datetime | None = None) -> tuple[MailCheck, list[str]]:
    """`followcal replies`: what the mailbox says, per process (`report(check)` gives the rows),
    and every warning of reading the sources and the mailbox; the CLI prints them."""
    from followcal.app.outcomes import lookup_reads, lookup_specs
    from followcal.app.pipeline import Context
    from followcal.errors import UsageError

    if settings.replies is None:
        where = settings.path or "the config"
        raise UsageError(f"{where} has no [replies] table: add one with from = [\"ACCOUNT\"] (an imap account)")
    with Context.create(settings, now) as ctx:
        check, warnings = _look(ctx, lookup_reads(ctx, lookup_specs(settings, sources)), dry_run)
    return check, warnings + check.warnings
