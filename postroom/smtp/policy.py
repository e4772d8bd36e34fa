"""Whom the incoming listener takes mail for, and what it answers otherwise: the seam
localserve replaces (it takes mail for any address, and simulates failures).

The default, `OwnAddresses`, accepts our addresses only (`smtp.recipients`), so the
incoming listener can never relay.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from postroom.clock import Clock
from postroom.mail import Address
from postroom.smtp import codes
from postroom.smtp.errors import (
    AliasRemoteMembersError,
    DomainDisabledError,
    InvalidReturnAddressError,
    NoSuchUserError,
    RecipientError,
    RelayDeniedError,
)
from postroom.smtp.recipients import RecipientDelivery, resolve_recipient
from postroom.store.reader import Reader


@dataclass(frozen=True, slots=True, kw_only=True)
class Refusal:
    """An error reply, given after `delay_seconds` (localserve's simulated timeouts)."""

    reply: codes.Reply
    delay_seconds: float = 0.0


class IncomingPolicy(Protocol):
    async def check_sender(self, sender: Address | None) -> Refusal | None:
        """At MAIL FROM (`None` for the null reverse-path): refuse, or None to go on."""
        ...

    async def recipient(self, address: Address) -> tuple[RecipientDelivery, ...] | Refusal:
        """At RCPT TO: where the recipient's copy goes (accounts, forwards), or a
        refusal."""
        ...

    async def check_delivery(self, address: Address) -> Refusal | None:
        """After DATA, per accepted recipient: refuse its copy, or None to store it."""
        ...

    def delivered(self, sender: Address | None, recipient: Address, data: bytes) -> None:
        """After the copy for `recipient` is stored and committed (localserve answers
        some recipients with a simulated report). Must not block."""
        ...


_REFUSALS: tuple[tuple[type[RecipientError], codes.Reply], ...] = (
    (RelayDeniedError, codes.RELAY_DENIED),
    (NoSuchUserError, codes.NO_SUCH_USER),
    (DomainDisabledError, codes.DOMAIN_DISABLED),
    (AliasRemoteMembersError, codes.ALIAS_REMOTE_MEMBERS),
    (InvalidReturnAddressError, codes.INVALID_RETURN_ADDRESS),
)


def refusal_for(error: RecipientError) -> Refusal:
    return Refusal(reply=next(reply for kind, reply in _REFUSALS if isinstance(error, kind)))


class OwnAddresses:
    """Mail for our own addresses only."""

    def __init__(self, reader: Reader, clock: Clock) -> None:
        self._reader = reader
        self._clock = clock

    async def check_sender(self, sender: Address | None) -> Refusal | None:
        return None

    async def recipient(self, address: Address) -> tuple[RecipientDelivery, ...] | Refusal:
        try:
            return await resolve_recipient(address, self._reader, self._clock.now())
        except RecipientError as exc:
            return refusal_for(exc)

    async def check_delivery(self, address: Address) -> Refusal | None:
        return None

    def delivered(self, sender: Address | None, recipient: Address, data: bytes) -> None:
        return None
