"""Webapi errors: the wire `Code` values and the exception that carries one.

    PostroomError
    └── APIError      Code + Message, answered as HTTP 400 {"Code": …, "Message": …}

Every failure a method can report is an APIError with a code from `ErrorCode`;
the transport turns any other exception into Code `server` without details.
"""

from __future__ import annotations

import enum

from postroom.errors import PostroomError


class ErrorCode(enum.StrEnum):
    """The `Code` of an error response. Values are mox's, plus Postroom's extensions."""

    PROTOCOL = "protocol"
    """Bad or missing Content-Type, unparseable form or JSON, missing `request`."""
    SERVER = "server"
    """An internal failure. The message says what failed, never how."""
    USER = "user"
    """Invalid input that has no more specific code."""
    ERROR = "error"
    """A plain error, such as removing a suppression that is absent."""
    BAD_ADDRESS = "badAddress"
    """An email address cannot be parsed."""
    MISSING_BODY = "missingBody"
    """Send without Text and without HTML."""
    MULTIPLE_FROM = "multipleFrom"
    """Send with more than one From address."""
    BAD_FROM = "badFrom"
    """The From address, or the Sender field in Headers, is not one the account may use."""
    DOMAIN_DISABLED = "domainDisabled"
    """The domain of the From address, or of the Sender field in Headers, is disabled."""
    NO_RECIPIENTS = "noRecipients"
    """Send without To, CC and BCC."""
    TOO_MANY_RECIPIENTS = "tooManyRecipients"
    """Postroom: a Send with more recipients (To, CC and BCC together) than
    `webapi.max_recipients`."""
    MESSAGE_LIMIT_REACHED = "messageLimitReached"
    """The account's maximum number of messages per 24 hours is reached."""
    RECIPIENT_LIMIT_REACHED = "recipientLimitReached"
    """The account's maximum number of first-time recipients per 24 hours is reached."""
    MESSAGE_TOO_LARGE = "messageTooLarge"
    """The composed message is larger than the server's maximum message size."""
    MALFORMED_MESSAGE_ID = "malformedMessageID"
    """A MessageID was given without the surrounding `<` and `>`."""
    SENT_OVER_QUOTA = "sentOverQuota"
    """The message was queued, but its Sent copy could not be stored (quota)."""
    MESSAGE_NOT_FOUND = "messageNotFound"
    """No such message in the account (also for other accounts' messages)."""
    PART_NOT_FOUND = "partNotFound"
    """MessagePartGet: a part index is out of range."""
    NOT_FOUND = "notFound"
    """Postroom: there is no method by that name."""
    METHOD_NOT_ALLOWED = "methodNotAllowed"
    """Postroom: the HTTP method is not POST (or GET for documentation pages)."""
    IDEMPOTENCY_CONFLICT = "idempotencyConflict"
    """Postroom: an Idempotency-Key was reused with a different request."""
    REQUEST_TOO_LARGE = "requestTooLarge"
    """Postroom: the request body is over `http.max_request_bytes` (HTTP 413); file parts
    of a multipart body may add `smtp.max_message_bytes`."""


STATUS = {ErrorCode.REQUEST_TOO_LARGE: 413}
"""HTTP statuses other than 400."""


class APIError(PostroomError):
    """A failure reported to the client as `{"Code": code, "Message": message}`."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"APIError({self.code.value!r}, {self.message!r})"
