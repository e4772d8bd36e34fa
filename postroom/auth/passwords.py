"""Password hashes: scrypt (RFC 7914) from the standard library, in a self-describing string.

Format: `scrypt$<log2 n>$<r>$<p>$<salt base64>$<hash base64>`, so the cost can be
raised later without invalidating stored hashes. Hashes in crypt(3) formats made by
other systems are verified too (`auth.crypthash`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import unicodedata

from postroom.auth.crypthash import is_crypt_hash, verify_crypt

# RFC 7914 §2 suggests N=2^20 for interactive logins with a 100 ms budget on 2009
# hardware; 2^15 with r=8 costs 32 MiB and about 0.1 s here, and verified logins
# are cached, so the cost is paid once per client and password, not per request.
LOG2_N = 15
BLOCK_SIZE = 8
PARALLELISM = 1
_MAX_MEMORY = 64 * 1024 * 1024


def _normalize(password: str) -> bytes:
    # RFC 8265 §4.2 (OpaqueString) maps width and compatibility forms with NFC;
    # NFC alone keeps composed and decomposed forms of the same password equal.
    return unicodedata.normalize("NFC", password).encode("utf-8")


def _scrypt(password: bytes, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password, salt=salt, n=1 << log2_n, r=r, p=p, maxmem=_MAX_MEMORY)


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(_normalize(password), salt, LOG2_N, BLOCK_SIZE, PARALLELISM)
    encode = base64.b64encode
    return (
        f"scrypt${LOG2_N}${BLOCK_SIZE}${PARALLELISM}$"
        f"{encode(salt).decode()}${encode(digest).decode()}"
    )


def verify_password(password: str, stored: str) -> bool:
    """True if `password` matches `stored`. An empty or malformed hash matches nothing."""
    if is_crypt_hash(stored):
        return verify_crypt(_normalize(password), stored)
    parts = stored.split("$")
    if len(parts) != 6 or parts[0] != "scrypt":
        return False
    try:
        log2_n, r, p = int(parts[1]), int(parts[2]), int(parts[3])
        salt = base64.b64decode(parts[4], validate=True)
        expected = base64.b64decode(parts[5], validate=True)
    except ValueError:
        return False
    if not (1 <= log2_n <= 20 and 1 <= r <= 32 and 1 <= p <= 16):
        return False
    actual = _scrypt(_normalize(password), salt, log2_n, r, p)
    return hmac.compare_digest(actual, expected)


def is_password_hash(stored: str) -> bool:
    """Whether `stored` is in a format `verify_password` understands (not whether it is
    well-formed in every detail)."""
    if is_crypt_hash(stored):
        return True
    parts = stored.split("$")
    return len(parts) == 6 and parts[0] == "scrypt"
