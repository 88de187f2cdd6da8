"""The config file's tables checked and turned into Settings (DESIGN.md "Config").

Strict by design (issue 19): an unknown key, a value of the wrong type or out of range is a
ConfigError naming the file, the table and the key (with the nearest known key), so a typo such
as `tokne` never silently publishes a feed without its token. config.py holds the dataclasses
and the file handling; this module only checks values.
"""

from __future__ import annotations

import shlex
from datetime import date, datetime
from pathlib import Path
from typing import Any

from followcal.config import (
    AccountConfig,
    CompanyConfig,
    FeedConfig,
    RangeConfig,
    RepliesConfig,
    RuleSettings,
    ServeConfig,
    Settings,
    SyncConfig,
    check_timezone,
)
from followcal.errors import ConfigError

# The keys every table may hold (issue 19: the config is strict, an unknown key is an error
# naming file, table and key with the nearest known one). A NEW SETTING MUST BE ADDED HERE too.
# [rules] and [accounts.X] take theirs from RuleSettings and AccountConfig.
_TOP_KEYS = {
    "region", "timezone", "me", "extra_holidays", "extra_working_days", "rules", "companies",
    "accounts", "sync", "feeds", "serve", "templates", "replies",
    "name", "phone", "language",
}
LANGUAGES = ("en", "de", "fr", "es")
_RANGE_KEYS = {"since_days", "until_days", "since", "until"}
SYNC_KEYS = {"name", "from", "to", *_RANGE_KEYS}
FEED_KEYS = {"from", "refresh_minutes", "drafts", *_RANGE_KEYS}
SERVE_KEYS = {"host", "port", "token", "public_url"}
COMPANY_KEYS = {"region"}


def check_keys(raw: dict[str, Any], known: set[str] | frozenset[str], where: str, table: str) -> None:
    """ConfigError on the first key (sorted) that `table` does not know, with the nearest one."""
    for key in sorted(set(raw) - set(known), key=str):
        import difflib  # only for the error (2.5 ms of every start otherwise)

        close = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(sorted(known))})"
        place = (table if table.startswith("[") else f"[{table}]") if table else "the top level"
        raise ConfigError(f"{where}: unknown key {key!r} in {place}{hint}")


def parse_settings(raw: dict[str, Any], path: Path | None = None) -> Settings:
    where = str(path) if path else "config"
    check_keys(raw, _TOP_KEYS, where, "")
    base = path.parent if path else Path.cwd()
    tz = raw.get("timezone")
    if tz is not None:
        check_timezone(_str(tz, where, "timezone"), f"{where}: timezone")
    templates = raw.get("templates")
    if templates is not None:
        _str(templates, where, "templates")
    accounts = {
        name: _account(name, v, where, base)
        for name, v in _table(raw.get("accounts", {}), where, "accounts").items()
    }

    def place(specs: list[str]) -> tuple[str, ...]:
        """File paths in the config are relative to the config file, like every other path."""
        return tuple(_resolve_spec(spec, base, accounts) for spec in specs)

    syncs = tuple(_sync(i, v, where, place) for i, v in enumerate(_list(raw.get("sync", []), where, "[[sync]]")))
    names = [entry.name for entry in syncs]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ConfigError(f"{where}: two [[sync]] entries are named {twice[0]!r}; give each its own name")
    return Settings(
        region=_str(raw["region"], where, "region") if "region" in raw else None,
        timezone=tz,
        me=tuple(m.casefold() for m in _str_list(raw.get("me", []), where, "me")),
        extra_holidays=tuple(
            _date(d, where, "extra_holidays") for d in _list(raw.get("extra_holidays", []), where, "extra_holidays")
        ),
        extra_working_days=tuple(
            _date(d, where, "extra_working_days") for d in _list(raw.get("extra_working_days", []), where, "extra_working_days")
        ),
        rules=_rules(raw.get("rules", {}), where),
        companies={
            name: _company(name, v, where)
            for name, v in _table(raw.get("companies", {}), where, "companies").items()
        },
        accounts=accounts,
        syncs=syncs,
        feeds={
            name: _feed(name, v, where, place)
            for name, v in _table(raw.get("feeds", {}), where, "feeds").items()
        },
        serve=_serve(raw.get("serve", {}), where),
        templates=(base / Path(templates).expanduser()) if templates else None,
        path=path,
        replies=_replies(raw["replies"], where, accounts) if "replies" in raw else None,
        name=_opt_str(raw.get("name"), where, "name"),
        phone=_opt_str(raw.get("phone"), where, "phone"),
        language=_language(raw.get("language"), where),
    )


def _company(name: str, raw: Any, where: str) -> CompanyConfig:
    raw = _table(raw, where, f"companies.{name}")
    check_keys(raw, COMPANY_KEYS, where, f"companies.{name}")
    region = raw.get("region")
    if region is not None:
        region = _str(region, where, f"companies.{name}.region").strip()
        if not region:
            raise ConfigError(f"{where}: companies.{name}.region is empty (use an ISO 3166 code such as US-CA)")
    return CompanyConfig(name, region=region)


