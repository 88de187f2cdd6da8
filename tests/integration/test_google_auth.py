"""Google credentials end to end against the loopback fake (tests/integration/fake_google.py):
service-account keys with domain-wide delegation, broken key files, and `auth google --no-browser`
(the headless flow: print the URL, wait on a fixed port for the redirect). No traffic leaves
127.0.0.1; the RSA key is generated here, never a real one."""

from __future__ import annotations

import base64
import json
import logging
import os
import socket
import stat
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from fake_google import FakeGoogle  # tests/integration is on sys.path (conftest.py)
from support import run
from test_google_sync import NOW, reminders, seed_sample, write_config

from followcal.backends import google_auth

pytestmark = pytest.mark.integration

SUBJECT = "me@corp.example"
SA_EMAIL = "followcal@project.iam.gserviceaccount.com"


@pytest.fixture(scope="module")
def private_key_pem() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def service_account_key(path: Path, fake: FakeGoogle, pem: str) -> Path:
    """A key file shaped like the console's download, whose token_uri is the fake's /token."""
    path.write_text(json.dumps({
        "type": "service_account", "project_id": "project", "private_key_id": "k1",
        "private_key": pem, "client_email": SA_EMAIL, "client_id": "1234567890",
        "token_uri": fake.url + "token",
    }), encoding="utf-8")
    path.chmod(0o600)
    return path


def sa_config(env: Path, fake: FakeGoogle, key: Path, *, subject: str | None = SUBJECT) -> Path:
    extra = f'service_account = "{key}"\n' + (f'subject = "{subject}"\n' if subject else "")
    config = write_config(env, fake, extra=extra)
    # service_account replaces token; write_config always writes one, so drop it
    text = config.read_text(encoding="utf-8").replace('token = "none"\n', "")
    config.write_text(text, encoding="utf-8")
    return config


def jwt_payload(assertion: str) -> dict:
    """The claims of a JWT, decoded without verifying the signature (base64url, padding restored)."""
    body = assertion.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))


# --- service accounts ----------------------------------------------------------------------


def test_service_account_with_subject_syncs_and_asks_for_a_delegated_token(fake, env, private_key_pem):
    fake.require_auth = True  # every API call must carry the token the JWT grant returned
    seed_sample(fake)
    key = service_account_key(env / "sa-key.json", fake, private_key_pem)
    config = sa_config(env, fake, key)
    result = run(config, "sync", "--now", NOW)
    assert result.exit_code == 0, result.output
    assert reminders(fake), "no reminders reached the fake"
    assert fake.jwt_assertions, "no JWT-bearer grant reached the token endpoint"
    claims = jwt_payload(fake.jwt_assertions[0])
    assert claims["sub"] == SUBJECT
    assert claims["iss"] == SA_EMAIL
    assert claims["aud"] == "https://oauth2.googleapis.com/token"  # google-auth always signs for Google's
    assert set(claims["scope"].split()) == set(google_auth.SCOPES)
    assert "private_key" not in result.output and "ya29." not in result.output
    assert not any(p.name.endswith(".json") and p != key for p in env.iterdir())  # no token file written


def test_service_account_without_subject_acts_as_itself(fake, env, private_key_pem):
    fake.require_auth = True
    key = service_account_key(env / "sa-key.json", fake, private_key_pem)
    config = sa_config(env, fake, key, subject=None)
    result = run(config, "calendars", "g")
    assert result.exit_code == 0, result.output
    assert "sub" not in jwt_payload(fake.jwt_assertions[0])


def test_service_account_key_refused_by_the_token_endpoint_is_one_line(fake, env, private_key_pem):
    fake.require_auth = True
    key = service_account_key(env / "sa-key.json", fake, private_key_pem)
    config = sa_config(env, fake, key)
    fake.token_endpoint = lambda form: (400, {"error": "invalid_grant", "error_description": "Invalid JWT"})
    result = run(config, "calendars", "g")
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "'g'" in lines[0], result.output
    assert "service account key" in lines[0] and "auth google" not in lines[0]  # no sign-in advice
    assert "Traceback" not in result.output and "BEGIN PRIVATE KEY" not in result.output


def _broken_keys(env: Path, fake: FakeGoogle, pem: str) -> dict[str, Path]:
    good = json.loads(service_account_key(env / "good.json", fake, pem).read_text())
    cases = {
        "missing": env / "absent.json",
        "directory": env / "a-directory.json",
        "not json": env / "garbage.json",
        "user token, not a key": env / "user-token.json",
        "bad private key": env / "bad-pem.json",
    }
    cases["directory"].mkdir()
    cases["not json"].write_text("{not json", encoding="utf-8")
    cases["user token, not a key"].write_text(json.dumps({"refresh_token": "1//x", "client_id": "c"}), encoding="utf-8")
    bad_key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"
    cases["bad private key"].write_text(json.dumps({**good, "private_key": bad_key}), encoding="utf-8")
    if os.geteuid() != 0:  # root reads mode-000 files anyway
        unreadable = service_account_key(env / "unreadable.json", fake, pem)
        unreadable.chmod(0)
        cases["unreadable"] = unreadable
    return cases


