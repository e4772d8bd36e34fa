"""The default-value function for creation timestamps of rows."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    # Only for column defaults of rows created outside a clock-driven path (an admin
    # adding a domain); code with a Clock passes explicit times.
    return datetime.now(UTC)
