"""Scripted remote mail servers for delivery tests: real aiosmtpd servers on loopback
addresses (127.0.0.2, 127.0.0.3, … all on one port, as MX hosts share port 25), each
behaving as a test says: accepting, refusing some recipients, greeting with 421,
dropping the connection in DATA, offering or requiring STARTTLS, lacking SMTPUTF8,
or never answering."""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session


@dataclass
class Behaviour:
    refuse: dict[str, str] = field(default_factory=dict)
    """Recipient address → the RCPT reply, e.g. `550 5.1.1 no such user`."""
    greeting: str = ""
    """A greeting other than 220 (e.g. `421 4.3.2 busy`), after which the server hangs up."""
    drop_in_data: bool = False
    """Close the connection after receiving the message, before the final reply."""
    tls: ssl.SSLContext | None = None
    """Offer STARTTLS with this server context."""
    require_starttls: bool = False
    broken_starttls: bool = False
    """Offer STARTTLS but answer it 454."""
    smtputf8: bool = True
    requiretls: bool = False
    """Offer REQUIRETLS (RFC 8689)."""
    mail_reply: str = ""
    """A reply to MAIL FROM other than 250, e.g. `550 5.7.1 sender refused`."""
    stall_mail: bool = False
    """Never answer MAIL FROM (until the server stops)."""
    size: int = 0
    """Announced SIZE; 0 for aiosmtpd's default."""
    logins: dict[str, str] = field(default_factory=dict)
    """Offer AUTH with these user → password pairs."""
    ehlo_extra: list[str] = field(default_factory=list)
    """More EHLO keywords, e.g. `LIMITS RCPTMAX=2`."""


@dataclass
class Received:
    mail_from: str
    recipients: list[str]
    data: bytes
    mail_options: list[str]
    tls: bool
    login: str
    helo: str
    """The name the client gave in EHLO."""


@dataclass
class MTA:
    """One scripted server at `address`:`port`."""

    address: str
    port: int
    behaviour: Behaviour
    messages: list[Received] = field(default_factory=list)
    connections: int = 0
    stop: asyncio.Event = field(default_factory=asyncio.Event)


