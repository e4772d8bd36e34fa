"""Errors of reading the code as documentation.

PostroomError
└── DocError             the code cannot be documented as it stands
    └── MissingDocError  a field, enum member, class or method has no docstring
"""

from __future__ import annotations

from postroom.errors import PostroomError


class DocError(PostroomError):
    """The code cannot be documented as it stands; the message says what to fix."""


class MissingDocError(DocError):
    """A documented name has no docstring. The message names it, e.g. `SendRequest.Subject`."""
