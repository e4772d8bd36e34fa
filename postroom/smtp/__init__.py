"""The SMTP listeners: incoming mail for our addresses (port 25) and authenticated
submission (587 with STARTTLS, 465 with implicit TLS), on aiosmtpd."""

from __future__ import annotations

from postroom.smtp import codes
from postroom.smtp.context import SMTPServices
from postroom.smtp.listener import Listener
from postroom.smtp.policy import IncomingPolicy, OwnAddresses, Refusal
from postroom.smtp.recipients import LocalDelivery, RecipientDelivery
from postroom.smtp.serve import (
    incoming_listener,
    plaintext_auth_allowed,
    submission_listener,
)
from postroom.smtp.tls import load_tls_context

__all__ = [
    "IncomingPolicy",
    "Listener",
    "LocalDelivery",
    "OwnAddresses",
    "RecipientDelivery",
    "Refusal",
    "SMTPServices",
    "codes",
    "incoming_listener",
    "load_tls_context",
    "plaintext_auth_allowed",
    "submission_listener",
]
