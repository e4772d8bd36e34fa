"""`postroom dns records` and `postroom troubleshoot` as service functions: the records a
domain needs compared with what DNS answers, and the delivery path probed step by step."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from postroom.config import RouteConfig, TransportConfig
from postroom.queue.dkimkeys import DKIMKeyStore
from postroom.queue.dnsrecords import RecordStatus, domain_records, expected_spf
from postroom.queue.probe import probe_path
from postroom.queue.session import SessionSettings, SMTPTimeouts
from postroom.resolver import StaticResolver
from tests.delivery.harness import Certificates
from tests.delivery.mta import Behaviour, Fleet

HOST = "mail.sender.test"


async def test_records_of_a_new_domain_are_missing(tmp_path: Path) -> None:
    keys = DKIMKeyStore(tmp_path)
    keys.generate("sender.test", now=datetime(2026, 3, 1, tzinfo=UTC))
    checks = await domain_records(
        "sender.test", hostname=HOST, keys=keys, resolver=StaticResolver()
    )
    assert [(c.purpose, c.name, c.type, c.status) for c in checks] == [
        ("MX", "sender.test", "MX", RecordStatus.MISSING),
        ("SPF", "sender.test", "TXT", RecordStatus.MISSING),
        ("DKIM 20260301a-rsa", "20260301a-rsa._domainkey.sender.test", "TXT",
         RecordStatus.MISSING),
        ("DKIM 20260301a-ed25519", "20260301a-ed25519._domainkey.sender.test", "TXT",
         RecordStatus.MISSING),
        ("DMARC", "_dmarc.sender.test", "TXT", RecordStatus.MISSING),
    ]  # fmt: skip
    assert checks[0].value == f"10 {HOST}."
    assert checks[1].value == "v=spf1 a:mail.sender.test mx ~all"


async def test_published_records_are_checked(tmp_path: Path) -> None:
    keys = DKIMKeyStore(tmp_path)
    (rsa_key, ed_key) = keys.generate("sender.test", now=datetime(2026, 3, 1, tzinfo=UTC))
    other = DKIMKeyStore(tmp_path / "other").generate("sender.test", now=datetime.now(UTC))[0]
    resolver = StaticResolver(
        mx={"sender.test": [(10, HOST)]},
        txt={
            "sender.test": ["google-site-verification=abc", expected_spf(HOST)],
            rsa_key.dns_name: [rsa_key.dns_record],
            # A stale key at the right name: published, but not ours.
            ed_key.dns_name: [other.dns_record],
            "_dmarc.sender.test": ["v=DMARC1; p=reject"],
        },
    )
    checks = await domain_records("sender.test", hostname=HOST, keys=keys, resolver=resolver)
    assert [c.status for c in checks] == [
        RecordStatus.OK, RecordStatus.OK, RecordStatus.OK, RecordStatus.DIFFERENT,
        RecordStatus.OK,
    ]  # fmt: skip
    assert checks[1].published == [expected_spf(HOST)]
    assert checks[3].published == [other.dns_record]


async def test_two_spf_records_and_a_failing_lookup(tmp_path: Path) -> None:
    resolver = StaticResolver(
        mx={"sender.test": [(10, "elsewhere.test")]},
        txt={"sender.test": ["v=spf1 -all", "v=spf1 mx -all"]},
        failing=["_dmarc.sender.test"],
    )
    mx, spf, dmarc = await domain_records(
        "sender.test", hostname=HOST, keys=DKIMKeyStore(tmp_path), resolver=resolver
    )
    assert mx.status is RecordStatus.DIFFERENT and mx.published == ["10 elsewhere.test."]
    assert spf.status is RecordStatus.DIFFERENT and "more than one SPF record" in spf.note
    assert dmarc.status is RecordStatus.UNKNOWN


def _settings(certs: Certificates) -> SessionSettings:
    return SessionSettings(
        local_hostname=HOST,
        timeouts=SMTPTimeouts(greeting_seconds=1, command_seconds=1, data_seconds=1),
        verify_context=certs.client,
    )


async def test_troubleshoot_reports_each_step(mtas: Fleet, certs: Certificates) -> None:
    busy = await mtas.add(Behaviour(greeting="421 4.3.2 busy"))
    wrong = await mtas.add(Behaviour(tls=certs.server("other.example")))
    good = await mtas.add(Behaviour(tls=certs.server("mx3.example.test")))
    resolver = StaticResolver(
        mx={"example.test": [(10, "mx1.example.test"), (20, "mx2.example.test"),
                             (30, "mx3.example.test"), (40, "gone.example.test")]},
        a={"mx1.example.test": [busy.address], "mx2.example.test": [wrong.address],
           "mx3.example.test": [good.address]},
    )  # fmt: skip
    steps = await probe_path(
        "someone@example.test", resolver=resolver, settings=_settings(certs), port=mtas.port,
        max_hosts=4,
    )  # fmt: skip
    port = mtas.port
    assert [(s.step, s.ok) for s in steps] == [
        ("route", True),
        ("MX example.test", True),
        ("addresses mx1.example.test", True),
        (f"connect mx1.example.test {busy.address}:{port}", False),
        ("addresses mx2.example.test", True),
        (f"connect mx2.example.test {wrong.address}:{port}", True),
        ("EHLO", True),
        ("STARTTLS (verified)", False),
        ("STARTTLS (unverified)", True),
        ("addresses mx3.example.test", True),
        (f"connect mx3.example.test {good.address}:{port}", True),
        ("EHLO", True),
        ("STARTTLS (verified)", True),
        ("addresses gone.example.test", False),
    ]
    assert steps[3].detail.startswith("421")
    assert "STARTTLS" in steps[6].detail
    assert steps[12].detail.startswith("TLSv1.")
    # Nothing was sent.
    assert busy.messages == wrong.messages == good.messages == []


async def test_troubleshoot_null_mx_and_routes(mtas: Fleet, certs: Certificates) -> None:
    relay = await mtas.add()
    resolver = StaticResolver(mx={"example.test": [(0, ".")]})
    steps = await probe_path(
        "someone@example.test", resolver=resolver, settings=_settings(certs), port=mtas.port
    )
    assert [(s.step, s.ok) for s in steps][-1] == ("MX example.test", False)
    assert "null MX" in steps[-1].detail
    steps = await probe_path(
        "someone@example.test",
        resolver=resolver,
        settings=_settings(certs),
        routes=[RouteConfig(recipient_domain="example.test", transport="relay")],
        transports={"relay": TransportConfig(host=relay.address, port=mtas.port, tls="none")},
    )
    assert [(s.step, s.ok) for s in steps] == [
        ("route", True), (f"connect {relay.address}:{mtas.port}", True), ("EHLO", True),
    ]  # fmt: skip
    assert steps[0].detail == "transport relay (smarthost)"
