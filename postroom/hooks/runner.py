"""The webhook loop: consume the outbox into hooks, claim due hooks, POST them with
bounded concurrency, record the outcomes.

At most `max_concurrent` hooks are sent at once, and at most `per_url` to one URL, so a
slow or hanging receiver only ever holds its own share. Outcomes are recorded through
the group committer, so many finished sends share one transaction. A send that
outlives its lease writes nothing (another claim owns the hook by then). A failure of
one hook is logged and the loop goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from postroom.clock import Clock
from postroom.hooks.claim import ClaimedHook, claim_due, release_claims
from postroom.hooks.errors import SecretError
from postroom.hooks.outbox import consume_events
from postroom.hooks.outcome import record_outcome
from postroom.hooks.results import HookResult
from postroom.hooks.sender import HookRequest, HookResponse, Sender
from postroom.hooks.sign import secret_key
from postroom.store.groupcommit import GroupCommitter
from postroom.store.reader import Reader

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class HookRunnerSettings:
    max_concurrent: int = 32
    per_url: int = 8
    """Sends in flight to one URL at most (mox: 1). Several keep a busy receiver fed;
    a limit keeps one slow receiver from taking every slot."""
    timeout: timedelta = timedelta(seconds=30)
    """Per attempt; the lease must be longer."""
    lease: timedelta = timedelta(minutes=2)
    outbox_round: int = 500
    """Outbox events turned into hooks per transaction."""
    idle_poll: timedelta = timedelta(seconds=1)
    """The longest the loop sleeps: new outbox events and changes by other processes
    are noticed within this time."""


class HookRunner:
    def __init__(
        self,
        committer: GroupCommitter,
        reader: Reader,
        sender: Sender,
        clock: Clock,
        settings: HookRunnerSettings,
        *,
        rng: random.Random | None = None,
    ) -> None:
        if settings.lease <= settings.timeout:
            raise ValueError("the webhook lease must be longer than the attempt timeout")
        self._committer = committer
        self._reader = reader
        self._sender = sender
        self._clock = clock
        self._settings = settings
        self._rng = rng or random.Random()
        self._url_load: dict[str, int] = {}
        self._in_flight: set[asyncio.Task[None]] = set()
        self._backlog: list[ClaimedHook] = []
        self._progress = asyncio.Event()
        """Set whenever a send finishes."""
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.sent = 0
        """Attempts made so far."""

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="hook-runner")

    async def stop(self) -> None:
        """Stop claiming, give back claimed hooks not started, wait for sends in flight."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        backlog, self._backlog = self._backlog, []
        if backlog:
            now = self._clock.now()
            await self._committer.run(lambda batch: release_claims(batch, backlog, now))
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)

    def wake(self) -> None:
        """Events were recorded or hooks queued or changed: look now."""
        self._wake.set()

    async def run_once(self) -> int:
        """Consume the outbox, send every hook due now (more than one URL's limit too),
        and wait until all outcomes are recorded. Returns the number of attempts made.
        (For tests and tools.)"""
        await self._consume()
        attempts = 0
        while True:
            self._progress.clear()
            claimed = await self._claim()
            attempts += claimed
            self._start_from_backlog()
            if not claimed and not self._in_flight and not self._backlog:
                return attempts
            if not claimed:
                await self._progress.wait()

    async def _loop(self) -> None:
        while not self._stopping:
            consumed = claimed = 0
            try:
                consumed = await self._consume()
                claimed = await self._claim()
            except Exception:
                log.exception("webhook round failed")
            self._start_from_backlog()
            if consumed or (claimed and len(self._backlog) <= self._settings.max_concurrent):
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), await self._idle_seconds())

    async def _consume(self) -> int:
        """One round of outbox events into hooks; 0 when there were none."""
        limit = self._settings.outbox_round
        try:
            # A read first: an idle loop costs the writer no transactions.
            if not await self._reader.fetch(
                "SELECT id FROM delivery_event WHERE processed = ? LIMIT 1", [False]
            ):
                return 0
            return await self._committer.run(lambda batch: consume_events(batch, limit=limit))
        except Exception:
            log.exception("turning delivery events into webhooks failed")
            return 0

    async def _next_due(self) -> datetime | None:
        rows = await self._reader.fetch("SELECT MIN(next_attempt) AS due FROM webhook", [])
        due = rows[0]["due"] if rows else None
        if due is None:
            return None
        return due if isinstance(due, datetime) else datetime.fromisoformat(str(due))

    async def _idle_seconds(self) -> float:
        poll = self._settings.idle_poll.total_seconds()
        try:
            when = await self._next_due()
        except Exception:
            log.exception("looking up the next due webhook failed")
            return poll
        if when is None:
            return poll
        wait = (when - self._clock.now()).total_seconds()
        # Due but not claimable (its URL is at its limit): a finishing send wakes us.
        return poll if wait <= 0 else min(wait, poll)

    async def _claim(self) -> int:
        limit = self._settings.max_concurrent
        if self._stopping or len(self._backlog) > limit:
            return 0
        room = 2 * limit - len(self._in_flight) - len(self._backlog)
        if room <= 0:
            return 0
        now = self._clock.now()
        due = await self._next_due()
        if due is None or due > now:
            return 0
        load = dict(self._url_load)
        for hook in self._backlog:
            load[hook.url] = load.get(hook.url, 0) + 1
        hooks = await self._committer.run(
            lambda batch: claim_due(
                batch,
                now=now,
                lease_until=now + self._settings.lease,
                max_hooks=room,
                in_flight=load,
                per_url=self._settings.per_url,
            )
        )
        self._backlog.extend(hooks)
        return len(hooks)

    def _start_from_backlog(self) -> None:
        per_url = self._settings.per_url
        waiting: list[ClaimedHook] = []
        while self._backlog and len(self._in_flight) < self._settings.max_concurrent:
            hook = self._backlog.pop(0)
            if self._url_load.get(hook.url, 0) >= per_url:
                waiting.append(hook)
                continue
            self._url_load[hook.url] = self._url_load.get(hook.url, 0) + 1
            task = asyncio.create_task(self._send(hook))
            self._in_flight.add(task)
            task.add_done_callback(self._done(hook.url))
        self._backlog[:0] = waiting

    def _done(self, url: str) -> Callable[[asyncio.Task[None]], None]:
        def finished(task: asyncio.Task[None]) -> None:
            self._in_flight.discard(task)
            left = self._url_load.get(url, 1) - 1
            if left > 0:
                self._url_load[url] = left
            else:
                self._url_load.pop(url, None)
            if not self._stopping:
                self._start_from_backlog()
            self._progress.set()
            self._wake.set()

        return finished

    async def _send(self, hook: ClaimedHook) -> None:
        try:
            await self._attempt(hook)
        except Exception:
            log.exception(
                "webhook %s failed; it is tried again when its lease ends", hook.row["id"]
            )

    async def _attempt(self, hook: ClaimedHook) -> None:
        row = hook.row
        secret = str(row.get("webhook_secret") or "")
        key: bytes | None = None
        if secret:
            try:
                key = secret_key(secret)
            except SecretError:
                log.warning("account %s has an invalid webhook secret", row["account_id"])
        started = self._clock.now()
        began = self._clock.monotonic()
        request = HookRequest(
            hook_id=int(row["id"]),
            attempt=int(row["attempts"]),
            url=str(row["url"]),
            authorization=str(row["authorization"]),
            body=str(row["payload"]).encode("utf-8"),
            timestamp=int(started.timestamp()),
            signing_key=key,
        )
        budget = self._settings.timeout.total_seconds() * 1.5
        try:
            response = await asyncio.wait_for(self._sender.send(request), budget)
        except TimeoutError:
            response = HookResponse(success=False, error=f"no response within {budget:.0f}s")
        self.sent += 1
        result = HookResult(
            start=started,
            duration=timedelta(seconds=max(0.0, self._clock.monotonic() - began)),
            url=request.url,
            success=response.success,
            code=response.code,
            error=response.error,
            response=response.response,
        )
        await self._committer.run(lambda batch: record_outcome(batch, hook, result, self._rng))
