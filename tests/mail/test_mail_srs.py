"""SRS addresses: round trip, forgery, damage and expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from postroom.mail import Address, SRSError, is_srs, srs_decode, srs_encode

SECRET = b"0123456789abcdef0123456789abcdef"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SENDER = Address(localpart="Alice.Smith", domain="example.org")


def test_round_trip_keeps_the_sender() -> None:
    rewritten = srs_encode(SENDER, "forward.example", SECRET, NOW)
    assert rewritten.domain == "forward.example"
    assert is_srs(rewritten.localpart)
    assert rewritten.localpart.endswith("=example.org=Alice.Smith")
    assert srs_decode(rewritten, SECRET, NOW) == SENDER


def test_case_changed_on_the_way_still_decodes() -> None:
    rewritten = srs_encode(SENDER, "forward.example", SECRET, NOW)
    shouted = Address(localpart=rewritten.localpart.upper(), domain=rewritten.domain)
    decoded = srs_decode(shouted, SECRET, NOW)
    assert decoded.domain == "example.org"
    assert decoded.localpart.lower() == "alice.smith"


def test_a_localpart_with_equals_signs_survives() -> None:
    sender = Address(localpart="a=b=c", domain="example.org")
    assert srs_decode(srs_encode(sender, "f.example", SECRET, NOW), SECRET, NOW) == sender


def test_another_secret_is_refused() -> None:
    rewritten = srs_encode(SENDER, "forward.example", SECRET, NOW)
    with pytest.raises(SRSError, match="not made by this server"):
        srs_decode(rewritten, b"another secret", NOW)


def test_a_changed_destination_is_refused() -> None:
    rewritten = srs_encode(SENDER, "forward.example", SECRET, NOW)
    forged = Address(
        localpart=rewritten.localpart.replace("example.org", "victim.example"),
        domain=rewritten.domain,
    )
    with pytest.raises(SRSError, match="not made by this server"):
        srs_decode(forged, SECRET, NOW)


def test_expiry_after_21_days() -> None:
    rewritten = srs_encode(SENDER, "forward.example", SECRET, NOW)
    assert srs_decode(rewritten, SECRET, NOW + timedelta(days=21)) == SENDER
    with pytest.raises(SRSError, match="expired"):
        srs_decode(rewritten, SECRET, NOW + timedelta(days=22))
    # A timestamp from the future (or 1,000 days old) is no better.
    with pytest.raises(SRSError, match="expired"):
        srs_decode(rewritten, SECRET, NOW - timedelta(days=1))


@pytest.mark.parametrize(
    "localpart",
    ["alice", "SRS0=", "SRS0=abc=de=example.org", "SRS0=abcdef=!!=example.org=a", "SRS0==aa=x=y"],
)
def test_malformed_addresses_are_refused(localpart: str) -> None:
    with pytest.raises(SRSError):
        srs_decode(Address(localpart=localpart, domain="forward.example"), SECRET, NOW)