def _feed(name: str, raw: Any, where: str, place: Any) -> FeedConfig:
    raw = _table(raw, where, f"feeds.{name}")
    check_keys(raw, FEED_KEYS, where, f"feeds.{name}")
    refresh = raw.get("refresh_minutes", 15)
    if not isinstance(refresh, int) or isinstance(refresh, bool) or not 1 <= refresh <= 7 * 24 * 60:
        raise ConfigError(f"{where}: feeds.{name}.refresh_minutes must be a whole number of minutes from 1 to 10080")
    return FeedConfig(
        name,
        sources=place(_str_list(raw.get("from", []), where, f"feeds.{name}.from")),
        refresh_minutes=refresh,
        range=_range(raw, where, f"feeds.{name}"),
        drafts=_bool(raw.get("drafts", True), where, f"feeds.{name}.drafts"),
    )


def _rules(raw: Any, where: str) -> RuleSettings:
    raw = _table(raw, where, "rules")
    check_keys(raw, set(RuleSettings.__dataclass_fields__), where, "rules")
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("keywords", "exclude"):
            values[key] = tuple(w.casefold() for w in _str_list(value, where, f"rules.{key}"))
        else:
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ConfigError(f"{where}: rules.{key} must be a whole number >= 0")
            values[key] = value
    rules = RuleSettings(**values)
    if not 0 <= rules.max_follow_ups <= 5:
        raise ConfigError(f"{where}: rules.max_follow_ups must be between 0 and 5")
    return rules


def _account(name: str, raw: Any, where: str, base: Path) -> AccountConfig:
    raw = _table(raw, where, f"accounts.{name}")
    kind = raw.get("type")
    if kind not in ("caldav", "google", "imap"):
        raise ConfigError(f"{where}: accounts.{name}.type must be \"caldav\", \"google\" or \"imap\"")
    check_keys(raw, set(AccountConfig.__dataclass_fields__) - {"name"}, where, f"accounts.{name}")
    fields = AccountConfig.__dataclass_fields__
    for key, value in raw.items():  # the text settings by their annotation; others below
        if str(fields[key].type) in ("str", "str | None") and not isinstance(value, str):
            raise ConfigError(f"{where}: accounts.{name}.{key} must be a string")
    if kind == "caldav" and not raw.get("url"):
        raise ConfigError(f"{where}: accounts.{name}.url is required for a CalDAV account")
    timeout = raw.get("timeout", 30.0)
    if not isinstance(timeout, (int, float)) or isinstance(timeout, bool) or not 0 < timeout <= 3600:
        raise ConfigError(f"{where}: accounts.{name}.timeout must be a number of seconds from 0 to 3600")
    if not isinstance(raw.get("verify_tls", True), (bool, str)):
        raise ConfigError(f"{where}: accounts.{name}.verify_tls must be true, false or a CA bundle path")
    if raw.get("password_command"):
        try:
            shlex.split(raw["password_command"])
        except ValueError:
            raise ConfigError(
                f"{where}: accounts.{name}.password_command cannot be split into words (unclosed quote?)"
            ) from None
    values = dict(raw)
    values["timeout"] = float(timeout)
    if kind == "imap":
        _imap_account(name, values, where)
    for key in ("token", "client_secrets", "service_account"):
        if values.get(key) and values[key] != "none":
            values[key] = str(base / Path(values[key]).expanduser())
    for key in ("max_response_mb", "deadline"):
        if key in values and (isinstance(values[key], bool) or not isinstance(values[key], (int, float)) or values[key] <= 0):
            raise ConfigError(f"{where}: accounts.{name}.{key} must be a positive number")
    if "unique_uids" in values and not isinstance(values["unique_uids"], bool):
        raise ConfigError(f"{where}: accounts.{name}.unique_uids must be true or false")
    if "redirect_hosts" in values:
        hosts = values["redirect_hosts"]
        if not isinstance(hosts, list) or not all(isinstance(h, str) and h.strip(".").strip() for h in hosts):
            raise ConfigError(f"{where}: accounts.{name}.redirect_hosts must be a list of host names")
        values["redirect_hosts"] = tuple(h.strip().lower().strip(".") for h in hosts)
    verify = values.get("verify_tls", True)
    if isinstance(verify, str):
        values["verify_tls"] = str(base / Path(verify).expanduser())
    return AccountConfig(name=name, **values)


def _imap_account(name: str, values: dict[str, Any], where: str) -> None:
    """An IMAP account needs a host (Gmail's when it signs in with a Google account)."""
    if values.get("oauth") and not values.get("host"):
        values["host"] = "imap.gmail.com"
    if not isinstance(values.get("host"), str) or not values["host"]:
        raise ConfigError(f"{where}: accounts.{name}.host is required for an IMAP account")
    port = values.get("port")
    if port is not None and (not isinstance(port, int) or isinstance(port, bool) or not 0 < port <= 65535):
        raise ConfigError(f"{where}: accounts.{name}.port must be a port number")
    if not isinstance(values.get("starttls", False), bool):
        raise ConfigError(f"{where}: accounts.{name}.starttls must be true or false")
    if "folders" in values:
        folders = _str_list(values["folders"], where, f"accounts.{name}.folders")
        if not folders:
            raise ConfigError(f"{where}: accounts.{name}.folders is empty (default: [\"INBOX\"])")
        values["folders"] = tuple(folders)
    if "timeout" in values:
        values["timeout"] = float(values["timeout"])


