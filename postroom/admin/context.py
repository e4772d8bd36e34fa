"""What an admin or account method receives: the process's services and the caller."""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass

from postroom.auth import LoginVerifier
from postroom.clock import Clock
from postroom.config import Config
from postroom.store.groupcommit import GroupCommitter
from postroom.store.reader import Reader


class Role(enum.StrEnum):
    """An account's role (column `account.role`)."""

    USER = "user"
    """Its own settings, through the account API."""
    DOMAIN_ADMIN = "domainadmin"
    """Also accounts, addresses, aliases, queue and suppressions of its domains."""
    ADMIN = "admin"
    """Everything."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminServices:
    """Long-lived dependencies, built once at start-up (or once per CLI command)."""

    config: Config
    clock: Clock
    committer: GroupCommitter
    reader: Reader
    dialect: str
    """`sqlite` or `postgres`, for the queries written per dialect."""
    verifier: LoginVerifier
    queued: Callable[[], None] = lambda: None
    """Called after queue rows changed, so delivery looks at them at once."""
    hooks_queued: Callable[[], None] = lambda: None
    """Called after webhooks changed."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Principal:
    """Who is calling, and over what."""

    role: Role
    account_id: int | None = None
    """The caller's account; None for the admin password, admin API keys and the CLI."""
    domain_ids: frozenset[int] = frozenset()
    """For a domain admin: the domains it administers."""
    name: str = "admin"
    """For logs and error messages: the account name, or `admin`."""

    @property
    def is_global(self) -> bool:
        return self.role is Role.ADMIN


GLOBAL_ADMIN = Principal(role=Role.ADMIN)
"""The admin password, an admin API key, or the command line."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AdminCall:
    """One authenticated method call."""

    services: AdminServices
    principal: Principal
