"""The delivery loop: claim due rows, deliver them with bounded concurrency, record outcomes.

At most `max_deliveries` transactions run at once and at most one per recipient
domain (the claim skips domains with a live lease). A claim may take several groups of
one domain (`per_domain`); they go out one after the other, so a busy domain's
messages share a connection. Recording an outcome (a group commit) overlaps the next
transactions: a delivery slot and its domain are free again as soon as the SMTP
transaction ends, and the rows, still leased, cannot be claimed again meanwhile.
A delivery that outlives its lease is abandoned without writing: another claim owns
the rows by then. Every failure of one delivery is logged and recorded on nothing
else; the loop goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from postroom.clock import Clock
from postroom.mail import Address
from postroom.queue.claim import ClaimedGroup, claim_due, release_claims
from postroom.queue.envelope import row_sender_address
from postroom.queue.outcome import OutcomeSettings, record_outcomes
from postroom.queue.transport import Delivery, Transport, failure_for_all
from postroom.store.groupcommit import GroupCommitter
from postroom.store.reader import Reader

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class RunnerSettings:
    hostname: str
    max_deliveries: int = 16
    lease: timedelta = timedelta(minutes=5)
    """How long a claim lasts. It must exceed the longest delivery attempt."""
    per_domain: int = 1
    """Groups of one recipient domain claimed at once and delivered in turn."""
    idle_poll: timedelta = timedelta(seconds=5)
    """The longest the loop sleeps when nothing is due and nobody wakes it: changes made
    by other processes (the CLI, other nodes) are noticed within this time."""


class QueueRunner:
    def __init__(
        self,
        committer: GroupCommitter,
        reader: Reader,
        transport: Transport,
        clock: Clock,
        settings: RunnerSettings,
        *,
        rng: random.Random | None = None,
    ) -> None:
        self._committer = committer
        self._reader = reader
        self._transport = transport
        self._clock = clock
        self._settings = settings
        self._outcome_settings = OutcomeSettings(
            hostname=settings.hostname, rng=rng or random.Random()
        )
        self._busy_domains: set[str] = set()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._recording: set[asyncio.Task[Any]] = set()
        """Outcomes being written, of deliveries that have ended."""
        self._backlog: list[_Chain] = []
        """Claimed groups, by domain, waiting for a free delivery slot: claiming a round
        of them at a time takes one commit instead of one per finished delivery."""
        self._all_done = asyncio.Event()
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop(), name="queue-runner")

    async def stop(self) -> None:
        """Stop claiming, give back claimed groups not started, and wait for deliveries
        in flight to finish."""
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            await self._task
            self._task = None
        backlog = [group for chain in self._backlog for group in chain.groups]
        self._backlog = []
        if backlog:
            await self._committer.run(lambda batch: release_claims(batch, backlog))
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._recording:
            await asyncio.gather(*self._recording, return_exceptions=True)

    def wake(self) -> None:
        """Something was queued or released: look for due rows now."""
        self._wake.set()

    async def run_once(self) -> int:
        """Claim what is due now, deliver it, and wait until all of it is recorded.
        Returns the number of delivery attempts (SMTP transactions) made."""
        claimed = await self._claim()
        self._start_from_backlog()
        while self._in_flight or self._backlog:
            self._all_done.clear()
            await self._all_done.wait()
        if self._recording:
            await asyncio.gather(*self._recording, return_exceptions=True)
        return claimed

    async def _loop(self) -> None:
        while not self._stopping:
            try:
                claimed = await self._claim()
            except Exception:
                log.exception("claiming due queue messages failed")
                claimed = 0
            self._start_from_backlog()
            if claimed and len(self._backlog) <= self._settings.max_deliveries // 2:
                continue
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), await self._idle_seconds())

    async def _idle_seconds(self) -> float:
        """Until the next row is due (a retry's scheduled time), at most `idle_poll`."""
        poll = self._settings.idle_poll.total_seconds()
        try:
            rows = await self._reader.fetch(
                "SELECT MIN(next_attempt) AS due FROM queue_message WHERE hold = ?", [False]
            )
        except Exception:
            log.exception("looking up the next due queue message failed")
            return poll
        due = rows[0]["due"] if rows else None
        if due is None:
            return poll
        when = due if isinstance(due, datetime) else datetime.fromisoformat(str(due))
        wait = (when - self._clock.now()).total_seconds()
        # Due already but not claimable: its domain is busy here, and the delivery in
        # flight wakes us when it ends.
        return poll if wait <= 0 else min(wait, poll)

    async def _claim(self) -> int:
        """Fill the backlog, when it runs low, with up to two rounds' worth of groups."""
        limit = self._settings.max_deliveries
        if self._stopping or len(self._backlog) > limit // 2:
            return 0
        room = 2 * limit - len(self._in_flight) - len(self._backlog)
        if room <= 0:
            return 0
        now = self._clock.now()
        busy = frozenset(self._busy_domains)
        per_domain = self._settings.per_domain
        groups = await self._committer.run(
            lambda batch: claim_due(
                batch,
                now=now,
                lease_until=now + self._settings.lease,
                max_groups=room * per_domain,
                busy_domains=busy,
                per_domain=per_domain,
            )
        )
        claimed_at = self._clock.monotonic()
        chains: dict[str, _Chain] = {}
        for group in groups:
            self._busy_domains.add(group.domain)
            chain = chains.setdefault(group.domain, _Chain(claimed_at=claimed_at))
            chain.groups.append(group)
        self._backlog.extend(chains.values())
        return len(groups)

    def _start_from_backlog(self) -> None:
        while self._backlog and len(self._in_flight) < self._settings.max_deliveries:
            chain = self._backlog.pop(0)
            task = asyncio.create_task(self._deliver(chain))
            self._in_flight.add(task)
            task.add_done_callback(self._done(chain.groups[0].domain))

    def _done(self, domain: str) -> Callable[[asyncio.Task[None]], None]:
        def finished(task: asyncio.Task[None]) -> None:
            self._in_flight.discard(task)
            self._busy_domains.discard(domain)
            if not self._stopping:
                self._start_from_backlog()
            if not self._in_flight and not self._backlog:
                self._all_done.set()
            # A domain became free, or the backlog ran low: look for due rows.
            self._wake.set()

        return finished

    async def _deliver(self, chain: _Chain) -> None:
        lease = self._settings.lease.total_seconds()
        for index, group in enumerate(chain.groups):
            elapsed = self._clock.monotonic() - chain.claimed_at
            if index and (elapsed > lease / 2 or self._stopping):
                # Later groups would risk outliving their lease (or the runner is
                # stopping): give them back.
                await self._release(chain.groups[index:])
                break
            try:
                recording = await self._attempt(group, budget=lease * 0.8 - elapsed)
            except Exception:
                log.exception(
                    "delivery of queue messages %s failed; they are retried when the lease ends",
                    [row["id"] for row in group.rows],
                )
                continue
            self._recording.add(recording)
            recording.add_done_callback(self._recorded)

    def _recorded(self, task: asyncio.Task[Any]) -> None:
        self._recording.discard(task)
        if not task.cancelled() and (error := task.exception()) is not None:
            log.error("recording a delivery outcome failed (%s): %r", task.get_name(), error)

    async def _release(self, groups: list[ClaimedGroup]) -> None:
        await self._committer.run(lambda batch: release_claims(batch, groups))

    async def _attempt(self, group: ClaimedGroup, *, budget: float) -> asyncio.Task[Any]:
        """Deliver one group; return the task recording its outcome (it commits while
        the next group of the domain is delivered)."""
        first = group.rows[0]
        message = bytes(first["message_data"])
        smtputf8 = any(bool(row["smtputf8"]) for row in group.rows)
        recipients = [
            Address(
                localpart=str(row["recipient_localpart"]), domain=str(row["recipient_domain"])
            ).smtp_path(smtputf8)
            for row in group.rows
        ]
        sender = row_sender_address(first)
        delivery = Delivery(
            mail_from=sender.smtp_path(smtputf8) if sender is not None else "",
            recipients=recipients,
            data=bytes(first["msg_prefix"]) + message,
            smtputf8=smtputf8,
            has_8bit=any(bool(row["has_8bit"]) for row in group.rows),
            require_tls=first["require_tls"]
            if first["require_tls"] is None
            else bool(first["require_tls"]),
            envelope_id=str(first["base_id"] or first["id"]),
            account=str(first["account_name"]),
            sender_domain=str(first["sender_domain"]),
            recipient_domain=group.domain,
            transport=str(first["transport"]),
            attempt=int(first["attempts"]),
        )
        started = self._clock.now()
        try:
            outcomes = await asyncio.wait_for(self._transport.deliver(delivery), budget)
        except TimeoutError:
            outcomes = failure_for_all(
                recipients,
                permanent=False,
                code=0,
                secode="",
                error=f"delivery did not finish within {budget:.0f} seconds",
            )
        now = self._clock.now()
        return asyncio.create_task(
            self._committer.run(
                lambda batch: record_outcomes(
                    batch,
                    group,
                    outcomes,
                    message=message,
                    started=started,
                    now=now,
                    settings=self._outcome_settings,
                )
            ),
            name=f"record-queue-{group.rows[0]['id']}",
        )


@dataclass(slots=True)
class _Chain:
    """Groups of one recipient domain from one claim, delivered in turn."""

    claimed_at: float
    """When their lease started (a monotonic time)."""
    groups: list[ClaimedGroup] = field(default_factory=list)
