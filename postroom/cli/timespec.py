"""Times on the command line: RFC 3339 (`2026-03-01T12:00:00Z`), or relative to now
(`now`, `now-2h`, `now+30m`, `-1d`)."""

from __future__ import annotations

import argparse
import re
from datetime import UTC, datetime, timedelta

_RELATIVE = re.compile(r"^(?:now)?(?:(?P<sign>[+-])(?P<amount>\d+)(?P<unit>[smhd]))?$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}


def parse_time(text: str, now: datetime | None = None) -> datetime:
    now = now or datetime.now(UTC)
    match = _RELATIVE.match(text.strip())
    if match and text.strip():
        if not match["sign"]:
            return now
        delta = timedelta(**{_UNITS[match["unit"]]: int(match["amount"])})
        return now + delta if match["sign"] == "+" else now - delta
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a time: {text!r} (use RFC 3339, or now, now-2h, now+30m)"
        ) from None
    if value.tzinfo is None:
        raise argparse.ArgumentTypeError(f"time {text!r} needs a UTC offset, e.g. Z or +01:00")
    return value.astimezone(UTC)


def parse_duration(text: str) -> timedelta:
    match = re.fullmatch(r"([+-]?)(\d+)([smhd])", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 30m, -2h, 1d)")
    delta = timedelta(**{_UNITS[match[3]]: int(match[2])})
    return -delta if match[1] == "-" else delta
