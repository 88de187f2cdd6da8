"""Cyrus IMAP 3.6 with CalDAV (the server Fastmail runs), started for the tests on 127.0.0.1.

One Cyrus per test session (session fixture `cyrus` in conftest.py): its own imapd.conf and
cyrus.conf in a temp dir owned by the `cyrus` user, HTTP (caldav) and IMAP on free ports, users
in a private sasldb (auxprop). `new_user()` gives each test a fresh account: a sasldb entry plus
`CREATE user/NAME` over IMAP as the admin; Cyrus makes the calendar home (Default, Inbox, Outbox)
on the user's first CalDAV request.

    cyrus = CyrusServer.start_new()        # needs root (chown to cyrus) and the Debian packages
    user = cyrus.new_user()                # a servers.Server view: url, home, username, password
    cyrus.imap_port                        # IMAP on 127.0.0.1 for whoever needs it
    cyrus.stop()

Standard library only, like servers.py.
"""

from __future__ import annotations

import imaplib
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from servers import Server, free_port

MASTER = "/usr/lib/cyrus/bin/master"
SASLPASSWD = "/usr/sbin/saslpasswd2"
ADMIN, ADMIN_PASSWORD = "cyrus", "adm1n-Pa55"
READY_TIMEOUT = 30.0


def available() -> str | None:
    """None when Cyrus can run here, else why not (for a skip message)."""
    if not (Path(MASTER).exists() and Path(SASLPASSWD).exists()):
        return "cyrus-imapd/cyrus-caldav/sasl2-bin not installed (.ci/run installs them)"
    if os.geteuid() != 0:
        return "Cyrus needs root to hand its folder to the cyrus user"
    return None


class CyrusServer:
    def __init__(self, root: Path, http_port: int, imap_port: int) -> None:
        self.root = root
        self.http_port = http_port
        self.imap_port = imap_port
        self.url = f"http://127.0.0.1:{http_port}/"
        self.process: subprocess.Popen | None = None
        self._names = itertools.count(1)

    @classmethod
    def start_new(cls) -> CyrusServer:
        root = Path(tempfile.mkdtemp(prefix="followcal-cyrus-"))
        server = cls(root, free_port(), free_port())
        server._configure()
        server._start()
        return server

    @property
    def conf(self) -> Path:
        return self.root / "imapd.conf"

    def _configure(self) -> None:
        t = self.root
        for sub in ("conf", "spool", "sieve", "run/socket", "run/proc", "run/lock"):
            (t / sub).mkdir(parents=True, exist_ok=True)
        self.conf.write_text(
            f"configdirectory: {t}/conf\nproc_path: {t}/run/proc\nmboxname_lockpath: {t}/run/lock\n"
            f"defaultpartition: default\npartition-default: {t}/spool\nsievedir: {t}/sieve\n"
            f"lmtpsocket: {t}/run/socket/lmtp\nidlesocket: {t}/run/socket/idle\n"
            f"notifysocket: {t}/run/socket/notify\n"
            f"admins: {ADMIN}\nallowplaintext: yes\nsasl_pwcheck_method: auxprop\n"
            f"sasl_auxprop_plugin: sasldb\nsasl_sasldb_path: {t}/sasldb2\nsasl_mech_list: PLAIN LOGIN\n"
            "httpmodules: caldav\nunixhierarchysep: yes\naltnamespace: yes\nservername: localhost\n"
            "autocreate_quota: 0\nsyslog_prefix: followcal-tests-cyrus\n"
            "failedloginpause: 0\n"  # no 3 s pause after a wrong password (tests refuse logins on purpose)
        )
        (t / "cyrus.conf").write_text(
            f'START {{\n  recover cmd="ctl_cyrusdb -r -C {self.conf}"\n}}\n'
            "SERVICES {\n"
            f'  http cmd="httpd -C {self.conf}" listen="127.0.0.1:{self.http_port}" prefork=1 maxchild=20\n'
            f'  imap cmd="imapd -C {self.conf}" listen="127.0.0.1:{self.imap_port}" prefork=0 maxchild=10\n'
            "}\nEVENTS {\n"
            f'  checkpoint cmd="ctl_cyrusdb -c -C {self.conf}" period=30\n'
            "}\n"
        )
        self._saslpasswd(ADMIN, ADMIN_PASSWORD)
        subprocess.run(["chown", "-R", "cyrus:mail", str(t)], check=True)
        os.chmod(t, 0o750)

    def _saslpasswd(self, user: str, password: str) -> None:
        # realm "localhost" (servername) is what Cyrus asks SASL for; -c creates the db
        subprocess.run([SASLPASSWD, "-c", "-p", "-f", str(self.root / "sasldb2"), "-u", "localhost", user],
                       input=password.encode(), check=True)
        if (self.root / "sasldb2").stat().st_uid == 0:
            shutil.chown(self.root / "sasldb2", "cyrus", "mail")

    def _start(self) -> None:
        log = open(self.root / "master.log", "ab")
        self.process = subprocess.Popen(
            [MASTER, "-C", str(self.conf), "-M", str(self.root / "cyrus.conf"), "-p", str(self.root / "master.pid"), "-D"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"cyrus master exited with {self.process.returncode}: {self.log_tail()}")
            if _listening(self.http_port) and _listening(self.imap_port):
                return
            time.sleep(0.05)
        raise RuntimeError(f"cyrus not ready on {self.url} after {READY_TIMEOUT} s: {self.log_tail()}")

    def log_tail(self) -> str:
        try:
            return (self.root / "master.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def new_user(self, name: str | None = None, password: str = "s3cret-Pa55") -> Server:
        """A fresh account with its calendar home; a Server view (stop/kill do nothing)."""
        name = name or f"user{next(self._names)}"
        self._saslpasswd(name, password)
        imap = imaplib.IMAP4("127.0.0.1", self.imap_port)
        try:
            imap.login(ADMIN, ADMIN_PASSWORD)
            status, detail = imap.create(f"user/{name}")
            if status != "OK":
                raise RuntimeError(f"cyrus: CREATE user/{name}: {detail}")
        finally:
            imap.logout()
        home = f"{self.url}dav/calendars/user/{name}/"
        user = Server("cyrus", self.url, home, self.root, name, password, [], self.root / "master.log")
        user.request("PROPFIND", home, '<D:propfind xmlns:D="DAV:"><D:prop><D:resourcetype/></D:prop></D:propfind>',
                     {"Depth": "0", "Content-Type": "application/xml"})  # makes the calendar home
        return user

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)
        shutil.rmtree(self.root, ignore_errors=True)


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False
