"""Errors of the client.

postroom.errors.PostroomError
├── PostroomError             a call failed: the server's Code and Message (branch on `code`)
└── WebhookVerificationError  a webhook's signature, timestamp or body is not acceptable
"""

from __future__ import annotations

from postroom import errors

UNAUTHORIZED = "unauthorized"
"""Client-side code for HTTP 401 (no, wrong or disabled credentials; plain text)."""
TOO_MANY_REQUESTS = "tooManyRequests"
"""Client-side code for HTTP 429 (too many failed logins from this network; plain text)."""
HTTP = "http"
"""Client-side code for any other answer that is not a result or a JSON error."""

MAX_MESSAGE_CHARS = 512
"""How much of a non-JSON error body becomes the message (Go's client keeps as much)."""


class PostroomError(errors.PostroomError):
    """A call failed. `code` is the response's `Code` (`badAddress`, `messageNotFound`, …,
    see docs/webapi.md) and `message` its `Message`; for answers that are not JSON errors,
    `code` is `unauthorized`, `tooManyRequests` or `http` and `message` the body's start."""

    def __init__(self, code: str, message: str, *, status: int) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status  # the HTTP status: 400 for the webapi's errors

    @property
    def Code(self) -> str:  # noqa: N802 - the wire's name, as in the Error response
        return self.code

    @property
    def Message(self) -> str:  # noqa: N802 - the wire's name, as in the Error response
        return self.message

    def __repr__(self) -> str:
        return f"PostroomError({self.code!r}, {self.message!r}, status={self.status})"


class WebhookVerificationError(errors.PostroomError):
    """A webhook request is not from the server: bad or missing signature headers, a
    timestamp too far from now, or a body that is not a webhook payload."""
