"""Extra: the caller's key/value map that travels with every queue row and webhook of a
submission (webapi `Extra`, SMTP `X-Mox-Extra-*` headers)."""

from __future__ import annotations

from collections.abc import Mapping

from postroom.queue.errors import ExtraError

# Extra travels with every webhook of every recipient; bound it so one submission
# cannot make every later webhook huge. mox has no bound at all.
MAX_EXTRA_BYTES = 64 * 1024


def check_extra(extra: Mapping[str, str]) -> None:
    """Raise ExtraError unless `extra` can be stored and sent with webhooks."""
    # Anything goes in keys and values (as in mox) except NUL, which PostgreSQL
    # cannot store in text or JSON.
    if any("\x00" in k or "\x00" in v for k, v in extra.items()):
        raise ExtraError("extra: control character NUL not allowed")
    size = sum(len(k.encode()) + len(v.encode()) for k, v in extra.items())
    if size > MAX_EXTRA_BYTES:
        raise ExtraError(f"extra too large: {size} bytes, at most {MAX_EXTRA_BYTES} allowed")
