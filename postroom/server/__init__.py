"""Wiring the components into a running process: database, writer, HTTP server."""

from __future__ import annotations

from postroom.server.run import configure_logging, run_until_signalled, serve
from postroom.server.runtime import Runtime, RuntimeAddresses

__all__ = ["Runtime", "RuntimeAddresses", "configure_logging", "run_until_signalled", "serve"]
