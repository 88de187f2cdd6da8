"""Calendar feeds over http(s) and webcal: one whole download or one clear error.

Imported only when a source is a URL (urllib and http.client cost more to import than a small
plan takes). Whole or nothing (issue 19): a body shorter than its Content-Length, a chunked body
that breaks off, more than the size limit (after gzip) or a download past its deadline is a
SourceError, never a smaller calendar. Only http(s) redirects are followed; credentials and
query strings never appear in a message.
"""

from __future__ import annotations

import http.client
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from dataclasses import dataclass

from followcal.errors import SourceError

MAX_BYTES = 100 * 1024 * 1024
TIMEOUT = 30.0  # seconds one read may wait
TOTAL_TIMEOUT = 300.0  # seconds a whole download may take (a server dripping bytes)
USER_AGENT = "followcal (+https://pypi.org/project/followcal/)"


@dataclass
class Fetched:
    data: bytes | None  # None: not modified since the validators given
    etag: str | None
    last_modified: str | None


def redact_url(url: str) -> str:
    """The URL without user:password and without its query (feeds often carry tokens there)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    return urllib.parse.urlunsplit((parts.scheme, host, parts.path, "", ""))


class _HttpOnlyRedirects(urllib.request.HTTPRedirectHandler):
    """Follow redirects to http(s) only (urllib also follows ftp://), at most MAX_REDIRECTS."""

    max_redirections = 5  # urllib's own loop guard; ours below names the problem

    def http_error_302(self, req, fp, code, msg, headers):  # type: ignore[no-untyped-def]
        location = headers.get("location") or headers.get("uri")
        if location:  # urllib itself would follow ftp:// (and refuse file:// as a bare HTTPError)
            scheme = urllib.parse.urlsplit(urllib.parse.urljoin(req.full_url, location)).scheme.lower()
            if scheme not in ("http", "https"):
                shown = redact_url(req.full_url)
                raise SourceError(f"{shown}: redirected to a {scheme}:// URL; only http(s) redirects are followed")
        return super().http_error_302(req, fp, code, msg, headers)

    http_error_301 = http_error_303 = http_error_307 = http_error_308 = http_error_302

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        shown = redact_url(req.full_url)
        hops = getattr(req, "followcal_hops", 0) + 1
        if hops > MAX_REDIRECTS:
            raise SourceError(f"{shown}: too many redirects (more than {MAX_REDIRECTS})")
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            new.followcal_hops = hops  # type: ignore[attr-defined]
        return new


MAX_REDIRECTS = 5
CHUNK = 64 * 1024


def _urlopen(request: urllib.request.Request, timeout: float):  # type: ignore[no-untyped-def]
    """urlopen with http(s)-only redirects (a seam the tests replace to see the URL asked for)."""
    return urllib.request.build_opener(_HttpOnlyRedirects).open(request, timeout=timeout)


def _read_body(response, shown: str, max_bytes: int, deadline: float) -> bytes:  # type: ignore[no-untyped-def]
    """The whole body, streamed: at most `max_bytes` (after gzip), by `deadline`, and as long as
    its Content-Length says, or SourceError."""
    encoding = (response.headers.get("Content-Encoding") or "").strip().lower()
    if encoding not in ("", "identity", "gzip", "x-gzip", "deflate"):
        raise SourceError(f"{shown}: unsupported Content-Encoding {encoding[:40]!r}")
    inflate = None
    if encoding in ("gzip", "x-gzip"):
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        inflate = zlib.decompressobj()
    length = response.headers.get("Content-Length")
    expected = int(length) if length and length.strip().isdigit() else None
    parts: list[bytes] = []
    size = raw = 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise SourceError(f"{shown}: download too slow (not complete after the time limit); nothing read from it")
            chunk = response.read1(CHUNK)
            if not chunk:
                break
            raw += len(chunk)
            if inflate is not None:
                chunk = inflate.decompress(chunk, max_bytes + 1 - size)
                if inflate.unconsumed_tail:
                    raise SourceError(f"{shown}: too large when decompressed (over {max_bytes} bytes)")
            size += len(chunk)
            if size > max_bytes:
                raise SourceError(f"{shown}: too large (over {max_bytes} bytes)")
            parts.append(chunk)
        if inflate is not None:
            rest = inflate.flush()
            size += len(rest)
            if size > max_bytes:
                raise SourceError(f"{shown}: too large when decompressed (over {max_bytes} bytes)")
            parts.append(rest)
            if not inflate.eof:
                raise SourceError(f"{shown}: compressed body cut short; nothing read from it")
    except http.client.IncompleteRead as exc:
        raise SourceError(
            f"{shown}: download cut short after {len(exc.partial) + raw} bytes; nothing read from it"
        ) from None
    except zlib.error as exc:
        raise SourceError(f"{shown}: corrupt compressed body ({exc})") from None
    if expected is not None and raw < expected:
        raise SourceError(f"{shown}: download cut short ({raw} of {expected} bytes); nothing read from it")
    return b"".join(parts)


def fetch_url(
    url: str,
    *,
    timeout: float | None = None,
    max_bytes: int | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    total_timeout: float | None = None,
) -> Fetched:
    """GET a feed (webcal:// means https://), whole or not at all: http(s)-only redirects, a size
    limit (also after gzip), a per-read and a total time limit, and a body as long as announced.
    The defaults are read at call time (TIMEOUT, MAX_BYTES, TOTAL_TIMEOUT), so tests can lower them."""
    timeout = TIMEOUT if timeout is None else timeout
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    total_timeout = TOTAL_TIMEOUT if total_timeout is None else total_timeout
    if url.lower().startswith("webcal://"):
        url = "https://" + url[len("webcal://") :]
    shown = redact_url(url)
    headers = {"User-Agent": USER_AGENT, "Accept": "text/calendar, */*", "Accept-Encoding": "gzip"}
    request = urllib.request.Request(url, headers=headers)
    if etag:
        request.add_header("If-None-Match", etag)
    if last_modified:
        request.add_header("If-Modified-Since", last_modified)
    deadline = time.monotonic() + total_timeout
    try:
        with _urlopen(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            if length and length.isdigit() and int(length) > max_bytes:
                raise SourceError(f"{shown}: too large ({length} bytes; the limit is {max_bytes})")
            data = _read_body(response, shown, max_bytes, deadline)
            return Fetched(data, response.headers.get("ETag"), response.headers.get("Last-Modified"))
    except urllib.error.HTTPError as exc:
        if exc.code == 304:
            return Fetched(None, etag, last_modified)
        if 300 <= exc.code < 400:
            raise SourceError(f"{shown}: too many redirects or a redirect loop (HTTP {exc.code})") from None
        raise SourceError(f"{shown}: HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, SourceError):
            raise reason from None
        raise SourceError(f"{shown}: cannot connect ({reason})") from None
    except TimeoutError:
        raise SourceError(f"{shown}: timed out after {timeout:g} s") from None
    except SourceError:
        raise
    except OSError as exc:
        raise SourceError(f"{shown}: {exc.__class__.__name__}: {exc}") from None
    except ValueError as exc:
        raise SourceError(f"{shown}: invalid URL ({exc})") from None
