"""`followcal config`: every setting in force, where it came from (file, env, default), and the
config and state paths. Secrets are shown only as set/unset; a password_command is never run.

`settings_in_force` is pure (the loaded Settings, the raw TOML table and the environment in, rows
out); `show_config` prints them.
"""

from __future__ import annotations

import json
import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date
from pathlib import Path
from typing import Any

from followcal.config import AccountConfig, RuleSettings, Settings, default_config_path, system_timezone

Row = dict[str, Any]  # {"value": ..., "from": "file" | "env" | "default", "note"?: ...}
SECRETS = frozenset({"password", "token"})  # account password; serve token (account token is a path)


def config_location(option: str | None, env: Mapping[str, str]) -> tuple[Path, str]:
    """Where the config is read from, and why: --config (option), $FOLLOWCAL_CONFIG (env) or default."""
    if option:
        return Path(option).expanduser().absolute(), "option"
    if env.get("FOLLOWCAL_CONFIG"):
        return Path(env["FOLLOWCAL_CONFIG"]).expanduser().absolute(), "env"
    return default_config_path(), "default"


def state_location(env: Mapping[str, str]) -> tuple[Path, str]:
    if env.get("FOLLOWCAL_STATE_DIR"):
        return Path(env["FOLLOWCAL_STATE_DIR"]).expanduser(), "env"
    from platformdirs import user_state_dir

    return Path(user_state_dir("followcal")), "default"


def _plain(value: Any) -> Any:
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, (date, Path)):
        return str(value) if isinstance(value, Path) else value.isoformat()
    return value


def _row(value: Any, in_file: bool, note: str | None = None) -> Row:
    row: Row = {"value": _plain(value), "from": "file" if in_file else "default"}
    if note:
        row["note"] = note
    return row


def _account_rows(account: AccountConfig, raw: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Row]:
    rows: dict[str, Row] = {}
    prefix = f"accounts.{account.name}."
    for f in fields(AccountConfig):
        if f.name == "name":
            continue
        value = getattr(account, f.name)
        in_file = f.name in raw
        if f.name == "password":
            rows[prefix + "password"] = _row("set" if value else "unset", in_file)
        elif f.name == "password_env":
            if value:
                rows[prefix + f.name] = _row(value, in_file, note=f"${value} is {'set' if value in env else 'unset'}")
        elif value is not None or in_file:
            rows[prefix + f.name] = _row(value, in_file)
    return rows


def settings_in_force(settings: Settings, raw: Mapping[str, Any], env: Mapping[str, str]) -> dict[str, Row]:
    """Every setting with its value and origin. `raw` is the TOML table as read ({} without a file)."""
    rows: dict[str, Row] = {}
    for key in ("name", "phone", "me", "region"):
        rows[key] = _row(getattr(settings, key, None), key in raw)
    if settings.timezone:
        rows["timezone"] = _row(settings.timezone, "timezone" in raw)
    else:
        rows["timezone"] = {"value": system_timezone(), "from": "env" if env.get("TZ") else "default",
                            "note": "$TZ" if env.get("TZ") else "the system's"}
    for key in ("extra_holidays", "extra_working_days", "templates"):
        rows[key] = _row(getattr(settings, key), key in raw)
    raw_rules = raw.get("rules", {})
    for f in fields(RuleSettings):
        rows[f"rules.{f.name}"] = _row(getattr(settings.rules, f.name), f.name in raw_rules)
    for name, company in settings.companies.items():
        rows[f"companies.{name}.region"] = _row(company.region, True)
    raw_accounts = raw.get("accounts", {})
    for name, account in settings.accounts.items():
        rows.update(_account_rows(account, raw_accounts.get(name, {}), env))
    raw_syncs = raw.get("sync", [])
    for index, entry in enumerate(settings.syncs):
        raw_entry = raw_syncs[index] if index < len(raw_syncs) else {}
        prefix = f"sync.{entry.name}."
        rows[prefix + "from"] = _row(entry.sources, True)
        rows[prefix + "to"] = _row(entry.targets, True)
        for f in fields(entry.range):
            value = getattr(entry.range, f.name)
            if value is not None:
                rows[prefix + f.name] = _row(value, f.name in raw_entry)
        if "since_days" not in raw_entry and entry.range.since is None:
            rows[prefix + "since_days"] = _row(90, False, note="accounts; files are read whole")
        if "until_days" not in raw_entry and entry.range.until is None:
            rows[prefix + "until_days"] = _row(365, False, note="accounts; files are read whole")
    raw_feeds = raw.get("feeds", {})
    for name, feed in settings.feeds.items():
        raw_feed = raw_feeds.get(name, {})
        rows[f"feeds.{name}.from"] = _row(feed.sources, True)
        rows[f"feeds.{name}.refresh_minutes"] = _row(feed.refresh_minutes, "refresh_minutes" in raw_feed)
    raw_serve = raw.get("serve", {})
    for key in ("host", "port", "token", "public_url"):
        value = getattr(settings.serve, key)
        if key in SECRETS:
            value = "set" if value else "unset"
        rows[f"serve.{key}"] = _row(value, key in raw_serve)
    return rows


def read_raw(path: Path) -> dict[str, Any]:
    """The TOML table (already validated by load_settings), or {} when there is no file."""
    if not path.is_file():
        return {}
    return tomllib.loads(path.read_text(encoding="utf-8"))


def config_report(settings: Settings, option: str | None, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    env = os.environ if env is None else env
    path, origin = config_location(option, env)
    state, state_from = state_location(env)
    return {
        "config": {"path": str(path), "from": origin, "exists": path.is_file()},
        "state_dir": {"path": str(state), "from": state_from},
        "settings": settings_in_force(settings, read_raw(path), env),
    }


def _text(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "(none)"
    if value is None:
        return "(not set)"
    return str(value)


def show_config(report: Mapping[str, Any], *, as_json: bool, echo: Callable[[str], Any], console: Any = None) -> None:
    if as_json:
        echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    from rich.table import Table

    cfg = report["config"]
    exists = "" if cfg["exists"] else " (no file: every setting is a default; `followcal init` writes one)"
    echo(f"config: {cfg['path']} (from {cfg['from']}){exists}")
    echo(f"state:  {report['state_dir']['path']} (from {report['state_dir']['from']})")
    table = Table(title="Settings in force", title_justify="left")
    table.add_column("Setting", no_wrap=True)
    table.add_column("Value", overflow="fold")
    table.add_column("From", no_wrap=True)
    for key, row in report["settings"].items():
        value = _text(row["value"]) + (f" ({row['note']})" if row.get("note") else "")
        table.add_row(key, value, row["from"])
    if console is None:
        from rich.console import Console

        console = Console()
    console.print(table)
