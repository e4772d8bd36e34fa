"""The failed-login rate limiter: fixed windows over the client IP and two wider networks.

Limits are mox's (shared by all its login protocols): per 1-minute window 10 failures
for the exact address (IPv4 /32, IPv6 /64), 30 for its /26 (IPv6 /48) and 90 for its
/21 (IPv6 /32); per 24-hour window 50, 150 and 450. A client is refused when one more
failure would exceed any counter, before its password is checked, so a correct
password does not help while blocked. A successful login subtracts the exact
address's failures from all counters of the current windows.
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

_Key = tuple[int, int, str]
"""(window index in _WINDOWS, network size index, network text)"""


class FailedLoginLimiter:
    """Counts failed logins per network in fixed windows. One per process, shared."""

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._counts: dict[_Key, int] = {}
        self._window_numbers: list[int] = [-1] * len(_WINDOWS)

    def allowed(self, ip: str) -> bool:
        """False if one more failure from `ip` would exceed a limit."""
        self._roll_windows()
        for key, limit in self._keys_and_limits(ip):
            if self._counts.get(key, 0) + 1 > limit:
                return False
        return True

    def failed(self, ip: str) -> None:
        self._roll_windows()
        for key, _ in self._keys_and_limits(ip):
            self._counts[key] = self._counts.get(key, 0) + 1

    def succeeded(self, ip: str) -> None:
        self._roll_windows()
        if not self._counts:
            return
        keys = list(self._keys_and_limits(ip))
        for window_index in range(len(_WINDOWS)):
            exact_key = next(k for k, _ in keys if k[0] == window_index and k[1] == 0)
            exact = self._counts.get(exact_key, 0)
            if exact == 0:
                continue
            for key, _ in keys:
                if key[0] == window_index:
                    remaining = self._counts.get(key, 0) - exact
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
    @functools.lru_cache(maxsize=4096)
    def _keys_and_limits(ip: str) -> list[tuple[_Key, int]]:
        # Cached: computing the networks with ipaddress costs more than a whole
        # request's other auth work, and clients come back from the same addresses.
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            # Not an IP (a Unix socket peer): all such clients share one bucket.
            networks = [ip, ip, ip]
        else:
            prefixes = _IPV4_PREFIXES if address.version == 4 else _IPV6_PREFIXES
            networks = [
                str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))
                for prefix in prefixes
            ]
        return [
            ((window_index, size_index, network), window.limits[size_index])
            for window_index, window in enumerate(_WINDOWS)
            for size_index, network in enumerate(networks)
        ]
