"""When to try a webhook again: mox's schedule (docs/webhooks.md), 12 attempts over ~32 hours.

The first attempt is immediate. After the n-th failure the wait is the n-th entry
below, with ±1% random jitter so that hooks that failed together do not all come
back in the same instant. The 12th attempt is the last.
"""

from __future__ import annotations

import random
from datetime import timedelta

RETRY_WAITS = (
    timedelta(minutes=1),
    timedelta(minutes=2),
    timedelta(minutes=4),
    timedelta(minutes=7, seconds=30),
    timedelta(minutes=15),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=8),
    timedelta(hours=16),
)
MAX_ATTEMPTS = len(RETRY_WAITS) + 1
JITTER = 0.01


def retry_wait(attempt: int, rng: random.Random | None = None) -> timedelta:
    """The wait after failed attempt number `attempt` (1-based, < MAX_ATTEMPTS)."""
    base = RETRY_WAITS[attempt - 1]
    return base * (1 + (rng or random.Random()).uniform(-JITTER, JITTER))
