"""Queue, retired messages, hold rules, webhooks and suppression lists, for admins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueFilter:
    """Which queued messages; every non-empty field must match, an empty filter matches all.
    Domain admins must give a SenderDomain they administer or an Account of theirs."""

    IDs: list[int] = field(default_factory=list)
    """Optional message IDs, e.g. `[12, 13]`."""
    Account: str = ""
    """Optional sender account name."""
    SenderDomain: str = ""
    """Optional sender (MAIL FROM) domain, e.g. `"example.com"`."""
    RecipientDomain: str = ""
    """Optional recipient domain, e.g. `"example.org"`."""
    Hold: bool | None = None
    """Optional: only held (true) or not held (false) messages."""
    SubmittedBefore: datetime | None = None
    """Optional RFC 3339 time: queued before it."""
    SubmittedAfter: datetime | None = None
    """Optional RFC 3339 time: queued after it."""
    NextAttemptBefore: datetime | None = None
    """Optional RFC 3339 time: next attempt before it."""
    NextAttemptAfter: datetime | None = None
    """Optional RFC 3339 time: next attempt after it."""
    Transport: str | None = None
    """Optional transport name ("" for the default routing)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """Sorting and keyset pagination."""

    Sort: str = ""
    """Optional: `next_attempt` (default for the queue, hooks), `queued`/`submitted`, or
    `last_activity` (default for retired rows)."""
    Desc: bool = False
    """Optional: newest first."""
    Limit: int = 0
    """Optional page size, 1 to 1000; 0 for 100."""
    After: str = ""
    """Optional: the `Next` of the previous page."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AttemptResult:
    """One delivery attempt."""

    Start: datetime | None = None
    """When it started."""
    Success: bool = False
    """Whether the recipient was accepted."""
    Code: int = 0
    """SMTP reply code, e.g. `451`; 0 for non-SMTP errors."""
    Secode: str = ""
    """Enhanced status code without class, e.g. `"4.1"`."""
    Error: str = ""
    """Error text; "" on success."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueuedMessage:
    """A queued message."""

    ID: int = 0
    """Queue message ID."""
    Account: str = ""
    """Sender account."""
    Sender: str = ""
    """MAIL FROM address."""
    Recipient: str = ""
    """Recipient address."""
    FromID: str = ""
    """The fromid, or ""."""
    Hold: bool = False
    """Whether the message is held."""
    Queued: datetime | None = None
    """When it was queued."""
    Attempts: int = 0
    """Attempts so far."""
    NextAttempt: datetime | None = None
    """When the next attempt is due."""
    LastAttempt: datetime | None = None
    """When the last attempt started, or null."""
    Results: list[AttemptResult] = field(default_factory=list)
    """Attempts, oldest first."""
    Transport: str = ""
    """Transport name; "" for the default routing."""
    RequireTLS: bool | None = None
    """RequireTLS: null for the default policy."""
    MessageID: str = ""
    """Message-ID with `<>`."""
    Subject: str = ""
    """Subject."""
    Size: int = 0
    """Size in bytes."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueListRequest:
    """List queued messages."""

    Filter: QueueFilter = field(default_factory=QueueFilter)
    """Which messages."""
    Page: Page = field(default_factory=Page)
    """Sorting and pagination."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueListResult:
    """One page of queued messages."""

    Messages: list[QueuedMessage] = field(default_factory=list)
    """The messages."""
    Next: str = ""
    """Pass as Page.After for the next page; "" at the end."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueChangeRequest:
    """Change the matching queued messages."""

    Filter: QueueFilter = field(default_factory=QueueFilter)
    """Which messages."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueDelayRequest:
    """Move the next attempt of the matching messages later (or earlier)."""

    Filter: QueueFilter = field(default_factory=QueueFilter)
    """Which messages."""
    Minutes: int = 0
    """Required. Minutes to add, e.g. `30`; negative moves earlier."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueTransportSetRequest:
    """Set the transport of the matching messages."""

    Filter: QueueFilter = field(default_factory=QueueFilter)
    """Which messages."""
    Transport: str = ""
    """A configured transport name; "" for the default routing."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueRequireTLSSetRequest:
    """Set RequireTLS of the matching messages."""

    Filter: QueueFilter = field(default_factory=QueueFilter)
    """Which messages."""
    RequireTLS: bool | None = None
    """true, false, or null for the default policy."""


