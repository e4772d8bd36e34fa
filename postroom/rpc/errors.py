"""Errors of reading a call.

PostroomError
└── RequestError            the HTTP request is not a well-formed call (Code `protocol`)
    └── RequestTooLargeError  its body is over the limit (HTTP 413, Code `requestTooLarge`)
"""

from __future__ import annotations

from postroom.errors import PostroomError


class RequestError(PostroomError):
    """The request cannot be read as a call; the message says why, for the client."""


class RequestTooLargeError(RequestError):
    """The request body is larger than the server accepts (RFC 9110 §15.5.14)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"request body larger than {limit} bytes")
        self.limit = limit
