"""docs/webapi.md: the transport, the error codes, every method and every nested wire type.

Everything specific comes from the code: the METHODS table, handler and attribute
docstrings, ErrorCode, the transport's constants, and examples built by `example_value`
and encoded by `encode_response`, the functions the server itself uses.
"""

from __future__ import annotations

from postroom.apidoc import module_attribute_docs
from postroom.gendoc.errors import MissingDocError
from postroom.gendoc.markdown import cell, code, page, table
from postroom.gendoc.reference import LOCALSERVE_URL, api_reference
from postroom.webapi import ErrorCode
from postroom.webapi import errors as webapi_errors
from postroom.webapi.app import IDEMPOTENCY_HEADER
from postroom.webapi.idempotency import KEEP_FOR, MAX_KEY_LENGTH
from postroom.webapi.reference import WEBAPI
from postroom.webapi.responses import (
    JSON_TYPE,
    LOGIN_DISABLED_TEXT,
    RATE_LIMITED_TEXT,
    UNAUTHORIZED_TEXT,
)
from postroom.webapi.transport import FILE_FIELDS

BASE_URL = f"{LOCALSERVE_URL}{WEBAPI.base_path}"


def render_webapi() -> str:
    """The whole of docs/webapi.md."""
    return page(
        "# Webapi",
        "The HTTP API, compatible with the webapi of [mox](https://www.xmox.nl/)."
        " A client written for mox works unchanged.",
        _transport(),
        _errors(),
        *api_reference(WEBAPI, fixed_headings=("Transport", "Errors")),
    )


def _transport() -> str:
    hours = int(KEEP_FOR.total_seconds() // 3600)
    files = ", ".join(code(name) for name in FILE_FIELDS)
    return f"""## Transport

Call a method with an HTTP `POST` to `/webapi/v0/<Method>`, for example
`{BASE_URL}Send`, with HTTP basic authentication: an email address of the
account as the user name, and its password. Or (a Postroom extension) send one of the
account's API keys as `Authorization: Bearer <key>`; the account API's
[APIKeyCreate](account-api.md#apikeycreate) makes one. The request is JSON, sent one of
three ways:

- as the form field `request` of an `application/x-www-form-urlencoded` body;
- as the form field `request` of a `multipart/form-data` body, which may also carry files
  in parts named {files} (added like `AlternativeFiles`,
  `InlineFiles` and `AttachedFiles` of [Send](#send));
- as the whole body, with `Content-Type: application/json` (a Postroom extension).

Request fields are matched case-insensitively and unknown fields are an error, as in mox.

**Idempotency** (a Postroom extension). Send takes an optional `{IDEMPOTENCY_HEADER.title()}`
header of at most {MAX_KEY_LENGTH} printable ASCII characters. The same key from the same
account within {hours} hours returns the first response again and queues nothing new; the
same key with a different request body is refused with code `idempotencyConflict`.

**Method pages.** `GET /webapi/v0/` lists the methods; `GET /webapi/v0/<Method>` is a page
with the method's documentation, an editable example request and a button that calls it.
The OpenAPI 3.1 document of every API is at `GET /openapi.json` (and in
[openapi.json](openapi.json)); [postroom.client](../postroom/client/__init__.py) is a
Python client.

**Responses.** A result is a JSON object (`Content-Type: {JSON_TYPE}`);
lists and maps are `[]` and `{{}}`, never `null`. A failure is HTTP 400 with a JSON
object `{{"Code": …, "Message": …}}`, where `Code` is one of the [error codes](#errors).
As in mox, authentication failures are plain text:

- 401 {code(UNAUTHORIZED_TEXT)}, or {code(LOGIN_DISABLED_TEXT)};
- 429 {code(RATE_LIMITED_TEXT)}, after too many failed logins from the client's network."""


def _errors() -> str:
    docs = module_attribute_docs(webapi_errors)["ErrorCode"].attributes
    rows = []
    for member in ErrorCode:
        doc = docs.get(member.name)
        if doc is None:  # a member the reader did not see as an assignment
            raise MissingDocError(f"ErrorCode.{member.name} has no docstring")
        rows.append((f"`{member.value}`", cell(doc)))
    return "## Errors\n\n" + table(("Code", "Meaning"), rows)
