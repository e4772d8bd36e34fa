"""The incoming listener (port 25): mail for our own addresses, stored in their Inbox.

RCPT is refused for anything but our addresses (`smtp.recipients`); AUTH is refused
outright, so no session on this port can relay. DATA stores one copy per accepted
recipient through the group committer, all copies sharing one blob, each with its own
trace fields; copies for addresses elsewhere (alias members, SRS return addresses) are
queued as forwards in the same transaction (`queue.forward`). A copy that is a report
about a message we sent — mail to that message's
fromid address, or a bounce that names it by envelope id or Message-ID — is also
reported on that message (`queue.bounces`) instead of emitting an incoming webhook.
The reply is written after the commit.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import datetime

from aiosmtpd.smtp import Envelope, Session

from postroom.dsn import Bounce, parse_bounce
from postroom.hooks import Arrival, accounts_with_incoming_hooks, queue_incoming_hook
from postroom.mail import Address, AddressError, ParsedMessage, parse_address, parse_message
from postroom.queue.bounces import record_fromid_mail, record_report
from postroom.queue.forward import Forward, enqueue_forward
from postroom.smtp import codes
from postroom.smtp.context import SMTPServices
from postroom.smtp.handler import MAX_RECIPIENTS, Handler, Transaction, peer_of
from postroom.smtp.headers import message_summary
from postroom.smtp.policy import IncomingPolicy, OwnAddresses, Refusal
from postroom.smtp.received import (
    Stamp,
    new_received_id,
    protocol_keyword,
    received_field,
    return_path_field,
)
from postroom.smtp.recipients import ForwardDelivery, RecipientDelivery
from postroom.smtp.session import SMTPProtocol
from postroom.store.groupcommit import Batch
from postroom.store.mailstore import Envelope as StoredEnvelope
from postroom.store.mailstore import NewMessage, mailbox_id, store_blob, store_message

log = logging.getLogger(__name__)

INBOX = "Inbox"


@dataclass(frozen=True, slots=True, kw_only=True)
class AcceptedRecipient:
    address: Address
    deliveries: tuple[RecipientDelivery, ...]


class IncomingTransaction(Transaction):
    def __init__(self) -> None:
        super().__init__()
        self.recipients: list[AcceptedRecipient] = []


class IncomingHandler(Handler):
    def __init__(self, services: SMTPServices) -> None:
        super().__init__(services)
        # Inbox IDs do not change; remembering them saves a query per message.
        self._inboxes: dict[int, int] = {}

    async def _inbox(self, account_id: int) -> int:
        if account_id not in self._inboxes:
            rows = await self.services.reader.fetch(
                "SELECT id FROM mailbox WHERE account_id = ? AND name = ?", [account_id, INBOX]
            )
            found = int(rows[0]["id"]) if rows else await mailbox_id(account_id, INBOX, create=True)
            if found is None:  # pragma: no cover - create=True always gives one
                raise LookupError(f"no {INBOX} for account {account_id}")
            self._inboxes[account_id] = found
        return self._inboxes[account_id]

    @property
    def policy(self) -> IncomingPolicy:
        return self.services.incoming_policy or OwnAddresses(
            self.services.reader, self.services.clock
        )

    def new_transaction(self) -> Envelope:
        return IncomingTransaction()

    async def handle_AUTH(  # noqa: N802 (aiosmtpd hook name)
        self, server: SMTPProtocol, session: Session, envelope: Envelope, args: list[str]
    ) -> str:
        return codes.AUTH_ONLY_ON_SUBMISSION.line()

    async def handle_MAIL(  # noqa: N802 (aiosmtpd hook name)
        self,
        server: SMTPProtocol,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        transaction = _transaction(envelope)
        if address != "<>":
            try:
                transaction.sender = parse_address(address)
            except AddressError:
                return codes.BAD_SENDER_SYNTAX.line()
        refusal = await self.policy.check_sender(transaction.sender)
        if refusal is not None:
            return await _refuse(refusal)
        transaction.mail_from = address
        transaction.mail_options.extend(options)
        return codes.SENDER_OK.line()

    async def handle_RCPT(  # noqa: N802 (aiosmtpd hook name)
        self,
        server: SMTPProtocol,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        transaction = _transaction(envelope)
        if len(transaction.recipients) >= MAX_RECIPIENTS:
            return codes.TOO_MANY_RECIPIENTS.line()
        try:
            recipient = parse_address(address)
        except AddressError:
            return codes.BAD_RECIPIENT_SYNTAX.line()
        deliveries = await self.policy.recipient(recipient)
        if isinstance(deliveries, Refusal):
            log.info(
                "SMTP incoming from %s: refused %s: %s",
                server.client_ip,
                recipient,
                deliveries.reply.text,
            )
            return await _refuse(deliveries)
        transaction.recipients.append(AcceptedRecipient(address=recipient, deliveries=deliveries))
        transaction.rcpt_tos.append(address)
        transaction.rcpt_options.extend(options)
        return codes.RECIPIENT_OK.line()

    async def handle_DATA(  # noqa: N802 (aiosmtpd hook name)
        self, server: SMTPProtocol, session: Session, envelope: Envelope
    ) -> str:
        try:
            return await self._store(server, session, _transaction(envelope))
        except Exception:
            # Answered here rather than by aiosmtpd, which would keep the transaction.
            log.exception("SMTP incoming from %s: storing failed", server.client_ip)
            return codes.LOCAL_ERROR.line()

    async def _store(
        self, server: SMTPProtocol, session: Session, transaction: IncomingTransaction
    ) -> str:
        data = transaction.original_content or b""
        services = self.services
        now = services.clock.now()
        message_id, subject = message_summary(data)
        peer = peer_of(server, session)
        stamp = Stamp(
            helo=peer.helo,
            client_ip=peer.client_ip,
            hostname=services.config.hostname,
            protocol=protocol_keyword(
                extended=peer.extended,
                smtputf8=transaction.smtp_utf8,
                tls=peer.tls,
                authenticated=False,
            ),
            id=new_received_id(),
            received=now,
        )
        mail_from = str(transaction.sender) if transaction.sender else ""
        refusals = [await self.policy.check_delivery(r.address) for r in transaction.recipients]
        if refusals and all(refusal is not None for refusal in refusals):
            # Every recipient refused: that is the DATA reply. (If only some are, SMTP
            # has no way to say so after DATA; their copies are just not stored.)
            return await _refuse(next(r for r in refusals if r is not None))
        inboxes: dict[int, int] = {}
        copies: list[tuple[NewMessage, str]] = []
        forwards: dict[tuple[int, str], dict[str, Address]] = {}
        for recipient, refusal in zip(transaction.recipients, refusals, strict=True):
            if refusal is not None:
                continue
            prefix = return_path_field(mail_from) + received_field(stamp, str(recipient.address))
            for delivery in recipient.deliveries:
                if isinstance(delivery, ForwardDelivery):
                    # One forward per account and domain, each address once, however
                    # many of the message's recipients name it.
                    key = (delivery.account_id, delivery.forwarder_domain)
                    forwards.setdefault(key, {})[str(delivery.address).lower()] = delivery.address
                    continue
                if delivery.account_id not in inboxes:
                    inboxes[delivery.account_id] = await self._inbox(delivery.account_id)
                message = NewMessage(
                    account_id=delivery.account_id,
                    mailbox_id=inboxes[delivery.account_id],
                    data=data,
                    prefix=prefix,
                    received=now,
                    envelope=StoredEnvelope(
                        mail_from=mail_from,
                        rcpt_to=str(recipient.address),
                        remote_ip=peer.client_ip,
                    ),
                    message_id=message_id,
                    subject=subject,
                )
                copies.append((message, delivery.fromid))

        # Parsed here for the incoming webhook payload, so the writer does not parse.
        hooked = await accounts_with_incoming_hooks(
            services.reader, {message.account_id for message, _ in copies}
        )
        parsed = await asyncio.to_thread(parse_message, data) if hooked else None
        bounce = (
            await _report(
                data,
                mail_from,
                any(fromid for _, fromid in copies),
                message_id,
                services.config.smtp.report_parse_timeout_milliseconds / 1000,
            )
            if copies
            else None
        )

        if forwards and (hops := _hops(data)) >= MAX_HOPS:
            log.warning(
                "SMTP incoming from %s: not forwarding a message with %d Received fields",
                peer.client_ip,
                hops,
            )
            return codes.MAIL_LOOP.line()

        # A forward carries our trace field, not a Return-Path: that is for final
        # delivery only (RFC 5321 §4.4).
        forward_prefix = received_field(stamp, None)

        await services.committer.run(
            StoreIncoming(
                data=data,
                copies=tuple(copies),
                bounce=bounce,
                parsed=parsed,
                forwards=tuple(
                    Forward(account_id=account_id, forwarder_domain=domain,
                            recipients=tuple(addresses.values()))
                    for (account_id, domain), addresses in forwards.items()
                ),
                forward_envelope=ForwardEnvelope(
                    sender=transaction.sender,
                    prefix=forward_prefix,
                    message_id=message_id,
                    subject=subject,
                    smtputf8=transaction.smtp_utf8,
                ),
                now=now,
            )
        )  # fmt: skip
        services.hooks_queued()
        if forwards:
            services.queued()
        for recipient, refusal in zip(transaction.recipients, refusals, strict=True):
            if refusal is None:
                self.policy.delivered(transaction.sender, recipient.address, data)
        log.info(
            "SMTP incoming from %s: stored %d copies and queued %d forwards for %d recipients",
            peer.client_ip,
            len(copies),
            sum(len(addresses) for addresses in forwards.values()),
            len(transaction.recipients),
        )
        return codes.DELIVERED.line()


@dataclass(frozen=True, slots=True, kw_only=True)
class ForwardEnvelope:
    """How the copies of a message forwarded elsewhere are queued (`queue.forward`)."""

    sender: Address | None
    """The MAIL FROM the message came with; None for the null reverse-path."""
    prefix: bytes
    """Our Received field."""
    message_id: str
    subject: str
    smtputf8: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class StoreIncoming:
    """The unit that stores an incoming message: a value that pickles, so that it can be
    written by another process (`store.groupcommit.Committer`)."""

    data: bytes
    copies: tuple[tuple[NewMessage, str], ...]
    """Each copy to store, with the fromid it was addressed to ("" for none)."""
    bounce: Bounce | None
    parsed: ParsedMessage | None
    """For the incoming webhook payload; None when no account wants one."""
    forwards: tuple[Forward, ...]
    """Copies to queue for addresses elsewhere, in the same transaction."""
    forward_envelope: ForwardEnvelope
    now: datetime

    async def __call__(self, batch: Batch) -> None:
        data, now = self.data, self.now
        envelope = self.forward_envelope
        for forward in self.forwards:
            await enqueue_forward(
                batch,
                forward,
                sender=envelope.sender,
                message=data,
                prefix=envelope.prefix,
                message_id=envelope.message_id,
                subject=envelope.subject,
                smtputf8=envelope.smtputf8,
                now=now,
            )
        if not self.copies:
            return
        blob_id = await store_blob(batch, data, now)
        for message, fromid in self.copies:
            msg_id = await store_message(batch, replace(message, blob_id=blob_id))
            if fromid:
                matched = await record_fromid_mail(
                    batch, fromid=fromid, bounce=self.bounce, now=now
                )
            elif self.bounce is not None:
                matched = await record_report(
                    batch, account_id=message.account_id, bounce=self.bounce, now=now
                )
            else:
                matched = False
            if matched:
                # Reported on the sent message instead (docs/webhooks.md).
                continue
            # Queued in the transaction that stores the message: never lost.
            await queue_incoming_hook(
                batch,
                account_id=message.account_id,
                data=data,
                parsed=self.parsed,
                arrival=Arrival(
                    msg_id=msg_id,
                    mail_from=message.envelope.mail_from,
                    rcpt_to=message.envelope.rcpt_to,
                    remote_ip=message.envelope.remote_ip,
                    received=now,
                    mailbox_name=INBOX,
                ),
            )


MAX_HOPS = 100
"""Received fields after which a message is not forwarded again: a loop between
forwarders (RFC 5321 §6.3 asks for a threshold of at least 100)."""


def _hops(data: bytes) -> int:
    end = data.find(b"\r\n\r\n")
    header = data[: end if end >= 0 else len(data)]
    return sum(1 for line in header.split(b"\r\n") if line[:9].lower() == b"received:")


async def _report(
    data: bytes, mail_from: str, to_fromid: bool, message_id: str, timeout_seconds: float
) -> Bounce | None:
    """The report `data` is, if it may be one: mail to a fromid address, mail from the
    null reverse-path (RFC 5321 §4.5.5: what bounces and DSNs are sent from), or a
    multipart/report (RFC 6522; feedback reports often have a sender). Other mail is
    not parsed at all.

    Parsed on a worker thread, so that no parser bug can stall the event loop and
    the other sessions on it. A parse that takes over `timeout_seconds`
    is given up on: the message is stored all the same, as not a report. The thread
    cannot be stopped and finishes on its own; the parser is linear and reads a
    bounded head of the message (`postroom.dsn.parse`), so it does finish.
    """
    if not (to_fromid or not mail_from or b"multipart/report" in data[:65536].lower()):
        return None
    try:
        return await asyncio.wait_for(
            asyncio.to_thread(parse_bounce, data, message_id), timeout_seconds
        )
    except TimeoutError:
        log.warning(
            "SMTP incoming: report %s not parsed within %g s, stored as not a report",
            message_id or "(no Message-ID)",
            timeout_seconds,
        )
        return None


async def _refuse(refusal: Refusal) -> str:
    if refusal.delay_seconds > 0:
        await asyncio.sleep(refusal.delay_seconds)
    return refusal.reply.line()


def _transaction(envelope: Envelope) -> IncomingTransaction:
    if not isinstance(envelope, IncomingTransaction):  # pragma: no cover - set up by us
        raise TypeError("incoming SMTP transaction state missing")
    return envelope
