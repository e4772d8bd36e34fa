"""The webapi wire types: requests and results of every method, with mox's field names.

Each dataclass is one JSON object on the wire; field names, field order and the Go zero
values used as defaults are mox's. The codec beside it decodes and encodes them; gendoc
reads the attribute docstrings. They live at the bottom layer, beside the codec, so that
`postroom.client` shares them without importing the server; behaviour lives in
`webapi/methods.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

# The shapes MessageGet shares with the Incoming webhook are defined with it.
from postroom.wire.rfc3339 import ZERO_TIME
from postroom.wire.webhooks import NameAddress as NameAddress
from postroom.wire.webhooks import Structure as Structure


@dataclass(frozen=True, slots=True, kw_only=True)
class Error:
    """An error response (HTTP 400), e.g. `{"Code":"badAddress","Message":"parsing address …"}`."""

    Code: str = ""
    """Required. Machine-readable error code, e.g. `"user"`, `"server"`, `"badAddress"`."""
    Message: str = ""
    """Required. Human-readable description, e.g. `"no recipients"`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class File:
    """A file to add to a sent message, with its contents inline as base64."""

    Name: str = ""
    """Optional file name shown to the recipient, e.g. `"invoice.pdf"`."""
    ContentType: str = ""
    """Optional media type, e.g. `"application/pdf"`; detected from the data if empty."""
    ContentID: str = ""
    """Optional Content-ID, e.g. `"<logo1>"`, to reference from HTML as `cid:logo1`."""
    Data: str = ""
    """Required. File contents, standard base64 with padding, e.g. `"aGVsbG8="`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SendRequest:
    """Send: compose a message and queue it for delivery to every recipient."""

    From: list[NameAddress] = field(default_factory=list)
    """Optional, at most one entry. Empty means the login address with the account's name."""
    To: list[NameAddress] = field(default_factory=list)
    """Optional `To` recipients. To, CC and BCC together need at least one address."""
    CC: list[NameAddress] = field(default_factory=list)
    """Optional `Cc` recipients, e.g. `[{"Address": "team@example.org"}]`."""
    BCC: list[NameAddress] = field(default_factory=list)
    """Optional blind recipients: they get the message, no header names them."""
    ReplyTo: list[NameAddress] = field(default_factory=list)
    """Optional `Reply-To` addresses, e.g. `[{"Address": "support@example.org"}]`."""
    MessageID: str = ""
    """Optional Message-ID including `<>`, e.g. `"<a1b2@example.org>"`; generated if empty."""
    References: list[str] = field(default_factory=list)
    """Optional Message-IDs (with `<>`) of earlier messages, oldest first; the last becomes
    In-Reply-To. Example: `["<q1@example.org>"]`."""
    Date: datetime | None = None
    """Optional RFC 3339 time for the `Date` header, e.g. `"2024-01-02T03:04:05+01:00"`;
    null means the time of submission. The offset is kept."""
    Subject: str = ""
    """Optional subject, e.g. `"Your invoice"`; may be non-ASCII."""
    Text: str = ""
    """Plain-text body, lines separated by `\\n`. Text or HTML (or both) is required."""
    HTML: str = ""
    """HTML body, e.g. `"<p>Hi</p>"`. With Text, a multipart/alternative is composed."""
    Extra: dict[str, str] = field(default_factory=dict)
    """Optional metadata carried unchanged to every webhook about this message, e.g.
    `{"userid": "456"}`. Keys and values are not validated."""
    Headers: list[tuple[str, str]] = field(default_factory=list)
    """Optional extra header lines in order, each `[name, value]`, e.g.
    `[["X-Campaign", "spring"]]`. On input, extra elements are dropped and missing ones are
    `""` (Go `[2]string`)."""
    AlternativeFiles: list[File] = field(default_factory=list)
    """Optional files added as alternatives to the text/HTML parts (multipart/alternative)."""
    InlineFiles: list[File] = field(default_factory=list)
    """Optional files shown inline with the content, e.g. images referenced by Content-ID
    (multipart/related)."""
    AttachedFiles: list[File] = field(default_factory=list)
    """Optional attachments (multipart/mixed), e.g. `[{"Name": "a.pdf", "Data": "…"}]`."""
    RequireTLS: bool | None = None
    """Optional. null: normal TLS policy; true: REQUIRETLS, verified TLS on every hop;
    false: deliver even if MTA-STS or DANE checks fail (`TLS-Required: No`)."""
    FutureRelease: datetime | None = None
    """Optional RFC 3339 time of the first delivery attempt, at most 60 days ahead, e.g.
    `"2024-06-01T09:00:00Z"`. null sends now."""
    SaveSent: bool = False
    """Optional. true stores a copy in the account's Sent mailbox, if it has one."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Submission:
    """One recipient of a Send, queued as its own delivery."""

    Address: str = ""
    """The recipient address exactly as given in the request, e.g. `"bob@example.org"`."""
    QueueMsgID: int = 0
    """Queue message ID (int64) of this recipient's delivery; webhooks report it, e.g. `42`."""
    FromID: str = ""
    """Per-recipient ID in the MAIL FROM address (fromid logins), 22 base64url characters,
    e.g. `"VHh7vp_k7POz2BdIPUJd2g"`; `""` otherwise. Webhooks report it."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SendResult:
    """The result of Send."""

    MessageID: str = ""
    """Message-ID of the composed message, with `<>`, e.g. `"<P_bbcD@mail.example.org>"`."""
    Submissions: list[Submission] = field(default_factory=list)
    """One entry per recipient, in the order To, CC, BCC."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionListRequest:
    """SuppressionList: list the account's suppressed addresses. Takes no fields: `{}`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppression:
    """An address the account does not deliver to."""

    ID: int = 0
    """Unique ID (int64) of this entry, e.g. `1`."""
    Created: datetime = ZERO_TIME
    """When the entry was added, RFC 3339 with up to nanoseconds, e.g.
    `"2024-01-02T03:04:05.123456Z"`."""
    Account: str = ""
    """Name of the account the entry belongs to, e.g. `"mox"`."""
    BaseAddress: str = ""
    """The normalized address that is matched, e.g. `"john@example.org"` for
    `"John+news@example.org"`."""
    OriginalAddress: str = ""
    """The address that caused the entry, as given, e.g. `"John+news@example.org"`."""
    Manual: bool = False
    """true if added through the API or by an administrator, false if added automatically
    after a delivery failure."""
    Reason: str = ""
    """Free-form reason, e.g. `"delivery failure from DSN with smtp code 550"`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionListResult:
    """The result of SuppressionList."""

    Suppressions: list[Suppression] = field(default_factory=list)
    """All entries of the account, ordered by BaseAddress."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionAddRequest:
    """SuppressionAdd: stop delivering to an address."""

    EmailAddress: str = ""
    """Required address to suppress, e.g. `"bob@example.org"`; its base address is stored."""
    Manual: bool = False
    """Optional. Whether a person (rather than automation) adds the entry."""
    Reason: str = ""
    """Optional free-form reason, e.g. `"customer request"`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionAddResult:
    """The result of SuppressionAdd: no fields, `{}`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionRemoveRequest:
    """SuppressionRemove: deliver to an address again."""

    EmailAddress: str = ""
    """Required address, e.g. `"bob+x@example.org"`; the entry for its base address is
    removed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionRemoveResult:
    """The result of SuppressionRemove: no fields, `{}`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionPresentRequest:
    """SuppressionPresent: whether an address is suppressed."""

    EmailAddress: str = ""
    """Required address to look up, e.g. `"bob@example.org"` (its base address is used)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionPresentResult:
    """The result of SuppressionPresent."""

    Present: bool = False
    """true if the account has an entry for the address's base address."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageGetRequest:
    """MessageGet: the parsed contents and metadata of a stored message."""

    MsgID: int = 0
    """Required ID (int64) of the stored message, e.g. from an incoming webhook, `123`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Message:
    """An email message's headers and bodies, as parsed from a stored message."""

    From: list[NameAddress] = field(default_factory=list)
    """Addresses of the `From` header, usually one."""
    To: list[NameAddress] = field(default_factory=list)
    """Addresses of the `To` header."""
    CC: list[NameAddress] = field(default_factory=list)
    """Addresses of the `Cc` header."""
    BCC: list[NameAddress] = field(default_factory=list)
    """Addresses of the `Bcc` header; usually empty for received messages."""
    ReplyTo: list[NameAddress] = field(default_factory=list)
    """Addresses of the `Reply-To` header."""
    MessageID: str = ""
    """The `Message-ID` header, with `<>`, e.g. `"<a1b2@example.org>"`; `""` if absent."""
    References: list[str] = field(default_factory=list)
    """Message-IDs from `References`, oldest first, with `In-Reply-To` prepended if it is
    not among them. Example: `["<q1@example.org>"]`."""
    Date: datetime | None = None
    """The `Date` header as RFC 3339 with its own offset, e.g.
    `"2024-01-02T03:04:05+01:00"`; null if absent or unparseable."""
    Subject: str = ""
    """The decoded subject, e.g. `"Re: your invoice"`."""
    Text: str = ""
    """The first text/plain part, at most 1 MiB (1048576 bytes), lines separated by `\\n`."""
    HTML: str = ""
    """The first text/html part, at most 1 MiB (1048576 bytes), lines separated by `\\n`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageMeta:
    """Delivery metadata of a stored message."""

    Size: int = 0
    """Size in bytes (int64) of the stored message, including headers added at delivery."""
    DSN: bool = False
    """true if the message is a delivery status notification."""
    Flags: list[str] = field(default_factory=list)
    """Lower-case flags: system flags in a fixed order, then keywords sorted, e.g.
    `["$junk", "\\\\seen", "custom"]`."""
    MailFrom: str = ""
    """The SMTP MAIL FROM address as received, e.g. `"bounce@example.org"`; `""` for the
    null sender."""
    MailFromValidated: bool = False
    """true if the MAIL FROM domain passed SPF."""
    RcptTo: str = ""
    """The SMTP RCPT TO address, e.g. `"me@example.com"`; `""` if unknown."""
    MsgFrom: str = ""
    """The address in the `From` header, e.g. `"jane@example.org"`; `""` if none."""
    MsgFromValidated: bool = False
    """true if the `From` address was validated (DMARC-like)."""
    DKIMVerifiedDomains: list[str] = field(default_factory=list)
    """Domains with a valid DKIM signature, e.g. `["example.org"]`."""
    RemoteIP: str = ""
    """IP address the message came from, e.g. `"192.0.2.1"`; `""` if unknown."""
    MailboxName: str = ""
    """Name of the mailbox holding the message, e.g. `"Inbox"`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageGetResult:
    """The result of MessageGet."""

    Message: Message = field(default_factory=Message)
    """Parsed headers and text/HTML bodies."""
    Structure: Structure = field(default_factory=Structure)
    """The MIME structure; use its part indexes with MessagePartGet."""
    Meta: MessageMeta = field(default_factory=MessageMeta)
    """Delivery metadata."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageRawGetRequest:
    """MessageRawGet: the stored message as bytes (not JSON)."""

    MsgID: int = 0
    """Required ID (int64) of the stored message, e.g. `123`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessagePartGetRequest:
    """MessagePartGet: the decoded contents of one MIME part, as bytes (not JSON)."""

    MsgID: int = 0
    """Required ID (int64) of the stored message, e.g. `123`."""
    PartPath: list[int] = field(default_factory=list)
    """Part indexes from the top, each into the sub-parts of the previous, e.g. `[0, 2]`;
    `[]` selects the message body."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDeleteRequest:
    """MessageDelete: remove a stored message permanently."""

    MsgID: int = 0
    """Required ID (int64) of the stored message, e.g. `123`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageDeleteResult:
    """The result of MessageDelete: no fields, `{}`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageFlagsAddRequest:
    """MessageFlagsAdd: set flags and keywords on a stored message."""

    MsgID: int = 0
    """Required ID (int64) of the stored message, e.g. `123`."""
    Flags: list[str] = field(default_factory=list)
    """System flags or keywords, any case, e.g. `["\\\\Seen", "$Junk", "custom"]`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageFlagsAddResult:
    """The result of MessageFlagsAdd: no fields, `{}`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageFlagsRemoveRequest:
    """MessageFlagsRemove: clear flags and keywords of a stored message."""

    MsgID: int = 0
    """Required ID (int64) of the stored message, e.g. `123`."""
    Flags: list[str] = field(default_factory=list)
    """System flags or keywords to clear, e.g. `["\\\\Seen"]`; absent ones are ignored."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageFlagsRemoveResult:
    """The result of MessageFlagsRemove: no fields, `{}`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageMoveRequest:
    """MessageMove: move a stored message to another mailbox of the account."""

    MsgID: int = 0
    """Required ID (int64) of the stored message, e.g. `123`."""
    DestMailboxName: str = ""
    """Required name of an existing mailbox, exact case, e.g. `"Archive"`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MessageMoveResult:
    """The result of MessageMove: no fields, `{}`."""
