"""What a parsed bounce is: the values `parse_bounce` returns.

Owns the result types and the closed vocabularies (kinds of report, reasons).
How the values are found is the business of the parsing modules.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class BounceKind(enum.StrEnum):
    """What sort of report a message is."""

    DSN = "dsn"
    """A standard delivery status notification (RFC 3464, or RFC 6533 global)."""
    BOUNCE = "bounce"
    """A non-standard bounce: plain text written by an MTA (Postfix, Exim, qmail, ...)."""
    FEEDBACK = "feedback"
    """An RFC 5965 ARF feedback report, e.g. a spam complaint."""
    AUTOREPLY = "autoreply"
    """An RFC 3834 automatic reply (vacation notice); not a delivery failure."""


class Reason(enum.StrEnum):
    """Why a recipient bounced, in the vocabulary of the bounce corpus README.

    Webhooks expose it as an extension field; suppression decisions use it
    together with `RecipientResult.hard`.
    """

    AUTH_FAILURE = "authfailure"
    BAD_REPUTATION = "badreputation"
    BLOCKED = "blocked"
    CONTENT_ERROR = "contenterror"
    DELIVERED = "delivered"
    EXCEED_LIMIT = "exceedlimit"
    EXPIRED = "expired"
    FAILED_STARTTLS = "failedstarttls"
    FEEDBACK = "feedback"
    FILTERED = "filtered"
    HAS_MOVED = "hasmoved"
    HOST_UNKNOWN = "hostunknown"
    MAILBOX_FULL = "mailboxfull"
    MAILER_ERROR = "mailererror"
    MESSAGE_TOO_BIG = "mesgtoobig"
    NETWORK_ERROR = "networkerror"
    NO_RELAYING = "norelaying"
    NOT_ACCEPT = "notaccept"
    NOT_COMPLIANT_RFC = "notcompliantrfc"
    ON_HOLD = "onhold"
    POLICY_VIOLATION = "policyviolation"
    REJECTED = "rejected"
    REQUIRE_PTR = "requireptr"
    SECURITY_ERROR = "securityerror"
    SPAM_DETECTED = "spamdetected"
    SPEEDING = "speeding"
    SUPPRESSED = "suppressed"
    SUSPEND = "suspend"
    SYNTAX_ERROR = "syntaxerror"
    SYSTEM_ERROR = "systemerror"
    SYSTEM_FULL = "systemfull"
    TOO_MANY_CONN = "toomanyconn"
    UNDEFINED = "undefined"
    USER_UNKNOWN = "userunknown"
    VACATION = "vacation"
    VIRUS_DETECTED = "virusdetected"


@dataclass(frozen=True, slots=True, kw_only=True)
class RecipientResult:
    """The outcome for one recipient of the bounced message."""

    recipient: str
    """The final recipient address (RFC 3464 §2.3.2), e.g. `bob@example.org`; "" if unknown."""
    original_recipient: str = ""
    """RFC 3464 §2.3.1 Original-Recipient (or ARF Original-Rcpt-To), "" when absent."""
    action: str
    """RFC 3464 §2.3.3 action, lower-case: failed, delayed, delivered, relayed, expanded;
    "" for feedback reports and auto-replies."""
    status: str
    """RFC 3463 enhanced status, e.g. `5.1.1`. When the report carries no enhanced code, a
    pseudo code `X.0.9NN` derived from the reason (see `status.pseudo_status`); "" for
    feedback reports and auto-replies."""
    reply_code: int = 0
    """RFC 5321 §4.2 reply code from the diagnostic, e.g. 550; 0 when none was given."""
    enhanced_code: str = ""
    """The real RFC 3463 code the report carries, e.g. `5.1.1`; "" when it carries none
    (then `status` holds a pseudo code)."""
    diagnostic: str = ""
    """The remote server's explanation, e.g. `550 5.1.1 <bob@example.org>: user unknown`."""
    remote_mta: str = ""
    """RFC 3464 §2.3.5 Remote-MTA without its type, e.g. `mx.example.org`; "" if unknown."""
    last_attempt: datetime | None = None
    """RFC 3464 §2.3.6 Last-Attempt-Date, None when absent or unreadable."""
    reason: Reason
    """Why it bounced (see `Reason`)."""
    hard: bool
    """The address itself is bad and must not be tried again (user or host unknown,
    moved, or a domain that permanently accepts no mail)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Bounce:
    """A bounce, DSN, feedback report or auto-reply, taken apart.

    The queue matches it to a sent message by the recipient's fromid address,
    `envelope_id` or `returned_message_id`.
    """

    kind: BounceKind
    """What sort of report it is; feedback reports and auto-replies are not failures."""
    recipients: tuple[RecipientResult, ...]
    """One result per recipient, in the order the report lists them; never empty."""
    envelope_id: str = ""
    """RFC 3464 §2.2.1 Original-Envelope-Id (the ENVID we sent, RFC 3461 §4.4); "" if absent."""
    reporting_mta: str = ""
    """RFC 3464 §2.2.2 Reporting-MTA without its type; "" if absent."""
    returned_message_id: str = ""
    """Message-ID of the returned message (or its headers), with `<>`; "" if absent."""
    returned_subject: str = ""
    """Subject of the returned message, decoded; "" if absent."""
    feedback_type: str = ""
    """RFC 5965 §3.1 Feedback-Type, lower-case (`abuse`, `opt-out`, ...); "" unless feedback."""
