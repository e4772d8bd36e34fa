"""Verifying a login (address and password) with a cache of verified credentials.

scrypt costs ~0.1 s by design, so verified credentials are remembered: the cache
maps an HMAC of (login, password) under a per-process random key to the account
and the password hash it was checked against. A hit skips scrypt but still reads
the account, so a changed password or a disabled login takes effect at once.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
from collections import OrderedDict
from dataclasses import dataclass

from postroom.auth.apikeys import KeyRecord, KeyScope, find_key
from postroom.auth.directory import find_login_address, first_login_address
from postroom.auth.errors import AuthError, LoginDisabledError, RateLimitedError
from postroom.auth.passwords import hash_password, verify_password
from postroom.auth.ratelimit import FailedLoginLimiter
from postroom.auth.settings import ADMIN_PASSWORD_HASH
from postroom.mail import Address, AddressError, parse_address
from postroom.store.reader import Reader
from postroom.store.records import AccountRecord, LoginAddressRecord

_ADMIN_LOGIN = "admin"
"""The admin password's name in the failed-login limiter (logins are "account:<id>" or
"unknown:<text>", so this cannot collide)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Login:
    """A verified login."""

    account: AccountRecord
    username: str
    """The login exactly as typed: Send's default From address."""
    address: Address
    login_address: LoginAddressRecord
    """The account's address row that the login named, with its domain loaded."""
    fromid_mode: bool
    """The login is one of the account's fromid login addresses, named exactly."""


class LoginVerifier:
    """Checks address/password logins, with rate limiting and a credential cache."""

    def __init__(
        self, limiter: FailedLoginLimiter, reader: Reader, *, cache_size: int = 10_000
    ) -> None:
        self._limiter = limiter
        self._reader = reader
        self._cache_size = cache_size
        self._cache: OrderedDict[bytes, tuple[int, str]] = OrderedDict()
        self._cache_key = secrets.token_bytes(32)
        self._dummy: str | None = None
        self.password_checks = 0
        """How many logins needed a password hash computation (a cache miss or an unknown
        login)."""

    async def verify(self, username: str, password: str, client_ip: str) -> Login:
        if not self._limiter.allowed(client_ip):
            raise RateLimitedError("too many failed logins")
        try:
            address = parse_address(username)
        except AddressError:
            address = None
        row = await find_login_address(address, self._reader) if address is not None else None
        # Failures count per account, so catch-all spellings of one login share a count.
        limited_as = f"account:{row.account.id}" if row else f"unknown:{username.lower()}"
        if not self._limiter.allowed(client_ip, limited_as):
            raise RateLimitedError("too many failed logins")
        if address is None or row is None:
            # The same hash work as a wrong password, so timing does not tell which
            # logins exist.
            self.password_checks += 1
            await asyncio.to_thread(verify_password, password, await self._dummy_hash())
            self._limiter.failed(client_ip, limited_as)
            raise AuthError("unknown login or wrong password")
        account = row.account
        key = hmac.new(
            self._cache_key, f"{username.lower()}\0{password}".encode(), hashlib.sha256
        ).digest()
        if self._cache.get(key) != (account.id, account.password_hash):
            # scrypt releases the GIL; a thread keeps the event loop serving others.
            self.password_checks += 1
            if not await asyncio.to_thread(verify_password, password, account.password_hash):
                self._limiter.failed(client_ip, limited_as)
                raise AuthError("unknown login or wrong password")
            self._remember(key, (account.id, account.password_hash))
        if account.login_disabled:
            raise LoginDisabledError(account.login_disabled)
        self._limiter.succeeded(client_ip, limited_as)
        exact = address.localpart.lower() == row.localpart
        return Login(
            account=account,
            username=username,
            address=address,
            login_address=row,
            fromid_mode=row.fromid_login and exact,
        )

    async def verify_key(self, token: str, client_ip: str) -> KeyRecord:
        """The live API key `token` names. Unknown and revoked keys count as failed logins;
        a valid key forgives nothing (it has no failures of its own to take back)."""
        if not self._limiter.allowed(client_ip):
            raise RateLimitedError("too many failed logins")
        key = await find_key(token, self._reader)
        if key is None:
            self._limiter.failed(client_ip)
            raise AuthError("unknown or revoked API key")
        return key

    async def key_login(self, key: KeyRecord) -> Login:
        """The login of an account key: as if with the account's first address."""
        if key.scope is not KeyScope.WEBAPI or key.account_id is None:
            raise AuthError("not an account API key")
        row = await first_login_address(key.account_id, self._reader)
        if row is None:
            raise AuthError("the key's account has no address")
        if row.account.login_disabled:
            raise LoginDisabledError(row.account.login_disabled)
        username = f"{row.localpart}@{row.domain.name}"
        return Login(
            account=row.account,
            username=username,
            address=parse_address(username),
            login_address=row,
            fromid_mode=row.fromid_login,
        )

    async def verify_admin(self, password: str, client_ip: str) -> None:
        """Check the admin password (set by `postroom quickstart`); raise AuthError if wrong
        or if none is set."""
        if not self._limiter.allowed(client_ip, _ADMIN_LOGIN):
            raise RateLimitedError("too many failed logins")
        rows = await self._reader.fetch(
            "SELECT value FROM admin_setting WHERE name = ?", [ADMIN_PASSWORD_HASH]
        )
        stored = str(rows[0]["value"]) if rows else ""
        key = hmac.new(self._cache_key, f"\0admin\0{password}".encode(), hashlib.sha256).digest()
        if not stored or self._cache.get(key) != (0, stored):
            self.password_checks += 1
            checked = stored or await self._dummy_hash()
            if not await asyncio.to_thread(verify_password, password, checked) or not stored:
                self._limiter.failed(client_ip, _ADMIN_LOGIN)
                raise AuthError("wrong admin password")
            self._remember(key, (0, stored))
        self._limiter.succeeded(client_ip, _ADMIN_LOGIN)

    async def _dummy_hash(self) -> str:
        """A hash of a random password, made like a stored one (same kind and cost), once."""
        if self._dummy is None:
            self._dummy = await asyncio.to_thread(hash_password, secrets.token_urlsafe(16))
        return self._dummy

    def _remember(self, key: bytes, value: tuple[int, str]) -> None:
        self._cache[key] = value
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
