"""What both SMTP handlers share: EHLO, unexpected errors, transaction state.

aiosmtpd calls a handler's `handle_<COMMAND>` hooks with the protocol, the session and
the envelope (our `Transaction`); a hook that returns a reply line has answered the
command, and must then update the envelope itself.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import ClassVar

from aiosmtpd.smtp import Envelope, Session

from postroom.mail import Address
from postroom.smtp import codes
from postroom.smtp.context import SMTPServices
from postroom.smtp.session import SMTPProtocol

log = logging.getLogger(__name__)

# RFC 5321 §4.5.3.1.8: at least 100 recipients per transaction must be accepted.
MAX_RECIPIENTS = 100


class Transaction(Envelope):
    """aiosmtpd's envelope plus the parsed sender; each handler adds its recipients."""

    def __init__(self) -> None:
        super().__init__()
        self.sender: Address | None = None
        """Parsed MAIL FROM; None for the null reverse-path."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Peer:
    """Facts about the client needed for trace fields."""

    helo: str
    client_ip: str
    extended: bool
    tls: bool


class Handler:
    """Hooks common to the incoming and submission listeners."""

    offers_auth: ClassVar[bool] = False
    """Whether EHLO may advertise AUTH (aiosmtpd adds it when TLS or plaintext is allowed)."""

    def __init__(self, services: SMTPServices) -> None:
        self.services = services

    def new_transaction(self) -> Envelope:
        return Transaction()

    async def handle_EHLO(  # noqa: N802 (aiosmtpd hook name)
        self,
        server: SMTPProtocol,
        session: Session,
        envelope: Envelope,
        hostname: str,
        responses: list[str],
    ) -> list[str]:
        # With this hook aiosmtpd leaves recording the name to us.
        session.host_name = hostname
        if self.offers_auth:
            return responses
        return [line for line in responses if not line[4:].upper().startswith("AUTH")]

    async def handle_exception(self, error: Exception) -> str:
        # Never the exception's text: it may hold internals (the aiosmtpd default does).
        log.error("SMTP command failed", exc_info=error)
        return codes.LOCAL_ERROR.line()


def peer_of(server: SMTPProtocol, session: Session) -> Peer:
    return Peer(
        helo=session.host_name or "",
        client_ip=server.client_ip,
        extended=session.extended_smtp,
        tls=server.is_tls,
    )
