"""Errors of the DSN package.

    PostroomError
    └── DSNError
        └── DSNParseError       a report that does not parse; says which section and line
            └── NoRecipientsError  a delivery-status part without a per-recipient block

`parse_bounce` never lets these escape: a delivery-status part that cannot be
read is skipped, and a message with nothing readable is "not a bounce". They
exist for the pieces underneath (`fields.parse_delivery_status`).
"""

from __future__ import annotations

from postroom.errors import PostroomError


class DSNError(PostroomError):
    """Base class for errors about delivery status notifications."""


class DSNParseError(DSNError):
    """A part of a report could not be read; `section` and `line` say where."""

    def __init__(self, section: str, line: int, message: str) -> None:
        super().__init__(f"{section}, line {line}: {message}")
        self.section = section
        self.line = line


class NoRecipientsError(DSNParseError):
    """RFC 3464 §2.1: a delivery-status part needs at least one per-recipient block."""

    def __init__(self, section: str, line: int) -> None:
        super().__init__(section, line, "no per-recipient fields")
