"""Listing queued messages for operators (the CLI and, later, the admin API)."""

from __future__ import annotations

from postroom.store.outgoing import QueueMessage


async def list_queue(*, limit: int = 100) -> list[dict[str, object]]:
    """Queued messages, oldest first, as plain values."""
    rows = await QueueMessage.all().order_by("id").limit(limit).select_related("account")
    return [
        {
            "ID": row.id,
            "BaseID": row.base_id,
            "Queued": row.queued.isoformat(),
            "Account": row.account.name,
            "From": f"{row.sender_localpart}@{row.sender_domain}",
            "To": row.recipient_address,
            "FromID": row.from_id or "",
            "Hold": row.hold,
            "Attempts": row.attempts,
            "NextAttempt": row.next_attempt.isoformat(),
            "MessageID": row.message_id,
            "Subject": row.subject,
            "Size": row.size,
            "Extra": row.extra,
        }
        for row in rows
    ]
