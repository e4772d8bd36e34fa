"""Errors of the doc generator.

PostroomError
└── GendocError          the code cannot be documented as it stands
    └── MissingDocError  a field, enum member, class or method has no docstring
"""

from __future__ import annotations

from postroom.errors import PostroomError


class GendocError(PostroomError):
    """The code cannot be documented as it stands; the message says what to fix."""


class MissingDocError(GendocError):
    """A documented name has no docstring. The message names it, e.g. `SendRequest.Subject`."""
