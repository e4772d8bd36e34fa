"""When to try again: mox's schedule, 7.5 minutes doubling per attempt, 8 attempts.

RFC 5321 §4.5.4.1 asks for at least 30 minutes between retries and giving up after
4-5 days; mox (and we) retry sooner at first and give up after about 16 hours,
which suits transactional mail better: a password reset that arrives tomorrow is
no use. The small random jitter spreads retries of many messages apart.
"""

from __future__ import annotations

import random
from datetime import timedelta

DEFAULT_MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=450)
JITTER_SECONDS = (-5, 4)


def max_attempts(row_max_attempts: int) -> int:
    """The row's own limit, or the default when it has none (0)."""
    return row_max_attempts if row_max_attempts > 0 else DEFAULT_MAX_ATTEMPTS


def retry_delay(attempt: int, rng: random.Random | None = None) -> timedelta:
    """The wait after attempt number `attempt` (1-based) failed temporarily."""
    low, high = JITTER_SECONDS
    jitter = int((rng or random.Random()).randint(low, high))
    return (BASE_DELAY + timedelta(seconds=jitter)) * (1 << (attempt - 1))
