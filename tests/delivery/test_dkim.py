"""DKIM keys on disk and their rotation; signatures checked by an independent verifier
and by dkimpy's own; the records `postroom dkim` prints."""

from __future__ import annotations

import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import dkim
import pytest

from postroom.clock import ManualClock
from postroom.queue.dkim import DKIMSigningTransport, sign_message
from postroom.queue.dkimkeys import DKIMKeyStore, KeyAlgorithm
from postroom.queue.errors import DKIMKeyError
from postroom.queue.routes import DropTransport
from tests.delivery.dkimcheck import verify
from tests.delivery.harness import MESSAGE

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def _published(store: DKIMKeyStore, domain: str) -> dict[str, list[str]]:
    return {key.dns_name: [key.dns_record] for key in store.keys(domain)}


def test_generate_writes_private_files_and_signs_at_once(tmp_path: Path) -> None:
    store = DKIMKeyStore(tmp_path / "dkim")
    keys = store.generate("Sender.Test", now=NOW)
    assert {(k.selector, k.algorithm) for k in keys} == {
        ("20260301a-ed25519", KeyAlgorithm.ED25519),
        ("20260301a-rsa", KeyAlgorithm.RSA),
    }
    for key in keys:
        assert key.path.parent == tmp_path / "dkim" / "sender.test"
        assert stat.S_IMODE(key.path.stat().st_mode) == 0o600
        assert key.signing
    assert stat.S_IMODE((tmp_path / "dkim").stat().st_mode) == 0o700
    rsa_key = next(k for k in keys if k.algorithm is KeyAlgorithm.RSA)
    assert rsa_key.private_key.key_size == 2048  # type: ignore[union-attr]
    assert rsa_key.dns_record.startswith("v=DKIM1; k=rsa; h=sha256; p=MIIB")


def test_rotation_is_generate_then_rotate(tmp_path: Path) -> None:
    store = DKIMKeyStore(tmp_path)
    first = {k.selector for k in store.generate("sender.test", now=NOW)}
    second = {k.selector for k in store.generate("sender.test", now=NOW)}
    assert second == {"20260301b-ed25519", "20260301b-rsa"}
    # The new pair waits until its DNS records are published.
    assert {k.selector for k in store.signing_keys("sender.test")} == first
    signing, retired = store.rotate("sender.test")
    assert {k.selector for k in signing} == second
    assert {k.selector for k in retired} == first
    assert {k.selector for k in store.signing_keys("sender.test")} == second
    with pytest.raises(DKIMKeyError, match="still signs"):
        store.remove("sender.test", "20260301b-rsa")
    store.remove("sender.test", "20260301a-rsa")
    assert len(store.keys("sender.test")) == 3


def test_unreadable_key_file_is_a_clear_error(tmp_path: Path) -> None:
    store = DKIMKeyStore(tmp_path)
    (tmp_path / "sender.test").mkdir()
    (tmp_path / "sender.test" / "s1.rsa.pem").write_text("not a key")
    with pytest.raises(DKIMKeyError, match=r"s1\.rsa\.pem: not a readable PEM private key"):
        store.signing_keys("sender.test")


@pytest.mark.parametrize("domain", ["../etc", "", "a/b", ".hidden"])
def test_domain_names_cannot_leave_the_directory(tmp_path: Path, domain: str) -> None:
    with pytest.raises(DKIMKeyError):
        DKIMKeyStore(tmp_path).generate(domain, now=NOW)


def test_signatures_verify_independently_and_with_dkimpy(tmp_path: Path) -> None:
    store = DKIMKeyStore(tmp_path)
    store.generate("sender.test", now=NOW)
    headers = sign_message(MESSAGE, store.signing_keys("sender.test"), timestamp=1772366400)
    signed = headers + MESSAGE
    published = _published(store, "sender.test")
    assert len(verify(signed, published)) == 2

    def dnsfunc(name: bytes, timeout: int = 5) -> bytes:
        return published[name.decode().rstrip(".")][0].encode()

    checker = dkim.DKIM(signed)
    assert checker.verify(idx=0, dnsfunc=dnsfunc)
    assert checker.verify(idx=1, dnsfunc=dnsfunc)
    # Oversigning (RFC 6376 §8.15): an added Subject breaks the signature.
    forged = headers + b"Subject: act now\r\n" + MESSAGE
    with pytest.raises(AssertionError):
        verify(forged, published)


def test_a_rotated_key_signs_the_next_message(tmp_path: Path) -> None:
    store = DKIMKeyStore(tmp_path)
    store.generate("sender.test", now=NOW)
    signer = DKIMSigningTransport(DropTransport(), store, ManualClock(NOW))
    assert b"s=20260301a-" in signer.sign(MESSAGE)
    store.generate("sender.test", now=NOW)
    store.rotate("sender.test")
    signed = signer.sign(MESSAGE)
    assert b"s=20260301b-" in signed and b"s=20260301a-" not in signed
    assert len(verify(signed, _published(store, "sender.test"))) == 2


def _postroom(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "postroom.cli", *args, "--dir", str(directory)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip


def test_cli_generate_list_rotate(tmp_path: Path) -> None:
    (tmp_path / "postroom.toml").write_text('data_dir = "."\nhostname = "mail.sender.test"\n')
    generated = _postroom(tmp_path, "dkim", "generate", "sender.test")
    assert generated.returncode == 0, generated.stderr
    assert '._domainkey.sender.test. TXT "v=DKIM1; k=ed25519; h=sha256; p=' in generated.stdout
    # An RSA-2048 record is split into strings of at most 255 characters (RFC 1035).
    rsa_line = next(line for line in generated.stdout.splitlines() if "k=rsa" in line)
    strings = rsa_line.split("TXT ", 1)[1].split('" "')
    assert len(strings) == 2 and all(len(s.strip('"')) <= 255 for s in strings)
    again = _postroom(tmp_path, "dkim", "generate", "sender.test")
    assert "postroom dkim rotate sender.test" in again.stdout
    listing = _postroom(tmp_path, "dkim", "list").stdout.splitlines()
    assert [line.split("\t")[3] for line in listing] == ["not signing"] * 2 + ["signing"] * 2
    rotated = _postroom(tmp_path, "dkim", "rotate", "sender.test")
    assert "no longer signing" in rotated.stdout
    missing = _postroom(tmp_path, "dkim", "rotate", "other.test")
    assert missing.returncode != 0
    assert "no DKIM keys for other.test" in missing.stderr
