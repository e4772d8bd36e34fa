"""Postroom: a self-hosted transactional email server with a mox-compatible webapi."""

from __future__ import annotations

__version__ = "0.1.0"
