"""Who is calling: password hashing, login verification with a credential cache, and the
failed-login rate limiter shared by the webapi, admin and SMTP listeners."""

from __future__ import annotations

from postroom.auth.apikeys import KeyRecord, KeyScope, NewKey, new_key, touch_key
from postroom.auth.directory import (
    ResolvedAddress,
    check_from_address,
    find_login_address,
    resolve_domain_address,
    split_catchall,
)
from postroom.auth.errors import (
    AuthError,
    FromDomainDisabledError,
    FromNotAllowedError,
    LoginDisabledError,
    RateLimitedError,
    SenderError,
)
from postroom.auth.login import Login, LoginVerifier
from postroom.auth.passwords import hash_password, is_password_hash, verify_password
from postroom.auth.ratelimit import FailedLoginLimiter
from postroom.auth.settings import ADMIN_PASSWORD_HASH, read_setting, write_setting

__all__ = [
    "ADMIN_PASSWORD_HASH",
    "AuthError",
    "FailedLoginLimiter",
    "FromDomainDisabledError",
    "FromNotAllowedError",
    "KeyRecord",
    "KeyScope",
    "Login",
    "LoginDisabledError",
    "LoginVerifier",
    "NewKey",
    "RateLimitedError",
    "ResolvedAddress",
    "SenderError",
    "check_from_address",
    "find_login_address",
    "hash_password",
    "is_password_hash",
    "new_key",
    "read_setting",
    "resolve_domain_address",
    "split_catchall",
    "touch_key",
    "verify_password",
    "write_setting",
]
