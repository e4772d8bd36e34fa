"""Domains and domain aliases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True, slots=True, kw_only=True)
class Domain:
    """A mail domain of this server."""

    Name: str = ""
    """Lower-case domain name, e.g. `"example.com"`."""
    CatchallSeparators: list[str] = field(default_factory=list)
    """Localpart separators, e.g. `["+"]`: `alice+news@example.com` is `alice@example.com`.
    The first one builds fromid addresses."""
    Disabled: bool = False
    """A disabled domain neither sends nor receives (temporary failures)."""
    Aliases: list[str] = field(default_factory=list)
    """Other names of the domain, e.g. `["example.net"]`."""
    Accounts: int = 0
    """How many accounts have an address on the domain."""
    ForwardAccount: str = ""
    """The account whose queue holds mail forwarded for the domain (alias members on
    other servers, bounces returned to its SRS addresses), or `""`: such mail is
    refused."""
    Created: datetime | None = None
    """When the domain was created (RFC 3339)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainCreateRequest:
    """Create a domain. Only global admins may."""

    Name: str = ""
    """Required. Domain name, e.g. `"example.com"`; stored lower-case."""
    CatchallSeparators: list[str] = field(default_factory=list)
    """Optional localpart separators, e.g. `["+"]`. Each is one or more non-alphanumeric
    characters, other than `@`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainResult:
    """The domain as it is now."""

    Domain: Domain = field(default_factory=Domain)
    """The domain."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainListRequest:
    """List the domains the caller administers (all, for a global admin)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainListResult:
    """Domains ordered by name."""

    Domains: list[Domain] = field(default_factory=list)
    """The domains."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainGetRequest:
    """Get one domain."""

    Name: str = ""
    """Required. Domain name, e.g. `"example.com"`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainUpdateRequest:
    """Change a domain's settings; null leaves a setting as it is."""

    Name: str = ""
    """Required. Domain name, e.g. `"example.com"`."""
    CatchallSeparators: list[str] | None = None
    """Optional new separators, e.g. `["+", "-"]`; `[]` for none."""
    Disabled: bool | None = None
    """Optional: true disables the domain, false enables it."""
    ForwardAccount: str | None = None
    """Optional: the account whose queue holds mail forwarded for the domain, e.g.
    `"postmaster"`; `""` for none (mail for alias members on other servers is then
    refused)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainDeleteRequest:
    """Delete a domain. Refused while accounts, addresses or aliases use it, unless Force."""

    Name: str = ""
    """Required. Domain name, e.g. `"example.com"`."""
    Force: bool = False
    """Optional: also remove the domain's addresses and aliases (accounts keep their other
    addresses; accounts left without any address are not deleted)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainDeleteResult:
    """What was removed."""

    AddressesRemoved: int = 0
    """Login addresses removed with the domain (only with Force)."""
    AliasesRemoved: int = 0
    """Aliases removed with the domain (only with Force)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainAliasAddRequest:
    """Add another name for a domain: mail to `x@Alias` is mail to `x@Domain`."""

    Domain: str = ""
    """Required. The domain, e.g. `"example.com"`."""
    Alias: str = ""
    """Required. The other name, e.g. `"example.net"`; must not be a domain itself."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DomainAliasRemoveRequest:
    """Remove another name of a domain."""

    Domain: str = ""
    """Required. The domain, e.g. `"example.com"`."""
    Alias: str = ""
    """Required. The other name, e.g. `"example.net"`."""
