"""`followcal mark` and `followcal status`: outcomes (R7) and where each application stands.

Both read the interviews the same way sync does (the config's [[sync]] and [feeds.*] sources,
each with its own read window, or the --source given), so an id shown by `plan --json` or a
company name resolves to the interview that sync and serve will plan. The selector logic and the
status rows are pure functions; the I/O (sources, state store) stays in the two command
functions at the bottom, and the CLI prints what they return.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from followcal.app.pipeline import Context, configured_reads, read_and_plan
from followcal.config import RangeConfig, Settings
from followcal.core.model import (
    GRACIOUS_REPLY,
    THANK_YOU,
    Interview,
    InterviewPlan,
    Outcome,
    OutcomeRecord,
    PlanResult,
    Slot,
    Timeline,
    Window,
)
from followcal.core.rules import Process, processes, schedule
from followcal.errors import SelectorError, UsageError

VALID_OUTCOMES = tuple(o.value for o in Outcome)
MIN_ID_PREFIX = 6
MAX_CANDIDATES = 12

Warn = Callable[[Iterable[str]], None]


# --- parsing the command line --------------------------------------------------------------------


def parse_outcome(word: str) -> Outcome:
    """An outcome word (any case); anything else is a usage error listing the valid words."""
    try:
        return Outcome(word.strip().casefold())
    except ValueError:
        raise UsageError(f"unknown outcome {word!r}: use one of {', '.join(VALID_OUTCOMES)}") from None


def parse_timeline_option(text: str | None) -> Timeline | None:
    if text is None:
        return None
    from followcal.core.hints import parse_timeline

    try:
        return parse_timeline(text)
    except ValueError as exc:
        raise UsageError(f"--timeline: {exc}") from None


# --- which interviews: the sources of the config, or --source ------------------------------------


def lookup_specs(settings: Settings, sources: Sequence[str]) -> list[tuple[str, RangeConfig | None]]:
    """--source as given (read whole, like `plan`), else every [[sync]] and [feeds.*] source with
    its configured range; each spec once. None at all is a usage error that says what to do."""
    if sources:
        return [(spec, None) for spec in dict.fromkeys(sources)]
    found: dict[str, RangeConfig] = {}
    for entry in settings.syncs:
        for spec in entry.sources:
            found.setdefault(spec, entry.range)
    for feed in settings.feeds.values():
        for spec in feed.sources:
            found.setdefault(spec, feed.range)
    if not found:
        where = settings.path or "the config"
        raise UsageError(
            f"no sources to read interviews from: {where} has no [[sync]] or [feeds.*] entries; "
            "pass --source FILE.ics|URL|ACCOUNT:CALENDAR"
        )
    return list(found.items())


def lookup_reads(ctx: Context, specs: Sequence[tuple[str, RangeConfig | None]]) -> list[tuple[str, Window]]:
    """Each spec with its window, the specs of one window together (in the order windows first
    appear): mark, status and replies read in this order."""
    by_window: dict[Window, list[str]] = {}
    for spec, window in configured_reads(specs, ctx):
        by_window.setdefault(window, []).append(spec)
    return [(spec, window) for window, group in by_window.items() for spec in group]


@dataclass(frozen=True)
class Interviews:
    """What mark and status work on: the plan, and the R6 processes of its interviews."""

    result: PlanResult
    processes: tuple[Process, ...]

    def plan_of(self, interview_id: str) -> InterviewPlan:
        return next(p for p in self.result.interviews if p.interview.id == interview_id)

    def process_of(self, interview_id: str) -> Process:
        return next(p for p in self.processes if any(i.id == interview_id for i in p.interviews))


def read_interviews(
    ctx: Context, specs: Sequence[tuple[str, RangeConfig | None]], marks: Mapping[str, OutcomeRecord],
    *, mail: bool = False,
) -> Interviews:
    """Read every spec in its window (as sync does), plan once with `marks` (with `mail`, for
    status: replies found in the mailbox count too, [replies]; a mark wins)."""
    from followcal.core.planner import calendar_for

    # mark and status show dates and kinds only: no message is drafted
    result = read_and_plan(ctx, lookup_reads(ctx, specs), marks=marks, mail=mail, descriptions=False)
    procs = processes([p.interview for p in result.interviews], ctx.settings.rules, calendar_for(ctx.settings))
    return Interviews(result, tuple(procs))


# --- the selector -------------------------------------------------------------------------------


def _candidate(interview: Interview) -> str:
    return f"{interview.company} ({interview.id}, {interview.start.date().isoformat()})"


def _candidates(interviews: Sequence[Interview]) -> str:
    shown = ", ".join(_candidate(i) for i in interviews[:MAX_CANDIDATES])
    more = len(interviews) - MAX_CANDIDATES
    return shown + (f" and {more} more" if more > 0 else "")


def _latest_of_company(procs: Sequence[Process]) -> Interview:
    return max((p.latest for p in procs), key=lambda i: (i.start, i.id))


def resolve(selector: str, procs: Sequence[Process]) -> Interview:
    """An interview id (or a unique prefix of >= 6 characters), else a company name (any case;
    a unique part of a name also works) -> the latest interview of that company's latest process."""
    text = selector.strip()
    wanted = text.casefold()
    interviews = sorted((i for p in procs for i in p.interviews), key=lambda i: (i.start, i.id))
    if not text:
        raise SelectorError("empty selector: give an interview id from `followcal plan --json` or a company name")
    for interview in interviews:
        if interview.id == wanted:
            return interview
    if len(wanted) >= MIN_ID_PREFIX and re.fullmatch(r"[0-9a-f]+", wanted):
        prefixed = [i for i in interviews if i.id.startswith(wanted)]
        if len(prefixed) == 1:
            return prefixed[0]
        if prefixed:
            raise SelectorError(f"{text!r} is the start of several interview ids: {_candidates(prefixed)}")
    by_company: dict[str, list[Process]] = {}
    for process in procs:
        by_company.setdefault(process.company.casefold(), []).append(process)
    if wanted in by_company:
        return _latest_of_company(by_company[wanted])
    partial = [key for key in by_company if wanted in key]
    if len(partial) == 1:
        return _latest_of_company(by_company[partial[0]])
    if partial:
        latest = sorted((_latest_of_company(by_company[k]) for k in partial), key=lambda i: i.company.casefold())
        raise SelectorError(f"{text!r} matches {len(partial)} companies: {_candidates(latest)}; use an id or the full name")
    if not interviews:
        raise SelectorError(f"no interview matches {text!r}: the sources hold no interviews")
    latest = sorted((_latest_of_company(v) for v in by_company.values()), key=lambda i: i.company.casefold())
    raise SelectorError(f"no interview matches {text!r}; interviews: {_candidates(latest)}")


