"""Delivering to one fixed SMTP server: a smarthost, or localserve's own listener.

aiosmtplib does the protocol; this module maps its replies and exceptions to
per-recipient outcomes once (a remote refusal is an outcome, not an exception),
and keeps idle connections to reuse for the next message, as a relay would
(RFC 5321 §4.1.4: after DATA the session is ready for the next MAIL).
"""

from __future__ import annotations

import asyncio
import re

import aiosmtplib

from postroom.queue.transport import Delivery, RecipientOutcome, failure_for_all

_ENHANCED = re.compile(r"^([245])\.(\d{1,3}\.\d{1,3})\b")


def _outcome(code: int, message: str, *, command: str) -> RecipientOutcome:
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
    ) -> None:
        self.host = host
        self.port = port
        self._local_hostname = local_hostname
        self._timeout_seconds = timeout_seconds
        self._max_idle = max_idle
        self._idle: list[aiosmtplib.SMTP] = []

    async def deliver(self, delivery: Delivery) -> list[RecipientOutcome]:
        client = await self._connection()
        if isinstance(client, str):
            return failure_for_all(
                delivery.recipients, permanent=False, code=0, secode="", error=client
            )
        try:
            outcomes = await self._transaction(client, delivery)
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            await self._discard(client)
            error = f"delivering to {self.host}:{self.port}: {exc}"
            return failure_for_all(
                delivery.recipients, permanent=False, code=0, secode="", error=error
            )
        if client.is_connected and len(self._idle) < self._max_idle:
            self._idle.append(client)
        else:
            await self._discard(client)
        return outcomes

    async def close(self) -> None:
        idle, self._idle = self._idle, []
        for client in idle:
            await self._discard(client)

    async def _connection(self) -> aiosmtplib.SMTP | str:
        while self._idle:
            client = self._idle.pop()
            if client.is_connected:
                return client
        client = aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            local_hostname=self._local_hostname,
            timeout=self._timeout_seconds,
            start_tls=False,
        )
        try:
            await client.connect()
            if client.supports_extension("starttls"):
                # Opportunistic (RFC 3207): a smarthost or our own listener with a
                # certificate; an unverifiable certificate is still better than plain.
                await client.starttls(validate_certs=False)
        except (TimeoutError, aiosmtplib.SMTPException, OSError) as exc:
            await self._discard(client)
            return f"connecting to {self.host}:{self.port}: {exc}"
        return client

    async def _transaction(
        self, client: aiosmtplib.SMTP, delivery: Delivery
    ) -> list[RecipientOutcome]:
        options = []
        if delivery.smtputf8 and client.supports_extension("smtputf8"):
            options.append("SMTPUTF8")
        if delivery.has_8bit and client.supports_extension("8bitmime"):
            options.append("BODY=8BITMIME")
        encoding = "utf-8" if delivery.smtputf8 else "ascii"
        try:
            await client.mail(delivery.mail_from, options=options, encoding=encoding)
        except aiosmtplib.SMTPResponseException as exc:
            outcome = _outcome(exc.code, exc.message, command="MAIL FROM")
            await _reset(client)
            return [outcome for _ in delivery.recipients]
        outcomes: list[RecipientOutcome | None] = []
        for recipient in delivery.recipients:
            try:
                await client.rcpt(recipient, encoding=encoding)
                outcomes.append(None)
            except aiosmtplib.SMTPResponseException as exc:
                # RFC 5321 §3.3: each RCPT gets its own reply; keep each one.
                outcomes.append(_outcome(exc.code, exc.message, command="RCPT TO"))
        if all(outcome is not None for outcome in outcomes):
            await _reset(client)
            return [o for o in outcomes if o is not None]
        try:
            response = await client.data(delivery.data)
            accepted = _outcome(response.code, response.message, command="DATA")
        except aiosmtplib.SMTPResponseException as exc:
            accepted = _outcome(exc.code, exc.message, command="DATA")
        return [accepted if o is None else o for o in outcomes]

    async def _discard(self, client: aiosmtplib.SMTP) -> None:
        try:
            if client.is_connected:
                await asyncio.wait_for(client.quit(), 5)
        except (TimeoutError, aiosmtplib.SMTPException, OSError):
            client.close()


async def _reset(client: aiosmtplib.SMTP) -> None:
    # RFC 5321 §4.1.1.5: abandon the transaction so the connection can be reused.
    try:
        await client.rset()
    except (TimeoutError, aiosmtplib.SMTPException, OSError):
        client.close()
