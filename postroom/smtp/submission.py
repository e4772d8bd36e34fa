"""The submission listeners (587 with STARTTLS, 465 with implicit TLS): authenticated
accounts hand in messages, which are queued exactly like the webapi's Send.

MAIL needs a login, and MAIL FROM and the From field must be addresses the account may
use. At DATA the message is read (`smtp.message`), the send limits are checked, fromids
are chosen (as mox chooses them), and one queue row per recipient is written through the group
committer; 250 is answered only after the commit.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from aiosmtpd.smtp import MISSING, Envelope, Session
from tortoise.exceptions import IntegrityError

from postroom.auth import FromDomainDisabledError, FromNotAllowedError, Login, check_from_address
from postroom.mail import Address, AddressError, parse_address
from postroom.queue import limits
from postroom.queue.errors import (
    ExtraError,
    FromIDSeparatorError,
    RecipientLimitError,
    SendLimitError,
)
from postroom.queue.extra import MAX_EXTRA_BYTES, check_extra
from postroom.queue.fromid import fromid_sender
from postroom.queue.submit import SOURCE_SMTP, OutgoingRecipient, SentCopy, Submission, enqueue
from postroom.queue.suppression import check_recipients
from postroom.smtp import codes
from postroom.smtp.auth import AuthMechanisms
from postroom.smtp.errors import (
    DuplicateExtraKeyError,
    FromHeaderError,
    HeaderSectionError,
    MissingBodyError,
    SMTPError,
)
from postroom.smtp.handler import MAX_RECIPIENTS, Handler, Transaction, peer_of
from postroom.smtp.message import SubmittedMessage, read_submitted
from postroom.smtp.outgoing import FromIDPlan, fromid_taken, plan_fromids
from postroom.smtp.received import Stamp, new_received_id, protocol_keyword, received_field
from postroom.smtp.session import SMTPProtocol, session_state
from postroom.store.groupcommit import Batch
from postroom.store.reader import Reader
from postroom.store.records import AccountRecord

log = logging.getLogger(__name__)


class SubmissionTransaction(Transaction):
    def __init__(self) -> None:
        super().__init__()
        self.recipients: list[Address] = []


class _RefusedError(SMTPError):
    """Internal: DATA is answered with `reply`, a line from `smtp.codes`."""

    def __init__(self, reply: str) -> None:
        super().__init__(reply)
        self.reply = reply


class SubmissionHandler(AuthMechanisms, Handler):
    offers_auth = True

    def new_transaction(self) -> Envelope:
        return SubmissionTransaction()

    async def handle_AUTH(  # noqa: N802 (aiosmtpd hook name)
        self, server: SMTPProtocol, session: Session, envelope: Envelope, args: list[str]
    ) -> object:
        # RFC 4954 §4: AUTH is not permitted during a mail transaction.
        if envelope.mail_from is not None:
            return codes.AUTH_DURING_TRANSACTION.line()
        return MISSING  # go on with the mechanism

    async def handle_MAIL(  # noqa: N802 (aiosmtpd hook name)
        self,
        server: SMTPProtocol,
        session: Session,
        envelope: Envelope,
        address: str,
        options: list[str],
    ) -> str:
        login = session_state(session).login
        if login is None:
            return codes.AUTH_REQUIRED.line()
        if address == "<>":
            return codes.NULL_SENDER_REFUSED.line()
        try:
            sender = parse_address(address)
        except AddressError:
            return codes.BAD_SENDER_SYNTAX.line()
        try:
            await check_from_address(
                login.account, sender, self.services.reader, login.login_address
            )
        except FromDomainDisabledError:
            return codes.SENDER_DOMAIN_DISABLED.line()
        except FromNotAllowedError:
            log.info("SMTP submission by %s: refused MAIL FROM %s", login.username, sender)
            return codes.SENDER_NOT_ALLOWED.line()
        transaction = _transaction(envelope)
        transaction.sender = sender
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
        transaction.recipients.append(recipient)
        transaction.rcpt_tos.append(address)
        transaction.rcpt_options.extend(options)
        return codes.RECIPIENT_OK.line()

    async def handle_DATA(  # noqa: N802 (aiosmtpd hook name)
        self, server: SMTPProtocol, session: Session, envelope: Envelope
    ) -> str:
        transaction = _transaction(envelope)
        login = session_state(session).login
        if login is None or transaction.sender is None:  # pragma: no cover - MAIL checks
            return codes.AUTH_REQUIRED.line()
        try:
            return await self._submit(server, session, login, transaction)
        except _RefusedError as exc:
            log.info("SMTP submission by %s: refused at DATA: %s", login.username, exc.reply)
            return exc.reply
        except Exception:
            # Answered here rather than by aiosmtpd, which would keep the transaction.
            log.exception("SMTP submission by %s: queueing failed", login.username)
            return codes.LOCAL_ERROR.line()

    async def _submit(
        self,
        server: SMTPProtocol,
        session: Session,
        login: Login,
        transaction: SubmissionTransaction,
    ) -> str:
        services = self.services
        account = login.account
        now = services.clock.now()
        message = _read(transaction.original_content or b"", services.config.hostname, now)
        await _check_from(login, message.from_address, services.reader)
        recipients = transaction.recipients
        record_recipients = limits.has_limits(account)
        if record_recipients:
            await _check_limits(login, recipients, now)
        sender = transaction.sender
        if sender is None:  # pragma: no cover - MAIL sets it
            raise _RefusedError(codes.NULL_SENDER_REFUSED.line())
        plan = await _fromids(login, message.from_address, sender, len(recipients))
        if plan.chosen and await fromid_taken(plan.chosen, services.reader):
            raise _RefusedError(codes.FROMID_NOT_UNIQUE.line())
        bases, suppressed = await check_recipients(account.id, recipients, services.reader)
        smtputf8 = (
            transaction.smtp_utf8
            or message.non_ascii_header
            or not all(a.is_ascii for a in (sender, *recipients))
        )
        peer = peer_of(server, session)
        stamp = Stamp(
            helo=peer.helo,
            client_ip=peer.client_ip,
            hostname=services.config.hostname,
            protocol=protocol_keyword(
                extended=peer.extended, smtputf8=smtputf8, tls=peer.tls, authenticated=True
            ),
            id=new_received_id(),
            received=now,
        )
        # RFC 5321 §4.4; one recipient gets a "for" clause, several share one prefix.
        single = str(recipients[0]) if len(recipients) == 1 else None
        prefix = received_field(stamp, single)
        submission = Submission(
            account=account,
            sender=plan.sender,
            fromid_separator=plan.separator,
            recipients=[
                OutgoingRecipient(address=a, base_address=b)
                for a, b in zip(recipients, bases, strict=True)
            ],
            msg_prefixes=[prefix] * len(recipients),
            message=message.data,
            has_8bit=message.has_8bit,
            smtputf8=smtputf8,
            message_id=message.message_id,
            subject=message.subject,
            extra=message.extra,
            require_tls=message.require_tls,
            record_recipients=record_recipients,
            suppressed=suppressed,
            from_ids=(plan.chosen,) if plan.chosen else (),
            source=SOURCE_SMTP,
            sent_copy=await _sent_copy(account, services.reader),
        )

        try:
            ids = await services.committer.run(EnqueueSubmission(submission=submission, now=now))
        except IntegrityError:
            if not plan.chosen:
                raise
            # A concurrent submission took the same fromid first.
            raise _RefusedError(codes.FROMID_NOT_UNIQUE.line()) from None
        if isinstance(ids, SendLimitError):
            raise _limit_refusal(ids)
        services.queued()
        log.info("SMTP submission by %s from %s: queued %s", login.username, peer.client_ip, ids)
        return codes.QUEUED.line(first=ids[0], count=len(ids))


@dataclass(frozen=True, slots=True, kw_only=True)
class EnqueueSubmission:
    """The unit that queues a submitted message, returning its queue IDs: a value that
    pickles, so that it can be written by another process (`store.groupcommit.Committer`)."""

    submission: Submission
    now: datetime

    async def __call__(self, batch: Batch) -> list[int] | SendLimitError:
        try:
            queued = await enqueue(batch, self.submission, self.now)
        except SendLimitError as exc:
            # Checked and recorded in this transaction (`queue.limits`); returned, not
            # raised, so the other units of the batch still commit.
            return exc
        return [q.queue_msg_id for q in queued]


async def _sent_copy(account: AccountRecord, reader: Reader) -> SentCopy | None:
    """Where to keep the sender's copy, for accounts that want one (their clients do not
    save it themselves); stored as submitted, without our trace fields."""
    if not account.submission_save_sent:
        return None
    rows = await reader.fetch(
        "SELECT id FROM mailbox WHERE account_id = ? AND special_use = ?", [account.id, "sent"]
    )
    return SentCopy(mailbox_id=int(rows[0]["id"]), prefix=b"") if rows else None


def _transaction(envelope: Envelope) -> SubmissionTransaction:
    if not isinstance(envelope, SubmissionTransaction):  # pragma: no cover - set up by us
        raise TypeError("submission SMTP transaction state missing")
    return envelope


def _read(data: bytes, hostname: str, now: datetime) -> SubmittedMessage:
    try:
        message = read_submitted(data, hostname=hostname, now=now)
    except MissingBodyError:
        raise _RefusedError(codes.MISSING_BODY.line()) from None
    except FromHeaderError:
        raise _RefusedError(codes.BAD_FROM_HEADER.line()) from None
    except HeaderSectionError:
        raise _RefusedError(codes.MALFORMED_HEADER.line()) from None
    except DuplicateExtraKeyError as exc:
        duplicate = (
            codes.DUPLICATE_MOX_EXTRA
            if exc.prefix.lower() == "x-mox-extra-"
            else codes.DUPLICATE_POSTROOM_EXTRA
        )
        raise _RefusedError(duplicate.line(key=exc.key)) from None
    try:
        check_extra(message.extra)
    except ExtraError:
        raise _RefusedError(codes.EXTRA_REFUSED.line(limit=MAX_EXTRA_BYTES)) from None
    return message


async def _check_from(login: Login, address: Address, reader: Reader) -> None:
    try:
        await check_from_address(login.account, address, reader, login.login_address)
    except FromDomainDisabledError:
        raise _RefusedError(codes.FROM_DOMAIN_DISABLED.line()) from None
    except FromNotAllowedError:
        raise _RefusedError(codes.FROM_NOT_ALLOWED.line()) from None


async def _check_limits(login: Login, recipients: list[Address], now: datetime) -> None:
    try:
        await limits.check_send_limits(login.account, [str(r).lower() for r in recipients], now)
    except SendLimitError as exc:
        raise _limit_refusal(exc) from None


def _limit_refusal(exc: SendLimitError) -> _RefusedError:
    # 451 4.7.1 (RFC 3463 §3.8): refused by policy for now; the window moves on.
    reply = codes.RECIPIENT_LIMIT if isinstance(exc, RecipientLimitError) else codes.MESSAGE_LIMIT
    return _RefusedError(reply.line(limit=exc.limit))


async def _fromids(login: Login, from_address: Address, sender: Address, count: int) -> FromIDPlan:
    if not login.fromid_mode:
        return FromIDPlan(sender=sender)
    try:
        separator, _ = await fromid_sender(from_address, login.address, login.login_address.domain)
    except FromIDSeparatorError:
        raise _RefusedError(codes.FROMID_NO_SEPARATOR.line()) from None
    plan = plan_fromids(sender, separator)
    if plan.chosen and count > 1:
        raise _RefusedError(codes.FROMID_MULTIPLE_RECIPIENTS.line())
    return plan