# --- what a mark changes ------------------------------------------------------------------------


def _chain(slots: Iterable[Slot]) -> list[Slot]:
    return [s for s in slots if s.kind != THANK_YOU]


def _listing(slots: Iterable[Slot]) -> str:
    return ", ".join(f"{s.kind} {s.date.isoformat()}" for s in slots)


def describe_effect(before: Sequence[Slot], after: Sequence[Slot], record: OutcomeRecord) -> str:
    """What the mark does to the latest interview's reminders, in words, from the slots before
    and after it."""
    old = {(s.kind, s.date) for s in before}
    new = {(s.kind, s.date) for s in after}
    gone = [s for s in before if (s.kind, s.date) not in new]
    added = [s for s in after if (s.kind, s.date) not in old]
    parts = []
    restarted = [s for s in added if s.kind != GRACIOUS_REPLY]
    if restarted:
        parts.append(f"follow-ups restart: {_listing(restarted)}")
    elif gone:
        parts.append(f"follow-ups after {record.on.isoformat()} cancelled ({_listing(gone)})")
    parts.extend(f"gracious-reply on {s.date.isoformat()}" for s in added if s.kind == GRACIOUS_REPLY)
    return "; ".join(parts) or "no pending reminders change"


def _effect_slots(process: Process, settings: Settings, marks: Mapping[str, OutcomeRecord]) -> list[Slot]:
    from followcal.core.planner import calendar_for

    scheduled = schedule(process, settings.rules, calendar_for(settings), marks)
    return _chain(scheduled[-1].slots)


def _without_process(marks: Mapping[str, OutcomeRecord], process: Process) -> dict[str, OutcomeRecord]:
    ids = {i.id for i in process.interviews}
    return {k: v for k, v in marks.items() if k not in ids}


# --- the commands -------------------------------------------------------------------------------


def mark_outcome(
    settings: Settings,
    selector: str,
    outcome: str | None,
    *,
    on: date | None = None,
    note: str | None = None,
    decision_by: date | None = None,
    timeline: str | None = None,
    clear: bool = False,
    sources: Sequence[str] = (),
    warn: Warn | None = None,
    now: datetime | None = None,
    details: dict[str, Any] | None = None,
) -> str:
    """Record (or with `clear`, forget) the outcome of an application; returns the one line to print.

    A new mark replaces any earlier mark of the same process (one outcome per application), so
    the latest `mark` is what counts, whatever dates the earlier ones carried. `details`, when
    given, is filled with the same facts as data (for `mark --json`).
    """
    details = {} if details is None else details
    warn = warn or (lambda _m: None)
    word = parse_outcome(outcome) if outcome is not None else None
    if word is None and not clear:
        raise UsageError(f"missing OUTCOME: use one of {', '.join(VALID_OUTCOMES)} (or --clear)")
    stated = parse_timeline_option(timeline)
    if (decision_by or stated) and word is not Outcome.REPLIED:
        raise UsageError("--decision-by and --timeline go with 'replied' (the employer's new timeline)")
    with Context.create(settings, now) as ctx:
        return _mark(ctx, selector, word, stated, on=on, note=note, decision_by=decision_by, clear=clear,
                     sources=sources, warn=warn, details=details)


