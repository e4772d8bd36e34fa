"""Simulated delivery failures: special recipient localparts that make localserve's SMTP
listener answer with an error, so applications can test how they handle bounces.

A localpart ending in `temperror` gets 451, in `permerror` 550, in `timeout` no answer
for a while (then 451), and one ending in three digits from 400 to 599 gets that code
(`x-554@example.com`). A localpart starting with `mailfrom` or `rcptto` moves the
failure to that command (for MAIL FROM: the sender's localpart); otherwise the
failure is given per recipient after DATA. (mox also accepts 600; we do not: it is
not an SMTP reply code, RFC 5321 §4.2.1.)
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

_CODE = re.compile(r"(\d{3})$")


class Stage(enum.StrEnum):
    MAIL_FROM = "mailfrom"
    RCPT_TO = "rcptto"
    DATA = "data"


@dataclass(frozen=True, slots=True, kw_only=True)
class SimulatedFailure:
    code: int
    """The reply code; 451 after a timeout."""
    timeout: bool = False
    """Wait (the listener's simulated-timeout delay) before answering."""

    @property
    def enhanced(self) -> str:
        """RFC 3463 class and the generic subject/detail `0.0`, e.g. `5.0.0`."""
        return f"{self.code // 100}.0.0"


def simulated_failure(localpart: str) -> SimulatedFailure | None:
    """The failure a localpart asks for, or None for an ordinary address."""
    lowered = localpart.lower()
    if lowered.endswith("temperror"):
        return SimulatedFailure(code=451)
    if lowered.endswith("permerror"):
        return SimulatedFailure(code=550)
    if lowered.endswith("timeout"):
        return SimulatedFailure(code=451, timeout=True)
    match = _CODE.search(lowered)
    if match and 400 <= int(match.group(1)) <= 599:
        return SimulatedFailure(code=int(match.group(1)))
    return None


def failure_stage(localpart: str) -> Stage:
    lowered = localpart.lower()
    if lowered.startswith(Stage.MAIL_FROM.value):
        return Stage.MAIL_FROM
    if lowered.startswith(Stage.RCPT_TO.value):
        return Stage.RCPT_TO
    return Stage.DATA
