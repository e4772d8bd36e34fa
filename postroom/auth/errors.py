"""Errors of authentication.

PostroomError
└── AuthError              unknown login or wrong password
    ├── LoginDisabledError the account exists but may not log in
    └── RateLimitedError   too many failed logins from this network
SenderError                the account may not send as an address
├── FromNotAllowedError    not its address, nor on its allow-list
└── FromDomainDisabledError
"""

from __future__ import annotations

from postroom.errors import PostroomError


class AuthError(PostroomError):
    """The credentials do not identify an account."""


class LoginDisabledError(AuthError):
    """The account's logins are disabled; the message says why."""


class RateLimitedError(AuthError):
    """Too many failed logins from the client's network: refused before checking."""


class SenderError(PostroomError):
    """The account may not send with this From address."""


class FromNotAllowedError(SenderError):
    """The address is not the account's and not on its sender allow-list."""


class FromDomainDisabledError(SenderError):
    """The address's domain is one of ours, but disabled."""