class _Handler:
    def __init__(self, mta: MTA) -> None:
        self.mta = mta

    async def handle_EHLO(  # noqa: N802 (aiosmtpd finds hooks by name)
        self, server: SMTP, session: Session, envelope: Envelope, hostname: str, responses: Any
    ) -> list[str]:
        session.host_name = hostname
        extra = [f"250-{keyword}" for keyword in self.mta.behaviour.ehlo_extra]
        if self.mta.behaviour.requiretls and session.ssl is not None:
            extra.append("250-REQUIRETLS")
        return [*responses[:-1], *extra, responses[-1]]

    async def handle_MAIL(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        if self.mta.behaviour.stall_mail:
            await self.mta.stop.wait()
        if self.mta.behaviour.mail_reply:
            return self.mta.behaviour.mail_reply
        envelope.mail_from = address
        envelope.mail_options.extend(options)
        envelope.mail_options.extend(f"ENVID={e}" for e in getattr(server, "envids", []))
        return "250 OK"

    async def handle_RCPT(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: Any
    ) -> str:
        reply = self.mta.behaviour.refuse.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(  # noqa: N802
        self, server: SMTP, session: Session, envelope: Envelope
    ) -> str:
        if self.mta.behaviour.drop_in_data:
            assert server.transport is not None
            server.transport.abort()
            return "250 never sent"
        login = session.auth_data.decode() if isinstance(session.auth_data, bytes) else ""
        self.mta.messages.append(
            Received(
                mail_from=str(envelope.mail_from),
                recipients=list(envelope.rcpt_tos),
                data=bytes(envelope.original_content or b""),
                mail_options=list(envelope.mail_options),
                tls=session.ssl is not None,
                login=login,
                helo=str(session.host_name),
            )
        )
        return "250 2.0.0 accepted"


class _ScriptedSMTP(SMTP):  # type: ignore[misc]
    def __init__(self, mta: MTA, **kwargs: Any) -> None:
        self.mta = mta
        super().__init__(_Handler(mta), **kwargs)

    async def smtp_MAIL(self, arg: str) -> None:  # noqa: N802
        # aiosmtpd does not know REQUIRETLS; accept it as the extension says (RFC 8689 §4.1).
        if arg and self.mta.behaviour.requiretls:
            arg = " ".join(w for w in arg.split(" ") if w.upper() != "REQUIRETLS")
        # Nor the DSN extension's ENVID (RFC 3461 §4.4): take it, note it, pass the rest.
        if arg and "DSN" in self.mta.behaviour.ehlo_extra:
            words = arg.split(" ")
            self.envids = [w[6:] for w in words if w.upper().startswith("ENVID=")]
            arg = " ".join(w for w in words if not w.upper().startswith("ENVID="))
        await super().smtp_MAIL(arg)

    async def smtp_STARTTLS(self, arg: str) -> None:  # noqa: N802
        if self.mta.behaviour.broken_starttls:
            await self.push("454 4.7.0 TLS not available due to temporary reason")
            return
        await super().smtp_STARTTLS(arg)


def _authenticator(logins: dict[str, str]) -> Any:
    def check(server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any) -> Any:
        if isinstance(data, LoginPassword):
            user, password = data.login.decode(), data.password.decode()
            if logins.get(user) == password:
                return AuthResult(success=True, auth_data=data.login)
        return AuthResult(success=False, handled=False)

    return check


class _Greeter(asyncio.Protocol):
    def __init__(self, line: str) -> None:
        self.line = line

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.WriteTransport)
        transport.write(self.line.encode() + b"\r\n")
        transport.close()


class Fleet:
    """MTAs on 127.0.0.2, 127.0.0.3, … sharing one port."""

    def __init__(self) -> None:
        self.port = 0
        self.mtas: list[MTA] = []
        self._servers: list[asyncio.AbstractServer] = []

    async def add(self, behaviour: Behaviour | None = None, *, address: str = "") -> MTA:
        behaviour = behaviour or Behaviour()
        address = address or f"127.0.0.{len(self.mtas) + 2}"
        mta = MTA(address=address, port=self.port, behaviour=behaviour)
        loop = asyncio.get_running_loop()

        def factory() -> asyncio.Protocol:
            mta.connections += 1
            if behaviour.greeting:
                return _Greeter(behaviour.greeting)
            options: dict[str, Any] = {
                "hostname": f"mx-{address}",
                "enable_SMTPUTF8": behaviour.smtputf8,
                "tls_context": behaviour.tls,
                "require_starttls": behaviour.require_starttls,
                "auth_require_tls": True,
            }
            if behaviour.size:
                options["data_size_limit"] = behaviour.size
            if behaviour.logins:
                options["authenticator"] = _authenticator(behaviour.logins)
            else:
                options["auth_exclude_mechanism"] = ["LOGIN", "PLAIN"]
            return _ScriptedSMTP(mta, **options)

        server = await loop.create_server(factory, address, self.port)
        self._servers.append(server)
        self.mtas.append(mta)
        return mta

    async def close(self) -> None:
        for mta in self.mtas:
            mta.stop.set()
        for server in self._servers:
            server.close()
            with suppress(Exception):
                await asyncio.wait_for(server.wait_closed(), 2)


def _free_port(address: str) -> int:
    with socket.socket() as sock:
        sock.bind((address, 0))
        port: int = sock.getsockname()[1]
        return port


@asynccontextmanager
async def fleet() -> AsyncIterator[Fleet]:
    f = Fleet()
    # One port for every MTA, known before the first starts (the transport dials it).
    f.port = _free_port("127.0.0.2")
    try:
        yield f
    finally:
        await f.close()
