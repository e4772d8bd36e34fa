"""docs/admin-api.md and docs/account-api.md: the admin and account APIs, from their
method tables, with the conventions they share with the webapi and their error codes."""

from __future__ import annotations

from postroom.admin.errors import STATUS, AdminCode
from postroom.admin.reference import ACCOUNT_API, ADMIN_API
from postroom.apidoc import ApiTable, class_attribute_docs
from postroom.gendoc.errors import MissingDocError
from postroom.gendoc.markdown import cell, page, table
from postroom.gendoc.reference import LOCALSERVE_URL, api_reference
from postroom.localserve import ADMIN_PASSWORD, DEFAULT_LOGIN, DEFAULT_PASSWORD

ADMIN_CREDENTIALS = f"admin:{ADMIN_PASSWORD}"
ACCOUNT_CREDENTIALS = f"{DEFAULT_LOGIN}:{DEFAULT_PASSWORD}"
"""localserve's admin and account, so the examples work against it as they are."""


def render_admin_api() -> str:
    """The whole of docs/admin-api.md."""
    return _render(
        ADMIN_API,
        ADMIN_CREDENTIALS,
        "user `admin` and the admin password, or an admin's email address and password",
    )


def render_account_api() -> str:
    """The whole of docs/account-api.md."""
    return _render(
        ACCOUNT_API, ACCOUNT_CREDENTIALS, "an email address of the account and its password"
    )


def _render(api: ApiTable, credentials: str, who: str) -> str:
    return page(
        f"# {api.title}",
        api.summary,
        _transport(api, who),
        _errors(),
        *api_reference(api, fixed_headings=("Transport", "Errors"), credentials=credentials),
    )


def _transport(api: ApiTable, who: str) -> str:
    return f"""## Transport

The conventions of the [webapi](webapi.md#transport): call a method with an HTTP `POST` to
`{api.base_path}<Method>`, for example `{LOCALSERVE_URL}{api.base_path}{api.methods[0].name}`,
with the JSON request as the form field `request` (url-encoded or multipart) or as an
`application/json` body. Unknown request fields are an error.

Authenticate with HTTP basic authentication ({who}) or with an API key,
`Authorization: Bearer <key>`. A result is a JSON object; every failure, authentication
included, is a JSON object `{{"Code": …, "Message": …}}` with the HTTP status the
[error code](#errors) names. The page at `{api.base_path}<Method>` documents a method and can
call it from the browser; `/openapi.json` describes every method."""


def _errors() -> str:
    docs = class_attribute_docs(AdminCode).attributes
    rows = []
    for code in AdminCode:
        text = docs.get(code.name)
        if text is None:
            raise MissingDocError(f"AdminCode.{code.name} has no docstring")
        rows.append((f"`{code.value}`", str(STATUS.get(code, 400)), cell(text)))
    return "## Errors\n\n" + table(("Code", "HTTP status", "Meaning"), rows)