@dataclass(frozen=True, slots=True, kw_only=True)
class CountResult:
    """How many rows the operation changed."""

    Count: int = 0
    """Number of rows changed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RetiredFilter:
    """Which retired messages; non-empty fields must all match."""

    IDs: list[int] = field(default_factory=list)
    """Optional message IDs."""
    Account: str = ""
    """Optional sender account."""
    SenderDomain: str = ""
    """Optional sender domain."""
    RecipientDomain: str = ""
    """Optional recipient domain."""
    Success: bool | None = None
    """Optional: delivered (true) or failed (false)."""
    SubmittedBefore: datetime | None = None
    """Optional RFC 3339 time."""
    SubmittedAfter: datetime | None = None
    """Optional RFC 3339 time."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RetiredMessage:
    """A retired (delivered, failed or canceled) message."""

    ID: int = 0
    """Message ID."""
    Account: str = ""
    """Sender account."""
    Recipient: str = ""
    """Recipient address."""
    Success: bool = False
    """Whether it was delivered."""
    Attempts: int = 0
    """Attempts made."""
    LastActivity: datetime | None = None
    """When it was retired or last reported on."""
    Subject: str = ""
    """Subject."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RetiredListRequest:
    """List retired messages."""

    Filter: RetiredFilter = field(default_factory=RetiredFilter)
    """Which messages."""
    Page: Page = field(default_factory=Page)
    """Sorting and pagination."""


@dataclass(frozen=True, slots=True, kw_only=True)
class RetiredListResult:
    """One page of retired messages."""

    Messages: list[RetiredMessage] = field(default_factory=list)
    """The messages."""
    Next: str = ""
    """Pass as Page.After for the next page; "" at the end."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldRule:
    """A hold rule: matching messages are held when queued. All empty: every message."""

    ID: int = 0
    """Rule ID."""
    Account: str = ""
    """Account name, or "" for any."""
    SenderDomain: str = ""
    """Sender domain, or "" for any."""
    RecipientDomain: str = ""
    """Recipient domain, or "" for any."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldRuleListRequest:
    """List hold rules."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldRuleListResult:
    """Hold rules by ID."""

    Rules: list[HoldRule] = field(default_factory=list)
    """The rules."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldRuleAddRequest:
    """Add a hold rule; queued messages it matches are held too. Domain admins must give a
    SenderDomain they administer."""

    Account: str = ""
    """Optional account name."""
    SenderDomain: str = ""
    """Optional sender domain."""
    RecipientDomain: str = ""
    """Optional recipient domain."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldRuleAddResult:
    """The new rule."""

    Rule: HoldRule = field(default_factory=HoldRule)
    """The rule."""
    Held: int = 0
    """Queued messages it held."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HoldRuleRemoveRequest:
    """Remove a hold rule. Messages it held stay held until released."""

    ID: int = 0
    """Required. Rule ID."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueuePauseRequest:
    """Pause all delivery: add a hold rule that matches every message."""


@dataclass(frozen=True, slots=True, kw_only=True)
class QueueResumeRequest:
    """Resume delivery: remove every all-matching hold rule."""

    Release: bool = False
    """Optional: also release held messages that no remaining rule matches."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionAccountRequest:
    """An account's suppression list entry (for SuppressionAdd, Remove and Present)."""

    Account: str = ""
    """Required. Account name."""
    EmailAddress: str = ""
    """Required. The address, e.g. `"bob@example.org"`."""
    Manual: bool = False
    """SuppressionAdd: added by hand (not by a bounce)."""
    Reason: str = ""
    """SuppressionAdd: why, e.g. `"unsubscribed by phone"`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionListRequest:
    """An account's suppression list."""

    Account: str = ""
    """Required. Account name."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Suppression:
    """A suppressed address."""

    ID: int = 0
    """Entry ID."""
    Created: datetime | None = None
    """When it was added."""
    Account: str = ""
    """Account name."""
    BaseAddress: str = ""
    """The normalized address that is matched, e.g. `"bob@example.org"`."""
    OriginalAddress: str = ""
    """The address as given or bounced."""
    Manual: bool = False
    """Added by hand."""
    Reason: str = ""
    """Why."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionListResult:
    """Entries by base address."""

    Suppressions: list[Suppression] = field(default_factory=list)
    """The entries."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SuppressionPresentResult:
    """Whether the address is suppressed."""

    Present: bool = False
    """True if suppressed."""
