"""Per-attempt results recorded on webhook and retired-webhook rows (mox's `HookResult`,
docs/admin-api.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

MAX_RESPONSE_BYTES = 512
"""How much of the receiver's response body is kept per attempt (as mox does)."""
INTERRUPTED = "attempt interrupted: the worker stopped before it finished"
SUPERSEDED = " (superseded)"
"""Appended to the error of an attempt whose hook was superseded meanwhile."""
CANCELED_BY_ADMIN = "canceled by admin"


@dataclass(frozen=True, slots=True, kw_only=True)
class HookResult:
    start: datetime
    duration: timedelta = timedelta(0)
    url: str = ""
    success: bool = False
    code: int = 0
    """The HTTP status, or 0 when there was no response (connection error, timeout)."""
    error: str = ""
    response: str = ""
    """The start of the response body, at most 512 bytes."""

    def to_json(self) -> dict[str, Any]:
        return {
            "Start": self.start.isoformat(),
            # Go's time.Duration: integer nanoseconds.
            "Duration": int(self.duration.total_seconds() * 1_000_000_000),
            "URL": self.url,
            "Success": self.success,
            "Code": self.code,
            "Error": self.error,
            "Response": self.response,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> HookResult:
        return cls(
            start=datetime.fromisoformat(str(data.get("Start", ""))),
            duration=timedelta(microseconds=int(data.get("Duration", 0)) // 1000),
            url=str(data.get("URL", "")),
            success=bool(data.get("Success", False)),
            code=int(data.get("Code", 0)),
            error=str(data.get("Error", "")),
            response=str(data.get("Response", "")),
        )
