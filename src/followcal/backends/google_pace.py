"""How fast followcal writes to one Google calendar, and which errors are worth waiting for.

Google limits writes to one calendar in quick succession (403 rateLimitExceeded in the
usageLimits domain, or 429, sometimes with Retry-After). A `Pacer` per calendar slows the
batches down when that happens (smaller batches, a gap between them that doubles on every
throttle and halves on every clean batch) and says how long to wait: Retry-After when Google
sends one, else exponential backoff with jitter. Quota errors (quotaExceeded: the Calendar usage
limits of the account, reset within hours; dailyLimitExceeded: the project's daily quota) are
not waited for: they stop the run with one line. No I/O here except through the injected `sleep`.
"""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

RATE_REASONS = {"rateLimitExceeded", "userRateLimitExceeded"}
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded", "dailyLimitExceededUnreg", "limitExceeded"}
RETRY_STATUSES = {429, 500, 502, 503, 504}
MAX_BATCH = 50  # Google's limit for Calendar batches
MIN_BATCH = 5
MAX_WAIT = 300.0  # never wait longer than this for one Retry-After


def retryable(status: int, reason: str) -> bool:
    """A short rate limit or a server error: resend after a wait."""
    if reason in QUOTA_REASONS:
        return False
    return status in RETRY_STATUSES or (status == 403 and reason in RATE_REASONS)


def throttled(status: int, reason: str) -> bool:
    """Google asked followcal to slow down (as opposed to a server error)."""
    return status == 429 or (status == 403 and reason in RATE_REASONS)


def quota(status: int, reason: str) -> bool:
    return status in (403, 429) and reason in QUOTA_REASONS


def retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110 10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return min(max(float(value), 0.0), MAX_WAIT)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(delta, 0.0), MAX_WAIT)


@dataclass
class Pacer:
    """Batch size and gap for one calendar; `wait` is what to sleep after a throttled batch."""

    base_delay: float = 1.0
    sleep: Callable[[float], None] = time.sleep
    size: int = MAX_BATCH
    gap: float = 0.0
    throttles: int = 0
    waited: list[float] = field(default_factory=list)

    def before_batch(self) -> None:
        if self.gap > 0:
            self.pause(self.gap)

    def pause(self, seconds: float) -> None:
        self.waited.append(seconds)
        self.sleep(seconds)

    def backoff(self, attempt: int) -> float:
        delay = self.base_delay * (2**attempt)
        return delay + random.uniform(0, delay / 2) if delay else 0.0

    def after_batch(self, *, throttled: bool, hint: float | None, attempt: int, accepted: int = 0) -> float:
        """Adapt to the batch's outcome; the seconds to wait before the next one (0: none).
        Throttled: the next batches are no larger than what Google just accepted (at least
        MIN_BATCH) and come after a gap that doubles; clean batches win back size slowly
        (additive increase) and halve the gap, so a throttled sync settles at the rate the
        calendar accepts instead of sending most writes twice."""
        if not throttled:
            self.gap = self.gap / 2 if self.gap > self.base_delay / 8 else 0.0
            self.size = min(MAX_BATCH, self.size + max(1, self.size // 4))
            return 0.0
        self.throttles += 1
        self.size = max(MIN_BATCH, min(self.size // 2, accepted) if accepted else self.size // 2)
        self.gap = min(max(self.gap * 2, self.base_delay), MAX_WAIT)
        return hint if hint is not None else self.backoff(attempt)
