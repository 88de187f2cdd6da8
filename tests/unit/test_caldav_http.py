"""CalDAV refusals as servers write them (bodies as sent by Cyrus, DAViCal, Nextcloud/sabre) and
the credential rules for redirects. Pure: no server."""

from __future__ import annotations

import pytest

from followcal.backends.caldav_http import Dav, precondition
from followcal.config import AccountConfig

CYRUS = (b'<?xml version="1.0" encoding="utf-8"?>\n<D:error xmlns:D="DAV:" '
         b'xmlns:C="urn:ietf:params:xml:ns:caldav"><C:no-uid-conflict><D:href>/dav/calendars/user/u/a/x.ics'
         b'</D:href></C:no-uid-conflict></D:error>')
SABRE = (b'<?xml version="1.0" encoding="utf-8"?>\n<d:error xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns" '
         b'xmlns:cal="urn:ietf:params:xml:ns:caldav"><cal:valid-calendar-data/><s:message>bad</s:message></d:error>')
PLAIN = b"<html><body>Forbidden</body></html>"


@pytest.mark.parametrize("body, expected", [
    (CYRUS, ("CALDAV:no-uid-conflict", "/dav/calendars/user/u/a/x.ics")),
    (SABRE, ("CALDAV:valid-calendar-data", None)),
    (b'<error xmlns="DAV:"><need-privileges/></error>', ("DAV:need-privileges", None)),
    (PLAIN, None),
    (b"", None),
    (b"<D:error xmlns:D='DAV:'>", None),  # cut off
])
def test_precondition(body: bytes, expected) -> None:
    assert precondition(body) == expected


@pytest.mark.parametrize("url, trusted", [
    ("http://127.0.0.1:8008/dav/", True),
    ("http://127.0.0.1:9000/other/", True),  # same host name, other port
    ("http://localhost:8008/dav/", False),
    ("https://p01.dav.example.org/", True),
    ("https://dav.example.org/", True),
    ("http://p01.dav.example.org/", True),  # the account itself is plain http
    ("https://notdav.example.org/", False),
])
def test_credentials_follow_only_listed_hosts(url: str, trusted: bool) -> None:
    dav = Dav(AccountConfig("w", "caldav", url="http://127.0.0.1:8008/dav/", redirect_hosts=("dav.example.org",)))
    assert dav.trusted(url) is trusted


@pytest.mark.parametrize("url, trusted", [
    ("https://p01.caldav.fastmail.com/dav/", True),  # the provider's per-user host, over https
    ("https://www.fastmail.com/dav/", True),
    ("http://p01.caldav.fastmail.com/dav/", False),  # never from https to http
    ("https://fastmail.com.evil.example/dav/", False),
    ("https://evil-fastmail.com/dav/", False),
    ("https://attacker.co.uk/dav/", False),
])
def test_credentials_follow_the_same_registrable_domain_over_https(url: str, trusted: bool) -> None:
    dav = Dav(AccountConfig("w", "caldav", url="https://caldav.fastmail.com/"))
    assert dav.trusted(url) is trusted


def test_a_shared_public_suffix_is_not_the_same_domain() -> None:
    dav = Dav(AccountConfig("w", "caldav", url="https://dav.alice.co.uk/"))
    assert dav.trusted("https://cal.alice.co.uk/") and not dav.trusted("https://bob.co.uk/")


@pytest.mark.parametrize("value", ['"fastmail.com"', "[1]", '[""]'])
def test_redirect_hosts_must_be_a_list_of_names(tmp_path, value: str) -> None:
    from followcal.config import load_settings
    from followcal.errors import ConfigError

    path = tmp_path / "c.toml"
    path.write_text(f'[accounts.w]\ntype = "caldav"\nurl = "https://dav.example.com/"\nredirect_hosts = {value}\n')
    with pytest.raises(ConfigError, match="redirect_hosts must be a list of host names"):
        load_settings(path)


@pytest.mark.parametrize("line, message", [
    ("max_response_mb = 0", "max_response_mb must be a positive number"),
    ('deadline = "soon"', "deadline must be a positive number"),
    ('unique_uids = "yes"', "unique_uids must be true or false"),
])
def test_limits_are_checked(tmp_path, line: str, message: str) -> None:
    from followcal.config import load_settings
    from followcal.errors import ConfigError

    path = tmp_path / "c.toml"
    path.write_text(f'[accounts.w]\ntype = "caldav"\nurl = "https://dav.example.com/"\n{line}\n')
    with pytest.raises(ConfigError, match=message):
        load_settings(path)
