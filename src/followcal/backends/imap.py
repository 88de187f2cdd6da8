"""IMAP, read-only and headers only: the one module that talks to a mailbox (imapclient).

Every folder is opened with EXAMINE (select_folder(readonly=True)), so the server changes no flag
(\\Seen, \\Recent stay as they are); the server does the searching (SINCE a date, FROM one of the
senders, OR-combined) and only five header fields are fetched with BODY.PEEK. TLS is verified
by default (`verify_tls` may name a CA bundle); port 143 is used only with STARTTLS, never in the
clear. Each run has a deadline: every socket operation gets at most the time that is left.
"""

from __future__ import annotations

import email.policy
import email.utils
import socket
import ssl
import time
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from email.parser import BytesHeaderParser
from typing import Any, Protocol

from followcal.config import AccountConfig, Settings
from followcal.core.replies import Address, MailMessage
from followcal.errors import AuthError, BackendError, UsageError

HEADERS = "FROM REPLY-TO DATE SUBJECT MESSAGE-ID"
FETCH_ITEM = f"BODY.PEEK[HEADER.FIELDS ({HEADERS})]"
TERMS_PER_SEARCH = 40  # senders per SEARCH command (keeps each command line short)
FETCH_BATCH = 200
GMAIL_SCOPE = "https://mail.google.com/"


class _Connection(Protocol):
    """The part of imapclient.IMAPClient this module uses (imapclient ships no type hints)."""

    def starttls(self, ssl_context: ssl.SSLContext | None = None) -> object: ...
    def sasl_login(self, mech_name: str, mech_callable: Callable[[bytes], str | bytes]) -> object: ...
    def login(self, username: str, password: str) -> object: ...
    def select_folder(self, folder: str, readonly: bool = False) -> object: ...
    def search(self, criteria: list[str | date]) -> list[int]: ...
    # {uid: {b"BODY[HEADER.FIELDS (...)]": b"...", b"SEQ": 1, ...}}: values of several types
    def fetch(self, messages: list[int], data: list[str]) -> dict[int, dict[bytes, Any]]: ...
    def close_folder(self) -> object: ...
    def logout(self) -> object: ...
    def shutdown(self) -> None: ...
    def socket(self) -> socket.socket | None: ...


def xoauth2_string(user: str, access_token: str) -> str:
    """The SASL XOAUTH2 initial response (Google's "OAuth 2.0 Mechanism" spec)."""
    return f"user={user}\x01auth=Bearer {access_token}\x01\x01"


def tls_context(config: AccountConfig) -> ssl.SSLContext:
    """Verified TLS (system CAs, or `verify_tls` = a CA bundle path); false only when asked."""
    if isinstance(config.verify_tls, str):
        try:
            return ssl.create_default_context(cafile=config.verify_tls)
        except (OSError, ssl.SSLError):
            raise UsageError(f"account {config.name!r}: verify_tls: cannot read CA bundle {config.verify_tls}") from None
    context = ssl.create_default_context()
    if config.verify_tls is False:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    return context


class Deadline:
    """The time left for this run; every blocking call gets at most that long."""

    def __init__(self, seconds: float, per_call: float) -> None:
        self.end = time.monotonic() + seconds
        self.per_call = per_call

    def calls_of(self, per_call: float) -> Deadline:
        """The same end, with another limit per blocking call (an account's `timeout`)."""
        other = Deadline(0, per_call)
        other.end = self.end
        return other

    def left(self) -> float:
        remaining = self.end - time.monotonic()
        if remaining <= 0:
            raise BackendError("the mailbox check ran out of time")
        return min(remaining, self.per_call)


