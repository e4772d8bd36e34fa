"""Verifying password hashes made by other systems, in the common crypt(3) formats.

Accounts provisioned from elsewhere (`postroom apply`) may carry a hash instead of a
password: SHA-512-crypt (`$6$`, glibc's default), bcrypt (`$2a$`/`$2b$`/`$2y$`) and
Argon2id (`$argon2id$`). They are verified as they are; logins then go through the
credential cache like any other, so the slow hash runs once per client and password.
"""

from __future__ import annotations

import hashlib
import hmac

import argon2
import bcrypt

CRYPT_PREFIXES = ("$6$", "$2a$", "$2b$", "$2y$", "$argon2id$")

# The crypt(3) base-64 alphabet (not RFC 4648's).
_ALPHABET = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SHA512_DEFAULT_ROUNDS = 5000
_SHA512_MIN_ROUNDS = 1000
_SHA512_MAX_ROUNDS = 999_999_999
# The byte order of the final encoding, from "Unix crypt using SHA-256 and SHA-512"
# (Drepper, 2007), step 22 for SHA-512: groups of three bytes, then the last one.
_SHA512_ORDER = [
    (0, 21, 42), (22, 43, 1), (44, 2, 23), (3, 24, 45), (25, 46, 4), (47, 5, 26),
    (6, 27, 48), (28, 49, 7), (50, 8, 29), (9, 30, 51), (31, 52, 10), (53, 11, 32),
    (12, 33, 54), (34, 55, 13), (56, 14, 35), (15, 36, 57), (37, 58, 16), (59, 17, 38),
    (18, 39, 60), (40, 61, 19), (62, 20, 41),
]  # fmt: skip


def is_crypt_hash(stored: str) -> bool:
    return stored.startswith(CRYPT_PREFIXES)


def verify_crypt(password: bytes, stored: str) -> bool:
    """True if `password` matches a crypt-format `stored` hash; malformed hashes match nothing."""
    if stored.startswith("$6$"):
        computed = sha512_crypt(password, stored)
        return computed is not None and hmac.compare_digest(computed, stored)
    if stored.startswith(("$2a$", "$2b$", "$2y$")):
        try:
            # The $2y$ variant (PHP) is the same algorithm as $2b$.
            return bcrypt.checkpw(password, ("$2b$" + stored[4:]).encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            return False
    if stored.startswith("$argon2id$"):
        try:
            return argon2.PasswordHasher().verify(stored, password)
        except (argon2.exceptions.VerificationError, argon2.exceptions.InvalidHashError):
            return False
    return False


def sha512_crypt(password: bytes, setting: str) -> str | None:
    """SHA-512-crypt of `password` with the salt and rounds of `setting` (a `$6$` hash or
    its settings part), or None if `setting` is malformed."""
    parts = setting.split("$")
    if len(parts) < 3 or parts[0] != "" or parts[1] != "6":
        return None
    rounds, explicit = _SHA512_DEFAULT_ROUNDS, False
    salt_field = parts[2]
    if salt_field.startswith("rounds="):
        if len(parts) < 4:
            return None
        try:
            rounds = int(salt_field[len("rounds=") :])
        except ValueError:
            return None
        rounds = min(max(rounds, _SHA512_MIN_ROUNDS), _SHA512_MAX_ROUNDS)
        explicit, salt_field = True, parts[3]
    salt = salt_field[:16].encode("ascii", "replace")
    digest = _sha512_crypt_digest(password, salt, rounds)
    prefix = f"$6$rounds={rounds}$" if explicit else "$6$"
    return prefix + salt.decode("ascii") + "$" + _encode(digest)


def _sha512_crypt_digest(password: bytes, salt: bytes, rounds: int) -> bytes:
    size = 64
    b = hashlib.sha512(password + salt + password).digest()
    a = hashlib.sha512(password + salt)
    a.update(_repeat(b, len(password), size))
    length = len(password)
    while length > 0:
        a.update(b if length & 1 else password)
        length >>= 1
    a_digest = a.digest()
    p_bytes = _repeat(hashlib.sha512(password * len(password)).digest(), len(password), size)
    s_bytes = _repeat(hashlib.sha512(salt * (16 + a_digest[0])).digest(), len(salt), size)
    c = a_digest
    for index in range(rounds):
        step = hashlib.sha512(p_bytes if index & 1 else c)
        if index % 3:
            step.update(s_bytes)
        if index % 7:
            step.update(p_bytes)
        step.update(c if index & 1 else p_bytes)
        c = step.digest()
    return c


def _repeat(block: bytes, length: int, size: int) -> bytes:
    return block * (length // size) + block[: length % size]


def _encode(digest: bytes) -> str:
    out: list[str] = []
    for first, second, third in _SHA512_ORDER:
        value = (digest[first] << 16) | (digest[second] << 8) | digest[third]
        out.extend(_ALPHABET[(value >> (6 * i)) & 0x3F] for i in range(4))
    value = digest[63]
    out.extend(_ALPHABET[(value >> (6 * i)) & 0x3F] for i in range(2))
    return "".join(out)
