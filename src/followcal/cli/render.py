"""How plans look on a terminal (rich tables) and in JSON (`plan --json`, `sync --json`)."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from followcal.core.model import Create, Delete, InterviewPlan, Plan, PlanResult, Reminder, Skip, Update

if TYPE_CHECKING:
    from followcal.app.clean import CleanResult

_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def _iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def reminder_json(reminder: Reminder) -> dict[str, Any]:
    return {
        "kind": reminder.kind,
        "date": reminder.date.isoformat(),
        "due": reminder.due.isoformat(),
        "channel": reminder.channel,
        "uid": reminder.uid,
        "summary": reminder.summary,
    }


def interview_json(plan: InterviewPlan) -> dict[str, Any]:
    iv = plan.interview
    outcome = plan.outcome or iv.outcome
    return {
        "id": iv.id,
        "uid": iv.uid,
        "recurrence_id": _iso(iv.recurrence_id),
        "summary": iv.summary,
        "company": iv.company,
        "role": iv.role,
        "start": iv.start.isoformat(),
        "end": iv.end.isoformat(),
        "timezone": iv.timezone,
        "region": iv.region,
        "region_from": iv.region_from,
        "round": iv.round,
        "final": iv.final,
        "all_day": iv.all_day,
        "interviewers": [{"name": p.name, "email": p.email} for p in iv.interviewers],
        "decision_by": _iso(plan.decision_by),
        "outcome": outcome.outcome.value if outcome else None,
        "outcome_on": _iso(outcome.on) if outcome else None,
        "reminders": [reminder_json(r) for r in plan.reminders],
    }


def plan_json(result: PlanResult) -> dict[str, Any]:
    return {"me": list(result.me), "interviews": [interview_json(p) for p in result.interviews],
            "warnings": list(result.warnings)}


def day_label(day: date) -> str:
    return f"{_DAYS[day.weekday()]} {day.isoformat()}"


ID_WIDTH = len("id ") + 12  # "id " + an interview id: the narrowest an id/date column may get


class Fold:
    """A table cell that folds (long words too) and tells rich it may be as narrow as `minimum`.

    rich measures a cell's minimum as its longest word, even with overflow="fold"; a long role
    ("Backend-Entwickler") or zone ("America/Argentina/Buenos_Aires") would then keep the table
    wider than the terminal and the columns that must not wrap (ids, dates) get cut. This lets
    such text fold first."""

    def __init__(self, markup: str, minimum: int = 4) -> None:
        from rich.text import Text

        self.text = Text.from_markup(markup, overflow="fold")
        self.minimum = minimum

    def __rich_measure__(self, console: Any, options: Any) -> Any:
        from rich.measure import Measurement

        found = Measurement.get(console, options, self.text)
        return Measurement(min(found.minimum, max(self.minimum, 1)), found.maximum)

    def __rich_console__(self, console: Any, options: Any) -> Any:
        yield self.text


def plan_table(result: PlanResult) -> Any:
    """One row per interview; its reminders one per line, so dates line up.

    Ids and dates are never split down to 80 columns: the reminder and due columns do not wrap,
    the interview column has a fixed width that holds "id <id>" and "Mon 2026-11-19", each on a
    line of its own; the company/role column and long time-zone names fold first."""
    from rich.table import Table

    table = Table(title="followcal plan", title_justify="left", show_lines=True)
    # A fixed width: rich never narrows it (only the company column folds to make room).
    table.add_column("Interview", overflow="fold", width=max(ID_WIDTH, len("America/New_York")))
    table.add_column("Company / role", style="bold", overflow="fold")
    table.add_column("Reminder", no_wrap=True)
    table.add_column("Due", no_wrap=True)
    for plan in result.interviews:
        iv = plan.interview
        when = f"{day_label(iv.start.date())}\n" + ("all day" if iv.all_day else f"{iv.start:%H:%M}")
        lines = [f"{when} [dim]{iv.region}[/dim]", f"[dim]{iv.timezone}[/dim]", f"[dim]id[/dim] {iv.id}"]
        if iv.final:
            lines.append("final round")
        if plan.decision_by:
            lines.append(f"decision by\n{day_label(plan.decision_by)}")
        outcome = plan.outcome or iv.outcome
        if outcome:
            lines.append(f"[yellow]{outcome.outcome.value}\n{outcome.on.isoformat()}[/yellow]")
        company = iv.company + (f"\n[dim]{iv.role}[/dim]" if iv.role else "")
        kinds = "\n".join(r.kind + (" (call)" if r.channel == "phone" else "") for r in plan.reminders)
        dues = "\n".join(f"{day_label(r.date)} {r.due:%H:%M}" for r in plan.reminders)
        table.add_row("\n".join(lines), Fold(company), kinds or "[dim](none left)[/dim]", dues)
    return table


def status_table(rows: Sequence[Mapping[str, Any]]) -> Any:
    """`followcal status`: one row per process. Company and role fold; the columns holding an
    id or a date never wrap (each date and id sits on a line of its own), so at 80 columns
    nothing `mark` needs is split."""
    from rich.table import Table

    table = Table(title="followcal status")
    table.add_column("Company / role", overflow="fold")
    table.add_column("Last interview", no_wrap=True)
    table.add_column("Next action", no_wrap=True)
    table.add_column("When", no_wrap=True)
    table.add_column("Outcome")  # wraps at spaces only: a date is one word and stays whole
    for row in rows:
        last = datetime.fromisoformat(row["last_interview"])
        action = row["next_action"]
        when = ""
        if action:
            due = datetime.fromisoformat(action["due"])
            when = f"{day_label(due.date())}\n{due:%H:%M}"
        outcome = f"{row['outcome']}\n{row['outcome_on']}" if row["outcome"] else ""
        if row.get("outcome_from") == "mail":  # a reply found in the mailbox (issue 18)
            subject = row.get("outcome_subject") or ""
            subject = subject if len(subject) <= 40 else subject[:39] + "…"
            outcome = f"{row['outcome']} (mail, {row['outcome_on']}, {subject})"
        company = row["company"] + (f"\n[dim]{row['role']}[/dim]" if row["role"] else "")
        table.add_row(Fold(company), f"{day_label(last.date())}\n{row['interview_id']}",
                      action["kind"] if action else "-", when, outcome)
    return table


def action_json(action: Any) -> dict[str, Any]:
    if isinstance(action, (Create, Update)):
        r = action.reminder
        return {"op": action.op, "uid": r.uid, "kind": r.kind, "company": r.company,
                "date": r.date.isoformat(), "due": r.due.isoformat(), "sequence": action.sequence}
    if isinstance(action, Delete):
        e = action.existing
        return {"op": "delete", "uid": e.uid, "kind": e.kind, "summary": e.summary, "start": _iso(e.start)}
    if isinstance(action, Skip):
        return {"op": "skip", "uid": action.uid, "reason": action.reason}
    raise TypeError(action)


def sync_plan_json(plan: Plan) -> dict[str, Any]:
    return {"target": plan.target, "unchanged": plan.unchanged, "actions": [action_json(a) for a in plan.actions]}


def action_line(action: Any) -> str:
    data = action_json(action)
    if data["op"] in ("create", "update"):
        return f"{data['op']:6} {data['kind']:<14} {data['company']}  {day_label(date.fromisoformat(data['date']))}"
    if data["op"] == "delete":
        return f"delete {data['kind']:<14} {data['summary']}"
    return f"skip   {data['uid']}: {data['reason']}"


def sync_report(reports: Any, *, as_json: bool, dry_run: bool, warn: Any) -> bool:
    """Print what each sync did (or would do); True when any part failed."""
    import click

    failed = False
    data = []
    for report in reports:
        failed = failed or report.failed
        targets = []
        for t in report.targets:
            entry = sync_plan_json(t.plan)
            entry["target"] = t.target
            if t.result is not None:
                entry["result"] = {"created": t.result.created, "updated": t.result.updated,
                                   "deleted": t.result.deleted, "skipped": t.result.skipped}
            entry["error"] = t.error
            targets.append(entry)
        data.append({"name": report.name, "dry_run": dry_run, "error": report.error,
                     "warnings": report.warnings, "targets": targets})
    if as_json:
        click.echo(json.dumps({"syncs": data}, indent=2, ensure_ascii=False))
        return failed
    for report in reports:
        warn(report.warnings)
        if report.error:
            click.echo(f"followcal: error: sync {report.name}: {report.error}", err=True)
            continue
        for t in report.targets:
            if t.error:
                click.echo(f"followcal: error: sync {report.name} -> {t.target}: {t.error}", err=True)
                continue
            writes = t.plan.writes
            verb = "would" if dry_run else "did"
            head = f"{report.name} -> {t.target}: "
            if not t.plan.actions:
                click.echo(head + f"up to date ({t.plan.unchanged} reminders)")
                continue
            counts = {op: sum(a.op == op for a in t.plan.actions) for op in ("create", "update", "delete", "skip")}
            summary = ", ".join(f"{n} {op}" for op, n in counts.items() if n)
            changed = writes or counts["skip"]
            click.echo(head + f"{verb} {summary}; {t.plan.unchanged} unchanged" if changed else head + "up to date")
            for action in t.plan.actions:
                click.echo("  " + action_line(action))
    return failed


# --- `followcal clean` ----------------------------------------------------------------------------


def clean_json(done: CleanResult, dry_run: bool) -> dict[str, Any]:
    return {
        "target": done.target,
        "dry_run": dry_run,
        "events": [{"uid": e.uid, "kind": e.kind, "summary": e.summary, "start": _iso(e.start)} for e in done.owned],
        "deleted": done.result.deleted if done.result else 0,
    }


def clean_lines(done: CleanResult, dry_run: bool) -> list[str]:
    if not done.owned:
        return [f"{done.target}: no followcal reminders; nothing to clean"]
    verb = "would delete" if dry_run else "deleted"
    count = len(done.owned) if dry_run or done.result is None else done.result.deleted
    lines = [f"{done.target}: {verb} {count} followcal reminder(s); other events are left as they are"]
    for e in sorted(done.owned, key=lambda e: (str(e.start), e.uid)):
        day = e.start.date() if isinstance(e.start, datetime) else e.start
        lines.append(f"  {e.kind:<14} {day_label(day) if day else '(no date)'}  {e.summary}")
    return lines


# --- `followcal replies` --------------------------------------------------------------------------


def replies_lines(rows: Sequence[Mapping[str, Any]], *, new: int, dry_run: bool) -> list[str]:
    """Per process: its state, then the reply (date, sender, subject, why) or what is watched."""
    if not rows:
        return ["No interviews found."]
    lines = []
    for row in rows:
        lines.append(f"{row['company']} (interview {row['interview_id']}, {row['last_interview'][:10]}): {row['state']}")
        reply = row["reply"]
        if reply:
            lines.append(f"  {reply['date']}  {reply['sender']}  \"{reply['subject']}\"")
            lines.append(f"  why: {reply['reason']}")
        elif "watching" in row:
            w = row["watching"]
            extra = [a for a in w["addresses"] if a.rsplit("@", 1)[-1] not in w["domains"]]
            people = ", ".join(w["domains"] + extra) or "scheduling tools naming the company"
            lines.append(f"  watching from {w['after'][:16]} through the cut-off day {w['cut_off']} for mail from {people}")
    if dry_run and new:
        lines.append(f"(dry run: {new} new repl{'y' if new == 1 else 'ies'} not recorded)")
    return lines
