"""DKIM private keys as files in the data directory, as mox keeps them.

Layout: `<data_dir>/dkim/<domain>/<selector>.<algorithm>.pem` (PKCS #8, mode 0600),
one file per selector, plus `signing.json` naming the selectors that sign (without
it, every key signs). Keys are generated in pairs, ed25519 (RFC 8463) and RSA-2048
(RFC 8301 §3.2), because receivers that do not know ed25519 ignore that signature
and check the RSA one. Rotation is two steps, so signatures never point at a DNS
record that is not published yet: `generate` adds a pair that does not sign while
the domain has signing keys; `rotate` makes the newest pair the signing one.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from postroom.queue.errors import DKIMKeyError

SIGNING_FILE = "signing.json"
RSA_BITS = 2048
"""RFC 8301 §3.2: at least 1024 bits, 2048 recommended; larger keys do not fit in
one DNS TXT string and some providers mishandle them."""

PrivateKey = ed25519.Ed25519PrivateKey | rsa.RSAPrivateKey


class KeyAlgorithm(StrEnum):
    ED25519 = "ed25519"
    RSA = "rsa"

    @property
    def signature_algorithm(self) -> str:
        """The `a=` tag (RFC 6376 §3.5, RFC 8463 §3)."""
        return "ed25519-sha256" if self is KeyAlgorithm.ED25519 else "rsa-sha256"


@dataclass(frozen=True, slots=True, kw_only=True)
class DKIMKey:
    domain: str
    selector: str
    algorithm: KeyAlgorithm
    path: Path
    signing: bool
    private_key: PrivateKey

    @property
    def dns_name(self) -> str:
        """Where the public key is published (RFC 6376 §3.6.2.1)."""
        return f"{self.selector}._domainkey.{self.domain}"

    @property
    def public_key_base64(self) -> str:
        public = self.private_key.public_key()
        if isinstance(public, ed25519.Ed25519PublicKey):
            # RFC 8463 §4.2: the raw 32-byte key.
            raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        else:
            # RFC 6376 §3.6.1: the DER SubjectPublicKeyInfo.
            raw = public.public_bytes(
                serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        return base64.b64encode(raw).decode("ascii")

    @property
    def dns_record(self) -> str:
        """The TXT record value (RFC 6376 §3.6.1)."""
        kind = "ed25519" if self.algorithm is KeyAlgorithm.ED25519 else "rsa"
        return f"v=DKIM1; k={kind}; h=sha256; p={self.public_key_base64}"


def _check_domain(domain: str) -> str:
    name = domain.strip().rstrip(".").lower()
    if not name or "/" in name or name.startswith(".") or ".." in name or "\\" in name:
        raise DKIMKeyError(f"{domain!r} is not a domain name")
    return name


class DKIMKeyStore:
    """The key files under one directory; loaded keys are cached until a file changes."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._cache: dict[str, tuple[tuple[int, int], list[DKIMKey]]] = {}

    def domains(self) -> list[str]:
        if not self.directory.is_dir():
            return []
        return sorted(p.name for p in self.directory.iterdir() if p.is_dir())

    def keys(self, domain: str) -> list[DKIMKey]:
        """All keys of the domain, newest selector first."""
        folder = self.directory / _check_domain(domain)
        if not folder.is_dir():
            return []
        signing = self._signing_selectors(folder)
        keys = []
        for path in sorted(folder.glob("*.pem"), reverse=True):
            selector, _, algorithm = path.name.removesuffix(".pem").rpartition(".")
            try:
                kind = KeyAlgorithm(algorithm)
            except ValueError:
                raise DKIMKeyError(
                    f"{path}: name must be <selector>.ed25519.pem or <selector>.rsa.pem"
                ) from None
            keys.append(
                DKIMKey(
                    domain=folder.name,
                    selector=selector,
                    algorithm=kind,
                    path=path,
                    signing=signing is None or selector in signing,
                    private_key=_load_key(path, kind),
                )
            )
        return keys

    def signing_keys(self, domain: str) -> list[DKIMKey]:
        """The keys that sign the domain's mail; cheap to call per message (a stat of
        the folder and of its signing file, then the cached keys)."""
        folder = self.directory / domain
        try:
            stamp = (
                folder.stat().st_mtime_ns,
                _mtime(folder / SIGNING_FILE),
            )
        except (FileNotFoundError, NotADirectoryError):
            return []
        cached = self._cache.get(domain)
        if cached is not None and cached[0] == stamp:
            return cached[1]
        keys = [key for key in self.keys(domain) if key.signing]
        self._cache[domain] = (stamp, keys)
        return keys

    def generate(self, domain: str, *, now: datetime) -> list[DKIMKey]:
        """A new ed25519 + RSA pair. It signs at once if the domain has no signing key
        yet; otherwise it waits for `rotate`, after its DNS records are published."""
        name = _check_domain(domain)
        folder = self.directory / name
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        folder.mkdir(exist_ok=True, mode=0o700)
        existing = {key.selector.rsplit("-", 1)[0] for key in self.keys(name)}
        stem = _next_stem(now, existing)
        had_signing = bool(self.signing_keys(name))
        selectors = []
        for kind in KeyAlgorithm:
            key: PrivateKey = (
                ed25519.Ed25519PrivateKey.generate()
                if kind is KeyAlgorithm.ED25519
                else rsa.generate_private_key(public_exponent=65537, key_size=RSA_BITS)
            )
            selector = f"{stem}-{kind.value}"
            pem = key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
            _write_private(folder / f"{selector}.{kind.value}.pem", pem)
            selectors.append(selector)
        if not had_signing:
            self._write_signing(folder, selectors)
        elif not (folder / SIGNING_FILE).exists():
            # Until now every file signed; keep it so for the old ones only.
            old = [k.selector for k in self.keys(name) if k.selector not in selectors]
            self._write_signing(folder, old)
        return [key for key in self.keys(name) if key.selector in selectors]

    def rotate(self, domain: str) -> tuple[list[DKIMKey], list[DKIMKey]]:
        """Make the newest pair the signing keys; return (now signing, retired). The
        retired keys stay until removed, so their DNS records can stay published while
        messages signed with them are still on their way."""
        name = _check_domain(domain)
        keys = self.keys(name)
        if not keys:
            raise DKIMKeyError(f"no DKIM keys for {name}: run `postroom dkim generate {name}`")
        newest = keys[0].selector.rsplit("-", 1)[0]
        signing = [k.selector for k in keys if k.selector.rsplit("-", 1)[0] == newest]
        self._write_signing(self.directory / name, signing)
        keys = self.keys(name)
        return [k for k in keys if k.signing], [k for k in keys if not k.signing]

    def remove(self, domain: str, selector: str) -> Path:
        """Delete a key that does not sign (rotate first)."""
        for key in self.keys(domain):
            if key.selector == selector:
                if key.signing:
                    raise DKIMKeyError(
                        f"{selector} still signs {key.domain}'s mail: rotate to a newer key first"
                    )
                key.path.unlink()
                return key.path
        raise DKIMKeyError(f"{domain} has no DKIM key with selector {selector}")

    def _signing_selectors(self, folder: Path) -> set[str] | None:
        path = folder / SIGNING_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise DKIMKeyError(f"{path}: cannot read: {exc}") from exc
        selectors = data.get("sign") if isinstance(data, dict) else None
        if not isinstance(selectors, list) or not all(isinstance(s, str) for s in selectors):
            raise DKIMKeyError(f'{path}: must be {{"sign": ["selector", ...]}}')
        return set(selectors)

    def _write_signing(self, folder: Path, selectors: list[str]) -> None:
        text = json.dumps({"sign": sorted(selectors)}, indent=2) + "\n"
        temporary = folder / (SIGNING_FILE + ".new")
        temporary.write_text(text, encoding="utf-8")
        os.replace(temporary, folder / SIGNING_FILE)


def _mtime(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except FileNotFoundError:
        return 0


def _next_stem(now: datetime, existing: set[str]) -> str:
    day = now.strftime("%Y%m%d")
    for letter in "abcdefghijklmnopqrstuvwxyz":
        if f"{day}{letter}" not in existing:
            return f"{day}{letter}"
    raise DKIMKeyError(f"more than 26 DKIM key pairs generated on {day}")


def _write_private(path: Path, data: bytes) -> None:
    # O_EXCL: never overwrite a key; 0600: only the server's user reads it.
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)


def _load_key(path: Path, kind: KeyAlgorithm) -> PrivateKey:
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError, TypeError) as exc:
        raise DKIMKeyError(f"{path}: not a readable PEM private key: {exc}") from exc
    if kind is KeyAlgorithm.ED25519 and isinstance(key, ed25519.Ed25519PrivateKey):
        return key
    if kind is KeyAlgorithm.RSA and isinstance(key, rsa.RSAPrivateKey):
        return key
    raise DKIMKeyError(f"{path}: not an {kind.value} private key")
