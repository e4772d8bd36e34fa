"""Aliases: addresses that expand to other recipients at delivery."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Alias:
    """An alias and its members."""

    Address: str = ""
    """The alias address, e.g. `"team@example.com"`."""
    Members: list[str] = field(default_factory=list)
    """Recipients, local or remote, e.g. `["alice@example.com", "bob@example.org"]`."""
    Created: datetime | None = None
    """When the alias was created (RFC 3339)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AliasResult:
    """The alias as it is now."""

    Alias: Alias = field(default_factory=Alias)
    """The alias."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AliasSetRequest:
    """Create an alias, or replace the members of an existing one."""

    Address: str = ""
    """Required. The alias address, on an existing domain; not a login address."""
    Members: list[str] = field(default_factory=list)
    """Required, at least one: member addresses, local or remote."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AliasRemoveRequest:
    """Remove an alias."""

    Address: str = ""
    """Required. The alias address."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AliasListRequest:
    """List aliases."""

    Domain: str = ""
    """Optional: only this domain's aliases. Domain admins get their domains' aliases."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AliasListResult:
    """Aliases ordered by address."""

    Aliases: list[Alias] = field(default_factory=list)
    """The aliases."""