def _replies(raw: Any, where: str, accounts: dict[str, AccountConfig]) -> RepliesConfig:
    raw = _table(raw, where, "replies")
    check_keys(raw, {"from", "max_seconds"}, where, "replies")
    names = _str_list(raw.get("from", []), where, "replies.from")
    if not names:
        raise ConfigError(f"{where}: [replies] needs from = [\"ACCOUNT\"] (an imap account)")
    for name in names:
        account = accounts.get(name)
        if account is None or account.type != "imap":
            known = ", ".join(sorted(a for a, c in accounts.items() if c.type == "imap")) or "none"
            raise ConfigError(f"{where}: replies.from: {name!r} is not an imap account (imap accounts: {known})")
        if account.oauth:
            google = accounts.get(account.oauth)
            if google is None or google.type != "google":
                raise ConfigError(f"{where}: accounts.{name}.oauth: {account.oauth!r} is not a Google account of the config")
    seconds = raw.get("max_seconds", 60)
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds <= 0:
        raise ConfigError(f"{where}: replies.max_seconds must be a number > 0")
    return RepliesConfig(tuple(dict.fromkeys(names)), float(seconds))


def _resolve_spec(spec: str, base: Path, accounts: dict[str, AccountConfig]) -> str:
    lowered = spec.lower()
    if lowered.startswith(("http://", "https://", "webcal://")):
        return spec
    if ":" in spec and spec.split(":", 1)[0] in accounts:
        return spec
    return str(base / Path(spec).expanduser())


def _sync(index: int, raw: Any, where: str, place: Any) -> SyncConfig:
    raw = _table(raw, where, f"sync[{index}]")
    name = _str(raw.get("name") or f"sync{index + 1}", where, f"[[sync]] #{index + 1}: name")
    check_keys(raw, SYNC_KEYS, where, f"[[sync]] {name!r}")
    sources = _str_list(raw.get("from", []), where, f"sync {name}: from")
    targets = _str_list(raw.get("to", []), where, f"sync {name}: to")
    if not sources:
        raise ConfigError(f"{where}: [[sync]] {name!r} has no 'from' sources")
    if not targets:
        raise ConfigError(f"{where}: [[sync]] {name!r} has no 'to' targets")
    return SyncConfig(name, place(sources), place(targets), _range(raw, where, f"sync {name}"))


def _range(raw: dict[str, Any], where: str, what: str) -> RangeConfig:
    def opt_int(key: str) -> int | None:
        value = raw.get(key)
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ConfigError(f"{where}: {what}: {key} must be a whole number >= 0")
        return value

    return RangeConfig(
        since_days=opt_int("since_days"),
        until_days=opt_int("until_days"),
        since=_date(raw["since"], where, f"{what}: since") if "since" in raw else None,
        until=_date(raw["until"], where, f"{what}: until") if "until" in raw else None,
    )


def _serve(raw: Any, where: str) -> ServeConfig:
    raw = _table(raw, where, "serve")
    check_keys(raw, SERVE_KEYS, where, "serve")
    port = raw.get("port", 8765)
    if not isinstance(port, int) or isinstance(port, bool) or not 0 <= port <= 65535:
        raise ConfigError(f"{where}: serve.port must be a port number")
    for key in ("host", "token", "public_url"):
        if key in raw:
            _str(raw[key], where, f"serve.{key}")
    token = raw.get("token")
    return ServeConfig(
        host=raw.get("host", "127.0.0.1"),
        port=port,
        token=token if token else None,
        public_url=raw.get("public_url"),
    )


def _table(value: Any, where: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {what} must be a table")
    return value


def _list(value: Any, where: str, what: str) -> list[Any]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: {what} must be a list")
    return value


def _str(value: Any, where: str, what: str) -> str:
    if not isinstance(value, str):
        raise ConfigError(f"{where}: {what} must be a string")
    return value


def _opt_str(value: Any, where: str, what: str) -> str | None:
    """A string setting that may be absent; blank counts as not set."""
    if value is None:
        return None
    return " ".join(_str(value, where, what).split()) or None


def _bool(value: Any, where: str, what: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {what} must be true or false")
    return value


def _language(value: Any, where: str) -> str | None:
    code = _opt_str(value, where, "language")
    if code is None:
        return None
    code = code.casefold()
    if code not in LANGUAGES:
        raise ConfigError(f"{where}: language must be one of {', '.join(LANGUAGES)}, not {value!r}")
    return code


def _str_list(value: Any, where: str, what: str) -> list[str]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: {what} must be a list of strings")
    return value


def _date(value: Any, where: str, what: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{where}: {what}: {value!r} is not a date (YYYY-MM-DD)") from None
