"""The webhook bodies, with mox's field names and order (docs/webhooks.md).

Each dataclass is one JSON object on the wire, encoded by the codec beside it with Go's
HTML-safe escaping (docs/webhooks.md). `NameAddress` and `Structure` are shared with the
webapi's MessageGet, which reports a stored message in the same shapes. The event names
are `postroom.queue.QueueEvent` (re-exported as `postroom.hooks.OutgoingEvent`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class NameAddress:
    """An email address with an optional display name."""

    Name: str = ""
    """Optional display name, e.g. `"Jane Doe"`; may be non-ASCII. No control characters."""
    Address: str = ""
    """Required email address, e.g. `"jane@example.org"`; the localpart may be non-ASCII."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Structure:
    """The MIME structure of a message or part, with nested parts."""

    ContentType: str = ""
    """Lower-case `type/subtype`, e.g. `"multipart/mixed"` or `"text/plain"`; `text/plain`
    for a part without a Content-Type header (RFC 2045 §5.2; mox says `"/"`)."""
    ContentTypeParams: dict[str, str] = field(default_factory=dict)
    """Content-Type parameters, lower-case keys, values as given, e.g.
    `{"charset": "utf-8"}`; `{}` if none."""
    ContentID: str = ""
    """The `Content-ID` header as given, e.g. `"<logo1>"`; `""` if absent."""
    ContentDisposition: str = ""
    """Lower-case disposition without parameters, e.g. `"attachment"`; `""` if absent."""
    Filename: str = ""
    """Decoded file name from the disposition or content type, e.g. `"invoice.pdf"`."""
    DecodedSize: int = 0
    """Size in bytes (int64) after transfer decoding, line ends counted as `\\r\\n`;
    0 for multiparts."""
    Parts: list[Structure] = field(default_factory=list)
    """Sub-parts of a multipart, in order; `[]` for leaf parts."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Outgoing:
    """What happened to a message sent by the account (an outgoing webhook's body)."""

    Version: int = 0
    """Always 0."""
    Event: str = ""
    """`delivered`, `suppressed`, `delayed`, `failed`, `relayed`, `expanded`, `canceled`
    or `unrecognized`; and, an extension, `complained` for a spam complaint (RFC 5965)."""
    DSN: bool = False
    """Whether an incoming DSN caused the event."""
    Suppressing: bool = False
    """Whether this failure added the recipient to the account's suppression list."""
    QueueMsgID: int = 0
    """The queue message ID, as in the Send result."""
    FromID: str = ""
    """The message's fromid, or `""`."""
    MessageID: str = ""
    """The Message-ID of the sent message, with `<>`."""
    Subject: str = ""
    """The Subject of the sent message."""
    WebhookQueued: datetime
    """When this webhook was queued."""
    SMTPCode: int = 0
    """The SMTP reply code, e.g. 250 on delivery (mox sends 0), 550; 0 if none."""
    SMTPEnhancedCode: str = ""
    """The enhanced status code, e.g. `"5.1.1"`, or `""`."""
    Error: str = ""
    """The error of the last attempt; for DSN events the DSN's diagnostic text."""
    Extra: dict[str, str] = field(default_factory=dict)
    """The Extra of the submission; always an object (mox sends null for DSN events)."""
    BounceReason: str = ""
    """Extension (not in mox): for events caused by a received report, why it says the
    message bounced — `userunknown`, `mailboxfull`, `filtered`, `blocked`, `expired`,
    `hostunknown`, `feedback`, … (`postroom.dsn.Reason`); `""` for other events."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IncomingMeta:
    """How an incoming message arrived and where it was stored."""

    MsgID: int = 0
    """The stored message's ID, for MessageGet."""
    MailFrom: str = ""
    """The SMTP MAIL FROM address, `""` for the null sender."""
    MailFromValidated: bool = False
    """Whether SPF validated the MAIL FROM domain (not checked yet: false)."""
    MsgFromValidated: bool = False
    """Whether DMARC validated the From domain (not checked yet: false)."""
    RcptTo: str = ""
    """The SMTP RCPT TO address."""
    DKIMVerifiedDomains: list[str] = field(default_factory=list)
    """Domains with a valid DKIM signature (not checked yet: `[]`)."""
    RemoteIP: str = ""
    """The IP address of the SMTP client."""
    Received: datetime
    """When the message was received."""
    MailboxName: str = ""
    """The mailbox the message was stored in."""
    Automated: bool = False
    """Null sender, a List-* or Precedence header, Auto-Submitted other than `no`, or a
    multipart/report: mail no person wrote."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Incoming:
    """A message stored in the account's mailbox (an incoming webhook's body)."""

    Version: int = 0
    """Always 0."""
    From: list[NameAddress] = field(default_factory=list)
    """Addresses of the From header, `[]` if none."""
    To: list[NameAddress] = field(default_factory=list)
    """Addresses of the To header."""
    CC: list[NameAddress] = field(default_factory=list)
    """Addresses of the CC header."""
    BCC: list[NameAddress] = field(default_factory=list)
    """Addresses of the BCC header (rarely present in received mail)."""
    ReplyTo: list[NameAddress] = field(default_factory=list)
    """Addresses of the Reply-To header."""
    Subject: str = ""
    """RFC 2047 decoded."""
    MessageID: str = ""
    """The Message-ID header as written, with `<>`."""
    InReplyTo: str = ""
    """The In-Reply-To header as written."""
    References: list[str] = field(default_factory=list)
    """The References header's message IDs, lower-cased, each in `<>`."""
    Date: datetime | None = None
    """The Date header, null if missing or invalid."""
    Text: str = ""
    """The first text/plain part, at most 1 MiB, `\\n` line ends."""
    HTML: str = ""
    """The first text/html part, at most 1 MiB, `\\n` line ends."""
    Structure: Structure
    """The MIME structure of the message."""
    Meta: IncomingMeta
    """How the message arrived and where it was stored."""
