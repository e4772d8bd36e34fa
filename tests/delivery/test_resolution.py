"""Finding the hosts: MX order, implicit MX, null MX, NXDOMAIN and SERVFAIL, CNAMEs,
IPv6 before IPv4, and address literals — as the queue sees them."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from postroom.queue.errors import DeliveryError
from postroom.queue.mxhosts import address_literal, next_hops
from postroom.queue.transport import Delivery
from postroom.resolver import StaticResolver
from postroom.store.outgoing import QueueMessage, RetiredMessage
from tests.delivery.harness import MESSAGE, DeliveryHarness, events


async def test_mx_preference_order_with_random_order_among_equals() -> None:
    resolver = StaticResolver(
        mx={"example.test": [(20, "c.example.test"), (10, "a.example.test"),
                             (10, "b.example.test"), (30, "d.example.test")]}
    )  # fmt: skip
    orders = Counter()
    rng = random.Random(7)
    for _ in range(200):
        hops = await next_hops(resolver, "example.test", rng)
        orders[tuple(h.host for h in hops)] += 1
    # RFC 5321 §5.1: preference first; the two at 10 in both orders.
    assert set(orders) == {
        ("a.example.test", "b.example.test", "c.example.test", "d.example.test"),
        ("b.example.test", "a.example.test", "c.example.test", "d.example.test"),
    }
    assert min(orders.values()) > 50


@pytest.mark.parametrize(
    ("domain", "literal"),
    [("[192.0.2.1]", "192.0.2.1"), ("[IPv6:2001:db8::1]", "2001:db8::1"), ("example.com", "")],
)
def test_address_literals(domain: str, literal: str) -> None:
    assert address_literal(domain) == literal


def test_malformed_address_literal_is_permanent() -> None:
    with pytest.raises(DeliveryError) as caught:
        address_literal("[300.1.1.1]")
    assert caught.value.permanent


async def test_null_mx_fails_permanently_without_connecting(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add()
    harness.resolver.mx_records["example.test"] = [(0, ".")]
    harness.resolver.a_records["example.test"] = [mta.address]
    (queued,) = await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    retired = await RetiredMessage.get(id=queued.queue_msg_id)
    assert not retired.success
    assert "null MX" in retired.results[-1]["Error"]
    assert mta.connections == 0
    assert ("A", "example.test") not in harness.resolver.queries
    (event,) = await events()
    assert event[1] == "failed" and event[2]["Suppressing"] is False


async def test_nxdomain_is_permanent(harness: DeliveryHarness) -> None:
    (queued,) = await harness.queue(["someone@nowhere.test"])
    await harness.runner.run_once()
    retired = await RetiredMessage.get(id=queued.queue_msg_id)
    assert not retired.success
    assert "no such domain" in retired.results[-1]["Error"]


async def test_servfail_is_temporary(harness: DeliveryHarness) -> None:
    harness.resolver.failing.add("example.test")
    (queued,) = await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    row = await QueueMessage.get(id=queued.queue_msg_id)
    assert "SERVFAIL" in row.results[-1]["Error"]
    assert [e[1] for e in await events()] == ["delayed"]


async def test_implicit_mx_through_a_cname(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add()
    # RFC 5321 §5.1: no MX records, so the domain's own address; it is an alias.
    harness.resolver.cnames["example.test"] = "host.provider.test"
    harness.resolver.a_records["host.provider.test"] = [mta.address]
    (queued,) = await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    assert len(mta.messages) == 1
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success


async def test_mx_host_that_does_not_resolve_is_skipped(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add()
    harness.resolver.mx_records["example.test"] = [
        (10, "gone.example.test"),
        (20, "mx.example.test"),
    ]
    harness.resolver.a_records["mx.example.test"] = [mta.address]
    (queued,) = await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success


async def test_ipv6_first_then_ipv4(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add()
    harness.resolver.mx_records["example.test"] = [(10, "mx.example.test")]
    # Nothing listens on [::1] at the MTAs' port: the IPv4 address gets it.
    harness.resolver.aaaa_records["mx.example.test"] = ["::1"]
    harness.resolver.a_records["mx.example.test"] = [mta.address]
    (queued,) = await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    assert len(mta.messages) == 1
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success


async def test_ipv6_delivery(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add(address="::1")
    harness.resolver.mx_records["example.test"] = [(10, "mx.example.test")]
    harness.resolver.aaaa_records["mx.example.test"] = ["::1"]
    harness.resolver.a_records["mx.example.test"] = ["127.0.0.1"]
    await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    assert len(mta.messages) == 1


async def test_address_literal_recipient(harness: DeliveryHarness) -> None:
    # Submission refuses address literals (as mox does); the transport still handles
    # them (RFC 5321 §4.1.3), e.g. for a message set to one by other means.
    mta = await harness.fleet.add()
    recipient = f"someone@[{mta.address}]"
    delivery = Delivery(mail_from="sender@sender.test", recipients=[recipient], data=MESSAGE)
    (outcome,) = await harness.outbound.direct.deliver(delivery)
    assert outcome.success
    assert mta.messages[0].recipients == [recipient]
    assert harness.resolver.queries == []
