"""Webhooks, for admins."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from postroom.admin.types.queue import Page


@dataclass(frozen=True, slots=True, kw_only=True)
class HookFilter:
    """Which webhooks; non-empty fields must all match. Domain admins must give an Account
    of theirs."""

    IDs: list[int] = field(default_factory=list)
    """Optional webhook IDs."""
    Account: str = ""
    """Optional account name."""
    Event: str = ""
    """Optional outgoing event name, or `incoming`."""
    QueueMsgID: int = 0
    """Optional queue message ID."""
    SubmittedBefore: datetime | None = None
    """Optional RFC 3339 time."""
    SubmittedAfter: datetime | None = None
    """Optional RFC 3339 time."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Hook:
    """A queued or retired webhook."""

    ID: int = 0
    """Webhook ID."""
    Account: str = ""
    """Account name."""
    IsIncoming: bool = False
    """An incoming-message webhook."""
    Event: str = ""
    """The outgoing event, or "" for incoming."""
    QueueMsgID: int = 0
    """The queue message it is about."""
    URL: str = ""
    """Where it is posted."""
    Submitted: datetime | None = None
    """When it was queued."""
    Attempts: int = 0
    """Attempts so far."""
    NextAttempt: datetime | None = None
    """Queued hooks: when the next attempt is due."""
    Success: bool = False
    """Retired hooks: delivered."""
    LastActivity: datetime | None = None
    """Retired hooks: when retired."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HookListRequest:
    """List queued (HookList) or retired (HookRetiredList) webhooks."""

    Filter: HookFilter = field(default_factory=HookFilter)
    """Which webhooks."""
    Page: Page = field(default_factory=Page)
    """Sorting and pagination."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HookListResult:
    """One page of webhooks."""

    Hooks: list[Hook] = field(default_factory=list)
    """The webhooks."""
    Next: str = ""
    """Pass as Page.After for the next page; "" at the end."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HookChangeRequest:
    """Retry now, or cancel, the matching queued webhooks."""

    Filter: HookFilter = field(default_factory=HookFilter)
    """Which webhooks."""
