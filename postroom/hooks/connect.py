"""Connecting to webhook receivers only at checked addresses (`hooks.addresses`).

aiohttp asks this resolver for a URL's host and connects to exactly the addresses it
returns, so the check and the connection see the same answer: a name that resolves
to a refused address at the moment of sending (DNS rebinding) gets no connection.
Names resolve through Postroom's `Resolver` seam; `localhost` names are loopback
without asking DNS (RFC 6761 §6.3). IP literals never reach a resolver in aiohttp,
so the sender checks them itself before the request (`HTTPSender`).
"""

from __future__ import annotations

import ipaddress
import socket

import aiohttp
from aiohttp.abc import AbstractResolver, ResolveResult

from postroom.hooks.addresses import AddressPolicy, is_localhost
from postroom.resolver import DNSError, Resolver


class RefusedAddressError(aiohttp.ClientConnectionError):
    """The receiver's host resolved to an address webhooks may not go to."""


class CheckedResolver(AbstractResolver):
    def __init__(self, resolver: Resolver, policy: AddressPolicy) -> None:
        self._resolver = resolver
        self._policy = policy

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        if is_localhost(host):
            texts = ["::1", "127.0.0.1"]
        else:
            try:
                answer = await self._resolver.addresses(host)
            except DNSError as exc:
                raise aiohttp.ClientConnectionError(f"resolving {host}: {exc}") from exc
            texts = answer.interleaved()
        if not texts:
            raise aiohttp.ClientConnectionError(f"resolving {host}: no addresses")
        results: list[ResolveResult] = []
        for text in texts:
            address = ipaddress.ip_address(text)
            # One refused address refuses the name: a mix is how rebinding is tried.
            reason = self._policy.refusal(address)
            if reason:
                raise RefusedAddressError(
                    f"refused: {host} resolves to {address}, {reason}; not connecting"
                )
            address_family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
            if family not in (socket.AF_UNSPEC, address_family):
                continue
            results.append(
                ResolveResult(
                    hostname=host,
                    host=str(address),
                    port=port,
                    family=address_family,
                    proto=0,
                    flags=socket.AI_NUMERICHOST,
                )
            )
        if not results:
            raise aiohttp.ClientConnectionError(f"resolving {host}: no addresses of its family")
        return results

    async def close(self) -> None:
        return None
