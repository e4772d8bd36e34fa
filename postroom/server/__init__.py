"""Wiring the components into a running process: database, writer, HTTP server."""

from __future__ import annotations

from postroom.server.process import ChildProcess, ChildStartError, ParentLink, inherited_sockets
from postroom.server.run import configure_logging, run_until_signalled, serve, serve_smtp_child
from postroom.server.runtime import ALL_ROLES, Role, Runtime, RuntimeAddresses

__all__ = [
    "ALL_ROLES",
    "ChildProcess",
    "ChildStartError",
    "ParentLink",
    "Role",
    "Runtime",
    "RuntimeAddresses",
    "configure_logging",
    "inherited_sockets",
    "run_until_signalled",
    "serve",
    "serve_smtp_child",
]
