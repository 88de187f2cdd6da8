"""The TOML config file (DESIGN.md "Config"), loaded into frozen dataclasses.

`plan` and `export` on a file or URL need no config: `Settings()` holds every default.
Secrets are resolved only when a backend asks for them (`AccountConfig.password_value`), and no
error message ever contains one.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .errors import ConfigError, UsageError
from .model import Window

DEFAULT_KEYWORDS = (
    "interview",
    "phone screen",
    "screening call",
    "technical screen",
    "onsite",
    "on-site",
    "hiring manager",
    "recruiter call",
    # issue 12: screens, hiring rounds and the languages of the supported regions
    "tech screen",
    "recruiter screen",
    "recruiter chat",
    "final round",
    "coding round",
    "technical round",
    "superday",
    "vorstellungsgespräch",
    "vorstellungsgespraech",
    "bewerbungsgespräch",
    "bewerbungsgespraech",
    "bewerbung",
    "entretien",
    "entrevista",
    "sollicitatie",
    "colloquio",
    "面接",
    "カジュアル面談",
    "zweitgespräch",
    "zweitgespraech",
)
DEFAULT_EXCLUDE = (
    "prep", "practice", "mock", "rehearsal", "rehearse",
    # someone else's hiring
    "candidate", "debrief", "scorecard", "calibration", "hiring committee", "interviewer", "interviewers",
    # not a job interview
    "exit interview", "exit-interview", "podcast", "press interview", "the press", "media interview",
    "journalist", "user research", "ux research", "research interview", "customer interview",
    "customer discovery", "participant", "stay interview",
    # about interviews
    "workshop", "webinar", "training", "class", "course", "seminar", "interview planning",
    "loop planning", "onsite planning", "atelier",
    "taller", "übung", "uebung", "cours", "curso", "corso", "meetup", "ama", "tips",
    "lunch & learn", "book club", "hackathon", "ask me anything", "informational", "feedback",
    "not an interview", "notes", "masterclass", "about interview", "about the interview",
    "about my interview", "mortgage",
    # interviews that are not for a job: visas, flats, schools, daycare
    "visa interview", "consulate", "embassy", "immigration", "citizenship", "landlord", "viewing",
    "daycare", "kita", "kindergarten", "preschool",
    # not about work at all: entertainment, volunteering
    "movie", "cinema", "concert", "trivia", "volunteering",
    # other languages
    "salida", "desligamento", "prensa", "imprensa", "candidato", "candidata", "candidat",
    "départ", "depart", "annuel", "annuelle", "entretien professionnel", "chaudière", "chaudiere", "voiture",
    "professori", "insegnanti", "genitori", "scuola", "docenti",
    # issue 12, blind corpus: media, research, admissions, visas, reviews, other people's hiring
    "guest interview", "guest appearance", "guest episode", "newspaper", "radio",
    "magazine", "reporter", "tv interview", "user interview",
    "usability", "admission", "admissions", "admisión", "admissão", "ammissione", "tech talk",
    "interview process", "kandidat", "kandidatin", "kandidaat", "consulado", "consulat",
    "konsulat", "consolato", "botschaft", "ambassade", "embajada", "embaixada", "ambasciata",
    "visto", "visado", "visum", "performance review", "annual review", "valutazione", "annuale",
    "évaluation", "evaluación", "avaliação", "beoordeling", "stampa", "giornalista", "periodista",
    "jornalista", "journaliste", "redaktion",
    # blind2: French meetings called entretien, teachers, television
    "individuel", "période d'essai", "essai", "préalable", "suivi", "recadrage", "disciplinaire",
    "parents", "professeur", "professeurs", "insegnante", "professore", "professoressa",
    "tv", "tele", "televisión", "télévision", "televisão", "televisione", "fernsehen",
)


@dataclass(frozen=True)
class RuleSettings:
    follow_up_1_business_days: int = 5
    final_round_business_days: int = 10
    follow_up_2_business_days: int = 10
    cut_off_business_days: int = 5
    max_follow_ups: int = 2
    keywords: tuple[str, ...] = DEFAULT_KEYWORDS
    exclude: tuple[str, ...] = DEFAULT_EXCLUDE


@dataclass(frozen=True)
class AccountConfig:
    name: str
    type: str  # "caldav" | "google" | "imap"
    url: str | None = None
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    password_env: str | None = None
    password_command: str | None = None
    verify_tls: bool | str = True
    timeout: float = 30.0
    token: str | None = None
    client_secrets: str | None = None
    service_account: str | None = None
    subject: str | None = None
    api_endpoint: str | None = None
    # imap (DESIGN.md "Replies from the mailbox"): read-only, headers only
    host: str | None = None
    port: int | None = None  # default 993 (TLS), 143 with starttls
    starttls: bool = False
    folders: tuple[str, ...] = ("INBOX",)
    oauth: str | None = None  # a Google account of the config: Gmail over XOAUTH2 with its sign-in

    def password_value(self) -> str | None:
        """The password from password_env, password_command or password (in that order)."""
        if self.password_env:
            value = os.environ.get(self.password_env)
            if value is None:
                raise ConfigError(
                    f"account {self.name!r}: environment variable {self.password_env} is not set"
                )
            return value
        if self.password_command:
            try:
                done = subprocess.run(
                    shlex.split(self.password_command),
                    capture_output=True,
                    text=True,
                    timeout=60,
                    check=False,
                )
            except (OSError, subprocess.TimeoutExpired) as exc:
                raise ConfigError(
                    f"account {self.name!r}: password_command failed ({type(exc).__name__})"
                ) from None
            if done.returncode != 0:
                raise ConfigError(
                    f"account {self.name!r}: password_command exited with {done.returncode}"
                )
            return done.stdout.splitlines()[0] if done.stdout else ""
        return self.password


@dataclass(frozen=True)
class CompanyConfig:
    name: str
    region: str | None = None


@dataclass(frozen=True)
class RangeConfig:
    """since_days / until_days / since / until of a [[sync]] entry or a feed."""

    since_days: int | None = None
    until_days: int | None = None
    since: date | None = None
    until: date | None = None

    def window(self, now: datetime, for_account: bool) -> Window:
        """The read window. Accounts default to 90 days back and 365 ahead; files are read whole
        unless a bound is set explicitly."""
        tz = now.tzinfo
        since_days = self.since_days if self.since_days is not None else (90 if for_account else None)
        until_days = self.until_days if self.until_days is not None else (365 if for_account else None)
        since = until = None
        if self.since is not None:
            since = datetime.combine(self.since, time(0), tz)
        elif since_days is not None:
            since = datetime.combine(now.date() - timedelta(days=since_days), time(0), tz)
        if self.until is not None:
            until = datetime.combine(self.until, time(0), tz)
        elif until_days is not None:
            until = datetime.combine(now.date() + timedelta(days=until_days), time(0), tz)
        return Window(since, until)


@dataclass(frozen=True)
class SyncConfig:
    name: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    range: RangeConfig = RangeConfig()


@dataclass(frozen=True)
class FeedConfig:
    name: str
    sources: tuple[str, ...]
    refresh_minutes: int = 15
    range: RangeConfig = RangeConfig()
    drafts: bool = True  # false: what to do and when, without drafts, names or addresses


@dataclass(frozen=True)
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 8765
    token: str | None = field(default=None, repr=False)
    public_url: str | None = None


@dataclass(frozen=True)
class RepliesConfig:
    """[replies]: the IMAP accounts where employers' replies arrive (R7 `replied` from mail)."""

    accounts: tuple[str, ...]
    max_seconds: float = 60.0  # the whole mailbox check of one run, every account together


