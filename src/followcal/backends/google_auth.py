"""Google credentials: the installed-app OAuth flow, stored tokens, service accounts.

Tokens are stored as JSON (`Credentials.to_json()`, never pickle) with mode 0600 and written
atomically, so a crash never leaves half a token and other users can never read it. Every
failure becomes an AuthError/UsageError line that names the account and the file, never a token.
"""

from __future__ import annotations

import ipaddress
import json
import os
import urllib.parse
from collections.abc import Callable
from pathlib import Path
from typing import Any

from followcal.config import AccountConfig, Settings
from followcal.errors import AuthError, UsageError

# The narrowest scopes that cover what followcal does (README "Google Calendar" says why):
# - calendar.events: read interviews from any calendar, write reminders into the target;
# - calendar.calendarlist.readonly: find calendars by name (`followcal calendars`, ACCOUNT:NAME);
# - calendar.app.created: create the reminder calendar when it is missing.
SCOPES = [
    "https://www.googleapis.com/auth/calendar.events",
    "https://www.googleapis.com/auth/calendar.calendarlist.readonly",
    "https://www.googleapis.com/auth/calendar.app.created",
]
# Only with `auth google --with-mail`: Gmail over IMAP (XOAUTH2) for [replies]. Google offers no
# narrower scope that IMAP accepts; followcal still opens the mailbox read-only, headers only.
MAIL_SCOPE = "https://mail.google.com/"
_G = "https://www.googleapis.com/auth/"
# What followcal needs, each with the scopes that grant it (a broader earlier grant counts):
NEEDED = {
    "see and edit the events of your calendars (calendar.events)": {_G + "calendar.events", _G + "calendar"},
    "see your calendar list (calendar.calendarlist.readonly)": {
        _G + "calendar.calendarlist.readonly", _G + "calendar.calendarlist", _G + "calendar.readonly", _G + "calendar",
    },
}
# Wanted but optional: without it followcal cannot create a missing reminder calendar.
CREATE = {_G + "calendar.app.created", _G + "calendar.calendars", _G + "calendar"}
AUTH_TIMEOUT = 600  # seconds to wait for the browser's redirect
NO_BROWSER_PORT = 8085  # fixed, so `ssh -L 8085:127.0.0.1:8085` can forward the redirect


def is_loopback(url: str) -> bool:
    """True when the URL's host is 127.0.0.0/8, ::1 or localhost (a local test server)."""
    host = urllib.parse.urlsplit(url).hostname or ""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def missing_permissions(granted: set[str] | frozenset[str] | list[str]) -> list[str]:
    """The permissions of NEEDED that the granted scopes do not cover (empty: enough).
    Compared by what is needed, not by equality: Google may grant a subset (the granular consent
    screen lets the user untick scopes) or a superset (scopes granted to the client earlier)."""
    have = set(granted)
    return [name for name, scopes in NEEDED.items() if not have & scopes]


def reauth_hint(config: AccountConfig) -> str:
    return f"run `followcal auth google --account {config.name}` again"


def write_token(path: Path, data: str) -> None:
    """Write the token JSON atomically with mode 0600 (the temp file is 0600 from the start)."""
    from followcal.backends.files import atomic_write

    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    atomic_write(path, data.encode("utf-8"), mode=0o600)


def load_credentials(config: AccountConfig) -> Any:
    """Credentials for an account: anonymous (local test server), service account, or token."""
    if config.api_endpoint and not is_loopback(config.api_endpoint) and config.token == "none":
        raise UsageError(
            f"account {config.name!r}: token = \"none\" is only allowed with an api_endpoint on "
            "127.0.0.1/::1/localhost (a local test server)"
        )
    if config.token == "none":
        if not config.api_endpoint:
            raise UsageError(f"account {config.name!r}: token = \"none\" needs a loopback api_endpoint")
        from google.auth.credentials import AnonymousCredentials

        return AnonymousCredentials()
    if config.service_account:
        return _service_account(config)
    if not config.token:
        raise UsageError(f"account {config.name!r}: set token (or service_account) for a Google account")
    return _user_token(config)


def _service_account(config: AccountConfig) -> Any:
    from google.oauth2 import service_account

    path = Path(config.service_account or "").expanduser()
    try:
        creds = service_account.Credentials.from_service_account_file(str(path), scopes=SCOPES)
    except FileNotFoundError:
        raise UsageError(f"account {config.name!r}: service account key {path} not found") from None
    except (OSError, ValueError, KeyError) as exc:
        raise UsageError(
            f"account {config.name!r}: {path} is not a service account key ({type(exc).__name__})"
        ) from None
    return creds.with_subject(config.subject) if config.subject else creds


