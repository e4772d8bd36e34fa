"""Per-account daily send limits: messages (recipients) and first-time recipients per 24 hours.

Counted from `RecipientRecord` rows, which every submission of an account with a
limit writes (webapi and SMTP alike; mox counts only SMTP submissions). A limit of
0 means no limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from postroom.queue.errors import MessageLimitError, RecipientLimitError
from postroom.store.outgoing import RecipientRecord
from postroom.store.records import AccountRecord

WINDOW = timedelta(hours=24)


def has_limits(account: AccountRecord) -> bool:
    return (
        account.max_outgoing_messages_per_day > 0 or account.max_first_time_recipients_per_day > 0
    )


async def check_send_limits(
    account: AccountRecord, recipients: Sequence[str], now: datetime
) -> None:
    """Raise if sending to `recipients` (lower-cased addresses) would exceed a limit."""
    start = now - WINDOW
    in_window = RecipientRecord.filter(account_id=account.id, created__gte=start)
    max_messages = account.max_outgoing_messages_per_day
    if max_messages > 0 and await in_window.count() + len(recipients) > max_messages:
        raise MessageLimitError(max_messages)
    max_first = account.max_first_time_recipients_per_day
    if max_first <= 0:
        return
    window_addresses = set(await in_window.distinct().values_list("address", flat=True))
    candidates = window_addresses | set(recipients)
    known_before = set(
        await RecipientRecord.filter(
            account_id=account.id, address__in=list(candidates), created__lt=start
        )
        .distinct()
        .values_list("address", flat=True)
    )
    first_time = {str(a) for a in candidates} - {str(a) for a in known_before}
    if len(first_time) > max_first:
        raise RecipientLimitError(max_first)