def _mark(
    ctx: Context, selector: str, word: Outcome | None, stated: Timeline | None, *, on: date | None, note: str | None,
    decision_by: date | None, clear: bool, sources: Sequence[str], warn: Warn, details: dict[str, Any],
) -> str:
    settings = ctx.settings
    found = read_interviews(ctx, lookup_specs(settings, sources), marks={})
    warn(found.result.warnings)
    interview = resolve(selector, found.processes)
    process = found.process_of(interview.id)
    label = interview.company + (f" ({interview.role})" if interview.role else "")
    details.update({"interview_id": interview.id, "company": interview.company, "role": interview.role,
                    "interview_start": interview.start.isoformat(), "outcome": word.value if word else None,
                    "cleared": clear})
    store = ctx.store.get()  # open for the run: closed by mark_outcome
    stored = store.outcomes()
    before = _effect_slots(process, settings, stored)
    if clear:
        with store.transaction():
            cleared = [i.id for i in process.interviews if store.clear_outcome(i.id)]
        if not cleared:
            return f"{label}: no outcome was recorded with `followcal mark`; nothing to clear"
        after = _effect_slots(process, settings, _without_process(stored, process))
        details["reminders"] = [{"kind": s.kind, "date": s.date.isoformat()} for s in _chain(after)]
        return f"{label}: recorded outcome cleared; reminders now: {_listing(after) or 'none pending'}"
    assert word is not None
    recorded = ctx.now.astimezone(ZoneInfo(interview.timezone)).date()  # R7: when the mark was made
    record = OutcomeRecord(word, on or recorded, decision_by, stated, note, source="mark",
                           recorded_on=recorded)
    with store.transaction():
        for other in process.interviews:
            if other.id != interview.id:
                store.clear_outcome(other.id)
        store.set_outcome(interview.id, interview.company, record)
    marks = {**_without_process(stored, process), interview.id: record}
    if record.on < process.latest.start.date():
        warn([f"{label}: {record.on.isoformat()} is before the latest interview "
              f"({process.latest.start.date().isoformat()}); the outcome has no effect"])
    after = _effect_slots(process, settings, marks)
    effect = describe_effect(before, after, record)
    details.update({"on": record.on.isoformat(), "note": note,
                    "decision_by": decision_by.isoformat() if decision_by else None,
                    "reminders": [{"kind": s.kind, "date": s.date.isoformat()} for s in _chain(after)]})
    head = f"{label}: {word.value} on {record.on.isoformat()} (interview {interview.id} of {interview.start.date().isoformat()})"
    tail = "; run `followcal sync` to update your calendars" if settings.syncs else ""
    return f"{head}: {effect}{tail}"


def status_rows(found: Interviews, now: datetime) -> list[dict[str, Any]]:
    """One row per process: the latest interview, the first reminder due at or after `now`, the
    outcome. Soonest action first; processes with nothing left to do last, newest first."""
    rows: list[dict[str, Any]] = []  # the --json shape, plus "_due"/"_start" for sorting
    for process in found.processes:
        plans = [found.plan_of(i.id) for i in process.interviews]
        latest = plans[-1]
        upcoming = sorted((r for p in plans for r in p.reminders if r.due >= now), key=lambda r: (r.due, r.kind))
        outcome = latest.outcome
        role = next((i.role for i in reversed(process.interviews) if i.role), None)
        nxt = upcoming[0] if upcoming else None
        rows.append({
            "company": process.company,
            "role": role,
            "last_interview": latest.interview.start.isoformat(),
            "interview_id": latest.interview.id,
            "next_action": {"kind": nxt.kind, "date": nxt.date.isoformat(), "due": nxt.due.isoformat()} if nxt else None,
            "outcome": outcome.outcome.value if outcome else None,
            "outcome_on": outcome.on.isoformat() if outcome else None,
            # where the outcome came from (only with one): "event" | "mark" | "mail" (+ the subject)
            **({"outcome_from": outcome.source} if outcome else {}),
            **({"outcome_subject": (outcome.note or "").removeprefix("mail: ")} if outcome and outcome.source == "mail" else {}),
            "_due": nxt.due if nxt else None,
            "_start": latest.interview.start,
        })
    with_action = sorted((r for r in rows if r["_due"] is not None), key=lambda r: (r["_due"], r["company"].casefold()))
    without = sorted((r for r in rows if r["_due"] is None), key=lambda r: r["_start"], reverse=True)
    return [{k: v for k, v in r.items() if not k.startswith("_")} for r in with_action + without]


def status(
    settings: Settings, *, sources: Sequence[str] = (), now: datetime | None = None,
) -> tuple[list[dict[str, Any]], tuple[str, ...]]:
    """`followcal status`: one row per process (status_rows) and the warnings of reading them;
    the CLI prints them (a table, or JSON with --json)."""
    from followcal.app.pipeline import stored_marks

    with Context.create(settings, now) as ctx:
        found = read_interviews(ctx, lookup_specs(settings, sources), marks=stored_marks(ctx), mail=True)
        return status_rows(found, ctx.now), found.result.warnings
