"""Docs generated from the code, so they are never wrong: `python -m postroom.gendoc`.

Writes docs/webapi.md, webhooks.md, admin-api.md, account-api.md, openapi.json,
config.md, cli.md and rfc-index.md, each Markdown page starting with a do-not-edit line;
`--check` reports pages that differ from the code instead.

    docstrings  attribute docstrings (read by `postroom.apidoc`)
    wiretypes   JSON type names and field tables of wire dataclasses
    reference   an API's methods and types from its ApiTable (api_reference)
    webapi      webapi.md: transport, error codes, then api_reference
    adminapi    admin-api.md and account-api.md
    webhooks    webhooks.md: events, fields, example bodies, headers, signatures
    config      config.md: every setting
    cli         cli.md: argparse help of every command
    rfcs        rfc-index.md: RFC section citations in the code
    markdown    the header line, tables and code blocks
    pages       the set of pages: write, and the drift check

openapi.json is `postroom.server.openapi`'s document, the one the server serves. It sits
above every other subpackage, because it imports them all to read them.
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
