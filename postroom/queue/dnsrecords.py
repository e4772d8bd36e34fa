"""The DNS records a sending domain needs, and how they compare with what is published.

MX (where replies and bounces come back), SPF (RFC 7208), one TXT record per DKIM
selector (RFC 6376 §3.6.2), and DMARC (RFC 7489 §6.1). The check reads the current
records through a Resolver; the CLI prints the result, and the admin API can return
the same values.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from postroom.queue.dkimkeys import DKIMKeyStore
from postroom.resolver import DNSError, NoSuchDomainError, Resolver


class RecordStatus(StrEnum):
    OK = "ok"
    MISSING = "missing"
    DIFFERENT = "different"
    """Published, but not what we suggest (it may still be fine: read `published`)."""
    UNKNOWN = "unknown"
    """The lookup failed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RecordCheck:
    purpose: str
    """What the record is for: `MX`, `SPF`, `DKIM 20261123a-rsa`, `DMARC`."""
    name: str
    """The DNS name, e.g. `_dmarc.example.com`."""
    type: str
    """`MX` or `TXT`."""
    value: str
    """The value we suggest publishing."""
    status: RecordStatus
    published: list[str]
    """What is published now at that name (for TXT, only records of the same kind)."""
    note: str = ""


def expected_spf(hostname: str) -> str:
    # RFC 7208 §5.3 "a:": the host we send from. "~all" rather than "-all" so a
    # forwarded message is marked, not refused, until DMARC has been tested.
    return f"v=spf1 a:{hostname} mx ~all"


def expected_dmarc(domain: str) -> str:
    # RFC 7489 §6.3: start with a policy that only reports; tighten once reports are good.
    return f"v=DMARC1; p=none; rua=mailto:dmarc-reports@{domain}"


def _normal(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().strip('"')).lower().rstrip(";")


def _tags(text: str) -> dict[str, str]:
    tags = {}
    for part in text.split(";"):
        key, _, value = part.partition("=")
        if key.strip():
            tags[key.strip().lower()] = re.sub(r"\s+", "", value)
    return tags


async def _txt(resolver: Resolver, name: str) -> list[str] | None:
    """The TXT records at `name`; None when the lookup failed."""
    try:
        return await resolver.txt(name)
    except NoSuchDomainError:
        return []
    except DNSError:
        return None


async def domain_records(
    domain: str, *, hostname: str, keys: DKIMKeyStore, resolver: Resolver
) -> list[RecordCheck]:
    """The records for `domain` when this server (`hostname`) sends and receives its mail."""
    domain = domain.strip().rstrip(".").lower()
    checks = [await _check_mx(domain, hostname, resolver)]
    spf = expected_spf(hostname)
    published = await _txt(resolver, domain)
    spf_records = [r for r in published or [] if _normal(r).startswith("v=spf1")]
    checks.append(
        RecordCheck(
            purpose="SPF", name=domain, type="TXT", value=spf,
            status=_status(published, spf_records, lambda r: _normal(r) == _normal(spf)),
            published=spf_records,
            # RFC 7208 §4.5: more than one SPF record is a permanent error.
            note="more than one SPF record: receivers treat that as an error"
            if len(spf_records) > 1 else "",
        )
    )  # fmt: skip
    for key in keys.keys(domain):
        published = await _txt(resolver, key.dns_name)
        dkim_records = [r for r in published or [] if "p=" in r]
        checks.append(
            RecordCheck(
                purpose=f"DKIM {key.selector}" + ("" if key.signing else " (not signing)"),
                name=key.dns_name, type="TXT", value=key.dns_record,
                status=_status(
                    published, dkim_records,
                    _has_key(key.public_key_base64),
                ),
                published=dkim_records,
            )
        )  # fmt: skip
    dmarc = expected_dmarc(domain)
    published = await _txt(resolver, f"_dmarc.{domain}")
    dmarc_records = [r for r in published or [] if _normal(r).startswith("v=dmarc1")]
    checks.append(
        RecordCheck(
            purpose="DMARC", name=f"_dmarc.{domain}", type="TXT", value=dmarc,
            # Any valid DMARC record is the domain owner's choice of policy.
            status=_status(published, dmarc_records, lambda r: True),
            published=dmarc_records,
        )
    )  # fmt: skip
    return checks


def _has_key(public_key: str) -> Callable[[str], bool]:
    return lambda record: _tags(record).get("p") == public_key


def _status(
    published: list[str] | None, relevant: list[str], good: Callable[[str], bool]
) -> RecordStatus:
    if published is None:
        return RecordStatus.UNKNOWN
    if not relevant:
        return RecordStatus.MISSING
    return RecordStatus.OK if any(good(r) for r in relevant) else RecordStatus.DIFFERENT


async def _check_mx(domain: str, hostname: str, resolver: Resolver) -> RecordCheck:
    value = f"10 {hostname}."
    try:
        answer = await resolver.mx(domain)
    except DNSError as exc:
        missing = isinstance(exc, NoSuchDomainError)
        status = RecordStatus.MISSING if missing else RecordStatus.UNKNOWN
        return RecordCheck(
            purpose="MX", name=domain, type="MX", value=value, status=status, published=[],
            note=str(exc),
        )  # fmt: skip
    published = [f"{r.preference} {r.host or '.'}." for r in answer.records]
    hosts = {r.host for r in answer.records}
    if not published:
        status = RecordStatus.MISSING
    else:
        status = RecordStatus.OK if hostname in hosts else RecordStatus.DIFFERENT
    return RecordCheck(
        purpose="MX", name=domain, type="MX", value=value, status=status, published=published,
        note="null MX (RFC 7505): the domain receives no mail, so bounces cannot come back"
        if answer.is_null else "",
    )  # fmt: skip
