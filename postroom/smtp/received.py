"""Trace fields written before a received message: `Received` and `Return-Path`.

RFC 5321 §4.4: every SMTP server that accepts a message adds a `Received` field
("time stamp line"), and the one that makes the final delivery adds `Return-Path` with
the MAIL FROM address. Pure: values in, header bytes out.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from postroom.mail import format_date

# RFC 5321 §4.1.2 Domain (LDH labels), or an address literal as a client may give in EHLO.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HELO_DOMAIN = re.compile(rf"(?:{_LABEL}\.)*{_LABEL}")
_HELO_LITERAL = re.compile(r"\[(?:IPv6:)?[0-9A-Fa-f:.]{2,45}\]")


@dataclass(frozen=True, slots=True, kw_only=True)
class Stamp:
    """What a `Received` field records about one SMTP transaction."""

    helo: str
    """The name the client gave in EHLO/HELO, "" if none."""
    client_ip: str
    hostname: str
    """Ours."""
    protocol: str
    """RFC 3848 §2 / RFC 6531 §3.7.3 `with` keyword: ESMTP, ESMTPSA, UTF8SMTPS, …"""
    id: str
    received: datetime


def new_received_id() -> str:
    """An opaque ID for the `id` clause, e.g. for finding the transaction in logs."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii").lower()


def protocol_keyword(*, extended: bool, smtputf8: bool, tls: bool, authenticated: bool) -> str:
    """The `with` value: SMTP for HELO, else ESMTP or UTF8SMTP, plus S for TLS and A for
    an authenticated client (RFC 3848 §2, RFC 6531 §3.7.3)."""
    base = "UTF8SMTP" if smtputf8 else "ESMTP" if extended else "SMTP"
    if base == "SMTP":
        return base
    return base + ("S" if tls else "") + ("A" if authenticated else "")


def received_field(stamp: Stamp, recipient: str | None) -> bytes:
    """A `Received` field with CRLF. `recipient` adds a `for` clause; leave it out when
    one message goes to several recipients, so all copies share one prefix (and one
    outgoing SMTP transaction) and do not reveal each other."""
    # RFC 5321 §4.4 Extended-Domain: the EHLO name with the peer address as TCP-info;
    # a name that is not a domain or address literal is left out rather than quoted.
    literal = _address_literal(stamp.client_ip)
    helo = stamp.helo
    if _HELO_DOMAIN.fullmatch(helo) or _HELO_LITERAL.fullmatch(helo):
        source = f"{helo} ({literal})"
    else:
        source = literal
    clause = f" for <{recipient}>" if recipient else ""
    return (
        f"Received: from {source}\r\n"
        f"\tby {stamp.hostname} with {stamp.protocol} id {stamp.id}{clause};\r\n"
        f"\t{format_date(stamp.received)}\r\n"
    ).encode()


def return_path_field(mail_from: str) -> bytes:
    """`Return-Path: <mail from>` with CRLF; `<>` for the null reverse-path."""
    return f"Return-Path: <{mail_from}>\r\n".encode()


def _address_literal(ip: str) -> str:
    """RFC 5321 §4.1.3 address literal of an IP address."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return "[unknown]"
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return f"[{address.ipv4_mapped}]"
        return f"[IPv6:{address}]"
    return f"[{address}]"
