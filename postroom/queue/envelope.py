"""The envelope sender a queue row stores, which may be the null reverse-path."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from postroom.mail import Address


def row_sender_address(row: Mapping[str, Any]) -> Address | None:
    """The row's MAIL FROM address, or None for the null reverse-path (RFC 5321 §4.5.5),
    which rows store as an empty localpart and domain (forwarded reports)."""
    if not row["sender_domain"]:
        return None
    return Address(localpart=str(row["sender_localpart"]), domain=str(row["sender_domain"]))


def row_sender(row: Mapping[str, Any]) -> str:
    """The row's MAIL FROM address as text, "" for the null reverse-path."""
    if not row["sender_domain"]:
        return ""
    return f"{row['sender_localpart']}@{row['sender_domain']}"
