"""Delivering to one fixed SMTP server: a smarthost, or localserve's own listener.

`queue.session` does the protocol and maps replies to outcomes; this module keeps
idle sessions to reuse for the next message, as a relay would (RFC 5321 §4.1.4:
after DATA the session is ready for the next MAIL), and turns a failure of the
server as a whole into the same outcome for every recipient.
"""

from __future__ import annotations

import dataclasses

from postroom.queue.errors import HostError
from postroom.queue.session import (
    Session,
    SessionSettings,
    SessionTarget,
    SMTPTimeouts,
    TLSMode,
    open_session,
)
from postroom.queue.transport import Delivery, RecipientOutcome, failure_for_all


class SMTPRelayTransport:
    """Sends every message to `host:port`, reusing up to `max_idle` connections."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        local_hostname: str,
        timeout_seconds: float = 60.0,
        max_idle: int = 16,
        tls: TLSMode = TLSMode.STARTTLS,
        username: str = "",
        password: str = "",
        timeouts: SMTPTimeouts | None = None,
        settings: SessionSettings | None = None,
        enforce_require_tls: bool = False,
    ) -> None:
        """`timeouts` replaces `timeout_seconds` (used for every step) when given.
        `enforce_require_tls`: a message with RequireTLS needs a verified TLS session and
        a server that offers REQUIRETLS (RFC 8689 §4.2) — true for smarthosts, false
        for localserve's own listener, which stands in for the recipient's server."""
        self.host = host
        self.port = port
        self._settings = settings or SessionSettings(
            local_hostname=local_hostname,
            timeouts=timeouts
            or SMTPTimeouts(
                greeting_seconds=timeout_seconds,
                command_seconds=timeout_seconds,
                data_seconds=timeout_seconds,
            ),
        )
        self._target = SessionTarget(
            host=host,
            address=host,
            port=port,
            tls=tls,
            require_tls=bool(username) and tls is not TLSMode.NONE,
            username=username,
            password=password,
        )
        self._enforce_require_tls = enforce_require_tls
        self._max_idle = max_idle
        self._idle: list[Session] = []

    async def deliver(self, delivery: Delivery) -> list[RecipientOutcome]:
        strict = bool(delivery.require_tls) and self._enforce_require_tls
        if not strict and delivery.require_tls:
            delivery = dataclasses.replace(delivery, require_tls=None)
        try:
            session = self._reusable(strict=strict)
            if session is not None:
                try:
                    outcomes = await session.send(delivery)
                except HostError as exc:
                    if exc.code or exc.permanent:
                        raise
                    # The server closed the idle connection meanwhile: a fresh one.
                    session = None
            if session is None:
                session = await self._open(strict=strict)
                outcomes = await session.send(delivery)
        except HostError as exc:
            return failure_for_all(
                delivery.recipients,
                permanent=exc.permanent,
                code=exc.code,
                secode=exc.secode,
                error=exc.error,
            )
        if session.is_connected and len(self._idle) < self._max_idle:
            self._idle.append(session)
        else:
            await session.close()
        return outcomes

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for session in idle:
            await session.close()

    def _reusable(self, *, strict: bool) -> Session | None:
        for session in list(reversed(self._idle)):
            if not session.is_connected:
                self._idle.remove(session)
            elif session.tls_verified or not strict:
                self._idle.remove(session)
                return session
        return None

    async def _open(self, *, strict: bool) -> Session:
        target = self._target
        if strict and not target.require_tls:
            target = SessionTarget(
                host=target.host, address=target.address, port=target.port,
                tls=target.tls, require_tls=True,
            )  # fmt: skip
        return await open_session(target, self._settings)
