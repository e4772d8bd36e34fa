"""The credentials of an HTTP request (Basic or Bearer) and the client's IP address."""

from __future__ import annotations

import base64
import binascii
import functools
import ipaddress
from dataclasses import dataclass

from starlette.requests import Request


@dataclass(frozen=True, slots=True, kw_only=True)
class Basic:
    username: str
    password: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Bearer:
    token: str


def request_credentials(request: Request) -> Basic | Bearer | None:
    """The `Authorization` header's credentials, or None if absent or undecodable."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return Bearer(token=value) if value else None
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    username, colon, password = decoded.partition(":")
    if not colon:
        return None
    return Basic(username=username, password=password)


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def trusted_networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    """The networks of config `http.trusted_proxies` (validated when the config loads)."""
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in entries)


def client_ip(request: Request, *, trusted_proxies: tuple[str, ...]) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the
    rightmost `X-Forwarded-For` address that is not a trusted proxy.

    Each proxy appends the address it received from, so only the entries added by our
    own proxies (walking from the right) can be believed; anything to the left of the
    first untrusted address was written by the client. An entry that is not an IP
    address stops the walk at the last address we could believe.
    """
    peer = _address(request.client.host) if request.client else None
    if peer is None:
        return "unknown"
    networks = trusted_networks(trusted_proxies)
    current = peer
    if _trusted(current, networks):
        hops = ",".join(request.headers.getlist("x-forwarded-for")).split(",")
        for entry in reversed(hops):
            if not _trusted(current, networks):
                break
            hop = _address(entry)
            if hop is None:
                break
            current = hop
    return str(current)


def _address(text: str) -> IPAddress | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)
