"""What the SMTP listeners share: the process's long-lived services."""

from __future__ import annotations

import ssl
from collections.abc import Callable
from dataclasses import dataclass

from postroom.auth import LoginVerifier
from postroom.clock import Clock
from postroom.config import Config
from postroom.smtp.policy import IncomingPolicy
from postroom.store.groupcommit import Committer
from postroom.store.reader import Reader


@dataclass(frozen=True, slots=True, kw_only=True)
class SMTPServices:
    """Built once at start-up and shared by every SMTP session."""

    config: Config
    clock: Clock
    committer: Committer
    """Where units are written: this process's group committer, or the link to the
    process that writes (so units must pickle: see `store.groupcommit.Committer`)."""
    verifier: LoginVerifier
    """The same verifier (and failed-login limiter) as the webapi's."""
    reader: Reader
    tls_context: ssl.SSLContext | None
    """For STARTTLS and implicit TLS; None when no certificate is configured."""
    queued: Callable[[], None] = lambda: None
    """Called after a submission was queued, so delivery can start at once."""
    hooks_queued: Callable[[], None] = lambda: None
    """Called after incoming mail was stored (and its webhooks queued)."""
    incoming_policy: IncomingPolicy | None = None
    """Whom the incoming listener takes mail for; None: our own addresses only."""
