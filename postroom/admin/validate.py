"""Checking names the admin API is given: domain names, addresses, account names,
catch-all separators and passwords, each failing with its own error code."""

from __future__ import annotations

import re
from collections.abc import Sequence

from postroom.admin.errors import AdminCode, AdminError
from postroom.auth import hash_password, is_password_hash
from postroom.mail import Address, AddressError, parse_address

_ACCOUNT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}")
MAX_PASSWORD_LENGTH = 1024


def domain_name(text: str) -> str:
    """The normalized (lower-case) domain name, or AdminError `badDomain`."""
    text = text.strip().rstrip(".")
    if not text or "@" in text or "[" in text:
        raise AdminError(AdminCode.BAD_DOMAIN, f"invalid domain name {text!r}")
    try:
        return parse_address(f"x@{text}").domain.lower()
    except AddressError as exc:
        raise AdminError(AdminCode.BAD_DOMAIN, f"invalid domain name {text!r}: {exc}") from exc


def address(text: str) -> Address:
    """The parsed address, or AdminError `badAddress`."""
    try:
        return parse_address(text.strip())
    except AddressError as exc:
        raise AdminError(AdminCode.BAD_ADDRESS, f"parsing address {text!r}: {exc}") from exc


def account_name(text: str) -> str:
    if not _ACCOUNT_NAME.fullmatch(text):
        raise AdminError(
            AdminCode.USER,
            f"invalid account name {text!r}: 1 to 200 letters, digits, '.', '-', '_', '@' or '+',"
            " starting with a letter or digit",
        )
    return text


def separators(values: Sequence[str]) -> list[str]:
    for value in values:
        if not value or len(value) > 4 or "@" in value or any(c.isalnum() for c in value):
            raise AdminError(
                AdminCode.USER,
                f"invalid catch-all separator {value!r}: 1 to 4 characters, not letters,"
                " digits or '@'",
            )
    return list(dict.fromkeys(values))


INT32_MAX = 2**31 - 1
"""The largest value of the int32 columns (PostgreSQL `integer`) limits are stored in."""
MAX_FILTER_IDS = 1000
"""The most IDs one filter may list (each becomes a query parameter)."""


def non_negative(name: str, value: int) -> int:
    if value < 0:
        raise AdminError(AdminCode.USER, f"{name} cannot be negative")
    if value > INT32_MAX:
        raise AdminError(AdminCode.USER, f"{name} must be at most {INT32_MAX}")
    return value


def row_id(value: int) -> int:
    """An ID to look up in an int32 `id` column. A value outside int32 names no row,
    and PostgreSQL would refuse it as a parameter, so it becomes -1, which no row has."""
    return value if -INT32_MAX <= value <= INT32_MAX else -1


def filter_ids(values: Sequence[int]) -> tuple[int, ...]:
    if len(values) > MAX_FILTER_IDS:
        raise AdminError(AdminCode.USER, f"IDs may list at most {MAX_FILTER_IDS} IDs")
    return tuple(values)


def password_hash(password: str, given_hash: str, *, required: bool) -> str:
    """The hash to store for a password or a given crypt hash ("" for none, if allowed)."""
    if password and given_hash:
        raise AdminError(AdminCode.BAD_PASSWORD, "give Password or PasswordHash, not both")
    if given_hash:
        if not is_password_hash(given_hash):
            raise AdminError(
                AdminCode.BAD_PASSWORD,
                "unknown password hash format; use $6$ (SHA-512-crypt), $2b$ (bcrypt)"
                " or $argon2id$",
            )
        return given_hash
    if not password:
        if required:
            raise AdminError(AdminCode.BAD_PASSWORD, "the password cannot be empty")
        return ""
    if len(password) > MAX_PASSWORD_LENGTH or any(ord(c) < 32 for c in password):
        raise AdminError(
            AdminCode.BAD_PASSWORD,
            f"a password has at most {MAX_PASSWORD_LENGTH} characters and no control characters",
        )
    return hash_password(password)
