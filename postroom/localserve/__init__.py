"""Developer mode: one command, no configuration, everything on loopback."""

from __future__ import annotations

from postroom.localserve.bootstrap import (
    ADMIN_PASSWORD,
    DEFAULT_ACCOUNT,
    DEFAULT_LOGIN,
    DEFAULT_PASSWORD,
    LocalserveOptions,
    default_directory,
    prepare_directory,
)
from postroom.localserve.command import run_localserve, run_smtp_process

__all__ = [
    "ADMIN_PASSWORD",
    "DEFAULT_ACCOUNT",
    "DEFAULT_LOGIN",
    "DEFAULT_PASSWORD",
    "LocalserveOptions",
    "default_directory",
    "prepare_directory",
    "run_localserve",
    "run_smtp_process",
]