@dataclass(frozen=True)
class Settings:
    region: str | None = None  # None: no default set; each interview's zone, else US (regions.py)
    region_source: str = "config"  # "option" when --region set it (plan --json region_from)
    timezone: str | None = None
    me: tuple[str, ...] = ()
    extra_holidays: tuple[date, ...] = ()
    extra_working_days: tuple[date, ...] = ()
    rules: RuleSettings = RuleSettings()
    companies: dict[str, CompanyConfig] = field(default_factory=dict)
    accounts: dict[str, AccountConfig] = field(default_factory=dict)
    syncs: tuple[SyncConfig, ...] = ()
    feeds: dict[str, FeedConfig] = field(default_factory=dict)
    serve: ServeConfig = ServeConfig()
    templates: Path | None = None
    path: Path | None = None
    replies: RepliesConfig | None = None
    name: str | None = None  # signs the drafts; default: the user's name as invites give it
    phone: str | None = None  # for the call scripts
    language: str | None = None  # drafts: en, de, fr, es; default: the invite's language

    def company(self, name: str) -> CompanyConfig | None:
        wanted = name.casefold()
        for key, value in self.companies.items():
            if key.casefold() == wanted:
                return value
        return None

    def account(self, name: str) -> AccountConfig:
        try:
            return self.accounts[name]
        except KeyError:
            known = ", ".join(sorted(self.accounts)) or "none"
            where = f" in {self.path}" if self.path else ""
            raise ConfigError(f"no account {name!r}{where} (accounts: {known})") from None

    def with_overrides(self, region: str | None = None, tz: str | None = None, me: tuple[str, ...] = ()) -> Settings:
        """Command-line --region/--tz win over the config file; --me adds addresses."""
        changes: dict[str, Any] = {}
        if me:
            changes["me"] = tuple(dict.fromkeys([*self.me, *(m.casefold() for m in me)]))
        if region:
            changes["region"] = region
            changes["region_source"] = "option"
        if tz:
            check_timezone(tz, "--tz")
            changes["timezone"] = tz
        return replace(self, **changes) if changes else self


