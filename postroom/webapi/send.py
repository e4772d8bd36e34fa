"""The Send method: validate in mox's order, compose, and queue in one transaction.

The response is written only after the transaction that holds the message and its
queue rows has committed (group commit batches concurrent Sends into one commit).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from tortoise.exceptions import IntegrityError

from postroom.auth import (
    FromDomainDisabledError,
    FromNotAllowedError,
    Login,
    check_from_address,
)
from postroom.mail import (
    Address,
    AddressError,
    Attachment,
    ComposedMessage,
    HeaderValueError,
    MailError,
    MessageIDError,
    MessageSpec,
    MessageTooLargeError,
    NameAddr,
    check_header_value,
    check_message_id,
    compose_message,
    decode_base64_attachment,
    format_address_header,
    format_date,
    new_message_id,
    parse_address,
    parse_address_list,
    sniff_content_type,
)
from postroom.queue import limits
from postroom.queue.errors import (
    ExtraError,
    FromIDSeparatorError,
    RecipientLimitError,
    SendLimitError,
)
from postroom.queue.extra import check_extra
from postroom.queue.fromid import fromid_sender
from postroom.queue.submit import (
    OutgoingRecipient,
    QueuedRecipient,
    SentCopy,
    Submission,
    enqueue,
)
from postroom.queue.suppression import check_recipients
from postroom.store.groupcommit import Batch
from postroom.store.mailbox import Mailbox
from postroom.webapi import idempotency
from postroom.webapi.context import Call
from postroom.webapi.errors import APIError, ErrorCode
from postroom.webapi.transport import UploadedFile
from postroom.webapi.types import File, NameAddress, SendRequest, SendResult
from postroom.webapi.types import Submission as WireSubmission
from postroom.wire import encode_response

# mox's bound on FutureRelease (and SMTP FUTURERELEASE, RFC 4865 §4: servers choose it).
MAX_FUTURE_RELEASE = timedelta(days=60)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Recipient:
    given: str
    """The address string exactly as in the request (echoed in the response)."""
    name_addr: NameAddr


async def send(call: Call, request: SendRequest) -> SendResult:
    """Compose a message and queue it for delivery to every To, CC and BCC recipient."""
    services = call.services
    account = call.login.account
    now = services.clock.now()

    key = call.idempotency_key
    body_hash = call.body_sha256
    if key:
        idempotency.check_key(key)
        replay = await idempotency.previous_response(account.id, key, body_hash, now)
        if replay is not None:
            return _decode_result(replay)

    if not request.Text and not request.HTML:
        raise APIError(ErrorCode.MISSING_BODY, "at least text or html body required")
    froms = request.From or [NameAddress(Name=account.full_name, Address=call.login.username)]
    if len(froms) > 1:
        raise APIError(ErrorCode.MULTIPLE_FROM, "multiple from-addresses not allowed")
    from_ = _name_addr(froms[0])
    _check_recipient_count(request, services.config.webapi.max_recipients)
    to = [_recipient(r) for r in request.To]
    cc = [_recipient(r) for r in request.CC]
    bcc = [_recipient(r) for r in request.BCC]
    await _check_allowed_address(call, from_.address, "from")
    await _check_sender(call, request.Headers)
    recipients = to + cc + bcc
    if not recipients:
        raise APIError(ErrorCode.NO_RECIPIENTS, "no recipients")
    record_recipients = limits.has_limits(account)
    if record_recipients:
        await _check_limits(call, [str(r.name_addr.address).lower() for r in recipients], now)
    reply_to = [_name_addr(r) for r in request.ReplyTo]
    _check_extra(request.Extra)
    release_at, release_request = _future_release(request.FutureRelease, now)

    addresses = [from_.address, *(r.name_addr.address for r in recipients)]
    addresses += [r.address for r in reply_to]
    smtputf8 = any(not a.localpart.isascii() for a in addresses)
    message_id = request.MessageID or new_message_id(services.config.hostname)
    composed = _compose(call, request, from_, to, cc, reply_to, message_id, smtputf8, now)

    fromid_separator = ""
    sender = from_.address
    if call.login.fromid_mode:
        fromid_separator, sender = await _fromid_sender(from_.address, call.login)
    rcpt_addresses = [r.name_addr.address for r in recipients]
    bases, suppressed = await check_recipients(account.id, rcpt_addresses, services.reader)
    prefixes = _received_headers(call, rcpt_addresses, now)
    sent_copy = await _sent_copy(call, bcc, smtputf8) if request.SaveSent else None
    submission = Submission(
        account=account,
        sender=sender,
        fromid_separator=fromid_separator,
        recipients=[
            OutgoingRecipient(address=a, base_address=b)
            for a, b in zip(rcpt_addresses, bases, strict=True)
        ],
        msg_prefixes=prefixes,
        message=composed.data,
        has_8bit=composed.has_8bit,
        smtputf8=smtputf8,
        message_id=message_id,
        subject=request.Subject,
        extra=dict(request.Extra),
        require_tls=request.RequireTLS,
        release_at=release_at,
        future_release_request=release_request,
        sent_copy=sent_copy,
        record_recipients=record_recipients,
        suppressed=suppressed,
    )

    async def unit(batch: Batch) -> SendResult | SendLimitError:
        try:
            queued = await enqueue(batch, submission, now)
        except SendLimitError as exc:
            # Checked and recorded in this transaction, so concurrent Sends cannot all
            # pass; returned, not raised, so the other Sends of the batch still commit.
            return exc
        result = _result(message_id, recipients, queued)
        if key:
            await idempotency.remember_response(
                batch,
                account_id=account.id,
                key=key,
                body_hash=body_hash,
                response=encode_response(result).decode("utf-8"),
                now=now,
            )
        return result

    try:
        result = await services.committer.run(unit)
    except IntegrityError:
        if not key:
            raise
        # A concurrent Send with the same key won the race and committed first.
        replay = await idempotency.previous_response(account.id, key, body_hash, now)
        if replay is None:
            raise
        return _decode_result(replay)
    if isinstance(result, SendLimitError):
        raise _limit_error(result) from result
    services.queued()
    return result


def _decode_result(text: str) -> SendResult:
    data = json.loads(text)
    return SendResult(
        MessageID=data["MessageID"],
        Submissions=[WireSubmission(**s) for s in data["Submissions"]],
    )


def _result(
    message_id: str, recipients: Sequence[_Recipient], queued: Sequence[QueuedRecipient]
) -> SendResult:
    return SendResult(
        MessageID=message_id,
        Submissions=[
            WireSubmission(Address=r.given, QueueMsgID=q.queue_msg_id, FromID=q.from_id)
            for r, q in zip(recipients, queued, strict=True)
        ],
    )


async def _check_sender(call: Call, headers: Sequence[tuple[str, str]]) -> None:
    """A Sender field in Headers names who sent the message on the author's behalf
    (RFC 5322 §3.6.2), and our DKIM signature covers it: it must be an address the
    account may use, exactly as From must."""
    senders = [value for name, value in headers if name.lower() == "sender"]
    if not senders:
        return
    if len(senders) > 1:
        # RFC 5322 §3.6: at most one Sender field.
        raise APIError(ErrorCode.USER, 'header "Sender" may appear only once')
    mailboxes = parse_address_list(senders[0])
    if len(mailboxes) != 1 or mailboxes[0].parsed is None:
        raise APIError(
            ErrorCode.BAD_ADDRESS, f"parsing sender address {senders[0]!r}: not one mailbox"
        )
    await _check_allowed_address(call, mailboxes[0].parsed, "sender")


async def _check_allowed_address(call: Call, address: Address, role: str) -> None:
    """Refuse a From or Sender address the account may not send as (`role` names which)."""
    login = call.login
    try:
        await check_from_address(login.account, address, call.services.reader, login.login_address)
    except FromDomainDisabledError as exc:
        raise APIError(
            ErrorCode.DOMAIN_DISABLED, f"domain of {role}-address is temporarily disabled"
        ) from exc
    except FromNotAllowedError as exc:
        raise APIError(ErrorCode.BAD_FROM, f"{role}-address not configured for account") from exc


def _check_recipient_count(request: SendRequest, limit: int) -> None:
    # SMTP submission takes at most 100 recipients per transaction (`smtp.handler`); a
    # Send, whose recipients are each a queue row, is bounded the same way.
    count = len(request.To) + len(request.CC) + len(request.BCC)
    if count > limit:
        raise APIError(
            ErrorCode.TOO_MANY_RECIPIENTS,
            f"too many recipients: {count}, at most {limit} (To, CC and BCC together)",
        )


def _name_addr(value: NameAddress) -> NameAddr:
    try:
        check_header_value(value.Name)
    except HeaderValueError as exc:
        raise APIError(ErrorCode.USER, str(exc)) from exc
    try:
        address = parse_address(value.Address)
    except AddressError as exc:
        raise APIError(ErrorCode.BAD_ADDRESS, str(exc)) from exc
    return NameAddr(name=value.Name, address=address)


def _recipient(value: NameAddress) -> _Recipient:
    return _Recipient(given=value.Address, name_addr=_name_addr(value))


async def _check_limits(call: Call, recipients: list[str], now: datetime) -> None:
    try:
        await limits.check_send_limits(call.login.account, recipients, now)
    except SendLimitError as exc:
        raise _limit_error(exc) from exc


def _limit_error(exc: SendLimitError) -> APIError:
    if isinstance(exc, RecipientLimitError):
        return APIError(
            ErrorCode.RECIPIENT_LIMIT_REACHED, "outgoing new recipient rate limit reached"
        )
    return APIError(ErrorCode.MESSAGE_LIMIT_REACHED, "outgoing message rate limit reached")


def _check_extra(extra: dict[str, str]) -> None:
    try:
        check_extra(extra)
    except ExtraError as exc:
        raise APIError(ErrorCode.USER, str(exc)) from exc


def _future_release(when: datetime | None, now: datetime) -> tuple[datetime | None, str]:
    if when is None:
        return None, ""
    when = when.astimezone(UTC)
    if when - now > MAX_FUTURE_RELEASE:
        hours = int(MAX_FUTURE_RELEASE.total_seconds() // 3600)
        raise APIError(
            ErrorCode.USER,
            f"scheduling delivery: date/time can not be further than {hours}h0m0s in the future",
        )
    # A time in the past means now; the request is recorded in UTC (mox keeps the offset).
    when = max(when, now)
    return when, "until;" + when.isoformat().replace("+00:00", "Z")


def _compose(
    call: Call,
    request: SendRequest,
    from_: NameAddr,
    to: Sequence[_Recipient],
    cc: Sequence[_Recipient],
    reply_to: Sequence[NameAddr],
    message_id: str,
    smtputf8: bool,
    now: datetime,
) -> ComposedMessage:
    services = call.services
    try:
        if request.MessageID:
            check_message_id(request.MessageID)
        spec = MessageSpec(
            from_=from_,
            to=[r.name_addr for r in to],
            cc=[r.name_addr for r in cc],
            bcc=[],
            reply_to=list(reply_to),
            subject=request.Subject,
            message_id=message_id,
            references=list(request.References),
            date=request.Date or now,
            text=request.Text,
            html=request.HTML,
            headers=[(name, value) for name, value in request.Headers],
            alternative_files=_files(request.AlternativeFiles, call.files, "alternativefile"),
            inline_files=_files(request.InlineFiles, call.files, "inlinefile"),
            attached_files=_files(request.AttachedFiles, call.files, "attachedfile"),
            smtputf8=smtputf8,
            user_agent=services.user_agent,
        )
        return compose_message(spec, max_size=services.config.smtp.max_message_bytes)
    except MessageIDError as exc:
        raise APIError(ErrorCode.MALFORMED_MESSAGE_ID, str(exc)) from exc
    except MessageTooLargeError as exc:
        raise APIError(ErrorCode.MESSAGE_TOO_LARGE, str(exc)) from exc
    except MailError as exc:
        # Control characters, bad header names, refused headers, unfoldable headers,
        # bad base64: all mistakes in the request.
        raise APIError(ErrorCode.USER, str(exc)) from exc


def _files(
    json_files: Sequence[File], uploads: Sequence[UploadedFile], field_name: str
) -> list[Attachment]:
    attachments: list[Attachment] = []
    for file in json_files:
        data = decode_base64_attachment(file.Data)
        content_type = file.ContentType or sniff_content_type(data[:512])
        attachments.append(
            Attachment(
                name=file.Name,
                content_type=content_type,
                content_id=file.ContentID,
                data=data,
                base64_lines=file.Data,
            )
        )
    for upload in uploads:
        if upload.field != field_name:
            continue
        attachments.append(
            Attachment(
                name=upload.filename,
                content_type=upload.content_type or sniff_content_type(upload.data[:512]),
                content_id=upload.content_id,
                data=upload.data,
            )
        )
    return attachments


async def _fromid_sender(from_address: Address, login: Login) -> tuple[str, Address]:
    try:
        return await fromid_sender(from_address, login.address, login.login_address.domain)
    except FromIDSeparatorError as exc:
        raise APIError(ErrorCode.SERVER, str(exc)) from exc


def _received_headers(call: Call, recipients: Sequence[Address], now: datetime) -> list[bytes]:
    # RFC 5321 §4.4: each relay adds a Received line. With several recipients the
    # "for" clause is left out so all copies share one prefix (and one SMTP
    # transaction) and BCC recipients are not revealed to each other.
    hostname = call.services.config.hostname
    protocol = "HTTPS" if call.tls else "HTTP"
    date = format_date(now)
    lines = []
    for recipient in recipients:
        clause = f" for <{recipient}>" if len(recipients) == 1 else ""
        lines.append(
            f"Received: from [{call.client_ip}] by {hostname} with {protocol}{clause};\r\n"
            f"\t{date}\r\n".encode()
        )
    return lines


async def _sent_copy(call: Call, bcc: Sequence[_Recipient], smtputf8: bool) -> SentCopy | None:
    mailbox = await Mailbox.get_or_none(account_id=call.login.account.id, special_use="sent")
    if mailbox is None:
        return None
    prefix = b""
    if bcc:
        header = format_address_header("Bcc", [r.name_addr for r in bcc], smtputf8)
        prefix = header.encode("utf-8")
        if not prefix.endswith(b"\r\n"):
            prefix += b"\r\n"
    return SentCopy(mailbox_id=mailbox.id, prefix=prefix)
