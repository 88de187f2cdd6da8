"""The TOML config file (DESIGN.md "Config"), loaded into frozen dataclasses.

`plan` and `export` on a file or URL need no config: `Settings()` holds every default.
Secrets are resolved only when a backend asks for them (`AccountConfig.password_value`), and no
error message ever contains one.
"""

from __future__ import annotations

import os
import shlex
import tomllib
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from followcal.core.model import Window
from followcal.errors import ConfigError, UsageError

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
    # CalDAV limits and redirects (issue 14, backends/caldav_http.py)
    max_response_mb: float = 50.0  # largest answer read (after decompression), in MB
    deadline: float = 300.0  # seconds one request may take in all, redirects included
    redirect_hosts: tuple[str, ...] = ()  # other hosts (and their subdomains) that get the credentials
    unique_uids: bool | None = None  # server wants UIDs unique per account; None: detect (Cyrus)
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
            key = (self.name, self.password_command)
            if key not in _SECRETS:  # once per account and run, however many targets use it
                _SECRETS[key] = self._run_password_command()
            return _SECRETS[key]
        return self.password

    def _run_password_command(self) -> str:
        if self.password_command:
            try:
                argv = shlex.split(self.password_command)
            except ValueError:
                raise ConfigError(
                    f"account {self.name!r}: password_command cannot be split into words (unclosed quote?)"
                ) from None
            import subprocess  # only for a password_command (2 ms of every start otherwise)

            try:
                done = subprocess.run(
                    argv,
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
        return ""


# Resolved password_command outputs of this run, by (account, command): a sync with three targets
# on one account asks the password manager once. Never written anywhere.
_SECRETS: dict[tuple[str, str], str] = {}


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


def parse_settings(raw: dict[str, Any], path: Path | None = None) -> Settings:
    """A parsed TOML table as Settings, every table checked (config_parse holds the checks)."""
    from followcal.config_parse import parse_settings as parse

    return parse(raw, path)
