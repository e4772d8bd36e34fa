"""STARTTLS and the extensions a message may need: opportunistic TLS, RequireTLS
(RFC 8689) with verified certificates, fallback to plaintext, SMTPUTF8 and 8BITMIME."""

from __future__ import annotations

from postroom.store.outgoing import QueueMessage, RetiredMessage, Suppression
from tests.delivery.harness import Certificates, DeliveryHarness, events
from tests.delivery.mta import Behaviour

UTF8_MESSAGE = (
    "From: <sender@sender.test>\r\nTo: <jürgen@example.test>\r\nSubject: Grüße\r\n"
    "Message-Id: <m2@sender.test>\r\n\r\nHallo Jürgen\r\n"
).encode()


async def test_opportunistic_starttls(harness: DeliveryHarness, certs: Certificates) -> None:
    # A certificate for another name: opportunistic TLS does not verify (RFC 7435).
    mta = await harness.fleet.add(Behaviour(tls=certs.server("other.example")))
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    (received,) = mta.messages
    assert received.tls


async def test_failed_starttls_falls_back_to_plaintext(
    harness: DeliveryHarness, certs: Certificates
) -> None:
    mta = await harness.fleet.add(
        Behaviour(tls=certs.server("mx.example.test"), broken_starttls=True)
    )
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    (queued,) = await harness.queue(["someone@example.test"], require_tls=False)
    await harness.runner.run_once()
    (received,) = mta.messages
    assert not received.tls
    assert mta.connections == 2
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success


async def test_server_requiring_starttls(harness: DeliveryHarness, certs: Certificates) -> None:
    mta = await harness.fleet.add(
        Behaviour(tls=certs.server("mx.example.test"), require_starttls=True)
    )
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    await harness.queue(["someone@example.test"])
    await harness.runner.run_once()
    assert mta.messages[0].tls


async def test_require_tls_verified_and_requested(
    harness: DeliveryHarness, certs: Certificates
) -> None:
    mta = await harness.fleet.add(Behaviour(tls=certs.server("mx.example.test"), requiretls=True))
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    (queued,) = await harness.queue(["someone@example.test"], require_tls=True)
    await harness.runner.run_once()
    (received,) = mta.messages
    assert received.tls
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success


async def test_require_tls_skips_hosts_that_cannot(
    harness: DeliveryHarness, certs: Certificates
) -> None:
    plain = await harness.fleet.add()
    wrong_name = await harness.fleet.add(
        Behaviour(tls=certs.server("other.example"), requiretls=True)
    )
    good = await harness.fleet.add(Behaviour(tls=certs.server("mx3.example.test"), requiretls=True))
    harness.publish_mx(
        "example.test",
        (10, "mx1.example.test", plain),
        (20, "mx2.example.test", wrong_name),
        (30, "mx3.example.test", good),
    )
    (queued,) = await harness.queue(["someone@example.test"], require_tls=True)
    await harness.runner.run_once()
    assert plain.messages == [] and wrong_name.messages == []
    assert len(good.messages) == 1
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success


async def test_require_tls_without_any_capable_host_fails_permanently(
    harness: DeliveryHarness, certs: Certificates
) -> None:
    no_tls = await harness.fleet.add()
    no_extension = await harness.fleet.add(Behaviour(tls=certs.server("mx2.example.test")))
    harness.publish_mx(
        "example.test", (10, "mx1.example.test", no_tls), (20, "mx2.example.test", no_extension)
    )
    (queued,) = await harness.queue(["someone@example.test"], require_tls=True)
    await harness.runner.run_once()
    retired = await RetiredMessage.get(id=queued.queue_msg_id)
    assert not retired.success
    result = retired.results[-1]
    # RFC 8689 §5: 554 5.7.30 when no host can do REQUIRETLS.
    assert (result["Code"], result["Secode"]) == (554, "7.30")
    assert no_tls.messages == [] and no_extension.messages == []
    assert await Suppression.all().count() == 0


async def test_require_tls_with_a_bad_certificate_is_retried(
    harness: DeliveryHarness, certs: Certificates
) -> None:
    mta = await harness.fleet.add(Behaviour(tls=certs.server("other.example"), requiretls=True))
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    (queued,) = await harness.queue(["someone@example.test"], require_tls=True)
    await harness.runner.run_once()
    row = await QueueMessage.get(id=queued.queue_msg_id)
    assert "STARTTLS failed" in row.results[-1]["Error"]
    assert mta.messages == []
    assert [e[1] for e in await events()] == ["delayed"]


async def test_smtputf8_needed_but_not_offered(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add(Behaviour(smtputf8=False))
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    (queued,) = await harness.queue(["jürgen@example.test"], message=UTF8_MESSAGE, smtputf8=True)
    await harness.runner.run_once()
    retired = await RetiredMessage.get(id=queued.queue_msg_id)
    assert not retired.success
    assert "does not support SMTPUTF8" in retired.results[-1]["Error"]
    assert mta.messages == []


async def test_smtputf8_offered(harness: DeliveryHarness) -> None:
    mta = await harness.fleet.add()
    harness.publish_mx("example.test", (10, "mx.example.test", mta))
    (queued,) = await harness.queue(["jürgen@example.test"], message=UTF8_MESSAGE, smtputf8=True)
    await harness.runner.run_once()
    (received,) = mta.messages
    assert received.recipients == ["jürgen@example.test"]
    assert "SMTPUTF8" in received.mail_options
    assert "BODY=8BITMIME" in received.mail_options
    assert (await RetiredMessage.get(id=queued.queue_msg_id)).success
