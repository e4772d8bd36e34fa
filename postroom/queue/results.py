"""Per-attempt results recorded on queue and retired rows (mox's `MsgResult`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

IN_PROGRESS = "delivering..."
"""The error text of an attempt that has started and not finished: if a worker dies,
the row keeps it, and whoever looks sees the attempt was never completed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AttemptResult:
    start: datetime
    duration: timedelta = timedelta(0)
    success: bool = False
    code: int = 0
    """SMTP reply code, or 0 when there was none (a connection failure)."""
    secode: str = ""
    """Enhanced status code without its class digit, as mox stores it: `1.1` for 5.1.1."""
    error: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "Start": self.start.isoformat(),
            # Go's time.Duration: integer nanoseconds.
            "Duration": int(self.duration.total_seconds() * 1_000_000_000),
            "Success": self.success,
            "Code": self.code,
            "Secode": self.secode,
            "Error": self.error,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AttemptResult:
        return cls(
            start=datetime.fromisoformat(str(data.get("Start", ""))),
            duration=timedelta(microseconds=int(data.get("Duration", 0)) // 1000),
            success=bool(data.get("Success", False)),
            code=int(data.get("Code", 0)),
            secode=str(data.get("Secode", "")),
            error=str(data.get("Error", "")),
        )

    @property
    def enhanced_code(self) -> str:
        """`5.1.1` from code 550 and secode `1.1`; "" without a secode."""
        if not self.secode or not self.code:
            return ""
        return f"{self.code // 100}.{self.secode}"
