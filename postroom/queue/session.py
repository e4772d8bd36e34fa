"""One SMTP client session with a next-hop host: connect, EHLO, the TLS policy, AUTH,
then any number of transactions on the same connection (RFC 5321 §4.1.4).

aiosmtplib speaks the protocol. This module decides what its replies and exceptions
mean, once: a failure of the host as a whole (connecting, greeting, EHLO, STARTTLS,
MAIL FROM, a lost connection, an extension the message needs) raises `HostError`, so
the caller can try the next MX host; a reply to one recipient is that recipient's
`RecipientOutcome`. Both the relay and the direct transport use it.
"""

from __future__ import annotations

import asyncio
import re
import ssl
from dataclasses import dataclass, field
from enum import StrEnum

import aiosmtplib

from postroom.queue.errors import HostError
from postroom.queue.transport import Delivery, RecipientOutcome

_ENHANCED = re.compile(r"^([245])\.(\d{1,3}\.\d{1,3})\b")
_CONNECTION_ERRORS = (TimeoutError, aiosmtplib.SMTPException, OSError)


class TLSMode(StrEnum):
    STARTTLS = "starttls"
    """Plain connection upgraded with STARTTLS (RFC 3207)."""
    IMPLICIT = "implicit"
    """TLS from the first byte (RFC 8314 §3.3), as on port 465."""
    NONE = "none"
    """Never TLS."""


class CapabilityError(HostError):
    """The host lacks an extension the message needs (SMTPUTF8, 8BITMIME, REQUIRETLS, a
    large enough SIZE). Another MX host may have it; if none has, the message cannot
    be delivered as it is, so the failure becomes permanent."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SMTPTimeouts:
    """Client timeouts; the defaults are RFC 5321 §4.5.3.2's minimums."""

    greeting_seconds: float = 300.0
    """TCP connect plus the 220 greeting (RFC 5321 §4.5.3.2.1: 5 minutes)."""
    command_seconds: float = 300.0
    """Each of EHLO, STARTTLS, AUTH, MAIL and RCPT (§4.5.3.2.2, §4.5.3.2.3: 5 minutes)."""
    data_seconds: float = 600.0
    """The 354 reply to DATA, and the final reply after the message (§4.5.3.2.4 gives 2
    minutes for the first, §4.5.3.2.6 10 minutes for the second; aiosmtplib takes one
    value for both, so the longer)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionTarget:
    """Where to connect and how."""

    host: str
    """The host's name: checked against its certificate, and shown in errors."""
    address: str
    """IP address (or name) to connect to."""
    port: int
    tls: TLSMode = TLSMode.STARTTLS
    require_tls: bool = False
    """TLS with a verified certificate or no delivery (RFC 8689 REQUIRETLS, or a
    smarthost we send a password to). Otherwise TLS is opportunistic: an unverifiable
    certificate is still better than plaintext, and a failed STARTTLS is retried
    without it (RFC 3207 §4.1 lets the client decide)."""
    username: str = ""
    password: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionSettings:
    local_hostname: str
    """Our name in EHLO (RFC 5321 §4.1.1.1)."""
    timeouts: SMTPTimeouts = field(default_factory=SMTPTimeouts)
    verify_context: ssl.SSLContext | None = None
    """Trust anchors for verified TLS; None: the system's."""


def reply_outcome(code: int, message: str, *, command: str) -> RecipientOutcome:
    # RFC 3463 §2: the enhanced status code, when present, starts the reply text.
    match = _ENHANCED.match(message.strip())
    secode = match.group(2) if match else ""
    if 200 <= code < 300:
        return RecipientOutcome(success=True, code=code, secode=secode)
    text = " ".join(message.split())
    return RecipientOutcome(
        success=False,
        # RFC 5321 §4.2.1: 5yz is a permanent negative completion reply. A 552 to
        # RCPT TO is really "too many recipients" (§4.5.3.1.10), so it is retried.
        permanent=code >= 500 and not (code == 552 and command == "RCPT TO"),
        code=code,
        secode=secode,
        error=f"{command}: {code} {text}",
    )


