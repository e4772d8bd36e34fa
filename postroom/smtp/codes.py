"""Every SMTP reply Postroom sends: reply codes, enhanced status codes, and the replies.

Reply codes are from RFC 5321 §4.2.3 (and RFC 4954 §6 for AUTH, RFC 3207 §4 for
STARTTLS); enhanced status codes from RFC 3463 §3 and the IANA registry that RFC 5248
set up. Constants keep the number in their name so a reply is greppable both ways. No
other module of `postroom.smtp` writes a reply as a string literal: handlers answer
with a `Reply` from here, formatting only the values it names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Final

# Reply codes, RFC 5321 §4.2.3.
GREETING: Final = "ESMTP Postroom"
"""Text of the 220 greeting after the host name (RFC 5321 §4.3.1); aiosmtpd writes it."""
C220_SERVICE_READY: Final = 220
C221_CLOSING: Final = 221
C235_AUTH_SUCCEEDED: Final = 235  # RFC 4954 §6
C250_COMPLETED: Final = 250
C334_CONTINUE_AUTH: Final = 334  # RFC 4954 §4
C354_START_DATA: Final = 354
C421_SERVICE_UNAVAILABLE: Final = 421
C450_MAILBOX_UNAVAILABLE: Final = 450
C451_LOCAL_ERROR: Final = 451
C452_INSUFFICIENT_STORAGE: Final = 452  # also "too many recipients", RFC 5321 §4.5.3.1.10
C454_TEMPORARY_AUTH_FAILURE: Final = 454  # RFC 4954 §6
C500_SYNTAX_ERROR: Final = 500
C501_PARAMETER_SYNTAX: Final = 501
C502_NOT_IMPLEMENTED: Final = 502
C503_BAD_SEQUENCE: Final = 503
C504_PARAMETER_NOT_IMPLEMENTED: Final = 504
C530_AUTH_REQUIRED: Final = 530  # RFC 4954 §6
C535_AUTH_INVALID: Final = 535  # RFC 4954 §6
C538_ENCRYPTION_REQUIRED: Final = 538  # RFC 4954 §6
C550_MAILBOX_UNAVAILABLE: Final = 550
C552_STORAGE_EXCEEDED: Final = 552
C554_TRANSACTION_FAILED: Final = 554

# Enhanced status codes, RFC 3463 §3; X.7.8 to X.7.13 from RFC 4954 §6 and RFC 5248 §2.4.
E_2_0_0_OTHER: Final = "2.0.0"
E_2_1_0_SENDER_OK: Final = "2.1.0"
E_2_1_5_RECIPIENT_OK: Final = "2.1.5"
E_2_7_0_AUTH_SUCCEEDED: Final = "2.7.0"
E_4_2_1_MAILBOX_DISABLED: Final = "4.2.1"
E_4_3_0_SYSTEM_OTHER: Final = "4.3.0"
E_4_3_2_NOT_ACCEPTING: Final = "4.3.2"
E_4_3_5_MISCONFIGURED: Final = "4.3.5"
E_4_5_3_TOO_MANY_RECIPIENTS: Final = "4.5.3"
E_4_7_0_SECURITY_OTHER: Final = "4.7.0"
E_4_7_1_NOT_AUTHORIZED: Final = "4.7.1"
E_5_1_1_BAD_MAILBOX: Final = "5.1.1"
E_5_1_3_BAD_RECIPIENT_SYNTAX: Final = "5.1.3"
E_5_1_7_BAD_SENDER_SYNTAX: Final = "5.1.7"
E_5_3_3_NOT_SUPPORTED: Final = "5.3.3"
E_5_4_6_ROUTING_LOOP: Final = "5.4.6"
E_5_5_1_INVALID_COMMAND: Final = "5.5.1"
E_5_5_2_SYNTAX_ERROR: Final = "5.5.2"
E_5_5_3_TOO_MANY_RECIPIENTS: Final = "5.5.3"
E_5_6_0_MEDIA_OTHER: Final = "5.6.0"
E_5_7_0_SECURITY_OTHER: Final = "5.7.0"
E_5_7_1_NOT_AUTHORIZED: Final = "5.7.1"
E_5_7_8_AUTH_INVALID: Final = "5.7.8"
E_5_7_13_ACCOUNT_DISABLED: Final = "5.7.13"


@dataclass(frozen=True, slots=True)
class Reply:
    """One reply: code, enhanced status code and text, which may name `{values}`."""

    code: int
    enhanced: str
    text: str

    def line(self, **values: object) -> str:
        """The reply line. Values are quoted as JSON strings when they are text, so a
        client-supplied value can never add a line break or non-ASCII to a reply."""
        quoted = {k: json.dumps(v) if isinstance(v, str) else v for k, v in values.items()}
        return f"{self.code} {self.enhanced} {self.text.format(**quoted)}"


# Both listeners.
SENDER_OK: Final = Reply(C250_COMPLETED, E_2_1_0_SENDER_OK, "sender ok")
RECIPIENT_OK: Final = Reply(C250_COMPLETED, E_2_1_5_RECIPIENT_OK, "recipient ok")
BAD_SENDER_SYNTAX: Final = Reply(
    C501_PARAMETER_SYNTAX, E_5_1_7_BAD_SENDER_SYNTAX, "bad sender address syntax"
)
BAD_RECIPIENT_SYNTAX: Final = Reply(
    C501_PARAMETER_SYNTAX, E_5_1_3_BAD_RECIPIENT_SYNTAX, "bad recipient address syntax"
)
# RFC 5321 §4.5.3.1.8: at least 100 recipients must be accepted; more are refused with
# 452 (RFC 5321 §4.5.3.1.10), which the client treats as "send the rest later".
TOO_MANY_RECIPIENTS: Final = Reply(
    C452_INSUFFICIENT_STORAGE, E_4_5_3_TOO_MANY_RECIPIENTS, "too many recipients"
)
SHUTTING_DOWN: Final = Reply(
    C421_SERVICE_UNAVAILABLE, E_4_3_2_NOT_ACCEPTING, "service shutting down, try again later"
)
LOCAL_ERROR: Final = Reply(
    C451_LOCAL_ERROR, E_4_3_0_SYSTEM_OTHER, "local error processing the command, try again later"
)

# Incoming.
DELIVERED: Final = Reply(C250_COMPLETED, E_2_0_0_OTHER, "delivered")
RELAY_DENIED: Final = Reply(C550_MAILBOX_UNAVAILABLE, E_5_7_1_NOT_AUTHORIZED, "relaying denied")
NO_SUCH_USER: Final = Reply(C550_MAILBOX_UNAVAILABLE, E_5_1_1_BAD_MAILBOX, "no such user")
DOMAIN_DISABLED: Final = Reply(
    C450_MAILBOX_UNAVAILABLE, E_4_2_1_MAILBOX_DISABLED, "domain temporarily disabled"
)
ALIAS_REMOTE_MEMBERS: Final = Reply(
    C550_MAILBOX_UNAVAILABLE,
    E_5_3_3_NOT_SUPPORTED,
    "alias has members on other servers and its domain forwards no mail",
)
MAIL_LOOP: Final = Reply(
    C554_TRANSACTION_FAILED, E_5_4_6_ROUTING_LOOP, "too many Received fields, a mail loop"
)
INVALID_RETURN_ADDRESS: Final = Reply(
    C550_MAILBOX_UNAVAILABLE, E_5_1_1_BAD_MAILBOX, "invalid or expired return address"
)
AUTH_ONLY_ON_SUBMISSION: Final = Reply(
    C503_BAD_SEQUENCE, E_5_5_1_INVALID_COMMAND, "authentication only allowed on submission ports"
)

# Submission: authentication (RFC 4954 §6).
AUTH_SUCCEEDED: Final = Reply(
    C235_AUTH_SUCCEEDED, E_2_7_0_AUTH_SUCCEEDED, "authentication succeeded"
)
AUTH_INVALID: Final = Reply(
    C535_AUTH_INVALID, E_5_7_8_AUTH_INVALID, "authentication credentials invalid"
)
AUTH_OTHER_IDENTITY: Final = Reply(
    C535_AUTH_INVALID, E_5_7_8_AUTH_INVALID, "cannot authorize as another identity"
)
AUTH_MALFORMED: Final = Reply(
    C501_PARAMETER_SYNTAX, E_5_5_2_SYNTAX_ERROR, "malformed authentication data"
)
AUTH_RATE_LIMITED: Final = Reply(
    C454_TEMPORARY_AUTH_FAILURE, E_4_7_0_SECURITY_OTHER, "too many failed logins, try again later"
)
# RFC 5248 §2.4 registers X.7.13 "User Account Disabled" for after a successful
# authentication; with 535, which every client reports as a failed login.
LOGIN_DISABLED: Final = Reply(
    C535_AUTH_INVALID, E_5_7_13_ACCOUNT_DISABLED, "login disabled for this account"
)
SUBMISSION_DISABLED: Final = Reply(
    C535_AUTH_INVALID, E_5_7_13_ACCOUNT_DISABLED, "submission disabled for this account"
)
AUTH_DURING_TRANSACTION: Final = Reply(
    C503_BAD_SEQUENCE, E_5_5_1_INVALID_COMMAND, "authentication not allowed during mail transaction"
)
# Challenges of the LOGIN mechanism (draft-murchison-sasl-login-00 §2), sent base64 after 334.
LOGIN_USERNAME_CHALLENGE: Final = "User Name"
LOGIN_PASSWORD_CHALLENGE: Final = "Password"
AUTH_REQUIRED: Final = Reply(C530_AUTH_REQUIRED, E_5_7_0_SECURITY_OTHER, "authentication required")

# Submission: sender and message checks.
SENDER_NOT_ALLOWED: Final = Reply(
    C550_MAILBOX_UNAVAILABLE, E_5_7_1_NOT_AUTHORIZED, "must match authenticated user"
)
NULL_SENDER_REFUSED: Final = Reply(
    C550_MAILBOX_UNAVAILABLE, E_5_7_1_NOT_AUTHORIZED, "submission needs a sender address"
)
SENDER_DOMAIN_DISABLED: Final = Reply(
    C451_LOCAL_ERROR, E_4_7_1_NOT_AUTHORIZED, "domain of sender address is temporarily disabled"
)
FROM_NOT_ALLOWED: Final = Reply(
    C550_MAILBOX_UNAVAILABLE,
    E_5_7_1_NOT_AUTHORIZED,
    "message from address must belong to authenticated user",
)
FROM_DOMAIN_DISABLED: Final = Reply(
    C451_LOCAL_ERROR,
    E_4_7_1_NOT_AUTHORIZED,
    "domain of message from address is temporarily disabled",
)
BAD_FROM_HEADER: Final = Reply(
    C550_MAILBOX_UNAVAILABLE, E_5_6_0_MEDIA_OTHER, "message needs one From header with one address"
)
MISSING_BODY: Final = Reply(
    C554_TRANSACTION_FAILED, E_5_6_0_MEDIA_OTHER, "message requires both header and body section"
)
MALFORMED_HEADER: Final = Reply(
    C554_TRANSACTION_FAILED, E_5_6_0_MEDIA_OTHER, "malformed message header section"
)
# mox's text for a key given twice, and ours for the X-Postroom-Extra- spelling.
DUPLICATE_MOX_EXTRA: Final = Reply(
    C554_TRANSACTION_FAILED, E_5_6_0_MEDIA_OTHER, "duplicate x-mox-extra- key {key}"
)
DUPLICATE_POSTROOM_EXTRA: Final = Reply(
    C554_TRANSACTION_FAILED, E_5_6_0_MEDIA_OTHER, "duplicate x-postroom-extra- key {key}"
)
EXTRA_REFUSED: Final = Reply(
    C554_TRANSACTION_FAILED,
    E_5_6_0_MEDIA_OTHER,
    "extra headers refused: NUL, or more than {limit} bytes",
)
MESSAGE_LIMIT: Final = Reply(
    C451_LOCAL_ERROR,
    E_4_7_1_NOT_AUTHORIZED,
    "max number of messages ({limit}) over past 24h reached,"
    " try increasing per-account setting MaxOutgoingMessagesPerDay",
)
RECIPIENT_LIMIT: Final = Reply(
    C451_LOCAL_ERROR,
    E_4_7_1_NOT_AUTHORIZED,
    "max number of new/first-time recipients ({limit}) over past 24h reached,"
    " try increasing per-account setting MaxFirstTimeRecipientsPerDay",
)
FROMID_MULTIPLE_RECIPIENTS: Final = Reply(
    C554_TRANSACTION_FAILED,
    E_5_5_3_TOO_MANY_RECIPIENTS,
    "cannot send to multiple recipients with chosen fromid",
)
FROMID_NOT_UNIQUE: Final = Reply(
    C554_TRANSACTION_FAILED,
    E_5_1_7_BAD_SENDER_SYNTAX,
    "bad fromid in smtp mail from address: fromid not unique",
)
FROMID_NO_SEPARATOR: Final = Reply(
    C451_LOCAL_ERROR,
    E_4_3_5_MISCONFIGURED,
    "fromid login needs a catch-all separator on its domain",
)
QUEUED: Final = Reply(C250_COMPLETED, E_2_0_0_OTHER, "queued as {first} (recipients: {count})")


def simulated_failure(code: int) -> Reply:
    """localserve's answer for a special recipient localpart: the code it names, with
    the enhanced code of its class and no detail (`5.0.0`)."""
    return Reply(code, f"{code // 100}.0.0", f"failure with code {code} due to special localpart")
