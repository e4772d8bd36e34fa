"""Which addresses webhooks may be sent to, against server-side request forgery.

A webhook URL and its Authorization header are the account's choice, so without a
check an account could make the server POST to its cloud metadata service, to
services on loopback (the admin API among them) or to the internal network. Refused
always: unspecified, link-local (RFC 3927, RFC 4291 §2.5.6), multicast, broadcast and
reserved addresses, and cloud metadata addresses. Loopback and private ranges (RFC
1918, RFC 4193, RFC 6598's shared space) only with `webhooks.allow_private_addresses`
(localserve turns it on: its receivers are on loopback).

URLs are checked when they are set (an IP literal, or a `localhost` name) and again
when connecting, after DNS resolution, so a name that later resolves elsewhere (DNS
rebinding) is refused too (`hooks.connect`).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from postroom.config import WebhooksConfig

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# Metadata services of AWS (also fd00:ec2::254 over IPv6), GCP and Azure
# (169.254.169.254, link-local anyway), Alibaba Cloud (100.100.100.200), Oracle Cloud
# (192.0.0.192), and AWS's DNS and time services on its IPv6 link.
_METADATA = frozenset(
    ipaddress.ip_address(text)
    for text in (
        "169.254.169.254",
        "169.254.170.2",
        "100.100.100.200",
        "192.0.0.192",
        "fd00:ec2::254",
        "fd00:ec2::253",
        "fd00:ec2::123",
    )
)
_PRIVATE = tuple(
    ipaddress.ip_network(text)
    for text in (
        "127.0.0.0/8",
        "10.0.0.0/8",
        "172.16.0.0/12",
        "192.168.0.0/16",
        "100.64.0.0/10",
        "::1/128",
        "fc00::/7",
    )
)
_BROADCAST = ipaddress.ip_address("255.255.255.255")


@dataclass(frozen=True, slots=True, kw_only=True)
class AddressPolicy:
    allow_private: bool
    """Loopback and private ranges are allowed (`webhooks.allow_private_addresses`)."""

    @classmethod
    def of(cls, config: WebhooksConfig) -> AddressPolicy:
        """The policy the server's configuration sets."""
        return cls(allow_private=config.allow_private_addresses)

    def refusal(self, address: IPAddress) -> str:
        """Why webhooks may not go to `address`, or "" if they may."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            # ::ffff:169.254.169.254 reaches the IPv4 address.
            return self.refusal(address.ipv4_mapped)
        if address in _METADATA:
            return "a cloud metadata address"
        if address.is_unspecified:
            return "an unspecified address"
        if address.is_link_local:
            return "a link-local address"
        if address.is_multicast:
            return "a multicast address"
        if any(address in network for network in _PRIVATE):
            if self.allow_private:
                return ""
            return "a loopback or private address (see webhooks.allow_private_addresses)"
        if address == _BROADCAST or address.is_reserved:
            return "a reserved address"
        return ""

    def check_host(self, host: str) -> str:
        """Why a URL's host (a name or an IP literal) is refused before any DNS lookup,
        or "" if it is not. Names other than `localhost` are checked once resolved."""
        host = host.strip("[]").rstrip(".").lower()
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            if is_localhost(host):
                return self.refusal(ipaddress.ip_address("127.0.0.1"))
            return ""
        return self.refusal(address)

    def check_url(self, url: str) -> str:
        """Why `url`'s host is refused before any lookup, or "" if it is not."""
        return self.check_host(urlsplit(url).hostname or "")


def is_localhost(host: str) -> bool:
    """RFC 6761 §6.3: `localhost` names are loopback, whatever DNS says."""
    host = host.rstrip(".").lower()
    return host == "localhost" or host.endswith(".localhost")