def _host_error(host: str, command: str, exc: aiosmtplib.SMTPResponseException) -> HostError:
    outcome = reply_outcome(exc.code, exc.message, command=command)
    return HostError(
        f"{host}: {outcome.error}",
        permanent=outcome.permanent,
        code=exc.code,
        secode=outcome.secode,
    )


class _TLSFailedError(Exception):
    pass


class Session:
    """A connected, greeted (and maybe TLS-protected, authenticated) SMTP client."""

    def __init__(
        self, client: aiosmtplib.SMTP, target: SessionTarget, settings: SessionSettings
    ) -> None:
        self.client = client
        self.target = target
        self._timeouts = settings.timeouts
        self.tls = False
        self.tls_verified = False
        self.idle_since = 0.0
        """When the last transaction ended (a monotonic time), for expiring idle sessions."""

    @property
    def is_connected(self) -> bool:
        return self.client.is_connected

    def supports(self, extension: str) -> bool:
        return self.client.supports_extension(extension)

    @property
    def recipient_limit(self) -> int:
        """RCPTMAX from the LIMITS extension (RFC 9422 §4.2), 0 if none."""
        for word in self.client.esmtp_extensions.get("limits", "").split():
            name, _, value = word.partition("=")
            if name.upper() == "RCPTMAX" and value.isdigit():
                return int(value)
        return 0

    @property
    def size_limit(self) -> int:
        """The SIZE the server announced (RFC 1870 §4), 0 if none or no limit."""
        value = self.client.esmtp_extensions.get("size", "")
        return int(value) if value.isdigit() else 0

    async def close(self) -> None:
        try:
            if self.client.is_connected:
                await asyncio.wait_for(self.client.quit(), 5)
        except _CONNECTION_ERRORS:
            self.client.close()

    def check(self, delivery: Delivery) -> None:
        """Raise CapabilityError if this host cannot take the message as it is."""
        name = self.target.host
        if delivery.require_tls and not self.supports("requiretls"):
            raise CapabilityError(
                f"{name} does not support REQUIRETLS (RFC 8689), which the message requires",
                permanent=True, code=554, secode="7.30",
            )  # fmt: skip
        if delivery.smtputf8 and not self.supports("smtputf8"):
            raise CapabilityError(
                f"{name} does not support SMTPUTF8 (RFC 6531 §3.2), which the message's"
                " internationalized addresses need",
                permanent=True, secode="6.7",
            )  # fmt: skip
        if delivery.has_8bit and not self.supports("8bitmime"):
            raise CapabilityError(
                f"{name} does not support 8BITMIME (RFC 6152), which the message's 8-bit"
                " content needs",
                permanent=True, secode="6.3",
            )  # fmt: skip
        limit = self.size_limit
        if limit and len(delivery.data) > limit:
            raise CapabilityError(
                f"{name} takes messages up to {limit} bytes (RFC 1870 SIZE), this one has"
                f" {len(delivery.data)}",
                permanent=True, code=552, secode="3.4",
            )  # fmt: skip

    async def send(self, delivery: Delivery) -> list[RecipientOutcome]:
        """Deliver in one transaction (more when the server limits recipients per
        transaction); one outcome per recipient, in order."""
        self.check(delivery)
        outcomes: dict[int, RecipientOutcome] = {}
        waiting = list(range(len(delivery.recipients)))
        # RFC 9422 §4.2: no more recipients per transaction than RCPTMAX.
        chunk = self.recipient_limit or len(waiting)
        while waiting:
            pending, waiting = waiting[:chunk], waiting[chunk:]
            await self._chunk(delivery, pending, outcomes)
        return [outcomes[index] for index in range(len(delivery.recipients))]

    async def _chunk(
        self, delivery: Delivery, pending: list[int], outcomes: dict[int, RecipientOutcome]
    ) -> None:
        while pending:
            done = await self._transaction(delivery, pending)
            outcomes.update(done)
            # RFC 5321 §4.5.3.1.10: a server may take fewer recipients per transaction
            # than we offer and answer 452 (or, from old servers, 552) to the rest; they
            # go in the next transaction on this connection (docs/architecture.md). Only while each
            # round gets somewhere, so a server that refuses everyone ends it.
            again = [
                index for index in pending[1:]
                if done[index].code in (452, 552) and any(o.success for o in done.values())
            ]  # fmt: skip
            if again == pending:
                break
            pending = again

    async def _transaction(
        self, delivery: Delivery, indexes: list[int]
    ) -> dict[int, RecipientOutcome]:
        client, name = self.client, self.target.host
        command_timeout = self._timeouts.command_seconds
        options = []
        if self.supports("size"):
            options.append(f"SIZE={len(delivery.data)}")
        if delivery.smtputf8:
            options.append("SMTPUTF8")
        if delivery.has_8bit:
            options.append("BODY=8BITMIME")
        if delivery.require_tls:
            options.append("REQUIRETLS")
        if delivery.envelope_id and self.supports("dsn"):
            options.append(f"ENVID={delivery.envelope_id}")  # digits need no xtext escaping
        encoding = "utf-8" if delivery.smtputf8 else "ascii"
        try:
            await client.mail(
                delivery.mail_from, options=options, encoding=encoding, timeout=command_timeout
            )
        except aiosmtplib.SMTPResponseException as exc:
            await self._reset()
            raise _host_error(name, "MAIL FROM", exc) from exc
        except _CONNECTION_ERRORS as exc:
            raise self._lost("MAIL FROM", exc) from exc
        refused: dict[int, RecipientOutcome] = {}
        for index in indexes:
            try:
                await client.rcpt(
                    delivery.recipients[index], encoding=encoding, timeout=command_timeout
                )
            except aiosmtplib.SMTPResponseException as exc:
                # RFC 5321 §3.3: each RCPT gets its own reply; keep each one.
                refused[index] = reply_outcome(exc.code, exc.message, command="RCPT TO")
            except _CONNECTION_ERRORS as exc:
                raise self._lost("RCPT TO", exc) from exc
        if len(refused) == len(indexes):
            await self._reset()
            return refused
        try:
            response = await client.data(delivery.data, timeout=self._timeouts.data_seconds)
            accepted = reply_outcome(response.code, response.message, command="DATA")
        except aiosmtplib.SMTPResponseException as exc:
            accepted = reply_outcome(exc.code, exc.message, command="DATA")
        except _CONNECTION_ERRORS as exc:
            # RFC 5321 §4.1.1.4: without the final reply the server must not deliver,
            # so the message may go to another host.
            raise self._lost("DATA", exc) from exc
        return {index: refused.get(index, accepted) for index in indexes}

    def _lost(self, command: str, exc: BaseException) -> HostError:
        self.client.close()
        detail = str(exc) or type(exc).__name__
        return HostError(f"{self.target.host}: {command}: {detail}", permanent=False)

    async def _reset(self) -> None:
        # RFC 5321 §4.1.1.5: abandon the transaction so the connection can be reused.
        try:
            await self.client.rset(timeout=self._timeouts.command_seconds)
        except _CONNECTION_ERRORS:
            self.client.close()


