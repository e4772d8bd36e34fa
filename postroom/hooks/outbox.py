"""Turning the queue's outbox of delivery events into outgoing webhooks (docs/webhooks.md).

The queue writes one `delivery_event` row per state change in the transaction of the
change; this consumes them in order, in rounds: each round is one transaction that
marks its events processed and queues a hook for each event the account subscribes
to, superseding older queued hooks of the same message (§3.6). Unsubscribed events
queue nothing and supersede nothing. An event is consumed exactly once: on
PostgreSQL concurrent consumers skip each other's locked rows, and the conditional
UPDATE makes a lost race roll the round back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from postroom.hooks.accounts import account_hooks, ensure_secret
from postroom.hooks.payloads import Outgoing
from postroom.hooks.store import (
    NewHook,
    insert_hook,
    insert_retired,
    new_hook_ids,
    pending_outgoing,
    supersede,
)
from postroom.store import sql
from postroom.store.groupcommit import Batch
from postroom.wire import encode_html_safe


class _LostRaceError(Exception):
    """Another consumer processed some of this round's events first."""


async def consume_events(batch: Batch, *, limit: int) -> int:
    """Turn up to `limit` unprocessed events into hooks; return how many were consumed."""
    connection = batch.connection
    lock = " FOR UPDATE SKIP LOCKED" if sql.dialect(connection) == "postgres" else ""
    events = await sql.fetch(
        connection,
        "SELECT id, created, account_id, queue_msg_id, event, details, message"
        f" FROM delivery_event WHERE processed = ? ORDER BY id LIMIT ?{lock}",
        [False, limit],
    )
    if not events:
        return 0
    marks = ", ".join("?" for _ in events)
    marked = await sql.execute(
        connection,
        f"UPDATE delivery_event SET processed = ? WHERE id IN ({marks}) AND processed = ?",
        [True, *(e["id"] for e in events), False],
    )
    if marked != len(events):
        raise _LostRaceError
    wanted: list[tuple[dict[str, Any], Any]] = []
    for event in events:
        hooks = await account_hooks(batch, int(event["account_id"]))
        if hooks.subscribed(str(event["event"])):
            wanted.append((event, hooks))
    if not wanted:
        return len(events)
    ids = await new_hook_ids(batch, len(wanted))
    # The latest new hook of each message; older ones queued in this same round are
    # superseded before they are ever written.
    latest: dict[int, NewHook] = {}
    new_hooks: list[tuple[NewHook, Any]] = []
    for hook_id, (event, hooks) in zip(ids, wanted, strict=True):
        await ensure_secret(batch, int(event["account_id"]), hooks)
        hook = _new_hook(hook_id, event, hooks.outgoing_url, hooks.outgoing_authorization)
        new_hooks.append((hook, hooks))
    existing = await pending_outgoing(batch, sorted({h.queue_msg_id for h, _ in new_hooks}))
    for hook, _ in new_hooks:
        latest[hook.queue_msg_id] = hook
    for row in existing:
        newest = latest[int(row["queue_msg_id"])]
        hooks = await account_hooks(batch, int(row["account_id"]))
        now = newest.submitted
        await supersede(batch, row, by=newest.id, keep_for=hooks.keep_retired, now=now)
    for hook, hooks in new_hooks:
        newest = latest[hook.queue_msg_id]
        if newest is hook:
            insert_hook(batch, hook)
            continue
        insert_retired(
            batch,
            {k: v for k, v in hook.row(connection).items() if k != "next_attempt"},
            results=[],
            success=False,
            keep_for=hooks.keep_retired,
            now=newest.submitted,
            superseded_by=newest.id,
        )
    return len(events)


def _as_datetime(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def outgoing_payload(event: dict[str, Any]) -> Outgoing:
    """The Outgoing body for a `delivery_event` row (its columns `created`, `queue_msg_id`,
    `event`, and the JSON columns `details` and `message`)."""
    details: dict[str, Any] = sql.decode_json(event["details"]) or {}
    message: dict[str, Any] = sql.decode_json(event["message"]) or {}
    extra = {str(k): str(v) for k, v in (message.get("Extra") or {}).items()}
    return Outgoing(
        Event=str(event["event"]),
        DSN=bool(details.get("DSN", False)),
        Suppressing=bool(details.get("Suppressing", False)),
        QueueMsgID=int(event["queue_msg_id"]),
        FromID=str(message.get("FromID", "")),
        MessageID=str(message.get("MessageID", "")),
        Subject=str(message.get("Subject", "")),
        WebhookQueued=_as_datetime(event["created"]),
        SMTPCode=int(details.get("SMTPCode", 0)),
        SMTPEnhancedCode=str(details.get("SMTPEnhancedCode", "")),
        Error=str(details.get("Error", "")),
        Extra=extra,
        BounceReason=str(details.get("BounceReason", "")),
    )


def _new_hook(hook_id: int, event: dict[str, Any], url: str, authorization: str) -> NewHook:
    message: dict[str, Any] = sql.decode_json(event["message"]) or {}
    extra = {str(k): str(v) for k, v in (message.get("Extra") or {}).items()}
    queued = _as_datetime(event["created"])
    payload = outgoing_payload(event)
    return NewHook(
        id=hook_id,
        account_id=int(event["account_id"]),
        url=url,
        authorization=authorization,
        payload=encode_html_safe(payload).decode("utf-8"),
        submitted=queued,
        queue_msg_id=int(event["queue_msg_id"]),
        outgoing_event=str(event["event"]),
        from_id=str(message.get("FromID", "")),
        message_id=str(message.get("MessageID", "")),
        subject=str(message.get("Subject", "")),
        extra=extra,
    )
