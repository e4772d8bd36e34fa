"""DNS as a seam: the `Resolver` protocol, dnspython's async resolver behind it, and a
static resolver for tests and benchmarks.

Delivery asks three questions: a domain's MX records, a host's IPv6 and IPv4
addresses, and TXT records (for the DNS-record checks). Answers are plain values;
"no such domain" and "try again later" are two exception types, because delivery
treats them differently (RFC 5321 §5.1: a missing domain is permanent, a DNS server
failure is temporary).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

import dns.asyncresolver
import dns.exception
import dns.name
import dns.rdatatype
import dns.resolver

from postroom.errors import PostroomError


class DNSError(PostroomError):
    """A DNS lookup did not give an answer."""


class NoSuchDomainError(DNSError):
    """NXDOMAIN: the name does not exist. Retrying will not help."""


class DNSTemporaryError(DNSError):
    """SERVFAIL, a timeout or no reachable name server: try again later."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MXRecord:
    preference: int
    host: str
    """Lower case, without the trailing dot; "" for the null MX's "." (RFC 7505)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MXAnswer:
    records: list[MXRecord]
    """Empty when the domain exists but has no MX records (RFC 5321 §5.1 implicit MX)."""
    canonical_name: str
    """The domain after following CNAMEs: RFC 5321 §5.1 uses the canonical name for
    the implicit MX."""

    @property
    def is_null(self) -> bool:
        """RFC 7505 §3: one MX record with preference 0 and host "." means the domain
        accepts no mail."""
        return len(self.records) == 1 and self.records[0].host == ""


@dataclass(frozen=True, slots=True, kw_only=True)
class HostAddresses:
    ipv6: list[str] = field(default_factory=list)
    ipv4: list[str] = field(default_factory=list)

    def interleaved(self) -> list[str]:
        """IPv6 first, then alternating with IPv4, so one broken address family does
        not make every attempt fail (as RFC 8305 does for connections)."""
        out: list[str] = []
        for index in range(max(len(self.ipv6), len(self.ipv4))):
            out.extend(self.ipv6[index : index + 1])
            out.extend(self.ipv4[index : index + 1])
        return out


class Resolver(Protocol):
    async def mx(self, domain: str) -> MXAnswer:
        """The domain's MX records; raises NoSuchDomainError or DNSTemporaryError."""
        ...

    async def addresses(self, host: str) -> HostAddresses:
        """The host's AAAA and A records (after CNAMEs); raises like `mx`."""
        ...

    async def txt(self, name: str) -> list[str]:
        """The TXT records at `name`, each as one string (its parts joined)."""
        ...


def _hostname(name: dns.name.Name | str) -> str:
    text = name.to_text() if isinstance(name, dns.name.Name) else name
    return text.rstrip(".").lower()


