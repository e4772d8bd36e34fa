"""Incoming mail to a fromid address: the queue's side of it.

A message received for `localpart<sep><fromid>@our-domain` whose fromid names a retired
message is reported on that message (SPEC §6.3): a result is appended, its last activity
is set, and an outgoing event is written to the outbox. The mail itself is stored by the
caller as usual. Only non-DSN mail is handled here so far (event `unrecognized`); the
DSN parser will extend this with the DSN outcomes.
"""

from __future__ import annotations

from datetime import datetime

from postroom.queue.events import EventDetails, QueueEvent
from postroom.queue.results import AttemptResult
from postroom.queue.retire import record_event
from postroom.store import sql
from postroom.store.groupcommit import Batch

NOT_A_DSN = "incoming message not a dsn"
"""The result error of a non-DSN message to a fromid address (mox's text)."""


async def note_incoming_for_fromid(batch: Batch, fromid: str, now: datetime) -> bool:
    """Record a non-DSN message received for `fromid`; False if no retired message has it.

    FromIDs are stored in lower case and matched case-insensitively. A fromid of a
    message still in the queue matches nothing: such mail is ordinary incoming mail.
    """
    if not fromid:
        return False
    connection = batch.connection
    rows = await sql.fetch(
        connection,
        "SELECT id, account_id, results, from_id, message_id, subject, extra"
        " FROM retired_message WHERE from_id = ?",
        [fromid.lower()],
    )
    if not rows:
        return False
    row = rows[0]
    results = list(sql.decode_json(row["results"]) or [])
    results.append(AttemptResult(start=now, error=NOT_A_DSN).to_json())
    await sql.execute(
        connection,
        "UPDATE retired_message SET results = ?, last_activity = ? WHERE id = ?",
        [sql.encode_json(results), sql.encode_datetime(connection, now), row["id"]],
    )
    record_event(
        batch,
        account_id=int(row["account_id"]),
        queue_msg_id=int(row["id"]),
        event=QueueEvent.UNRECOGNIZED,
        details=EventDetails(dsn=False),
        now=now,
        message=row,
    )
    return True
