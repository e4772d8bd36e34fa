"""Direct delivery: to the recipient domain's own mail servers, found through DNS.

MX hosts are tried in preference order and each host's addresses in turn (IPv6 and
IPv4 taking turns). A temporary failure of a host (no connection, a 4xx greeting, a
failed STARTTLS that TLS was required for, a lost connection) moves on to the next
one; a permanent reply from a host stops, as mox does. A host that lacks an
extension the message needs does not stop the search, but if no host has it the
message cannot be delivered, and the failure is permanent.

A session that delivered is kept for the next message to the same domain, for a
short while (`idle_seconds`): the runner delivers one transaction per domain at a
time, so a busy domain is served over one connection.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable

from postroom.queue.errors import DeliveryError, HostError
from postroom.queue.mxhosts import hop_addresses, next_hops
from postroom.queue.session import (
    CapabilityError,
    Session,
    SessionSettings,
    SessionTarget,
    open_session,
)
from postroom.queue.transport import Delivery, RecipientOutcome, failure_for_all
from postroom.resolver import Resolver

SMTP_PORT = 25
"""RFC 5321 §4.5.4.2: the port for relaying between MTAs."""


def recipient_domain(delivery: Delivery) -> str:
    if delivery.recipient_domain:
        return delivery.recipient_domain.lower()
    return delivery.recipients[0].rpartition("@")[2].lower()


class DirectTransport:
    def __init__(
        self,
        resolver: Resolver,
        settings: SessionSettings,
        *,
        monotonic: Callable[[], float],
        port: int = SMTP_PORT,
        idle_seconds: float = 10.0,
        max_idle: int = 256,
        rng: random.Random | None = None,
    ) -> None:
        """`port` other than 25 is for tests and benchmarks with loopback servers."""
        self._resolver = resolver
        self._settings = settings
        self._monotonic = monotonic
        self._port = port
        self._idle_seconds = idle_seconds
        self._max_idle = max_idle
        self._rng = rng or random.Random()
        self._idle: dict[tuple[str, bool], Session] = {}

    async def deliver(self, delivery: Delivery) -> list[RecipientOutcome]:
        domain = recipient_domain(delivery)
        strict = bool(delivery.require_tls)
        if delivery.require_tls is False:
            # RequireTLS false only waives MTA-STS/DANE policies (RFC 8689 §5), which are
            # opportunistic here anyway; nothing to send on.
            delivery = dataclasses.replace(delivery, require_tls=None)
        key = (domain, strict)
        session = self._idle.pop(key, None)
        if session is not None:
            if session.is_connected:
                try:
                    outcomes = await session.send(delivery)
                except CapabilityError:
                    # This host cannot take this message; another MX host may.
                    await session.close()
                except HostError as exc:
                    await session.close()
                    if exc.code or exc.permanent:
                        return _failure(delivery, exc)
                    # The server closed the idle connection meanwhile: start afresh.
                else:
                    self._keep(key, session)
                    return outcomes
            else:
                await session.close()
        try:
            session, outcomes = await self._try_hosts(domain, delivery, strict=strict)
        except DeliveryError as exc:
            return _failure(delivery, exc)
        self._keep(key, session)
        return outcomes

    async def _try_hosts(
        self, domain: str, delivery: Delivery, *, strict: bool
    ) -> tuple[Session, list[RecipientOutcome]]:
        hops = await next_hops(self._resolver, domain, self._rng)
        errors: list[DeliveryError] = []
        for hop in hops:
            try:
                addresses = await hop_addresses(self._resolver, hop)
            except DeliveryError as exc:
                errors.append(exc)
                continue
            # As mox does: on a first attempt, a 5xx with a 7.x (security/policy) status
            # from a host with both IPv4 and IPv6 addresses may be about the address
            # family we came from (reverse DNS, reputation): try the other family.
            lenient = delivery.attempt <= 1 and _dual_stack(addresses)
            for address in addresses:
                target = SessionTarget(
                    host=hop.host, address=address, port=self._port, require_tls=strict
                )
                try:
                    session = await open_session(target, self._settings)
                except CapabilityError as exc:
                    errors.append(exc)
                    break  # every address of this host is the same server
                except HostError as exc:
                    if exc.permanent and not (lenient and _policy(exc.secode)):
                        raise
                    errors.append(_temporary(exc))
                    continue
                try:
                    outcomes = await session.send(delivery)
                    if lenient:
                        outcomes = [_lenient(outcome) for outcome in outcomes]
                    return session, outcomes
                except CapabilityError as exc:
                    await session.close()
                    errors.append(exc)
                    break
                except HostError as exc:
                    await session.close()
                    if exc.permanent and not (lenient and _policy(exc.secode)):
                        raise
                    errors.append(_temporary(exc))
                    continue
        raise _summary(domain, errors)

    def _keep(self, key: tuple[str, bool], session: Session) -> None:
        now = self._monotonic()
        for old_key, old in list(self._idle.items()):
            if now - old.idle_since > self._idle_seconds or not old.is_connected:
                del self._idle[old_key]
                old.client.close()
        if not session.is_connected:
            return
        if len(self._idle) >= self._max_idle:
            oldest = min(self._idle, key=lambda k: self._idle[k].idle_since)
            self._idle.pop(oldest).client.close()
        session.idle_since = now
        self._idle[key] = session

    async def close(self) -> None:
        idle, self._idle = self._idle, {}
        for session in idle.values():
            await session.close()


def _dual_stack(addresses: list[str]) -> bool:
    return any(":" in a for a in addresses) and any(":" not in a for a in addresses)


def _policy(secode: str) -> bool:
    """RFC 3463 §3.8: X.7.X is security or policy status."""
    return secode.startswith("7.")


def _temporary(exc: HostError) -> HostError:
    if not exc.permanent:
        return exc
    return HostError(exc.error, permanent=False, code=exc.code, secode=exc.secode)


def _lenient(outcome: RecipientOutcome) -> RecipientOutcome:
    if outcome.permanent and _policy(outcome.secode):
        return dataclasses.replace(outcome, permanent=False)
    return outcome


def _summary(domain: str, errors: list[DeliveryError]) -> DeliveryError:
    if not errors:
        return DeliveryError(f"no host to deliver to for {domain}", permanent=False)
    if all(isinstance(e, CapabilityError) for e in errors):
        # No host can take the message as it is: retrying will not change that.
        return errors[-1]
    temporary = [e for e in errors if not isinstance(e, CapabilityError)]
    last = temporary[-1]
    # The last attempt's error, which is what an operator looks at first; the others
    # are in the log line of each host.
    detail = "; ".join(e.error for e in temporary[-3:])
    return DeliveryError(detail, permanent=False, code=last.code, secode=last.secode)


def _failure(delivery: Delivery, exc: DeliveryError) -> list[RecipientOutcome]:
    return failure_for_all(
        delivery.recipients,
        permanent=exc.permanent,
        code=exc.code,
        secode=exc.secode,
        error=exc.error,
    )
