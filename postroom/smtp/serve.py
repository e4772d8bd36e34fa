"""Building the SMTP listeners: incoming, submission with STARTTLS, submission with
implicit TLS. Each takes a socket the caller bound (so port 0 works)."""

from __future__ import annotations

import ipaddress
import socket
from typing import Any

from postroom.smtp import codes
from postroom.smtp.context import SMTPServices
from postroom.smtp.incoming import IncomingHandler
from postroom.smtp.listener import Listener
from postroom.smtp.session import SMTPProtocol
from postroom.smtp.submission import SubmissionHandler

# RFC 5321 §4.5.3.2.7: a server should wait at least 5 minutes for the next command.
IDLE_TIMEOUT_SECONDS = 300.0
# Commands per connection. A submission client may send many messages over one
# connection; the probes of an abusive one (AUTH guessing, VRFY, NOOP loops) are cut
# off early with 421 (aiosmtpd counts unknown commands separately).
COMMAND_LIMITS = {
    "AUTH": 10,
    "NOOP": 50,
    "HELP": 10,
    "VRFY": 10,
    "EXPN": 10,
    "STARTTLS": 2,
    "*": 100_000,
}


def plaintext_auth_allowed(listen: str) -> bool:
    """AUTH without TLS only on a loopback listener: no password crosses a network."""
    try:
        return ipaddress.ip_address(listen).is_loopback
    except ValueError:
        return False


def incoming_listener(services: SMTPServices, sock: socket.socket) -> Listener:
    """Port 25: mail for our addresses; STARTTLS when a certificate is configured."""
    handler = IncomingHandler(services)
    options = _options(services)

    def make_session(listener: Listener) -> SMTPProtocol:
        # AUTH is answered by the handler (refused): aiosmtpd must not refuse it first
        # for want of TLS, which would suggest that it works with TLS.
        return SMTPProtocol(
            handler,
            registry=listener,
            implicit_tls=False,
            tls_context=services.tls_context,
            auth_require_tls=False,
            **options,
        )

    return Listener("incoming", sock, make_session)


def submission_listener(
    services: SMTPServices,
    sock: socket.socket,
    *,
    plaintext_auth: bool,
    implicit_tls: bool = False,
) -> Listener:
    """Port 587 (STARTTLS when configured) or, with `implicit_tls`, port 465.

    AUTH is offered only once the connection is encrypted, or from the start when
    `plaintext_auth` (a loopback listener, see `plaintext_auth_allowed`).
    """
    if implicit_tls and services.tls_context is None:
        raise ValueError("implicit TLS needs a configured certificate")
    handler = SubmissionHandler(services)
    options = _options(services)

    def make_session(listener: Listener) -> SMTPProtocol:
        return SMTPProtocol(
            handler,
            registry=listener,
            implicit_tls=implicit_tls,
            tls_context=None if implicit_tls else services.tls_context,
            auth_require_tls=not (plaintext_auth or implicit_tls),
            **options,
        )

    name = "submissions" if implicit_tls else "submission"
    tls_context = services.tls_context if implicit_tls else None
    return Listener(name, sock, make_session, tls_context=tls_context)


def _options(services: SMTPServices) -> dict[str, Any]:
    return {
        # RFC 1870 §4: SIZE advertises the limit; aiosmtpd refuses bigger DATA with 552.
        "data_size_limit": services.config.smtp.max_message_bytes,
        # RFC 6531 §3.1 SMTPUTF8; 8BITMIME (RFC 6152 §2) is advertised as data is not decoded.
        "enable_SMTPUTF8": True,
        "decode_data": False,
        "hostname": services.config.hostname,
        "ident": codes.GREETING,
        "timeout": IDLE_TIMEOUT_SECONDS,
        "command_call_limit": COMMAND_LIMITS,
    }