async def open_session(target: SessionTarget, settings: SessionSettings) -> Session:
    """Connect, EHLO, STARTTLS as the target asks, AUTH if it has credentials.
    Raises HostError."""
    starttls = target.tls is TLSMode.STARTTLS
    try:
        return await _open(target, settings, starttls=starttls)
    except _TLSFailedError as exc:
        if target.require_tls or target.username:
            raise HostError(
                f"{target.host}: STARTTLS failed: {exc}", permanent=False, secode="7.10"
            ) from exc
    # RFC 3207 §4.1: without a requirement to protect this message, plaintext is
    # better than no delivery; a server whose STARTTLS fails gets a new, plain session.
    return await _open(target, settings, starttls=False)


def _verified_context(settings: SessionSettings) -> ssl.SSLContext:
    return settings.verify_context or ssl.create_default_context()


async def _open(target: SessionTarget, settings: SessionSettings, *, starttls: bool) -> Session:
    timeouts = settings.timeouts
    implicit = target.tls is TLSMode.IMPLICIT
    verify = target.require_tls or bool(target.username)
    client = aiosmtplib.SMTP(
        hostname=target.address,
        port=target.port,
        local_hostname=settings.local_hostname,
        timeout=timeouts.command_seconds,
        use_tls=implicit,
        start_tls=False,
        validate_certs=verify,
        tls_context=_verified_context(settings) if implicit and verify else None,
    )
    session = Session(client, target, settings)
    where = f"{target.host} ({target.address} port {target.port})"
    try:
        await client.connect(timeout=timeouts.greeting_seconds)
    except aiosmtplib.SMTPConnectResponseError as exc:
        client.close()
        raise _host_error(where, "greeting", exc) from exc
    except _CONNECTION_ERRORS as exc:
        client.close()
        raise HostError(f"connecting to {where}: {exc}", permanent=False) from exc
    try:
        await _hello(client, timeouts.command_seconds)
        session.tls = session.tls_verified = implicit
        if starttls:
            await _starttls(session, settings, verify=verify)
        elif target.require_tls and not implicit:
            raise HostError(f"{where}: TLS is required but not used", permanent=False)
        if target.username:
            if not session.tls and target.tls is not TLSMode.NONE:
                raise HostError(f"{where}: no TLS, so no password is sent", permanent=False)
            await client.login(target.username, target.password, timeout=timeouts.command_seconds)
    except aiosmtplib.SMTPAuthenticationError as exc:
        await session.close()
        # Our credentials are wrong, not the message: retry until someone fixes them.
        error = _host_error(where, "AUTH", exc)
        raise HostError(error.error, permanent=False, code=exc.code, secode=error.secode) from exc
    except aiosmtplib.SMTPResponseException as exc:
        await session.close()
        raise _host_error(where, "EHLO", exc) from exc
    except (HostError, _TLSFailedError):
        await session.close()
        raise
    except _CONNECTION_ERRORS as exc:
        client.close()
        raise HostError(f"{where}: {exc}", permanent=False) from exc
    return session