def _user_token(config: AccountConfig) -> Any:
    from google.auth.exceptions import GoogleAuthError, RefreshError, TransportError
    from google.oauth2.credentials import Credentials

    path = Path(config.token or "").expanduser()
    if not path.exists():
        raise AuthError(f"account {config.name!r}: no token at {path}; run `followcal auth google --account {config.name}`")
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
        creds = Credentials.from_authorized_user_info(info)
    except (OSError, ValueError, KeyError, TypeError):
        raise AuthError(f"account {config.name!r}: {path} is not a valid token; {reauth_hint(config)}") from None
    local_uri = info.get("token_uri") if isinstance(info, dict) else None
    if config.api_endpoint and is_loopback(config.api_endpoint) and local_uri and is_loopback(local_uri):
        expiry = creds.expiry  # with_token_uri() copies the credentials but not their expiry
        creds = creds.with_token_uri(local_uri)  # a local test server's token endpoint, never Google's
        creds.expiry = expiry
    if creds.valid:
        return creds
    if not creds.refresh_token:
        raise AuthError(f"account {config.name!r}: the token in {path} expired; {reauth_hint(config)}")
    from google.auth.transport.requests import Request

    try:
        creds.refresh(Request())
    except RefreshError:
        raise AuthError(
            f"account {config.name!r}: Google refused the stored token (revoked or expired); {reauth_hint(config)}"
        ) from None
    except TransportError:
        host = urllib.parse.urlsplit(creds.token_uri or "").hostname or "the token endpoint"
        raise AuthError(f"account {config.name!r}: cannot reach {host} to refresh the token") from None
    except GoogleAuthError as exc:
        raise AuthError(f"account {config.name!r}: token refresh failed ({type(exc).__name__}); {reauth_hint(config)}") from None
    save_token(config, creds)
    return creds


def save_token(config: AccountConfig, creds: Any) -> None:
    """Write refreshed user credentials back to the account's token file (0600, atomic)."""
    if not config.token or config.token == "none" or not hasattr(creds, "to_json"):
        return
    try:
        write_token(Path(config.token), creds.to_json())
    except OSError as exc:
        raise AuthError(f"account {config.name!r}: cannot write {config.token} ({exc.strerror or type(exc).__name__})") from None


def _google_account(settings: Settings, account: str | None) -> AccountConfig:
    if account:
        config = settings.account(account)
        if config.type != "google":
            raise UsageError(f"account {account!r} is not a Google account (type = {config.type!r})")
        return config
    google = [a for a in settings.accounts.values() if a.type == "google"]
    if len(google) != 1:
        names = ", ".join(a.name for a in google) or "none"
        raise UsageError(f"name the account with --account (Google accounts in the config: {names})")
    return google[0]


def authorize(
    settings: Settings,
    account: str | None,
    client_secrets: str | None,
    *,
    open_browser: bool = True,
    echo: Callable[[str], None] = print,
    with_mail: bool = False,
) -> str:
    """Run the installed-app flow (redirect to 127.0.0.1) and store the token; one-line result."""
    config = _google_account(settings, account)
    if config.service_account:
        raise UsageError(f"account {config.name!r} uses a service account; no sign-in needed")
    if not config.token or config.token == "none":
        raise UsageError(f"account {config.name!r}: set token = \"PATH\" (where to store the token)")
    secrets = client_secrets or config.client_secrets
    if not secrets:
        raise UsageError(
            f"account {config.name!r}: give --client-secrets FILE (the OAuth client JSON of a "
            "Desktop app from the Google Cloud console) or set client_secrets in the config"
        )
    secrets_path = Path(secrets).expanduser()
    if not secrets_path.is_file():
        raise UsageError(f"{secrets_path}: client secrets file not found")
    from google_auth_oauthlib.flow import InstalledAppFlow

    try:
        flow = InstalledAppFlow.from_client_secrets_file(
            str(secrets_path), scopes=SCOPES + ([MAIL_SCOPE] if with_mail else [])
        )
    except (ValueError, KeyError, OSError):
        raise UsageError(f"{secrets_path}: not an OAuth client file for a Desktop app") from None
    if open_browser:
        echo("Opening your browser to sign in to Google (waiting for the redirect to 127.0.0.1) ...")
        port = 0
    else:
        echo(
            f"Open the URL below in a browser. On a remote machine forward the port first: "
            f"ssh -L {NO_BROWSER_PORT}:127.0.0.1:{NO_BROWSER_PORT} this-host"
        )
        port = NO_BROWSER_PORT
    relaxed = os.environ.get("OAUTHLIB_RELAX_TOKEN_SCOPE")
    os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = "1"  # a different grant is checked below, not refused
    try:
        creds = flow.run_local_server(
            host="127.0.0.1",
            bind_addr="127.0.0.1",
            port=port,
            open_browser=open_browser,
            authorization_prompt_message="{url}",
            success_message="followcal is signed in; you can close this tab.",
            timeout_seconds=AUTH_TIMEOUT,
        )
    except OSError as exc:
        raise AuthError(f"cannot listen on 127.0.0.1 for the OAuth redirect ({exc.strerror or exc})") from None
    except Exception as exc:  # oauthlib raises many classes (access_denied, mismatching state)
        raise AuthError(f"Google sign-in failed ({type(exc).__name__}); try again") from None
    finally:
        if relaxed is None:
            os.environ.pop("OAUTHLIB_RELAX_TOKEN_SCOPE", None)
        else:
            os.environ["OAUTHLIB_RELAX_TOKEN_SCOPE"] = relaxed
    granted = list(getattr(creds, "granted_scopes", None) or SCOPES)
    missing = missing_permissions(granted)
    if missing:
        raise AuthError(
            f"account {config.name!r}: Google granted no permission to " + " nor to ".join(missing)
            + "; run `followcal auth google` again and tick " + ("both boxes" if len(missing) > 1 else "that box")
            + " on the consent screen (no token stored)"
        )
    # stored with the scopes Google granted: a refresh asking for more would be refused
    info = {**json.loads(creds.to_json()), "scopes": sorted(granted)}
    write_token(Path(config.token), json.dumps(info))
    note = "" if set(granted) & CREATE else (
        "; without calendar.app.created followcal cannot create a missing reminder calendar: "
        "create it in Google Calendar yourself"
    )
    return f"account {config.name!r}: signed in; token stored in {Path(config.token).expanduser()} (mode 0600){note}"
