"""Shapes shared by both APIs."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True, kw_only=True)
class Error:
    """An error response, e.g. `{"Code":"notFound","Message":"no account 'bob'"}`."""

    Code: str = ""
    """Required. Machine-readable error code, e.g. `"forbidden"`, `"exists"`."""
    Message: str = ""
    """Required. Human-readable description."""
