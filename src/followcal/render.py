"""How plans look on a terminal (rich tables) and in JSON (`plan --json`, `sync --json`)."""

from __future__ import annotations

from datetime import date, datetime
import json
from typing import Any

from .model import Create, Delete, InterviewPlan, Plan, PlanResult, Reminder, Skip, Update

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


def plan_table(result: PlanResult) -> Any:
    """One row per interview; its reminders one per line, so dates line up."""
    from rich.table import Table

    table = Table(title="followcal plan", title_justify="left", show_lines=True)
    table.add_column("Interview", overflow="fold", min_width=14)
    table.add_column("Company / role", style="bold", overflow="fold")
    table.add_column("Reminder", no_wrap=True)
    table.add_column("Due", no_wrap=True)
    for plan in result.interviews:
        iv = plan.interview
        when = f"{day_label(iv.start.date())}\n" + ("all day" if iv.all_day else f"{iv.start:%H:%M}")
        lines = [when, f"[dim]{iv.timezone}\n{iv.region}, id {iv.id}[/dim]"]
        if iv.final:
            lines.append("final round")
        if plan.decision_by:
            lines.append(f"decision by {day_label(plan.decision_by)}")
        outcome = plan.outcome or iv.outcome
        if outcome:
            lines.append(f"[yellow]{outcome.outcome.value} on {outcome.on.isoformat()}[/yellow]")
        company = iv.company + (f"\n[dim]{iv.role}[/dim]" if iv.role else "")
        kinds = "\n".join(r.kind + (" (call)" if r.channel == "phone" else "") for r in plan.reminders)
        dues = "\n".join(f"{day_label(r.date)} {r.due:%H:%M}" for r in plan.reminders)
        table.add_row("\n".join(lines), company, kinds or "[dim](none left)[/dim]", dues)
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
            click.echo(head + f"{verb} {summary}; {t.plan.unchanged} unchanged" if writes or counts["skip"] else head + "up to date")
            for action in t.plan.actions:
                click.echo("  " + action_line(action))
    return failed
