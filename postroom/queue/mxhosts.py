"""Where mail for a domain goes: its MX hosts in the order to try them (RFC 5321 §5.1).

Only DNS answers in, host names or addresses out; connecting is `queue.direct`'s job.
DNS failures become `DeliveryError`s that say whether retrying can help.
"""

from __future__ import annotations

import ipaddress
import random
from dataclasses import dataclass
from itertools import groupby

from postroom.queue.errors import DeliveryError
from postroom.resolver import DNSTemporaryError, NoSuchDomainError, Resolver


@dataclass(frozen=True, slots=True, kw_only=True)
class NextHop:
    host: str
    """The MX host name, or the domain itself (implicit MX), or the address literal."""
    literal: str = ""
    """The IP address when the recipient domain is an address literal."""


def address_literal(domain: str) -> str:
    """The IP address in `[192.0.2.1]` or `[IPv6:2001:db8::1]` (RFC 5321 §4.1.3), or ""
    when `domain` is a name. Raises DeliveryError for a malformed literal."""
    if not domain.startswith("["):
        return ""
    inner = domain.strip("[]")
    if inner[:5].lower() == "ipv6:":
        inner = inner[5:]
    try:
        return str(ipaddress.ip_address(inner))
    except ValueError as exc:
        raise DeliveryError(
            f"{domain} is not a valid address literal", permanent=True, secode="1.2"
        ) from exc


async def next_hops(resolver: Resolver, domain: str, rng: random.Random) -> list[NextHop]:
    """The hosts to try for `domain`, most preferred first. Raises DeliveryError: a
    domain that does not exist or accepts no mail is permanent, a DNS failure is not."""
    literal = address_literal(domain)
    if literal:
        return [NextHop(host=domain, literal=literal)]
    try:
        answer = await resolver.mx(domain)
    except NoSuchDomainError as exc:
        # RFC 3463 §3.2 X.1.2: bad destination system address.
        raise DeliveryError(f"{exc}", permanent=True, secode="1.2") from exc
    except DNSTemporaryError as exc:
        raise DeliveryError(f"{exc}", permanent=False, secode="4.3") from exc
    if answer.is_null:
        # RFC 7505 §3/§4.2: the domain accepts no mail; do not even try (5.1.10).
        raise DeliveryError(
            f"{domain} accepts no mail: it publishes a null MX record (RFC 7505)",
            permanent=True,
            secode="1.10",
        )
    records = [r for r in answer.records if r.host]
    if not records:
        # RFC 5321 §5.1: no MX records means the domain itself is the host (its A and
        # AAAA records, after CNAMEs), the "implicit MX".
        return [NextHop(host=answer.canonical_name)]
    hops: list[NextHop] = []
    ordered = sorted(records, key=lambda r: r.preference)
    for _, same in groupby(ordered, key=lambda r: r.preference):
        # RFC 5321 §5.1: hosts of equal preference are tried in random order, so the
        # load spreads over them.
        group = list(same)
        rng.shuffle(group)
        hops.extend(NextHop(host=record.host) for record in group)
    return hops


async def hop_addresses(resolver: Resolver, hop: NextHop) -> list[str]:
    """The addresses of one hop, IPv6 and IPv4 taking turns. Raises DeliveryError."""
    if hop.literal:
        return [hop.literal]
    try:
        addresses = await resolver.addresses(hop.host)
    except NoSuchDomainError as exc:
        # A broken MX record is the domain's mistake, which it may fix: not permanent.
        raise DeliveryError(f"MX host {exc}", permanent=False, secode="4.4") from exc
    except DNSTemporaryError as exc:
        raise DeliveryError(f"MX host {exc}", permanent=False, secode="4.3") from exc
    found = addresses.interleaved()
    if not found:
        raise DeliveryError(f"MX host {hop.host} has no IP address", permanent=False, secode="4.4")
    return found
