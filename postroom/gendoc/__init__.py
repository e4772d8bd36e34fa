"""Docs generated from the code, so they are never wrong: `python -m postroom.gendoc`.

Writes docs/webapi.md, docs/config.md, docs/cli.md and docs/rfc-index.md, each starting
with a do-not-edit line; `--check` reports pages that differ from the code instead.

    docstrings  attribute docstrings read with `ast`
    wiretypes   JSON type names and field tables of wire dataclasses
    webapi      webapi.md: transport, error codes, methods, types, examples
    config      config.md: every setting
    cli         cli.md: argparse help of every command
    rfcs        rfc-index.md: RFC section citations in the code
    markdown    the header line, tables and code blocks
    pages       the set of pages: write, and the drift check

It sits above every other subpackage, because it imports them all to read them.
"""

from __future__ import annotations

from postroom.gendoc.docstrings import ClassDoc, attribute_docs
from postroom.gendoc.errors import GendocError, MissingDocError
from postroom.gendoc.markdown import GENERATED_HEADER
from postroom.gendoc.pages import PAGES, StalePage, stale_pages, write_pages

__all__ = [
    "GENERATED_HEADER",
    "PAGES",
    "ClassDoc",
    "GendocError",
    "MissingDocError",
    "StalePage",
    "attribute_docs",
    "stale_pages",
    "write_pages",
]
