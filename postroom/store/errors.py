"""Errors of the storage layer.

PostroomError
└── StoreError        database URL or schema problems
"""

from __future__ import annotations

from postroom.errors import PostroomError


class StoreError(PostroomError):
    """The database cannot be opened, migrated or used as configured."""
