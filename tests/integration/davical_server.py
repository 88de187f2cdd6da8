"""DAViCal 1.1 (PHP on Apache, PostgreSQL) started for the tests on 127.0.0.1.

One DAViCal per test session (session fixture `davical` in conftest.py): a PostgreSQL cluster in a
temp dir owned by `postgres` (initdb/pg_ctl via `runuser -u postgres`, Unix socket only, fsync off),
the database built by DAViCal's own dba/create-database.sh, and Apache (prefork + mod_php) with a
temp config (`-f`) on a free port serving /usr/share/davical/htdocs. DAViCal reads the packaged
/etc/davical/config.php (`dbname=davical user=davical_app`); PGHOST/PGPORT in Apache's
environment point libpq at the temp cluster, so nothing under /etc is changed.

    davical = DavicalServer.start_new()
    user = davical.new_user()       # a servers.Server view; home /caldav.php/NAME/
    davical.stop()
"""

from __future__ import annotations

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

PG_BIN = Path("/usr/lib/postgresql")
APACHE = "/usr/sbin/apache2"
MODULES = "/usr/lib/apache2/modules"
HTDOCS = "/usr/share/davical/htdocs"
CREATE_DB = "/usr/share/davical/dba/create-database.sh"
READY_TIMEOUT = 30.0


def _pg_bin() -> Path | None:
    found = sorted(PG_BIN.glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


def _php_module() -> Path | None:
    found = sorted(Path(MODULES).glob("libphp*.so"))
    return found[-1] if found else None


def available() -> str | None:
    if not (Path(APACHE).exists() and Path(CREATE_DB).exists() and _pg_bin() and _php_module()):
        return "davical/postgresql/apache2/libapache2-mod-php not installed (.ci/run installs them)"
    if os.geteuid() != 0:
        return "DAViCal's PostgreSQL and Apache need root here (runuser -u postgres)"
    return None


class DavicalServer:
    def __init__(self, root: Path, port: int) -> None:
        self.root = root
        self.port = port
        self.url = f"http://127.0.0.1:{port}/"
        self.pg_bin = _pg_bin()
        self.pg_port = free_port()
        self._names = itertools.count(1)
        self._pg_started = False
        self._apache_started = False

    @classmethod
    def start_new(cls) -> DavicalServer:
        root = Path(tempfile.mkdtemp(prefix="followcal-davical-"))
        os.chmod(root, 0o755)
        shutil.chown(root, "postgres")
        server = cls(root, free_port())
        try:
            server._start_postgres()
            server._create_database()
            server._start_apache()
        except BaseException:
            server.stop()
            raise
        return server

    def _as_postgres(self, *argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        full = ["runuser", "-u", "postgres", "--", "env", *(f"{k}={v}" for k, v in (env or {}).items()), *argv]
        done = subprocess.run(full, capture_output=True, text=True, cwd=self.root, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed ({done.returncode}): {done.stdout[-1500:]} {done.stderr[-1500:]}")
        return done

    def _start_postgres(self) -> None:
        data = self.root / "pg"
        self._as_postgres(str(self.pg_bin / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres",
                          "--no-sync", "-E", "UTF8", "--locale=C.UTF-8")
        options = (f"-c listen_addresses='' -k {self.root} -p {self.pg_port} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off")
        self._as_postgres(str(self.pg_bin / "pg_ctl"), "-D", str(data), "-l", str(self.root / "pg.log"), "-w",
                          "-o", options, "start")
        self._pg_started = True

    @property
    def pg_env(self) -> dict[str, str]:
        return {"PGHOST": str(self.root), "PGPORT": str(self.pg_port)}

    def _create_database(self) -> None:
        env = {**self.pg_env, "PATH": f"{self.pg_bin}:/usr/bin:/bin", "PSQLOPTS": f"-h {self.root} -p {self.pg_port}",
               "DBAOPTS": f"--dbhost {self.root} --dbport {self.pg_port}", "TMPDIR": str(self.root)}
        self._as_postgres("sh", CREATE_DB, "davical", "adm1n-Pa55", env=env)

    def sql(self, statement: str) -> str:
        return self._as_postgres(str(self.pg_bin / "psql"), "-qXAt", "-v", "ON_ERROR_STOP=1", "-c", statement,
                                 "davical", env=self.pg_env).stdout

    def _start_apache(self) -> None:
        t = self.root
        mods = "".join(f"LoadModule {name}_module {MODULES}/mod_{name}.so\n"
                       for name in ("mpm_prefork", "authz_core", "mime", "dir", "alias", "rewrite", "env"))
        (t / "httpd.conf").write_text(
            f"ServerRoot /etc/apache2\nServerName 127.0.0.1\nListen 127.0.0.1:{self.port}\n"
            f"PidFile {t}/apache.pid\nErrorLog {t}/apache-error.log\nLogLevel warn\n"
            "User www-data\nGroup www-data\n"
            f"{mods}LoadModule php_module {_php_module()}\n"
            "StartServers 2\nMinSpareServers 1\nMaxSpareServers 4\nMaxRequestWorkers 16\n"
            "TypesConfig /etc/mime.types\n"
            '<FilesMatch "\\.php$">\n  SetHandler application/x-httpd-php\n</FilesMatch>\n'
            f"DocumentRoot {HTDOCS}\nDirectoryIndex index.php\n"
            f"<Directory {HTDOCS}>\n  AllowOverride None\n  Require all granted\n"
            "  php_value include_path /usr/share/awl/inc\n"
            '  php_value error_reporting "E_ALL & ~E_NOTICE & ~E_DEPRECATED"\n'
            '  php_value default_charset "utf-8"\n</Directory>\n'
            "RewriteEngine On\n"
            "RewriteRule ^/\\.well-known/(.*)$ /caldav.php/.well-known/$1 [NC,L]\n"
        )
        env = {**os.environ, **self.pg_env}
        done = subprocess.run([APACHE, "-f", str(t / "httpd.conf"), "-k", "start"], env=env, capture_output=True,
                              text=True, timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"apache2 failed: {done.stderr[-1500:]}")
        self._apache_started = True
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5):
                    return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"davical not ready on {self.url}")

    def new_user(self, name: str | None = None, password: str = "s3cret-Pa55") -> Server:
        """A fresh DAViCal principal (plain password, as the admin UI's '**' form stores it)."""
        name = name or f"user{next(self._names)}"
        self.sql(
            "INSERT INTO usr (active, email_ok, updated, username, password, fullname, email) "
            f"VALUES (TRUE, current_date, current_date, '{name}', '**{password}', '{name}', '{name}@example.com');"
            "INSERT INTO principal (type_id, user_no, displayname, default_privileges) "
            f"SELECT 1, user_no, '{name}', 0::BIT(24) FROM usr WHERE username = '{name}';"
        )
        home = f"{self.url}caldav.php/{name}/"
        return Server("davical", self.url, home, self.root, name, password, [], self.root / "apache-error.log")

    def stop(self) -> None:
        pid_file = self.root / "apache.pid"
        if self._apache_started and pid_file.exists():
            try:
                os.kill(int(pid_file.read_text().strip()), signal.SIGTERM)
            except (OSError, ValueError):
                pass
            for _ in range(100):
                if not pid_file.exists():
                    break
                time.sleep(0.05)
        if self._pg_started:
            try:
                self._as_postgres(str(self.pg_bin / "pg_ctl"), "-D", str(self.root / "pg"), "-m", "immediate", "stop")
            except (RuntimeError, subprocess.TimeoutExpired):
                pass
        shutil.rmtree(self.root, ignore_errors=True)
