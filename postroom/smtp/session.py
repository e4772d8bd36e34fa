"""One SMTP connection: aiosmtpd's protocol with what Postroom adds to it.

aiosmtpd parses commands and drives the hooks of a handler (`smtp.incoming`,
`smtp.submission`); this subclass adds the connection's facts the hooks need (client
IP, whether TLS is on), per-connection command limits, the verified login, and the
cooperation with its `Listener` at shutdown.
"""

from __future__ import annotations

import asyncio
import collections
import re
from typing import Any, AnyStr, Protocol

from aiosmtpd.smtp import SMTP, Envelope, Session

from postroom.auth import Login
from postroom.smtp import codes

# RFC 4954 §5: the AUTH parameter of MAIL names who submitted the message originally.
# Clients send "AUTH=<>" routinely; it grants nothing, so it is dropped (as mox ignores
# it) before aiosmtpd, which refuses parameters it does not know, sees it.
_AUTH_PARAMETER = re.compile(r"\s+AUTH=\S*", re.IGNORECASE)


class SessionRegistry(Protocol):
    """The listener's side: which sessions are open, and whether it is stopping."""

    @property
    def stopping(self) -> bool: ...

    def opened(self, session: SMTPProtocol) -> None: ...

    def closed(self, session: SMTPProtocol) -> None: ...


class TransactionFactory(Protocol):
    def new_transaction(self) -> Envelope: ...


class SessionState(Session):
    """aiosmtpd's per-connection session plus the login verified by AUTH. A new one
    starts after STARTTLS, which forgets everything said before (RFC 3207 §4.2)."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self.login: Login | None = None

    # aiosmtpd sets this deprecated attribute on every AUTH and logs a warning doing so.
    @property
    def login_data(self) -> Any:
        return None

    @login_data.setter
    def login_data(self, value: Any) -> None:
        pass


def session_state(session: Session | None) -> SessionState:
    if not isinstance(session, SessionState):  # pragma: no cover - set up by SMTPProtocol
        raise TypeError("SMTP session state missing")
    return session


_SIMPLE_PATH = re.compile(r"^\s*<([^<>\s\"\\(),;:\[\]]*)>(.*)$", re.DOTALL)


class SMTPProtocol(SMTP):
    """aiosmtpd's SMTP protocol, one instance per connection. (aiosmtpd evaluates every
    attribute when it starts, looking for `auth_` methods: properties must not raise.)"""

    # RFC 5321 §4.5.3.1.4: a command line is at most 512 octets with CRLF.
    command_size_limit = 512
    # RFC 5321 §4.5.3.1.6: a text line is at most 1000 octets with CRLF, plus one for
    # the transparency dot (RFC 5321 §4.5.2).
    line_length_limit = 1001

    def __init__(
        self,
        handler: TransactionFactory,
        *,
        registry: SessionRegistry,
        implicit_tls: bool,
        **options: Any,
    ) -> None:
        # aiosmtpd keeps the per-command size limits in a dict shared by every
        # connection (and raises MAIL's on each EHLO); each connection gets its own.
        self.command_size_limits = collections.defaultdict(lambda: self.command_size_limit)
        self._registry = registry
        self._registered = False
        self.implicit_tls = implicit_tls
        """The listener wraps the connection in TLS before SMTP starts (RFC 8314 §3.3)."""
        self.client_ip = ""
        super().__init__(handler, loop=asyncio.get_running_loop(), **options)

    @property
    def is_tls(self) -> bool:
        return self.implicit_tls or self._tls_protocol is not None

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        # aiosmtpd parses every MAIL/RCPT path with the email package's RFC 5322 header
        # parser, a tenth of an SMTP transaction's CPU. The common path, `<a@b>` with
        # no quotes or spaces (RFC 5321 §4.1.2), is cut out directly; anything else
        # still goes through aiosmtpd's parser.
        match = _SIMPLE_PATH.match(arg)
        if match is None:
            address, rest = super()._getaddr(arg)
            return address, rest
        address = match.group(1) or "<>"
        localpart = address.rpartition("@")[0]
        if self.local_part_limit and len(localpart) > self.local_part_limit:
            return None, None
        return address, match.group(2)

    @property
    def in_transaction(self) -> bool:
        """Between MAIL and the reply to DATA (or RSET)."""
        return self.envelope is not None and self.envelope.mail_from is not None

    def _create_session(self) -> Session:
        return SessionState(self.loop)

    def _create_envelope(self) -> Envelope:
        factory: TransactionFactory = self.event_handler
        return factory.new_transaction()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        if not self._registered:
            self._registered = True
            peer = transport.get_extra_info("peername")
            self.client_ip = str(peer[0]) if isinstance(peer, tuple) and peer else ""
            self._registry.opened(self)

    def connection_lost(self, error: Exception | None) -> None:
        try:
            super().connection_lost(error)
        finally:
            self._registry.closed(self)

    async def smtp_MAIL(self, arg: str | None) -> None:  # noqa: N802 (aiosmtpd command name)
        if arg and self.session is not None and self.session.extended_smtp:
            arg = _AUTH_PARAMETER.sub("", arg)
        await super().smtp_MAIL(arg)

    async def push(self, status: AnyStr) -> None:
        await super().push(status)
        # RFC 5321 §3.8: a server shutting down answers 421 and closes. A session in a
        # mail transaction may finish it first; any other is closed after its reply.
        if self._registry.stopping and not self.in_transaction:
            self.close_for_shutdown()

    def close_for_shutdown(self) -> None:
        transport = self.transport
        if transport is None or transport.is_closing():
            return
        if isinstance(transport, asyncio.WriteTransport):
            transport.write(codes.SHUTTING_DOWN.line().encode("ascii") + b"\r\n")
        transport.close()

    def abort(self) -> None:
        transport = self.transport
        if isinstance(transport, asyncio.WriteTransport):
            transport.abort()