class Mailbox:
    """One IMAP account, opened read-only."""

    def __init__(self, config: AccountConfig, settings: Settings, deadline: Deadline) -> None:
        self.config = config
        self.settings = settings
        self.deadline = deadline
        self.client: _Connection | None = None
        self.label = f"mail account {config.name!r} ({config.host})"

    def __enter__(self) -> Mailbox:
        self._connect()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.client is not None:
            try:
                self._timeout()
                self.client.logout()
            except Exception:  # noqa: BLE001  closing a connection that may already be gone
                try:
                    self.client.shutdown()
                except Exception:  # noqa: BLE001
                    pass

    def _timeout(self) -> None:
        sock = self.client.socket() if self.client is not None else None
        if sock is not None:
            sock.settimeout(self.deadline.left())

    def _connect(self) -> None:
        import imapclient

        config = self.config
        context = tls_context(config)
        port = config.port or (143 if config.starttls else 993)
        try:
            client: _Connection = imapclient.IMAPClient(
                config.host, port=port, ssl=not config.starttls, ssl_context=context,
                timeout=self.deadline.left(),
            )
            self.client = client
            if config.starttls:
                client.starttls(context)
            self._timeout()
            self._login()
        except imapclient.exceptions.LoginError:
            raise AuthError(f"{self.label}: login refused for {config.username!r}") from None
        except ssl.SSLCertVerificationError as exc:
            raise BackendError(f"{self.label}: TLS certificate not trusted ({exc.verify_message})") from None
        except (OSError, imapclient.exceptions.IMAPClientError) as exc:
            raise BackendError(f"{self.label}: cannot connect on port {port} ({_reason(exc)})") from None

    def _connected(self) -> _Connection:
        if self.client is None:  # pragma: no cover - only called once _connect succeeded
            raise BackendError(f"{self.label}: not connected")
        return self.client

    def _login(self) -> None:
        config = self.config
        client = self._connected()
        if config.oauth:
            token = google_access_token(self.settings, config.oauth)
            user = config.username or ""
            # client-first; a non-empty challenge is Google's error report, answered empty (RFC 7628)
            client.sasl_login("XOAUTH2", lambda challenge: "" if challenge else xoauth2_string(user, token))
            return
        password = config.password_value()
        if not config.username or password is None:
            raise UsageError(f"account {config.name!r}: set username and password_env/password_command/password")
        client.login(config.username, password)

    def headers(self, since: date, senders: Sequence[str]) -> tuple[list[MailMessage], list[str]]:
        """Headers of the messages in every folder from one of `senders` since `since`."""
        import imapclient

        client = self._connected()
        messages: list[MailMessage] = []
        warnings: list[str] = []
        for folder in self.config.folders:
            try:
                self._timeout()
                client.select_folder(folder, readonly=True)  # EXAMINE
            except imapclient.exceptions.IMAPClientError as exc:
                warnings.append(f"{self.label}: cannot open folder {folder!r} ({_reason(exc)})")
                continue
            except OSError as exc:
                raise BackendError(f"{self.label}: {folder}: {_reason(exc)}") from None
            try:
                uids: set[int] = set()
                for i in range(0, len(senders), TERMS_PER_SEARCH):
                    self._timeout()
                    uids.update(client.search(search_criteria(since, senders[i:i + TERMS_PER_SEARCH])))
                ordered = sorted(uids)
                for i in range(0, len(ordered), FETCH_BATCH):
                    self._timeout()
                    fetched = client.fetch(ordered[i:i + FETCH_BATCH], [FETCH_ITEM])
                    for uid in sorted(fetched):
                        parsed = parse_headers(_header_bytes(fetched[uid]), self.config.name, folder, uid)
                        if parsed is not None:
                            messages.append(parsed)
            except (OSError, imapclient.exceptions.IMAPClientError) as exc:
                raise BackendError(f"{self.label}: {folder}: {_reason(exc)}") from None
            finally:
                try:
                    self._timeout()
                    client.close_folder()  # CLOSE on an EXAMINEd folder expunges nothing
                except Exception:  # noqa: BLE001
                    pass
        return messages, warnings


def search_criteria(since: date, senders: Sequence[str]) -> list[str | date]:
    """`SINCE d OR OR FROM a FROM b FROM c`: one SEARCH for many senders."""
    terms: list[str | date] = ["OR"] * (len(senders) - 1)
    for sender in senders:
        terms += ["FROM", sender]
    return ["SINCE", since, *terms]


def _header_bytes(item: dict[bytes, Any]) -> bytes:
    for key, value in item.items():
        if isinstance(key, bytes) and key.startswith(b"BODY[HEADER.FIELDS"):
            return value if isinstance(value, bytes) else b""
    return b""


def _address(text: str | None) -> Address | None:
    if not text:
        return None
    name, addr = email.utils.parseaddr(str(text))
    if "@" not in addr:
        return None
    return Address(name.strip() or None, addr.strip().lower())


def parse_headers(raw: bytes, account: str, folder: str, uid: int) -> MailMessage | None:
    """The five header fields as a MailMessage; odd headers are tolerated, never fatal."""
    try:
        headers = BytesHeaderParser(policy=email.policy.default).parsebytes(raw)
        sender = _address(headers.get("From"))
        reply_to = []
        for part in email.utils.getaddresses([str(v) for v in headers.get_all("Reply-To", [])]):
            found = _address(email.utils.formataddr(part))
            if found:
                reply_to.append(found)
        sent: datetime | None = None
        if headers.get("Date"):
            try:
                sent = email.utils.parsedate_to_datetime(str(headers["Date"]))
                if sent.tzinfo is None:
                    sent = sent.replace(tzinfo=UTC)  # RFC 5322 -0000: UTC, zone unknown
            except (TypeError, ValueError):
                sent = None
        message_id = str(headers.get("Message-ID") or "").strip() or f"<uid-{uid}@{account}/{folder}>"
        subject = " ".join(str(headers.get("Subject") or "").split())
        return MailMessage(message_id, sender, tuple(reply_to), sent, subject, account, folder)
    except Exception:  # noqa: BLE001  a header the email package cannot read: skip the message
        return None


def _reason(exc: BaseException) -> str:
    if isinstance(exc, socket.timeout | TimeoutError):
        return "timed out"
    text = str(exc) or type(exc).__name__
    return text.splitlines()[0][:200] if text else type(exc).__name__


def google_access_token(settings: Settings, account: str) -> str:
    """An access token of a Google account of the config that was signed in with --with-mail."""
    from followcal.backends.google_auth import load_credentials

    config = settings.account(account)
    creds = load_credentials(config)
    scopes = set(getattr(creds, "scopes", None) or ()) | set(getattr(creds, "granted_scopes", None) or ())
    if GMAIL_SCOPE not in scopes:
        raise AuthError(
            f"account {account!r} was signed in without mail access; run "
            f"`followcal auth google --account {account} --with-mail`"
        )
    token = getattr(creds, "token", None)
    if not token:
        raise AuthError(f"account {account!r}: no access token; run `followcal auth google --account {account} --with-mail`")
    return str(token)


def read_headers(
    config: AccountConfig, settings: Settings, since: date, senders: Sequence[str], deadline: Deadline
) -> tuple[list[MailMessage], list[str]]:
    """Open the account, search every folder, close; BackendError/AuthError on failure."""
    if not senders:
        return [], []
    with Mailbox(config, settings, deadline) as mailbox:
        return mailbox.headers(since, senders)
