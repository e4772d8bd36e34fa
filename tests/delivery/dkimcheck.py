"""An independent DKIM verifier for tests (RFC 6376 §3.4, §3.7, §6.1; RFC 8463): its own
parsing and relaxed canonicalization, `cryptography` for the signature, and the public
key taken from the TXT record a resolver publishes. It shares no code with the signer."""

from __future__ import annotations

import base64
import hashlib
import re

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa, utils


def _split(message: bytes) -> tuple[list[tuple[str, bytes]], bytes]:
    head, _, body = message.partition(b"\r\n\r\n")
    fields: list[tuple[str, bytes]] = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            name, raw = fields[-1]
            fields[-1] = (name, raw + b"\r\n" + line)
        else:
            fields.append((line.split(b":", 1)[0].decode().lower(), line))
    return fields, body


def _relaxed_header(raw: bytes) -> bytes:
    # RFC 6376 §3.4.2: lower-case name, unfold, compress WSP, trim around the colon.
    name, _, value = raw.partition(b":")
    value = re.sub(rb"[ \t]+", b" ", value.replace(b"\r\n", b"")).strip(b" \t")
    return name.strip().lower() + b":" + value + b"\r\n"


def _relaxed_body(body: bytes) -> bytes:
    # RFC 6376 §3.4.4.
    lines = [re.sub(rb"[ \t]+", b" ", line).rstrip(b" \t") for line in body.split(b"\r\n")]
    text = b"\r\n".join(lines).rstrip(b"\r\n")
    return text + b"\r\n" if text else b""


def _tags(value: bytes) -> dict[str, str]:
    text = re.sub(r"\s+", "", value.decode())
    return dict(part.split("=", 1) for part in text.split(";") if part)


def verify(message: bytes, txt_records: dict[str, list[str]]) -> list[str]:
    """Check every DKIM-Signature; return the `d=`/`s=` of each valid one, raise
    AssertionError for an invalid one."""
    fields, body = _split(message)
    valid = []
    for index, (name, raw) in enumerate(fields):
        if name != "dkim-signature":
            continue
        tags = _tags(raw.partition(b":")[2])
        assert tags["c"] == "relaxed/relaxed", tags
        assert tags["bh"] == base64.b64encode(hashlib.sha256(_relaxed_body(body)).digest()).decode()
        # §5.4.2: each name picks the last unused instance, bottom up.
        used: set[int] = set()
        data = b""
        for wanted in tags["h"].lower().split(":"):
            for position in range(len(fields) - 1, -1, -1):
                if fields[position][0] == wanted and position not in used and position != index:
                    used.add(position)
                    data += _relaxed_header(fields[position][1])
                    break
        name_part, _, value = raw.partition(b":")
        unsigned = name_part + b":" + re.sub(rb"((?:^|;)\s*b\s*=)[^;]*", rb"\1", value)
        data += _relaxed_header(unsigned).rstrip(b"\r\n")
        record = txt_records[f"{tags['s']}._domainkey.{tags['d']}"][0]
        key_tags = _tags(record.encode())
        public = base64.b64decode(key_tags["p"])
        signature = base64.b64decode(tags["b"])
        digest = hashlib.sha256(data).digest()
        try:
            if tags["a"] == "ed25519-sha256":
                assert key_tags["k"] == "ed25519"
                ed25519.Ed25519PublicKey.from_public_bytes(public).verify(signature, digest)
            else:
                assert tags["a"] == "rsa-sha256"
                key = serialization.load_der_public_key(public)
                assert isinstance(key, rsa.RSAPublicKey)
                key.verify(signature, digest, padding.PKCS1v15(), utils.Prehashed(hashes.SHA256()))
        except InvalidSignature:
            raise AssertionError(f"bad {tags['a']} signature by {tags['s']}") from None
        valid.append(f"{tags['d']}/{tags['s']}")
    return valid
