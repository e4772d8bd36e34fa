"""The generated pages as a set: rendering all of them, writing them, and the drift check.

Only the pages named in PAGES are written or compared; other files in the output
directory (hand-written guides, other generators' output) are never touched.
"""

from __future__ import annotations

import difflib
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import postroom
from postroom.gendoc.adminapi import render_account_api, render_admin_api
from postroom.gendoc.cli import render_cli
from postroom.gendoc.config import render_config
from postroom.gendoc.rfcs import render_rfc_index
from postroom.gendoc.webapi import render_webapi
from postroom.gendoc.webhooks import render_webhooks
from postroom.server.openapi import openapi_text

PACKAGE_DIR = Path(postroom.__file__).resolve().parent
"""The source tree the RFC index scans."""

PAGES: dict[str, Callable[[], str]] = {
    "webapi.md": render_webapi,
    "webhooks.md": render_webhooks,
    "admin-api.md": render_admin_api,
    "account-api.md": render_account_api,
    "openapi.json": openapi_text,
    "config.md": render_config,
    "cli.md": render_cli,
    "rfc-index.md": lambda: render_rfc_index(PACKAGE_DIR),
}
"""File name in docs/ → the function that renders it."""

DIFF_EXCERPT_LINES = 40


@dataclass(frozen=True, slots=True, kw_only=True)
class StalePage:
    """A generated page whose file is missing or differs from what the code generates."""

    name: str
    diff: str
    """A unified diff excerpt from the file to the fresh page; "" if the file is missing."""


def write_pages(out_dir: Path) -> list[Path]:
    """Render every page into `out_dir` (created if needed); the paths written, in order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, render in PAGES.items():
        path = out_dir / name
        path.write_bytes(render().encode("utf-8"))
        written.append(path)
    return written


def stale_pages(docs_dir: Path) -> list[StalePage]:
    """The pages in `docs_dir` that are missing or differ from a fresh rendering."""
    stale = []
    with tempfile.TemporaryDirectory(prefix="postroom-gendoc-") as tmp:
        for fresh in write_pages(Path(tmp)):
            current = docs_dir / fresh.name
            if not current.is_file():
                stale.append(StalePage(name=fresh.name, diff=""))
                continue
            old, new = current.read_bytes(), fresh.read_bytes()
            if old != new:
                stale.append(StalePage(name=fresh.name, diff=_diff(current, old, new)))
    return stale


def _diff(current: Path, old: bytes, new: bytes) -> str:
    lines = list(
        difflib.unified_diff(
            old.decode("utf-8", errors="replace").splitlines(),
            new.decode("utf-8", errors="replace").splitlines(),
            fromfile=f"{current} (as is)",
            tofile=f"{current} (from the code)",
            lineterm="",
        )
    )
    if len(lines) > DIFF_EXCERPT_LINES:
        omitted = len(lines) - DIFF_EXCERPT_LINES
        lines = [*lines[:DIFF_EXCERPT_LINES], f"… {omitted} more diff lines"]
    return "\n".join(lines)
