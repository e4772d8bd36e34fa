"""Who is calling: password hashing, login verification with a credential cache, and the
failed-login rate limiter shared by the webapi, admin and SMTP listeners."""

from __future__ import annotations

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
from postroom.auth.passwords import hash_password, verify_password
from postroom.auth.ratelimit import FailedLoginLimiter

__all__ = [
    "AuthError",
    "FailedLoginLimiter",
    "FromDomainDisabledError",
    "FromNotAllowedError",
    "Login",
    "LoginDisabledError",
    "LoginVerifier",
    "RateLimitedError",
    "ResolvedAddress",
    "SenderError",
    "check_from_address",
    "find_login_address",
    "hash_password",
    "resolve_domain_address",
    "split_catchall",
    "verify_password",
]
