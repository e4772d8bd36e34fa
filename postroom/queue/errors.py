"""Errors of the outgoing queue.

PostroomError
└── QueueError
    ├── SuppressionExistsError   the base address is already on the list
    ├── SuppressionAbsentError   the base address is not on the list
    ├── SendLimitError           a daily send limit of the account is reached
    │   ├── MessageLimitError    …its daily message limit
    │   └── RecipientLimitError  …its daily first-time recipient limit
    ├── FromIDSeparatorError     fromid mode, but no domain with a catch-all separator
    ├── ExtraError               a submission's Extra is too large or holds NUL
    ├── DeliveryError            a delivery attempt failed before a recipient's reply
    │   └── HostError            …at one next-hop host: try the next one
    └── DKIMKeyError             a DKIM key file is missing, unreadable or malformed
"""

from __future__ import annotations

from postroom.errors import PostroomError


class QueueError(PostroomError):
    """A queue operation cannot be done."""


class SuppressionExistsError(QueueError):
    """The account already suppresses this base address."""


class SuppressionAbsentError(QueueError):
    """The account does not suppress this base address."""


class SendLimitError(QueueError):
    """Sending would exceed one of the account's daily limits (`queue.limits`)."""

    limit: int

    def __reduce__(self) -> tuple[type[SendLimitError], tuple[int]]:
        # Rebuilt from the limit, not the message, when it crosses a process link
        # (`server.process`).
        return type(self), (self.limit,)


class MessageLimitError(SendLimitError):
    """Sending would exceed the account's maximum messages per 24 hours."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"max number of messages ({limit}) over past 24h reached")
        self.limit = limit


class RecipientLimitError(SendLimitError):
    """Sending would exceed the account's maximum first-time recipients per 24 hours."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"max number of new/first-time recipients ({limit}) over past 24h reached")
        self.limit = limit


class FromIDSeparatorError(QueueError):
    """A fromid login sends, but neither the From nor the login domain has a catch-all
    separator to put the fromid after (a configuration mistake, not the sender's)."""

    def __init__(self, domain: str) -> None:
        super().__init__(f"fromid login needs a catch-all separator on domain {domain}")
        self.domain = domain


class ExtraError(QueueError):
    """A submission's Extra cannot be stored; the message says why."""


class DeliveryError(QueueError):
    """A delivery attempt failed as a whole: every recipient of the transaction gets this
    outcome. `code` is 0 when the failure was not an SMTP reply (DNS, a connection, a
    missing extension); `secode` is the enhanced status without its class digit."""

    def __init__(self, error: str, *, permanent: bool, code: int = 0, secode: str = "") -> None:
        super().__init__(error)
        self.error = error
        self.permanent = permanent
        self.code = code
        self.secode = secode


class HostError(DeliveryError):
    """One next-hop host could not take the message (connecting, greeting, EHLO,
    STARTTLS, MAIL FROM, or an extension the message needs): the next MX host may."""


class DKIMKeyError(QueueError):
    """A DKIM private key cannot be read or used."""