async def _hello(client: aiosmtplib.SMTP, timeout: float) -> None:
    try:
        await client.ehlo(timeout=timeout)
    except aiosmtplib.SMTPHeloError as exc:
        # RFC 5321 §4.1.1.1: a server that does not know EHLO may still take HELO.
        if exc.code < 500:
            raise
        await client.helo(timeout=timeout)


async def _starttls(session: Session, settings: SessionSettings, *, verify: bool) -> None:
    client, target = session.client, session.target
    timeout = settings.timeouts.command_seconds
    if not client.supports_extension("starttls"):
        if target.require_tls and not target.username:
            # No TLS means no REQUIRETLS either (RFC 8689 §4.1); another MX may have it.
            raise CapabilityError(
                f"{target.host} does not offer STARTTLS, which the message requires"
                " (RFC 8689 REQUIRETLS)",
                permanent=True, code=554, secode="7.30",
            )  # fmt: skip
        if verify:
            raise HostError(f"{target.host} does not offer STARTTLS", permanent=False)
        return
    try:
        await client.starttls(
            server_hostname=target.host,
            validate_certs=verify,
            tls_context=_verified_context(settings) if verify else None,
            timeout=timeout,
        )
        # RFC 3207 §4.2: what the server offered before TLS no longer counts.
        await client.ehlo(timeout=timeout)
    except (*_CONNECTION_ERRORS, ssl.SSLError) as exc:
        client.close()
        raise _TLSFailedError(str(exc) or type(exc).__name__) from exc
    session.tls = True
    session.tls_verified = verify
