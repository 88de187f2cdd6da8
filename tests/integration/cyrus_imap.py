"""A real Cyrus IMAP server for the replies tests: cyrmaster on 127.0.0.1 with its own config.

Everything lives in one temp folder (imapd.conf, cyrus.conf, the mail spool, a SASL db, a
certificate made with `cryptography`), so it never touches /etc/imapd.conf or another test's
server. IMAPS (implicit TLS) and plain IMAP (STARTTLS) listen on free ports; inbound mail is
delivered over LMTP (the unix socket lmtpd serves, as an MTA would deliver), and the user's own
sent mail is stored with IMAP APPEND (as a mail client stores it in Sent).

Debian packages: cyrus-imapd, cyrus-admin, sasl2-bin (.ci/run installs them when missing).
"""

from __future__ import annotations

import datetime as dt
import grp
import ipaddress
import os
import pwd
import shutil
import signal
import smtplib
import socket
import ssl
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

CYRUS_BIN = Path("/usr/lib/cyrus/bin")
MASTER = Path("/usr/sbin/cyrmaster")
SASLPASSWD2 = Path("/usr/sbin/saslpasswd2")
SERVERNAME = "localhost"
ADMIN = ("cyrus", "admin-Pa55")


def available() -> str | None:
    """None when Cyrus can run here, else why not (the tests then fail, they never skip in CI)."""
    for path in (MASTER, CYRUS_BIN / "imapd", CYRUS_BIN / "lmtpd", SASLPASSWD2):
        if not path.exists():
            return f"{path} is missing: apt-get install cyrus-imapd cyrus-admin sasl2-bin"
    return None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_certificate(folder: Path) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for 127.0.0.1/localhost signed by it: (ca, cert, key)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = dt.datetime.now(dt.UTC)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "followcal test CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                     content_commitment=False, key_encipherment=False,
                                     data_encipherment=False, key_agreement=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, SERVERNAME)]))
        .issuer_name(ca_name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1)).not_valid_after(now + dt.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName(SERVERNAME), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    ca_path, cert_path, key_path = folder / "ca.pem", folder / "server.pem", folder / "server.key"
    ca_path.write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return ca_path, cert_path, key_path


@dataclass
class CyrusImap:
    """A running cyrmaster; `stop()` ends it (and only it: by its own pid)."""

    root: Path
    imaps_port: int
    imap_port: int
    ca: Path
    lmtp_socket: Path
    process: subprocess.Popen | None = None
    users: dict[str, str] = field(default_factory=dict)

    host = "127.0.0.1"

    # --- accounts and mail -------------------------------------------------------------------

    def add_user(self, user: str, password: str, folders: tuple[str, ...] = ("Sent",)) -> None:
        """A SASL login and its mailboxes (INBOX and `folders`), created by the admin."""
        _saslpasswd(self.root, user, password)
        self.users[user] = password
        with self.login(*ADMIN) as imap:
            imap.create_folder(f"user.{user}")
            for name in folders:
                imap.create_folder(f"user.{user}.{name}")
            for name in ("", *(f".{f}" for f in folders)):
                imap.setacl(f"user.{user}{name}", user, "lrswipkxtecda")

    def login(self, user: str, password: str):
        import imapclient

        context = ssl.create_default_context(cafile=str(self.ca))
        client = imapclient.IMAPClient(self.host, port=self.imaps_port, ssl=True, ssl_context=context, timeout=10)
        client.login(user, password)
        return client

    def deliver(self, user: str, message: bytes, sender: str = "mta@example.net") -> None:
        """Inbound mail as an MTA hands it over: LMTP on the unix socket lmtpd listens on."""
        with smtplib.LMTP(str(self.lmtp_socket)) as lmtp:
            lmtp.sendmail(sender, [user], message)

    def append(self, user: str, folder: str, message: bytes, flags: tuple[bytes, ...] = (b"\\Seen",)) -> None:
        """Mail a client stores (the user's own sent mail): IMAP APPEND as the user."""
        with self.login(user, self.users[user]) as imap:
            imap.append(folder, message, flags=flags)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # master ends its own children
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        shutil.rmtree(self.root, ignore_errors=True)


def _saslpasswd(root: Path, user: str, password: str) -> None:
    subprocess.run(
        [str(SASLPASSWD2), "-p", "-c", "-f", str(root / "sasldb2"), "-u", SERVERNAME, user],
        input=password.encode(), check=True, capture_output=True,
    )
    _chown(root / "sasldb2")


def _chown(path: Path) -> None:
    if os.geteuid() == 0:
        os.chown(path, pwd.getpwnam("cyrus").pw_uid, grp.getgrnam("mail").gr_gid)


IMAPD_CONF = """\
configdirectory: {root}/conf
defaultpartition: default
partition-default: {root}/spool
proc_path: {root}/proc
mboxname_lockpath: {root}/lock
lmtpsocket: {root}/socket/lmtp
idlesocket: {root}/socket/idle
notifysocket: {root}/socket/notify
sievedir: {root}/sieve
servername: {servername}
admins: cyrus
altnamespace: no
unixhierarchysep: no
virtdomains: off
allowplaintext: yes
allowanonymouslogin: no
sasl_pwcheck_method: auxprop
sasl_auxprop_plugin: sasldb
sasl_sasldb_path: {root}/sasldb2
sasl_mech_list: PLAIN LOGIN
tls_server_cert: {root}/server.pem
tls_server_key: {root}/server.key
tls_versions: tls1_2 tls1_3
lmtp_downcase_rcpt: yes
syslog_prefix: followcal-test-imap
umask: 077
failedloginpause: 0
"""

CYRUS_CONF = """\
START {{
  recover cmd="{bin}/ctl_cyrusdb -C {conf} -r"
}}
SERVICES {{
  imaps cmd="{bin}/imapd -C {conf} -s" listen="127.0.0.1:{imaps}" prefork=0 maxchild=20
  imap cmd="{bin}/imapd -C {conf}" listen="127.0.0.1:{imap}" prefork=0 maxchild=20
  lmtpunix cmd="{bin}/lmtpd -C {conf}" listen="{root}/socket/lmtp" prefork=0 maxchild=5
}}
EVENTS {{
}}
"""


def start_cyrus_imap(timeout: float = 30.0) -> CyrusImap:
    """Start cyrmaster in a fresh temp folder; returns once both ports accept TLS logins."""
    problem = available()
    if problem:
        raise RuntimeError(problem)
    root = Path(tempfile.mkdtemp(prefix="fc-imap-"))
    os.chmod(root, 0o755)
    for sub in ("conf", "spool", "proc", "lock", "socket", "sieve"):
        (root / sub).mkdir()
    ca, _cert, _key = make_certificate(root)
    imaps, imap = _free_port(), _free_port()
    conf = root / "imapd.conf"
    conf.write_text(IMAPD_CONF.format(root=root, servername=SERVERNAME), encoding="utf-8")
    (root / "cyrus.conf").write_text(
        CYRUS_CONF.format(bin=CYRUS_BIN, conf=conf, imaps=imaps, imap=imap, root=root), encoding="utf-8")
    _saslpasswd(root, *ADMIN)
    for path in [root, *root.rglob("*")]:
        _chown(path)
    log = open(root / "master.log", "wb")
    process = subprocess.Popen(
        [str(MASTER), "-C", str(conf), "-M", str(root / "cyrus.conf"), "-p", str(root / "master.pid"),
         "-L", str(root / "master.log")],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    server = CyrusImap(root, imaps, imap, ca, root / "socket" / "lmtp", process)
    deadline = time.monotonic() + timeout
    while True:
        try:
            server.login(*ADMIN).logout()
            return server
        except Exception as exc:  # noqa: BLE001  not up yet
            if process.poll() is not None or time.monotonic() > deadline:
                text = (root / "master.log").read_text(errors="replace")[-2000:]
                server.stop()
                raise RuntimeError(f"cyrus imap did not start ({exc!r}): {text}") from None
            time.sleep(0.2)
