"""Errors of reading a call.

PostroomError
└── RequestError   the HTTP request is not a well-formed call (Code `protocol`)
"""

from __future__ import annotations

from postroom.errors import PostroomError


class RequestError(PostroomError):
    """The request cannot be read as a call; the message says why, for the client."""
