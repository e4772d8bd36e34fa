"""Sending hooks: the retry schedule on a manual clock, receivers that fail, time out or
recover, superseding, per-URL limits, operations and cleanup."""

from __future__ import annotations

from datetime import timedelta

from postroom.hooks import (
    HookFilter,
    HookPage,
    cancel_hooks,
    clean_up_hooks,
    list_hooks,
    list_retired_hooks,
    retry_hooks,
)
from postroom.hooks.outbox import consume_events
from postroom.hooks.schedule import MAX_ATTEMPTS, RETRY_WAITS
from postroom.store.webhook import RetiredWebhook, Webhook
from tests.hooks.conftest import Hooked
from tests.hooks.receiver import Answer


async def _queued_delivered_hook(hooked: Hooked) -> Webhook:
    await hooked.configure(keep_retired=timedelta(days=1))
    await hooked.send("someone@example.com")
    await hooked.deliver()
    await hooked.hooks.run_once()
    return await Webhook.get()


async def test_retry_schedule_until_the_last_attempt(hooked: Hooked) -> None:
    hooked.receiver.script = lambda request: Answer(status=500, body=b"broken")
    hook = await _queued_delivered_hook(hooked)
    for attempt in range(1, MAX_ATTEMPTS):
        hook = await Webhook.get(id=hook.id)
        assert hook.attempts == attempt
        wait = hook.next_attempt - hooked.clock.now()
        expected = RETRY_WAITS[attempt - 1]
        assert expected * 0.99 <= wait <= expected * 1.01
        # Not due yet: nothing is sent.
        hooked.clock.advance(wait - timedelta(seconds=1))
        assert await hooked.hooks.run_once() == 0
        hooked.clock.advance(timedelta(seconds=1))
        assert await hooked.hooks.run_once() == 1
    assert await Webhook.all().count() == 0
    retired = await RetiredWebhook.get(id=hook.id)
    assert not retired.success and retired.attempts == MAX_ATTEMPTS == 12
    assert len(retired.results) == 12
    assert retired.results[0]["Error"] == 'http status "500 Status", expected 2xx'
    assert retired.results[0]["Response"] == "broken"
    attempts = [r.headers["x-mox-webhook-attempt"] for r in hooked.receiver.on("/out")]
    assert attempts == [str(n) for n in range(1, 13)]


async def test_a_500_then_a_204_succeeds(hooked: Hooked) -> None:
    statuses = iter([500, 204])
    hooked.receiver.script = lambda request: Answer(status=next(statuses))
    hook = await _queued_delivered_hook(hooked)
    hooked.clock.advance(timedelta(minutes=2))
    assert await hooked.hooks.run_once() == 1
    retired = await RetiredWebhook.get(id=hook.id)
    assert retired.success
    assert [r["Code"] for r in retired.results] == [500, 204]
    bodies = [r.body for r in hooked.receiver.on("/out")]
    assert bodies[0] == bodies[1]


async def test_a_receiver_that_times_out(hooked: Hooked) -> None:
    hooked.receiver.script = lambda request: Answer(delay_seconds=2)
    hook = await _queued_delivered_hook(hooked)
    (result,) = hook.results
    assert result["Code"] == 0 and "timeout" in str(result["Error"]).lower()
    assert hook.lease_token is None and hook.next_attempt > hooked.clock.now()


async def test_a_newer_event_supersedes_a_queued_hook(hooked: Hooked) -> None:
    hooked.receiver.script = lambda request: Answer(status=503)
    await hooked.configure(keep_retired=timedelta(days=1))
    (queued,) = await hooked.send("x-temperror@example.com")
    await hooked.deliver()
    await hooked.hooks.run_once()
    first = await Webhook.get(queue_msg_id=queued)
    row = await hooked.queue_row(queued)
    hooked.clock.advance(row.next_attempt - hooked.clock.now())
    await hooked.deliver()
    hooked.receiver.script = lambda request: Answer()
    await hooked.hooks.run_once()
    superseded = await RetiredWebhook.get(id=first.id)
    (second,) = await RetiredWebhook.filter(queue_msg_id=queued, success=True)
    assert superseded.superseded_by_id == second.id and not superseded.success
    assert await Webhook.all().count() == 0
    events = [r.json()["Event"] for r in hooked.receiver.on("/out")]
    assert events == ["delayed", "delayed"]


async def test_operations_list_retry_cancel_and_cleanup(hooked: Hooked) -> None:
    hooked.receiver.script = lambda request: Answer(status=500)
    await hooked.configure(keep_retired=timedelta(hours=1))
    await hooked.send("a@example.com", "b@example.org", "c@example.net")
    for _ in range(3):
        await hooked.deliver()
    await hooked.hooks.run_once()
    reader, dialect = hooked.reader_and_dialect()
    page, cursor = await list_hooks(
        reader, dialect, HookFilter(event="delivered"), HookPage(limit=2)
    )
    assert len(page) == 2 and cursor is not None
    rest, end = await list_hooks(
        reader, dialect, HookFilter(event="delivered"), HookPage(limit=2, after=cursor)
    )
    assert len(rest) == 1 and end is None
    assert {h.id for h in page + rest} == {h.id for h in await Webhook.all()}
    assert (await list_hooks(reader, dialect, HookFilter(event="failed"), HookPage()))[0] == []
    target = page[0]
    now = hooked.clock.now()
    assert await retry_hooks(hooked.committer, HookFilter(ids=(target.id,)), now) == 1
    assert await hooked.hooks.run_once() == 1
    canceled = await cancel_hooks(
        hooked.committer, HookFilter(queue_msg_id=target.queue_msg_id), now
    )
    assert canceled == 1
    retired, _ = await list_retired_hooks(reader, dialect, HookFilter(), HookPage())
    assert [(h.id, h.success, h.results[-1].error) for h in retired] == [
        (target.id, False, "canceled by admin")
    ]
    assert len(retired[0].results) == 3
    hooked.clock.advance(timedelta(hours=2))
    counts = await clean_up_hooks(hooked.committer, hooked.clock.now())
    assert counts.retired_webhooks == 1
    assert await RetiredWebhook.all().count() == 0


async def test_one_slow_url_does_not_hold_up_another(hooked: Hooked) -> None:
    hooked.receiver.script = lambda request: Answer(
        delay_seconds=0.3 if request.path == "/slow" else 0
    )
    await hooked.configure(outgoing_url=hooked.receiver.url + "/slow")
    await hooked.send(*(f"r{n}@d{n}.example" for n in range(8)))
    await hooked.deliver()
    # The URL is copied when the event becomes a hook.
    assert await hooked.committer.run(lambda batch: consume_events(batch, limit=100)) == 8
    await hooked.configure(outgoing_url=hooked.receiver.url + "/out")
    await hooked.send(*(f"r{n}@e{n}.example" for n in range(4)))
    await hooked.deliver()
    await hooked.hooks.run_once()
    slow, fast = hooked.receiver.on("/slow"), hooked.receiver.on("/out")
    assert len(slow) == 8 and len(fast) == 4
    # Four slow ones at a time (the per-URL limit): the fast ones did not wait for them.
    assert max(r.at for r in fast) < sorted(r.at for r in slow)[4]
