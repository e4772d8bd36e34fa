"""What a webapi method receives: the process's services and the authenticated call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from postroom.auth import Login, LoginVerifier
from postroom.clock import Clock
from postroom.config import Config
from postroom.store.groupcommit import GroupCommitter
from postroom.store.reader import Reader
from postroom.webapi.transport import UploadedFile


@dataclass(frozen=True, slots=True, kw_only=True)
class WebapiServices:
    """Long-lived dependencies, built once at start-up and shared by all calls."""

    config: Config
    clock: Clock
    committer: GroupCommitter
    verifier: LoginVerifier
    reader: Reader
    """For the reads of every call (domains, suppressions)."""
    user_agent: str
    """Written as `User-Agent` into composed messages, e.g. `postroom/0.1.0`."""
    queued: Callable[[], None] = lambda: None
    """Called after messages were queued, so delivery can start at once."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    """One authenticated method call."""

    services: WebapiServices
    login: Login
    client_ip: str
    tls: bool
    files: list[UploadedFile] = field(default_factory=list)
    idempotency_key: str = ""
    body_sha256: str = ""
    """The SHA-256 of the request body (hex), for idempotency."""
