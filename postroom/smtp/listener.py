"""A listening socket serving SMTP sessions, with a clean stop.

The socket is bound by the caller (port 0 picks a free port whose number can then be
printed; aiosmtpd's threaded Controller cannot do that) and served on the running event
loop with `loop.create_server`. Stopping closes the socket, answers idle sessions 421,
lets sessions in a mail transaction finish it (their reply means "committed"), and
cuts off what is left after a timeout.
"""

from __future__ import annotations

import asyncio
import logging
import socket
import ssl
from collections.abc import Callable

from postroom.smtp.session import SMTPProtocol

log = logging.getLogger(__name__)

# RFC 8314 §3.3 leaves it to us; a client that cannot finish a handshake in 30 s is gone.
TLS_HANDSHAKE_TIMEOUT_SECONDS = 30.0


class Listener:
    """Serves SMTP on `sock`; `make_session` builds the protocol of each connection."""

    def __init__(
        self,
        name: str,
        sock: socket.socket,
        make_session: Callable[[Listener], SMTPProtocol],
        *,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        self.name = name
        self._socket = sock
        address = sock.getsockname()
        self._address: tuple[str, int] = (str(address[0]), int(address[1]))
        self._make_session = make_session
        self._tls_context = tls_context
        self._server: asyncio.Server | None = None
        self._sessions: set[SMTPProtocol] = set()
        self._all_closed = asyncio.Event()
        self._all_closed.set()
        self._stopping = False

    @property
    def host(self) -> str:
        return self._address[0]

    @property
    def port(self) -> int:
        """The bound port (the real one when 0 was asked for), also after stopping."""
        return self._address[1]

    @property
    def stopping(self) -> bool:
        return self._stopping

    @property
    def session_count(self) -> int:
        return len(self._sessions)

    async def start(self) -> None:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(
            lambda: self._make_session(self),
            sock=self._socket,
            ssl=self._tls_context,
            ssl_handshake_timeout=TLS_HANDSHAKE_TIMEOUT_SECONDS if self._tls_context else None,
        )
        log.info("SMTP %s listening on %s:%d", self.name, self.host, self.port)

    def opened(self, session: SMTPProtocol) -> None:
        self._sessions.add(session)
        self._all_closed.clear()

    def closed(self, session: SMTPProtocol) -> None:
        self._sessions.discard(session)
        if not self._sessions:
            self._all_closed.set()

    async def stop(self, timeout_seconds: float = 30.0) -> None:
        """Stop accepting; wait up to `timeout_seconds` for open transactions to end."""
        server = self._server
        if server is None:
            return
        self._server = None
        self._stopping = True
        server.close()
        for session in list(self._sessions):
            if not session.in_transaction:
                session.close_for_shutdown()
        try:
            await asyncio.wait_for(self._all_closed.wait(), timeout_seconds)
        except TimeoutError:
            log.warning(
                "SMTP %s: cutting off %d sessions still open after %.0f s",
                self.name,
                len(self._sessions),
                timeout_seconds,
            )
            for session in list(self._sessions):
                session.abort()
            # Aborted transports report connection_lost on the next loop iterations.
            await asyncio.wait_for(self._all_closed.wait(), timeout_seconds)
        await server.wait_closed()
