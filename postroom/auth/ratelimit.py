"""The failed-login rate limiter: fixed windows over the client IP, two wider networks,
and the login that was tried.

Network limits are mox's (shared by all its login protocols): per 1-minute window 10
failures for the exact address (IPv4 /32, IPv6 /64), 30 for its /26 (IPv6 /48) and 90
for its /21 (IPv6 /32); per 24-hour window 50, 150 and 450. Failures are also counted
per login (an account, or the text of an unknown login) wherever they come from, with
the exact address's limits, so guesses spread over many addresses are limited too.

A client is refused when one more failure would exceed any counter, before its password
is checked, so a correct password does not help while blocked. A successful login takes
back only the failures that same login had from that same exact address: a user's own
typos are forgiven, but another account's success from the same address clears nothing,
so an attacker cannot reset the count by logging in with its own account between
guesses. docs/operations.md describes what this means for users behind one address.
"""

from __future__ import annotations

import functools
import ipaddress
from dataclasses import dataclass
from datetime import timedelta

from postroom.clock import Clock


@dataclass(frozen=True, slots=True)
class _Window:
    length: timedelta
    limits: tuple[int, int, int]
    """Exact address, middle network, wide network."""


_WINDOWS = (
    _Window(timedelta(minutes=1), (10, 30, 90)),
    _Window(timedelta(hours=24), (50, 150, 450)),
)
_IPV4_PREFIXES = (32, 26, 21)
_IPV6_PREFIXES = (64, 48, 32)

_Key = tuple[int, str, str]
"""(window index in _WINDOWS, kind, name): kinds are "0", "1", "2" for the network
sizes (name is the network), "login" (name is the login) and "pair" (name is the exact
network and the login)."""


class FailedLoginLimiter:
    """Counts failed logins per network and per login in fixed windows. One per process,
    shared by all listeners."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._counts: dict[_Key, int] = {}
        self._window_numbers: list[int] = [-1] * len(_WINDOWS)

    def allowed(self, ip: str, login: str | None = None) -> bool:
        """False if one more failure from `ip` (trying `login`, if known) would exceed a
        limit."""
        self._roll_windows()
        for key, limit in self._keys_and_limits(ip, login):
            if self._counts.get(key, 0) + 1 > limit:
                return False
        return True

    def failed(self, ip: str, login: str | None = None) -> None:
        self._roll_windows()
        for key, _ in self._keys_and_limits(ip, login):
            self._counts[key] = self._counts.get(key, 0) + 1
        if login is not None:
            for window_index in range(len(_WINDOWS)):
                key = _pair_key(window_index, ip, login)
                self._counts[key] = self._counts.get(key, 0) + 1

    def succeeded(self, ip: str, login: str) -> None:
        """Take back the failures `login` had from `ip` in the current windows."""
        self._roll_windows()
        if not self._counts:
            return
        keys = [key for key, _ in self._keys_and_limits(ip, login)]
        for window_index in range(len(_WINDOWS)):
            own = self._counts.pop(_pair_key(window_index, ip, login), 0)
            if own == 0:
                continue
            for key in keys:
                if key[0] == window_index:
                    remaining = self._counts.get(key, 0) - own
                    if remaining > 0:
                        self._counts[key] = remaining
                    else:
                        self._counts.pop(key, None)

    def _roll_windows(self) -> None:
        # Fixed windows: a counter resets when now // length changes.
        seconds = self._clock.now().timestamp()
        for index, window in enumerate(_WINDOWS):
            number = int(seconds // window.length.total_seconds())
            if number != self._window_numbers[index]:
                self._window_numbers[index] = number
                for key in [k for k in self._counts if k[0] == index]:
                    del self._counts[key]

    @staticmethod
    def _keys_and_limits(ip: str, login: str | None) -> list[tuple[_Key, int]]:
        keys = _network_keys(ip)
        if login is None:
            return keys
        return keys + [
            ((window_index, "login", login), window.limits[0])
            for window_index, window in enumerate(_WINDOWS)
        ]


def _pair_key(window_index: int, ip: str, login: str) -> _Key:
    exact = _networks(ip)[0]
    return (window_index, "pair", f"{exact}\0{login}")


def _network_keys(ip: str) -> list[tuple[_Key, int]]:
    return [
        ((window_index, str(size_index), network), window.limits[size_index])
        for window_index, window in enumerate(_WINDOWS)
        for size_index, network in enumerate(_networks(ip))
    ]


@functools.lru_cache(maxsize=4096)
def _networks(ip: str) -> tuple[str, str, str]:
    # Cached: computing the networks with ipaddress costs more than a whole
    # request's other auth work, and clients come back from the same addresses.
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        # Not an IP (a Unix socket peer): all such clients share one bucket.
        return (ip, ip, ip)
    prefixes = _IPV4_PREFIXES if address.version == 4 else _IPV6_PREFIXES
    first, second, third = (
        str(ipaddress.ip_network(f"{address}/{prefix}", strict=False)) for prefix in prefixes
    )
    return (first, second, third)