class DNSResolver:
    """dnspython's async stub resolver with the system's name servers."""

    def __init__(
        self,
        *,
        timeout_seconds: float = 10.0,
        nameservers: list[str] | None = None,
        port: int = 53,
    ) -> None:
        """`nameservers` replaces the system's (/etc/resolv.conf), e.g. for tests."""
        self._resolver = dns.asyncresolver.Resolver(configure=nameservers is None)
        if nameservers is not None:
            self._resolver.nameservers = nameservers
            self._resolver.port = port
        self._resolver.lifetime = timeout_seconds

    async def _query(
        self, name: str, rdtype: dns.rdatatype.RdataType
    ) -> dns.resolver.Answer | None:
        try:
            return await self._resolver.resolve(name, rdtype, search=False)
        except dns.resolver.NXDOMAIN as exc:
            raise NoSuchDomainError(f"{name}: no such domain (NXDOMAIN)") from exc
        except dns.resolver.NoAnswer:
            return None
        except (dns.resolver.NoNameservers, dns.exception.Timeout) as exc:
            raise DNSTemporaryError(f"{name}: looking up {rdtype.name} failed: {exc}") from exc
        except dns.exception.DNSException as exc:
            raise DNSTemporaryError(f"{name}: looking up {rdtype.name} failed: {exc}") from exc

    async def mx(self, domain: str) -> MXAnswer:
        answer = await self._query(domain, dns.rdatatype.MX)
        if answer is None:
            return MXAnswer(records=[], canonical_name=await self._canonical(domain))
        records = [
            MXRecord(preference=int(r.preference), host=_hostname(r.exchange)) for r in answer
        ]
        return MXAnswer(records=records, canonical_name=_hostname(answer.canonical_name))

    async def _canonical(self, domain: str) -> str:
        try:
            answer = await self._resolver.canonical_name(domain)
        except dns.exception.DNSException:
            return domain.lower()
        return _hostname(answer)

    async def addresses(self, host: str) -> HostAddresses:
        ipv6: list[str] = []
        ipv4: list[str] = []
        failure: DNSTemporaryError | None = None
        for rdtype, out in ((dns.rdatatype.AAAA, ipv6), (dns.rdatatype.A, ipv4)):
            try:
                answer = await self._query(host, rdtype)
            except DNSTemporaryError as exc:
                # One family failing still leaves the other to try.
                failure = exc
                continue
            if answer is not None:
                out.extend(r.address for r in answer)
        if failure is not None and not ipv6 and not ipv4:
            raise failure
        return HostAddresses(ipv6=ipv6, ipv4=ipv4)

    async def txt(self, name: str) -> list[str]:
        answer = await self._query(name, dns.rdatatype.TXT)
        if answer is None:
            return []
        return [b"".join(r.strings).decode("utf-8", "replace") for r in answer]


class StaticResolver:
    """Answers from tables, for tests and benchmarks. A name that appears in no table
    does not exist (NXDOMAIN); a name in `failing` answers SERVFAIL. The tables may
    be changed while in use."""

    def __init__(
        self,
        *,
        mx: Mapping[str, Iterable[tuple[int, str]]] | None = None,
        a: Mapping[str, Iterable[str]] | None = None,
        aaaa: Mapping[str, Iterable[str]] | None = None,
        txt: Mapping[str, Iterable[str]] | None = None,
        cname: Mapping[str, str] | None = None,
        failing: Iterable[str] = (),
    ) -> None:
        self.mx_records = {k.lower(): list(v) for k, v in (mx or {}).items()}
        self.a_records = {k.lower(): list(v) for k, v in (a or {}).items()}
        self.aaaa_records = {k.lower(): list(v) for k, v in (aaaa or {}).items()}
        self.txt_records = {k.lower(): list(v) for k, v in (txt or {}).items()}
        self.cnames = {k.lower(): v.lower() for k, v in (cname or {}).items()}
        self.failing = {name.lower() for name in failing}
        self.queries: list[tuple[str, str]] = []
        """Every question asked, as (type, name): tests check what was looked up."""

    def _follow(self, name: str, rdtype: str) -> str:
        name = name.lower().rstrip(".")
        self.queries.append((rdtype, name))
        for _ in range(8):
            if name in self.failing:
                raise DNSTemporaryError(f"{name}: looking up {rdtype} failed: SERVFAIL")
            if name not in self.cnames:
                break
            name = self.cnames[name]
        tables = (self.mx_records, self.a_records, self.aaaa_records, self.txt_records)
        if not any(name in table for table in tables):
            raise NoSuchDomainError(f"{name}: no such domain (NXDOMAIN)")
        return name

    async def mx(self, domain: str) -> MXAnswer:
        name = self._follow(domain, "MX")
        records = [
            MXRecord(preference=p, host=h.lower().rstrip("."))
            for p, h in self.mx_records.get(name, [])
        ]
        return MXAnswer(records=records, canonical_name=name)

    async def addresses(self, host: str) -> HostAddresses:
        name = self._follow(host, "A")
        return HostAddresses(
            ipv6=list(self.aaaa_records.get(name, [])), ipv4=list(self.a_records.get(name, []))
        )

    async def txt(self, name: str) -> list[str]:
        return list(self.txt_records.get(self._follow(name, "TXT"), []))
