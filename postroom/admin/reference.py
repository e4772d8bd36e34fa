"""The admin and account APIs as documentation: their method tables read into `ApiTable`s,
for their method pages, the OpenAPI document and docs/admin-api.md."""

from __future__ import annotations

from postroom.admin.errors import STATUS, AdminCode
from postroom.admin.methods import ACCOUNT_METHODS, ADMIN_METHODS
from postroom.apidoc import ApiTable, Auth

_JSON_ERRORS = tuple(sorted({400, *(s for s in STATUS.values() if s != 405)}))

ADMIN_API = ApiTable.from_methods(
    ADMIN_METHODS.values(),
    name="admin",
    title="Admin API",
    base_path="/admin/api/v0/",
    summary="Manage domains, accounts, addresses, aliases, API keys, the queue, webhooks and"
    " suppression lists. Callers: `admin` with the admin password, an admin API key, or an"
    " account with role `admin` or `domainadmin` (the latter on its own domains).",
    error_codes=AdminCode,
    auth=(Auth.BASIC, Auth.BEARER),
    json_error_statuses=_JSON_ERRORS,
    text_error_statuses=(),
)
"""Every admin API method, documented from its handler and wire types."""

ACCOUNT_API = ApiTable.from_methods(
    ACCOUNT_METHODS.values(),
    name="account",
    title="Account API",
    base_path="/account/api/v0/",
    summary="An account's own settings: its password, webhooks and API keys. Callers: any"
    " account, by an email address and password or one of its API keys.",
    error_codes=AdminCode,
    auth=(Auth.BASIC, Auth.BEARER),
    json_error_statuses=_JSON_ERRORS,
    text_error_statuses=(),
)
"""Every account API method, documented from its handler and wire types."""