@pytest.mark.parametrize("command", [("sync", "--now", NOW), ("calendars", "g")])
def test_broken_service_account_key_is_a_config_error_naming_the_file(fake, env, private_key_pem, command):
    seed_sample(fake)
    for case, key in _broken_keys(env, fake, private_key_pem).items():
        config = sa_config(env, fake, key)
        result = run(config, *command)
        lines = result.output.strip().splitlines()
        assert result.exit_code == 2, (case, result.output)
        assert len(lines) == 1 and str(key) in lines[0], (case, result.output)
        assert "Traceback" not in result.output and "BEGIN PRIVATE KEY" not in result.output, case
    assert not fake.writes() and not fake.jwt_assertions


# --- auth google --no-browser --------------------------------------------------------------


def client_secrets(env: Path, fake: FakeGoogle) -> Path:
    """A Desktop-app OAuth client file whose auth and token URIs are the fake's."""
    path = env / "client_secret.json"
    path.write_text(json.dumps({"installed": {
        "client_id": "cid.apps.googleusercontent.com", "client_secret": "shh",
        "auth_uri": fake.url + "auth", "token_uri": fake.url + "token", "redirect_uris": ["http://localhost"],
    }}))
    return path


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_url(caplog: pytest.LogCaptureFixture, done: threading.Event, timeout: float = 15.0) -> str:
    """The authorization URL the command prints (google_auth_oauthlib also logs it, which a test
    can read while the command still runs; the CLI output is only readable once it ends)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not done.is_set():
        for record in list(caplog.records):
            message = record.getMessage()
            if message.startswith("http") and "state=" in message:
                return message
        time.sleep(0.02)
    raise AssertionError("the command printed no authorization URL")


def test_auth_google_no_browser_prints_the_url_and_takes_the_redirect_on_the_fixed_port(fake, env, monkeypatch, caplog):
    import webbrowser

    port = _free_port()
    monkeypatch.setattr(google_auth, "NO_BROWSER_PORT", port)
    monkeypatch.setenv("OAUTHLIB_INSECURE_TRANSPORT", "1")  # the fake token endpoint is plain http
    monkeypatch.setattr(webbrowser, "get", lambda *a, **k: pytest.fail("--no-browser opened a browser"))
    caplog.set_level(logging.INFO, logger="google_auth_oauthlib.flow")
    fake.require_auth = True
    secrets_file = client_secrets(env, fake)
    token = env / "tokens" / "google.json"
    config = write_config(env, fake, token=str(token))

    outcome: dict = {}
    done = threading.Event()

    def command() -> None:
        try:
            outcome["result"] = run(config, "auth", "google", "--no-browser", "--client-secrets", str(secrets_file))
        finally:
            done.set()

    worker = threading.Thread(target=command, daemon=True)
    worker.start()
    url = _wait_for_url(caplog, done)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(url).query)
    assert url.startswith(fake.url + "auth?")
    assert query["redirect_uri"] == [f"http://127.0.0.1:{port}/"]
    assert set(query["scope"][0].split()) == set(google_auth.SCOPES)
    # what the browser does after the user signs in: follow the redirect to the local port
    back = query["redirect_uri"][0] + "?" + urllib.parse.urlencode({"code": "fake-code", "state": query["state"][0]})
    with urllib.request.urlopen(back, timeout=10) as response:
        assert response.status == 200 and b"signed in" in response.read()
    assert done.wait(15), "the command did not finish after the redirect"
    worker.join(5)

    result = outcome["result"]
    assert result.exit_code == 0, result.output
    assert url in result.output  # the user sees the URL to open
    assert f"ssh -L {port}:127.0.0.1:{port}" in result.output
    assert "token stored" in result.output
    assert stat.S_IMODE(token.stat().st_mode) == 0o600
    saved = json.loads(token.read_text())
    assert saved["token"] in fake.access_tokens and saved["refresh_token"] in fake.refresh_tokens
    assert run(config, "calendars", "g").exit_code == 0


def test_auth_google_no_browser_with_the_port_taken_is_an_auth_error(fake, env, monkeypatch):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        monkeypatch.setattr(google_auth, "NO_BROWSER_PORT", busy.getsockname()[1])
        secrets_file = client_secrets(env, fake)
        config = write_config(env, fake, token=str(env / "t.json"))
        result = run(config, "auth", "google", "--no-browser", "--client-secrets", str(secrets_file))
    assert result.exit_code == 1, result.output
    assert "cannot listen on 127.0.0.1" in result.output and "Traceback" not in result.output
    assert not (env / "t.json").exists()
