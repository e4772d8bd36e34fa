"""The dnspython resolver behind the Resolver protocol, against a DNS server on loopback
that answers from a zone table: MX, null MX, CNAME chains, NXDOMAIN, SERVFAIL and
silence, and what each becomes."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import dns.message
import dns.name
import dns.rcode
import dns.rdatatype
import dns.rrset
import pytest

from postroom.resolver import (
    DNSResolver,
    DNSTemporaryError,
    HostAddresses,
    MXRecord,
    NoSuchDomainError,
)

ZONE: dict[tuple[str, str], list[str]] = {
    ("example.test.", "MX"): ["20 mx2.example.test.", "10 MX1.example.test."],
    ("mx1.example.test.", "A"): ["192.0.2.1"],
    ("mx1.example.test.", "AAAA"): ["2001:db8::1", "2001:db8::2"],
    ("null.test.", "MX"): ["0 ."],
    ("alias.test.", "CNAME"): ["host.provider.test."],
    ("host.provider.test.", "A"): ["192.0.2.7"],
    ("host.provider.test.", "TXT"): ['"v=spf1 " "-all"'],
}
SERVFAIL = {"broken.test."}
SILENT = {"silent.test."}


class _Server(asyncio.DatagramProtocol):
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport: Any = transport

    def datagram_received(self, data: bytes, addr: tuple[str, int]) -> None:
        query = dns.message.from_wire(data)
        question = query.question[0]
        name = question.name.to_text().lower()
        if name in SILENT:
            return
        response = dns.message.make_response(query)
        rdtype = dns.rdatatype.to_text(question.rdtype)
        if name in SERVFAIL:
            response.set_rcode(dns.rcode.SERVFAIL)
        elif (name, "CNAME") in ZONE:
            target = ZONE[(name, "CNAME")][0]
            response.answer.append(dns.rrset.from_text(name, 60, "IN", "CNAME", target))
            if (target, rdtype) in ZONE:
                response.answer.append(
                    dns.rrset.from_text_list(target, 60, "IN", rdtype, ZONE[(target, rdtype)])
                )
        elif (name, rdtype) in ZONE:
            response.answer.append(
                dns.rrset.from_text_list(name, 60, "IN", rdtype, ZONE[(name, rdtype)])
            )
        elif not any(key[0] == name for key in ZONE):
            response.set_rcode(dns.rcode.NXDOMAIN)
        self.transport.sendto(response.to_wire(), addr)


@pytest.fixture
async def resolver() -> AsyncIterator[DNSResolver]:
    loop = asyncio.get_running_loop()
    transport, _ = await loop.create_datagram_endpoint(_Server, local_addr=("127.0.0.1", 0))
    port = transport.get_extra_info("sockname")[1]
    yield DNSResolver(timeout_seconds=0.5, nameservers=["127.0.0.1"], port=port)
    transport.close()


async def test_mx_records(resolver: DNSResolver) -> None:
    answer = await resolver.mx("example.test")
    assert sorted(answer.records, key=lambda r: r.preference) == [
        MXRecord(preference=10, host="mx1.example.test"),
        MXRecord(preference=20, host="mx2.example.test"),
    ]
    assert not answer.is_null


async def test_null_mx(resolver: DNSResolver) -> None:
    assert (await resolver.mx("null.test")).is_null


async def test_no_mx_gives_the_canonical_name(resolver: DNSResolver) -> None:
    answer = await resolver.mx("alias.test")
    assert answer.records == []
    assert answer.canonical_name == "host.provider.test"
    assert await resolver.addresses("alias.test") == HostAddresses(ipv4=["192.0.2.7"])


async def test_addresses_ipv6_and_ipv4(resolver: DNSResolver) -> None:
    addresses = await resolver.addresses("mx1.example.test")
    assert sorted(addresses.ipv6) == ["2001:db8::1", "2001:db8::2"]
    assert addresses.ipv4 == ["192.0.2.1"]
    first, second, third = addresses.interleaved()
    assert (first, second, third) == (addresses.ipv6[0], "192.0.2.1", addresses.ipv6[1])


async def test_txt_strings_are_joined(resolver: DNSResolver) -> None:
    assert await resolver.txt("alias.test") == ["v=spf1 -all"]


async def test_nxdomain_servfail_and_timeout(resolver: DNSResolver) -> None:
    with pytest.raises(NoSuchDomainError):
        await resolver.mx("nowhere.test")
    with pytest.raises(DNSTemporaryError):
        await resolver.mx("broken.test")
    with pytest.raises(DNSTemporaryError):
        await resolver.addresses("silent.test")
