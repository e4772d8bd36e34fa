"""Direct delivery end to end: queue → DKIM signing → MX resolution → scripted MTAs,
and what the queue makes of each answer (retire, retry, suppress, events)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from postroom.queue.runner import QueueRunner, RunnerSettings
from postroom.store.outgoing import QueueMessage, RetiredMessage, Suppression
from tests.delivery.dkimcheck import verify
from tests.delivery.harness import MESSAGE, DeliveryHarness, events
from tests.delivery.mta import Behaviour


async def test_delivers_to_the_mx_host_signed_and_retires(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add()
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    keys = harness.keys.generate("sender.test", now=harness.clock.now())
    harness.resolver.txt_records.update({k.dns_name: [k.dns_record] for k in keys})
    (queued,) = await harness.queue(["someone@example.test"])
    assert await harness.runner.run_once() == 1
    (received,) = mta.messages
    assert received.recipients == ["someone@example.test"]
    assert received.mail_from == f"sender+{queued.from_id}@sender.test"
    assert received.helo == "postroom.sender.test"  # the configured hostname
    assert received.data.startswith(b"DKIM-Signature: ")
    assert sorted(verify(received.data, harness.resolver.txt_records)) == sorted(
        f"sender.test/{k.selector}" for k in keys
    )
    retired = await RetiredMessage.get(id=queued.queue_msg_id)
    assert retired.success
    assert [e[1] for e in await events()] == ["delivered"]


async def test_independent_verifier_rejects_a_changed_message(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add()
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    keys = harness.keys.generate("sender.test", now=harness.clock.now())
    harness.resolver.txt_records.update({k.dns_name: [k.dns_record] for k in keys})
    await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    data = mta.messages[0].data
    for tampered in (
        data.replace(b"Your order has shipped", b"Your order has shipped!"),
        data.replace(b"on its way", b"on its Way"),
    ):
        with pytest.raises(AssertionError):
            verify(tampered, harness.resolver.txt_records)


async def test_unsigned_without_keys_for_the_from_domain(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add()
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    harness.keys.generate("other.test", now=harness.clock.now())
    await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    assert mta.messages[0].data.startswith(b"Received: from test\r\n")


async def test_refused_recipients_in_one_transaction(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add(
        Behaviour(
            refuse={
                "gone@example.test": "550 5.1.1 no such user",
                "busy@example.test": "452 4.2.2 mailbox full",
            }
        )
    )
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    ok, gone, busy = await harness.queue(
        ["ok@example.test", "gone@example.test", "busy@example.test"], fromid=False
    )
    assert await harness.runner.run_once() == 1
    (received,) = mta.messages
    assert received.recipients == ["ok@example.test"]
    assert mta.connections == 1
    assert (await RetiredMessage.get(id=ok.queue_msg_id)).success
    failed = await RetiredMessage.get(id=gone.queue_msg_id)
    assert not failed.success
    assert failed.results[-1]["Code"] == 550 and failed.results[-1]["Secode"] == "1.1"
    # RFC 5321 5.1.1 for a recipient puts it on the account's suppression list.
    assert await Suppression.filter(base_address="gone@example.test").count() == 1
    waiting = await QueueMessage.get(id=busy.queue_msg_id)
    assert waiting.results[-1]["Code"] == 452
    assert waiting.next_attempt > harness.clock.now() + timedelta(minutes=7)
    by_id = {e[0]: e for e in await events()}
    assert by_id[ok.queue_msg_id][1] == "delivered"
    assert by_id[gone.queue_msg_id][1] == "failed"
    assert by_id[gone.queue_msg_id][2]["Suppressing"] is True
    assert by_id[busy.queue_msg_id][1] == "delayed"
    assert by_id[busy.queue_msg_id][2]["SMTPCode"] == 452


async def test_421_greeting_moves_on_to_the_next_mx(harness: DeliveryHarness) -> None:
    busy = await harness.fleet.add(Behaviour(greeting="421 4.3.2 too busy"))
    backup = await harness.fleet.add()
    harness.publish_mx(
        "example.test", (10, "mx1.example.test", busy), (20, "mx2.example.test", backup)
    )
    (queued,) = await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    assert busy.connections == 1 and len(backup.messages) == 1
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success


async def test_all_hosts_failing_is_a_retry(harness: DeliveryHarness) -> None:
    first = await harness.fleet.add(Behaviour(greeting="421 4.3.2 too busy"))
    second = await harness.fleet.add(Behaviour(drop_in_data=True))
    harness.publish_mx(
        "example.test", (10, "mx1.example.test", first), (20, "mx2.example.test", second)
    )
    (queued,) = await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    assert first.connections == 1 and second.connections == 1
    row = await QueueMessage.get(id=queued.queue_msg_id)
    assert row.attempts == 1
    assert "mx2.example.test: DATA" in row.results[-1]["Error"]
    assert [e[1] for e in await events()] == ["delayed"]
    # The retry finds the first host working again.
    first.behaviour.greeting = ""
    harness.clock.advance(timedelta(minutes=8))
    await harness.runner.run_once()
    assert len(first.messages) == 1
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success


async def test_connection_dropped_in_data_goes_to_the_next_mx(harness: DeliveryHarness) -> None:
    dropping = await harness.fleet.add(Behaviour(drop_in_data=True))
    backup = await harness.fleet.add()
    harness.publish_mx(
        "example.test", (10, "mx1.example.test", dropping), (20, "mx2.example.test", backup)
    )
    await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    assert dropping.messages == [] and len(backup.messages) == 1


async def test_permanent_reply_to_mail_from_stops(harness: DeliveryHarness) -> None:
    refusing = await harness.fleet.add(Behaviour(mail_reply="550 5.7.1 sender refused"))
    backup = await harness.fleet.add()
    harness.publish_mx(
        "example.test", (10, "mx1.example.test", refusing), (20, "mx2.example.test", backup)
    )
    (queued,) = await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    retired = await RetiredMessage.get(id=queued.queue_msg_id)
    assert not retired.success
    assert (retired.results[-1]["Code"], retired.results[-1]["Secode"]) == (550, "7.1")
    # As mox does: a permanent error from a host stops; the backup MX is not asked.
    assert backup.connections == 0
    assert [e[1] for e in await events()] == ["failed"]


async def test_message_larger_than_every_host_takes_fails_permanently(
    harness: DeliveryHarness,
) -> None:
    small = await harness.fleet.add(Behaviour(size=100))
    harness.publish_mx("example.test", (10, "mx.example.test", small))
    (queued,) = await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    retired = await RetiredMessage.get(id=queued.queue_msg_id)
    assert not retired.success
    result = retired.results[-1]
    assert (result["Code"], result["Secode"]) == (552, "3.4")
    assert "takes messages up to 100 bytes" in result["Error"]
    assert small.messages == []
    # A size refusal says nothing about the recipient: no suppression.
    assert await Suppression.all().count() == 0


async def test_slow_server_times_out_and_the_next_mx_takes_it(harness: DeliveryHarness) -> None:
    slow = await harness.fleet.add(Behaviour(stall_mail=True))
    backup = await harness.fleet.add()
    harness.publish_mx(
        "example.test", (10, "mx1.example.test", slow), (20, "mx2.example.test", backup)
    )
    (queued,) = await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    assert slow.messages == [] and len(backup.messages) == 1
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success


async def test_one_connection_for_several_messages_to_a_domain(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add()
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    for n in range(3):
        await harness.queue([f"user{n}@example.test"])
        await harness.runner.run_once()
    assert len(mta.messages) == 3
    assert mta.connections == 1


async def test_several_messages_to_a_domain_in_one_claim(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add()
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    queued = [(await harness.queue([f"user{n}@example.test"]))[0] for n in range(5)]
    runner = QueueRunner(
        harness.committer,
        harness.database.reader,
        harness.outbound,
        harness.clock,
        RunnerSettings(hostname="postroom.sender.test", per_domain=4),
    )
    # One domain: four transactions in turn over one connection, then the fifth.
    assert await runner.run_once() == 4
    assert len(mta.messages) == 4 and mta.connections == 1
    assert await runner.run_once() == 1
    assert mta.connections == 1
    retired = await RetiredMessage.filter(id__in=[q.queue_msg_id for q in queued]).all()
    assert len(retired) == 5 and all(r.success for r in retired)


async def test_rcptmax_splits_the_transaction(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add(Behaviour(ehlo_extra=["LIMITS RCPTMAX=2"]))
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    queued = await harness.queue([f"user{n}@example.test" for n in range(5)], fromid=False)
    await harness.runner.run_once()
    # RFC 9422 §4.2: at most two recipients per transaction, one connection.
    assert [len(m.recipients) for m in mta.messages] == [2, 2, 1]
    assert mta.connections == 1
    retired = await RetiredMessage.filter(id__in=[q.queue_msg_id for q in queued]).all()
    assert len(retired) == 5 and all(r.success for r in retired)


async def test_policy_refusal_from_a_dual_stack_host_tries_the_other_family(
    harness: DeliveryHarness,
) -> None:
    ipv6 = await harness.fleet.add(
        Behaviour(mail_reply="550 5.7.1 no mail from IPv6 without reverse DNS"), address="::1"
    )
    ipv4 = await harness.fleet.add()
    harness.resolver.mx_records["example.test"] = [(10, "mx.example.test")]
    harness.resolver.aaaa_records["mx.example.test"] = [ipv6.address]
    harness.resolver.a_records["mx.example.test"] = [ipv4.address]
    (queued,) = await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    assert ipv6.connections == 1 and len(ipv4.messages) == 1
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success


async def test_policy_refusal_of_a_recipient_is_retried_once_from_dual_stack(
    harness: DeliveryHarness,
) -> None:
    mta = await harness.fleet.add(
        Behaviour(refuse={"someone@example.test": "550 5.7.1 policy"}), address="::1"
    )
    harness.resolver.mx_records["example.test"] = [(10, "mx.example.test")]
    harness.resolver.aaaa_records["mx.example.test"] = [mta.address]
    harness.resolver.a_records["mx.example.test"] = ["127.0.0.99"]  # nothing listens
    (queued,) = await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    # As mox does: on the first attempt a 5.7.x from a dual-stack host is temporary …
    row = await QueueMessage.get(id=queued.queue_msg_id)
    assert row.results[-1]["Code"] == 550
    harness.clock.advance(timedelta(minutes=8))
    await harness.runner.run_once()
    # … and on the second it is what it says.
    retired = await RetiredMessage.get(id=queued.queue_msg_id)
    assert not retired.success and retired.attempts == 2
    assert [e[1] for e in await events()] == ["delayed", "failed"]


async def test_a_kept_connection_does_not_stop_the_search_for_a_capable_host(
    harness: DeliveryHarness,
) -> None:
    small = await harness.fleet.add(Behaviour(size=1000))
    large = await harness.fleet.add()
    harness.publish_mx(
        "example.test", (10, "mx1.example.test", small), (20, "mx2.example.test", large)
    )
    await harness.queue(["a@example.test"])
    await harness.runner.run_once()
    big = MESSAGE + b"more of the same\r\n" * 100
    (queued,) = await harness.queue(["b@example.test"], message=big)
    await harness.runner.run_once()
    assert len(small.messages) == 1 and len(large.messages) == 1
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success


async def test_envelope_id_is_sent_to_servers_that_offer_dsn(harness: DeliveryHarness) -> None:
    plain = await harness.fleet.add()
    with_dsn = await harness.fleet.add(Behaviour(ehlo_extra=["DSN"]))
    harness.publish_mx("plain.test", (10, "mx.plain.test", plain))
    harness.publish_mx("dsn.test", (10, "mx.dsn.test", with_dsn))
    await harness.queue(["a@plain.test", "b@dsn.test"])
    await harness.runner.run_once()
    assert not any(o.startswith("ENVID=") for o in plain.messages[0].mail_options)
    # RFC 3461 §4.4: the ID a report without a fromid is matched by (`queue.bounces`).
    (envid,) = [o for o in with_dsn.messages[0].mail_options if o.startswith("ENVID=")]
    second = await RetiredMessage.get(recipient_address="b@dsn.test")
    assert envid == f"ENVID={second.base_id or second.id}"
