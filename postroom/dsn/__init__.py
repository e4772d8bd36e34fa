"""Delivery status notifications: composing our own (RFC 3464) and parsing the
bounces, DSNs, feedback reports and auto-replies others send us. No I/O.

`parse_bounce(data)` takes any received message and returns a `Bounce` with one
`RecipientResult` per recipient (status, reply code, reason, hard/soft), or None
when the message is not a report.
"""

from __future__ import annotations

from postroom.dsn.compose import Action, DSNRecipient, DSNReport, compose_dsn
from postroom.dsn.parse import parse_bounce
from postroom.dsn.result import Bounce, BounceKind, Reason, RecipientResult

__all__ = [
    "Action",
    "Bounce",
    "BounceKind",
    "DSNRecipient",
    "DSNReport",
    "Reason",
    "RecipientResult",
    "compose_dsn",
    "parse_bounce",
]
