"""Troubleshooting a delivery path without sending: which transport an address takes,
its MX hosts and their addresses, then per host connect, EHLO and STARTTLS (with
certificate verification, and without if that fails), each step reported.
"""

from __future__ import annotations

import random
import ssl
from collections.abc import Sequence
from dataclasses import dataclass

import aiosmtplib

from postroom.config import RouteConfig, TransportConfig
from postroom.queue.errors import DeliveryError
from postroom.queue.mxhosts import hop_addresses, next_hops
from postroom.queue.routes import chosen_transport
from postroom.queue.session import SessionSettings, TLSMode
from postroom.queue.transport import Delivery
from postroom.resolver import Resolver


@dataclass(frozen=True, slots=True, kw_only=True)
class ProbeStep:
    step: str
    """What was tried, e.g. `connect mx1.example.com [192.0.2.1]:25`."""
    ok: bool
    detail: str


async def probe_path(
    address: str,
    *,
    resolver: Resolver,
    settings: SessionSettings,
    routes: Sequence[RouteConfig] = (),
    transports: dict[str, TransportConfig] | None = None,
    port: int = 25,
    max_hosts: int = 3,
) -> list[ProbeStep]:
    """Report each step of reaching `address`'s next hop; never sends a message."""
    domain = address.rpartition("@")[2].lower()
    steps: list[ProbeStep] = []
    probe = Delivery(mail_from="", recipients=[address], data=b"", recipient_domain=domain)
    name = chosen_transport(routes, probe)
    transport = (transports or {}).get(name)
    if transport is not None:
        steps.append(
            ProbeStep(step="route", ok=True, detail=f"transport {name} ({transport.kind})")
        )
        if transport.kind == "drop":
            return steps
        if transport.kind == "smarthost":
            await _probe_host(
                steps, transport.host, transport.host, transport.effective_port, settings,
                tls=TLSMode(transport.tls),
            )  # fmt: skip
            return steps
    else:
        steps.append(ProbeStep(step="route", ok=True, detail="direct delivery to the MX hosts"))
    try:
        hops = await next_hops(resolver, domain, random.Random())
    except DeliveryError as exc:
        steps.append(ProbeStep(step=f"MX {domain}", ok=False, detail=exc.error))
        return steps
    listed = ", ".join(h.host for h in hops)
    steps.append(ProbeStep(step=f"MX {domain}", ok=True, detail=listed))
    for hop in hops[:max_hosts]:
        try:
            addresses = await hop_addresses(resolver, hop)
        except DeliveryError as exc:
            steps.append(ProbeStep(step=f"addresses {hop.host}", ok=False, detail=exc.error))
            continue
        steps.append(ProbeStep(step=f"addresses {hop.host}", ok=True, detail=" ".join(addresses)))
        for ip in addresses:
            if await _probe_host(steps, hop.host, ip, port, settings, tls=TLSMode.STARTTLS):
                break
    return steps


def _where(host: str, ip: str, port: int) -> str:
    shown = f"[{ip}]" if ":" in ip else ip
    return f"{host} {shown}:{port}" if host != ip else f"{shown}:{port}"


async def _probe_host(
    steps: list[ProbeStep],
    host: str,
    ip: str,
    port: int,
    settings: SessionSettings,
    *,
    tls: TLSMode,
) -> bool:
    """Connect, EHLO and STARTTLS one address; True if it greeted us."""
    timeouts = settings.timeouts
    where = _where(host, ip, port)
    implicit = tls is TLSMode.IMPLICIT
    client = aiosmtplib.SMTP(
        hostname=ip, port=port, local_hostname=settings.local_hostname,
        timeout=timeouts.command_seconds, use_tls=implicit, start_tls=False,
        validate_certs=False,
    )  # fmt: skip
    try:
        response = await client.connect(timeout=timeouts.greeting_seconds)
    except aiosmtplib.SMTPConnectResponseError as exc:
        steps.append(
            ProbeStep(step=f"connect {where}", ok=False, detail=f"{exc.code} {exc.message}")
        )
        return True
    except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
        steps.append(ProbeStep(step=f"connect {where}", ok=False, detail=str(exc)))
        return False
    steps.append(
        ProbeStep(step=f"connect {where}", ok=True, detail=f"{response.code} {response.message}")
    )
    try:
        ehlo = await client.ehlo(timeout=timeouts.command_seconds)
        extensions = " ".join(sorted(k.upper() for k in client.esmtp_extensions))
        steps.append(ProbeStep(step="EHLO", ok=True, detail=f"{ehlo.code} {extensions}"))
        if tls is TLSMode.STARTTLS:
            if client.supports_extension("starttls"):
                await _probe_starttls(steps, client, host, ip, port, settings)
            else:
                steps.append(ProbeStep(step="STARTTLS", ok=False, detail="not offered"))
    except (TimeoutError, aiosmtplib.SMTPException, OSError, ssl.SSLError) as exc:
        steps.append(ProbeStep(step="EHLO", ok=False, detail=str(exc)))
    finally:
        try:
            await client.quit(timeout=5)
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
            client.close()
    return True


async def _probe_starttls(
    steps: list[ProbeStep],
    client: aiosmtplib.SMTP,
    host: str,
    ip: str,
    port: int,
    settings: SessionSettings,
) -> None:
    context = settings.verify_context or ssl.create_default_context()
    try:
        await client.starttls(
            server_hostname=host, validate_certs=True, tls_context=context,
            timeout=settings.timeouts.command_seconds,
        )  # fmt: skip
    except (TimeoutError, aiosmtplib.SMTPException, OSError, ssl.SSLError) as exc:
        steps.append(ProbeStep(step="STARTTLS (verified)", ok=False, detail=str(exc)))
        # Would opportunistic TLS (what delivery uses without RequireTLS) work?
        client.close()
        plain = aiosmtplib.SMTP(
            hostname=ip, port=port, local_hostname=settings.local_hostname,
            timeout=settings.timeouts.command_seconds, start_tls=False, validate_certs=False,
        )  # fmt: skip
        try:
            await plain.connect(timeout=settings.timeouts.greeting_seconds)
            await plain.ehlo()
            await plain.starttls(validate_certs=False, server_hostname=host)
            steps.append(ProbeStep(step="STARTTLS (unverified)", ok=True, detail=_tls(plain)))
        except (TimeoutError, aiosmtplib.SMTPException, OSError, ssl.SSLError) as exc2:
            steps.append(ProbeStep(step="STARTTLS (unverified)", ok=False, detail=str(exc2)))
        finally:
            plain.close()
        return
    steps.append(ProbeStep(step="STARTTLS (verified)", ok=True, detail=_tls(client)))


def _tls(client: aiosmtplib.SMTP) -> str:
    transport = client.transport
    ssl_object = transport.get_extra_info("ssl_object") if transport is not None else None
    if ssl_object is None:
        return "TLS"
    cipher = ssl_object.cipher()
    return f"{ssl_object.version()} {cipher[0] if cipher else ''}".strip()
