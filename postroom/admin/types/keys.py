"""API keys."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class APIKey:
    """An API key as listed: never the secret."""

    ID: int = 0
    """Key ID, e.g. `3`."""
    Name: str = ""
    """What the key is for, e.g. `"billing service"`."""
    Prefix: str = ""
    """The public start of the token, e.g. `"3f9a0c12b7e4"` (token `pr_3f9a0c12b7e4_…`)."""
    Scope: str = ""
    """`webapi` (an account's key: webapi and account API) or `admin` (admin API)."""
    Account: str = ""
    """The account of a `webapi` key; "" for `admin` keys."""
    Created: datetime | None = None
    """When the key was created (RFC 3339)."""
    LastUsed: datetime | None = None
    """When the key was last used (to the hour), or null."""
    Revoked: datetime | None = None
    """When the key was revoked, or null."""


@dataclass(frozen=True, slots=True, kw_only=True)
class APIKeyCreateRequest:
    """Create an API key. The token is in the result and nowhere else, ever."""

    Name: str = ""
    """Optional description, e.g. `"billing service"`."""
    Scope: str = ""
    """`webapi` (default) or `admin` (global admins only)."""
    Account: str = ""
    """For `webapi` keys: the account (required on the admin API; the caller's own on the
    account API)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class APIKeyCreateResult:
    """The new key and its token."""

    Key: APIKey = field(default_factory=APIKey)
    """The key."""
    Token: str = ""
    """The bearer token, e.g. `"pr_3f9a0c12b7e4_…"`: use as `Authorization: Bearer <token>`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class APIKeyListRequest:
    """List API keys, revoked ones included."""

    Account: str = ""
    """Optional: only this account's keys. Domain admins see their accounts' keys."""


@dataclass(frozen=True, slots=True, kw_only=True)
class APIKeyListResult:
    """Keys ordered by ID."""

    Keys: list[APIKey] = field(default_factory=list)
    """The keys."""


@dataclass(frozen=True, slots=True, kw_only=True)
class APIKeyRevokeRequest:
    """Revoke a key: it stops working at once."""

    ID: int = 0
    """Required. Key ID."""