def check_timezone(name: str, where: str) -> str:
    try:
        ZoneInfo(name)
    except (KeyError, ValueError):
        raise UsageError(f"{where}: unknown time zone {name!r} (use an IANA name such as Europe/Berlin)") from None
    return name


def system_timezone() -> str:
    """The machine's IANA zone ($TZ, else /etc/localtime), else UTC: for floating times."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = os.readlink("/etc/localtime")
        if "zoneinfo/" in link:
            candidates.append(link.split("zoneinfo/", 1)[1])
    except OSError:
        pass
    try:
        candidates.append(Path("/etc/timezone").read_text(encoding="utf-8").strip())
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                ZoneInfo(name)
                return name
            except (KeyError, ValueError):
                continue
    return "UTC"


def state_dir(create: bool = True) -> Path:
    """$FOLLOWCAL_STATE_DIR, else the platformdirs user state dir (created on first use)."""
    explicit = os.environ.get("FOLLOWCAL_STATE_DIR")
    if explicit:
        folder = Path(explicit).expanduser()
    else:
        from platformdirs import user_state_dir

        folder = Path(user_state_dir("followcal"))
    if create:
        folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_config_path() -> Path:
    from platformdirs import user_config_dir

    return Path(user_config_dir("followcal")) / "followcal.toml"


def load_settings(path: str | os.PathLike[str] | None) -> Settings:
    """--config, else $FOLLOWCAL_CONFIG, else the user config dir; a missing default is fine."""
    explicit = path or os.environ.get("FOLLOWCAL_CONFIG")
    config_path = Path(explicit).expanduser() if explicit else default_config_path()
    if not config_path.exists():
        if explicit:
            raise ConfigError(f"config file not found: {config_path}")
        return Settings()
    try:
        raw = tomllib.loads(config_path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{config_path}: invalid TOML: {exc}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{config_path}: cannot read: {exc.__class__.__name__}") from None
    return parse_settings(raw, config_path)


_TOP_KEYS = {
    "region", "timezone", "me", "extra_holidays", "extra_working_days", "rules", "companies",
    "accounts", "sync", "feeds", "serve", "templates", "replies",
    "name", "phone", "language",
}
LANGUAGES = ("en", "de", "fr", "es")


def parse_settings(raw: dict[str, Any], path: Path | None = None) -> Settings:
    where = str(path) if path else "config"
    unknown = sorted(set(raw) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s): {', '.join(unknown)}")
    base = path.parent if path else Path.cwd()
    tz = raw.get("timezone")
    if tz is not None:
        check_timezone(_str(tz, where, "timezone"), f"{where}: timezone")
    templates = raw.get("templates")
    accounts = {
        name: _account(name, v, where, base)
        for name, v in _table(raw.get("accounts", {}), where, "accounts").items()
    }

    def place(specs: list[str]) -> tuple[str, ...]:
        """File paths in the config are relative to the config file, like every other path."""
        return tuple(_resolve_spec(spec, base, accounts) for spec in specs)

    return Settings(
        region=_str(raw["region"], where, "region") if "region" in raw else None,
        timezone=tz,
        me=tuple(m.casefold() for m in _str_list(raw.get("me", []), where, "me")),
        extra_holidays=tuple(_date(d, where, "extra_holidays") for d in raw.get("extra_holidays", [])),
        extra_working_days=tuple(
            _date(d, where, "extra_working_days") for d in raw.get("extra_working_days", [])
        ),
        rules=_rules(raw.get("rules", {}), where),
        companies={
            name: CompanyConfig(name, region=_table(v, where, f"companies.{name}").get("region"))
            for name, v in _table(raw.get("companies", {}), where, "companies").items()
        },
        accounts=accounts,
        syncs=tuple(_sync(i, v, where, place) for i, v in enumerate(raw.get("sync", []))),
        feeds={
            name: FeedConfig(
                name,
                sources=place(_str_list(_table(v, where, f"feeds.{name}").get("from", []), where, f"feeds.{name}.from")),
                refresh_minutes=int(v.get("refresh_minutes", 15)),
                range=_range(v, where, f"feeds.{name}"),
                drafts=_bool(v.get("drafts", True), where, f"feeds.{name}.drafts"),
            )
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


def _rules(raw: Any, where: str) -> RuleSettings:
    raw = _table(raw, where, "rules")
    known = set(RuleSettings.__dataclass_fields__)
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) in [rules]: {', '.join(unknown)}")
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
    known = set(AccountConfig.__dataclass_fields__) - {"name"}
    unknown = sorted(set(raw) - known)
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) in [accounts.{name}]: {', '.join(unknown)}")
    if kind == "caldav" and not raw.get("url"):
        raise ConfigError(f"{where}: accounts.{name}.url is required for a CalDAV account")
    values = dict(raw)
    if kind == "imap":
        _imap_account(name, values, where)
    for key in ("token", "client_secrets", "service_account"):
        if values.get(key) and values[key] != "none":
            values[key] = str(base / Path(values[key]).expanduser())
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
    unknown = sorted(set(raw) - {"from", "max_seconds"})
    if unknown:
        raise ConfigError(f"{where}: unknown setting(s) in [replies]: {', '.join(unknown)}")
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
    name = raw.get("name") or f"sync{index + 1}"
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
        if not isinstance(value, int) or value < 0:
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
    port = raw.get("port", 8765)
    if not isinstance(port, int) or not 0 <= port <= 65535:
        raise ConfigError(f"{where}: serve.port must be a port number")
    token = raw.get("token")
    return ServeConfig(
        host=str(raw.get("host", "127.0.0.1")),
        port=port,
        token=str(token) if token else None,
        public_url=raw.get("public_url"),
    )


def _table(value: Any, where: str, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ConfigError(f"{where}: {what} must be a table")
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
