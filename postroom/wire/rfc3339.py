"""RFC 3339 times as Go reads and writes them in JSON: `time.Time`'s strict parser and
`time.RFC3339Nano`, plus Go's zero time.
"""

from __future__ import annotations

import re
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Final

from postroom.wire.errors import WireError
from postroom.wire.quote import go_quote

ZERO_TIME: Final = datetime(1, 1, 1, tzinfo=UTC)
"""Go's zero `time.Time`, 0001-01-01T00:00:00Z: the default of required time fields."""

_RFC3339: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]+))?(?:(Z)|([+-])([0-9]{2}):([0-9]{2}))"
)


def parse_rfc3339(s: str) -> datetime:
    """Parse `s` as Go's `time.Time.UnmarshalJSON` does (strict RFC 3339), keeping its offset.

    Accepts `2024-01-02T03:04:05Z`, `…05.123456789+01:00`, `…05-07:30`; rejects a lower-case
    `t`/`z`, a space for `T`, a missing offset, a comma fraction and out-of-range fields.
    The fraction is cut to microseconds; Go keeps nanoseconds. Go accepts year 0000,
    which Python cannot represent, so it is refused here.
    """
    m = _RFC3339.fullmatch(s)
    if m is None:
        raise WireError(
            f"parsing time {go_quote(s)} as RFC 3339: "
            "want YYYY-MM-DDTHH:MM:SS[.fraction] followed by Z or ±hh:mm"
        )
    year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
    frac, zulu, sign, off_h, off_m = m.group(7, 8, 9, 10, 11)
    if zulu:
        tz = UTC
    else:
        oh, om = int(off_h), int(off_m)
        if oh > 23:
            _time_range_error(s, "timezone hour")
        if om > 59:
            _time_range_error(s, "timezone minute")
        offset = timedelta(hours=oh, minutes=om)
        tz = timezone(-offset if sign == "-" else offset)
    micro = int((frac or "0")[:6].ljust(6, "0"))
    for value, low, high, what in (
        (year, 1, 9999, "year"),
        (month, 1, 12, "month"),
        (hour, 0, 23, "hour"),
        (minute, 0, 59, "minute"),
        (second, 0, 59, "second"),
    ):
        if not low <= value <= high:
            _time_range_error(s, what)
    try:
        dt = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        _time_range_error(s, "day")
    if year in (1, 9999):
        # The instant must also exist in UTC, or comparing it later overflows.
        try:
            dt.astimezone(UTC)
        except OverflowError:
            _time_range_error(s, "year")
    return dt


def _time_range_error(s: str, what: str) -> typing.NoReturn:
    raise WireError(f"parsing time {go_quote(s)} as RFC 3339: {what} out of range")


def format_rfc3339_nano(dt: datetime) -> str:
    """Format as Go's `time.RFC3339Nano`: fraction without trailing zeros, `Z` for UTC.

    `2024-01-02T03:04:05Z`, `2024-01-02T03:04:05.12+01:00`. The datetime must be aware.
    """
    offset = dt.utcoffset()
    if offset is None:
        raise ValueError(f"wire times must be timezone-aware: {dt!r}")
    text = (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
    )
    if dt.microsecond:
        text += "." + f"{dt.microsecond:06d}".rstrip("0")
    seconds = offset.days * 86400 + offset.seconds
    if seconds == 0:
        return text + "Z"
    # Go writes hours and minutes only, dropping any seconds of the offset.
    sign = "-" if seconds < 0 else "+"
    hh, mm = divmod(abs(seconds) // 60, 60)
    return f"{text}{sign}{hh:02d}:{mm:02d}"
