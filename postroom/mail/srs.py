"""Sender Rewriting Scheme: the envelope sender of a forwarded message.

A server that forwards mail sends it on from its own domain, so that SPF checks of
the next server pass and a bounce comes back to the forwarder, who can pass it on to
the original sender (Shevek's SRS, as postsrsd and Postfix setups use it):

    SRS0=<hash>=<day>=<original domain>=<original localpart>@<forwarding domain>

`<day>` is the day of rewriting (days since 1970, modulo 1024, two base32 digits) and
`<hash>` an HMAC over day, domain and localpart with a secret only the forwarder
knows, so nobody can use the forwarder's domain to reach arbitrary addresses. Hash
and day are compared case-insensitively: servers on the way may change a localpart's
case. Only we decode our addresses, so the hash is our own choice (HMAC-SHA256).
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime

from postroom.mail.address import Address
from postroom.mail.errors import SRSError

PREFIX = "SRS0="
MAX_AGE_DAYS = 21
"""How long a rewritten address is accepted back: bounces come within days, and three
weeks is what postsrsd allows."""

_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
_DAY_PERIOD = 32 * 32
_HASH_LENGTH = 6
"""Base32 digits of the HMAC kept: 30 bits, plenty for addresses that expire."""


def is_srs(localpart: str) -> bool:
    return localpart[: len(PREFIX)].upper() == PREFIX


def _day(now: datetime) -> int:
    return int(now.timestamp() // 86400) % _DAY_PERIOD


def _day_digits(day: int) -> str:
    return _BASE32[day // 32] + _BASE32[day % 32]


def _hash(secret: bytes, day_digits: str, domain: str, localpart: str) -> str:
    text = f"{day_digits}={domain}={localpart}".lower().encode()
    digest = hmac.new(secret, text, hashlib.sha256).digest()
    number = int.from_bytes(digest[:4], "big")
    return "".join(_BASE32[(number >> (5 * i)) & 31] for i in range(_HASH_LENGTH))


def srs_encode(sender: Address, forwarder_domain: str, secret: bytes, now: datetime) -> Address:
    """The SRS address at `forwarder_domain` that stands for `sender`."""
    day = _day_digits(_day(now))
    digest = _hash(secret, day, sender.domain, sender.localpart)
    localpart = f"{PREFIX}{digest}={day}={sender.domain}={sender.localpart}"
    return Address(localpart=localpart, domain=forwarder_domain)


def srs_decode(address: Address, secret: bytes, now: datetime) -> Address:
    """The original sender `address` stands for. Raises SRSError."""
    if not is_srs(address.localpart):
        raise SRSError(f"{address} is not an SRS address")
    parts = address.localpart[len(PREFIX) :].split("=", 3)
    if len(parts) != 4 or not all(parts):
        raise SRSError(f"{address} is not a well-formed SRS address")
    digest, day, domain, localpart = parts
    day = day.lower()
    if len(day) != 2 or any(c not in _BASE32 for c in day):
        raise SRSError(f"{address} has no valid timestamp")
    expected = _hash(secret, day, domain, localpart)
    if not hmac.compare_digest(digest.lower().encode(), expected.encode()):
        raise SRSError(f"{address} was not made by this server")
    age = (_day(now) - (_BASE32.index(day[0]) * 32 + _BASE32.index(day[1]))) % _DAY_PERIOD
    if age > MAX_AGE_DAYS:
        raise SRSError(f"{address} expired {age - MAX_AGE_DAYS} days ago")
    return Address(localpart=localpart, domain=domain.lower())
