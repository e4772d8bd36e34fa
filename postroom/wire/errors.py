"""Errors of the wire codec.

PostroomError
└── WireError    a request that does not decode into its type (RFC 3339 times included)
"""

from __future__ import annotations

from postroom.errors import PostroomError


class WireError(PostroomError):
    """A request that does not decode into its type. The message mimics Go's encoding/json
    (e.g. `json: unknown field "Foo"`); the transport prefixes `parsing request: `."""
