"""The Markdown reference of an RPC API, from its `ApiTable`: every method with every
field, an example request (JSON and curl) and an example response, then the nested types.

`api_reference` is the one function each API's page calls: the webapi's now, the admin
and account APIs' when their method tables exist.
"""

from __future__ import annotations

import json
from typing import Any

from postroom.apidoc import ApiTable, MethodDoc, class_doc, nested_structs
from postroom.gendoc.errors import GendocError
from postroom.gendoc.markdown import anchor, code_block
from postroom.gendoc.wiretypes import field_table
from postroom.wire import encode_response, example_value

LOCALSERVE_URL = "http://localhost:1080"
CREDENTIALS = "postroom@localhost:postroom"
"""localserve's account, so the examples work against `postroom localserve` as they are."""


def api_reference(
    api: ApiTable, *, fixed_headings: tuple[str, ...] = (), credentials: str = CREDENTIALS
) -> list[str]:
    """The blocks `## Methods`, one `###` per method, `## Types`, one `###` per type.

    `fixed_headings` are the page's other headings, checked with these for anchor clashes;
    `credentials` are the curl examples' `-u` value.
    """
    roots = [t for m in api.methods for t in (m.request_type, m.result_type) if t is not None]
    structs = nested_structs(roots)
    _check_anchors([*fixed_headings, "Methods", "Types"], api, structs)
    return [
        "## Methods",
        "\n".join(f"- [{m.name}](#{anchor(m.name)})" for m in api.methods),
        *(_method(api, m, credentials) for m in api.methods),
        "## Types",
        "The types used inside requests and results.",
        *(_struct(s) for s in structs),
    ]


def _check_anchors(fixed: list[str], api: ApiTable, structs: list[type[Any]]) -> None:
    headings = [*fixed, *(m.name for m in api.methods), *(s.__name__ for s in structs)]
    seen: set[str] = set()
    for heading in headings:
        if anchor(heading) in seen:
            raise GendocError(f"two headings of {api.title} share the anchor {anchor(heading)!r}")
        seen.add(anchor(heading))


def _method(api: ApiTable, method: MethodDoc, credentials: str) -> str:
    request_json = example_json(method.request_type)
    parts = [
        f"### {method.name}",
        method.doc,
        f"`POST {api.base_path}{method.name}`"
        + (
            f" — who may call it: {method.access[0].lower()}{method.access[1:]}"
            if method.access
            else ""
        ),
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
        code_block(pretty(request_json), "json"),
        code_block(curl(api, method.name, request_json, credentials), "sh"),
    ]
    if method.result_type is not None:
        response_json = example_json(method.result_type)
        parts += ["Example response:", code_block(pretty(response_json), "json")]
    return "\n\n".join(parts)


def _access(method: MethodDoc) -> str:
    if not method.access:
        return ""
    return f" — who may call it: {method.access[0].lower()}{method.access[1:]}"


def _struct(cls: type[Any]) -> str:
    return f"### {cls.__name__}\n\n{class_doc(cls).doc}\n\n{field_table(cls)}"


def example_json(cls: type[Any]) -> str:
    """The example of a wire type, as the server encodes it (compact)."""
    return encode_response(example_value(cls)).decode("utf-8").rstrip("\n")


def pretty(compact: str) -> str:
    return json.dumps(json.loads(compact), indent=2, ensure_ascii=False)


def curl(api: ApiTable, name: str, request_json: str, credentials: str = CREDENTIALS) -> str:
    quoted = "'" + ("request=" + request_json).replace("'", "'\\''") + "'"
    url = f"{LOCALSERVE_URL}{api.base_path}{name}"
    return f"curl -u {credentials} {url} \\\n  --data-urlencode {quoted}"
