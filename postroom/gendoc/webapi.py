"""docs/webapi.md: the transport, the error codes, every method and every nested wire type.

Everything specific comes from the code: the METHODS table, handler and attribute
docstrings, ErrorCode, the transport's constants, and examples built by `example_value`
and encoded by `encode_response`, the functions the server itself uses.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from postroom.gendoc.docstrings import module_attribute_docs
from postroom.gendoc.errors import GendocError, MissingDocError
from postroom.gendoc.markdown import anchor, cell, code, code_block, page, table
from postroom.gendoc.wiretypes import class_doc, field_table, nested_structs
from postroom.webapi import METHODS, ErrorCode, Method
from postroom.webapi import errors as webapi_errors
from postroom.webapi.app import IDEMPOTENCY_HEADER
from postroom.webapi.idempotency import KEEP_FOR, MAX_KEY_LENGTH
from postroom.webapi.responses import (
    JSON_TYPE,
    LOGIN_DISABLED_TEXT,
    RATE_LIMITED_TEXT,
    UNAUTHORIZED_TEXT,
)
from postroom.webapi.transport import FILE_FIELDS
from postroom.wire import encode_response, example_value

BASE_URL = "http://localhost:1080/webapi/v0/"
CREDENTIALS = "postroom@localhost:postroom"
"""localserve's account, so the examples work against `postroom localserve` as they are."""


def render_webapi() -> str:
    """The whole of docs/webapi.md."""
    methods = [METHODS[name] for name in sorted(METHODS)]
    roots = [t for m in methods for t in (m.request_type, m.result_type) if t is not None]
    structs = nested_structs(roots)
    _check_anchors([m.name for m in methods], [s.__name__ for s in structs])
    return page(
        "# Webapi",
        "The HTTP API, compatible with the webapi of [mox](https://www.xmox.nl/)."
        " A client written for mox works unchanged.",
        _transport(),
        _errors(),
        "## Methods",
        "\n".join(f"- [{m.name}](#{anchor(m.name)})" for m in methods),
        *(_method(m) for m in methods),
        "## Types",
        "The types used inside requests and results.",
        *(_struct(s) for s in structs),
    )


def _check_anchors(methods: list[str], structs: list[str]) -> None:
    headings = ["Transport", "Errors", "Methods", "Types", *methods, *structs]
    seen: set[str] = set()
    for heading in headings:
        if anchor(heading) in seen:
            raise GendocError(f"two headings of webapi.md share the anchor {anchor(heading)!r}")
        seen.add(anchor(heading))


def _transport() -> str:
    hours = int(KEEP_FOR.total_seconds() // 3600)
    files = ", ".join(code(name) for name in FILE_FIELDS)
    return f"""## Transport

Call a method with an HTTP `POST` to `/webapi/v0/<Method>`, for example
`{BASE_URL}Send`, with HTTP basic authentication: an email address of the
account as the user name, and its password. The request is JSON, sent one of three ways:

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


def _method(method: Method) -> str:
    doc = inspect.cleandoc(method.handler.__doc__ or "")
    if not doc:
        raise MissingDocError(f"method {method.name}: its handler has no docstring")
    request_json = _json(example_value(method.request_type))
    parts = [
        f"### {method.name}",
        doc,
        f"`POST /webapi/v0/{method.name}`",
        f"**Request** ({method.request_type.__name__}):",
        field_table(method.request_type),
    ]
    if method.result_type is None:
        media = (
            f"with Content-Type `{method.byte_media_type}`"
            if method.byte_media_type
            else "with a Content-Type sniffed from the first 512 bytes"
        )
        parts.append(f"**Result**: the bytes themselves, {media}.")
    else:
        parts += [f"**Result** ({method.result_type.__name__}):", field_table(method.result_type)]
    parts += [
        "Example request:",
        code_block(_pretty(request_json), "json"),
        code_block(_curl(method.name, request_json), "sh"),
    ]
    if method.result_type is not None:
        response_json = _json(example_value(method.result_type))
        parts += ["Example response:", code_block(_pretty(response_json), "json")]
    return "\n\n".join(parts)


def _struct(cls: type[Any]) -> str:
    return f"### {cls.__name__}\n\n{class_doc(cls).doc}\n\n{field_table(cls)}"


def _json(value: Any) -> str:
    return encode_response(value).decode("utf-8").rstrip("\n")


def _pretty(compact: str) -> str:
    return json.dumps(json.loads(compact), indent=2, ensure_ascii=False)


def _curl(name: str, request_json: str) -> str:
    quoted = "'" + ("request=" + request_json).replace("'", "'\\''") + "'"
    return f"curl -u {CREDENTIALS} {BASE_URL}{name} \\\n  --data-urlencode {quoted}"
