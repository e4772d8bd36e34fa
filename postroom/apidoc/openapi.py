"""The OpenAPI 3.1 document of Postroom's RPC APIs and webhooks, from their method tables.

Each method is `POST <base_path><Method>` taking its JSON request three ways (form field
`request`, url-encoded or multipart, as mox does; or the JSON itself), answering its
result, a JSON error (400) or mox's plain-text authentication failures (401, 429).
Webhooks are listed under `webhooks`, each with its body type. Examples are built by
`postroom.wire.example_value` and encoded by the server's own encoder.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from postroom.apidoc.docstrings import class_attribute_docs
from postroom.apidoc.errors import MissingDocError
from postroom.apidoc.schema import SchemaSet
from postroom.apidoc.table import ApiTable, Auth, MethodDoc
from postroom.wire import encode_response, example_value

OPENAPI_VERSION = "3.1.0"

_SECURITY_SCHEMES: dict[Auth, dict[str, str]] = {
    Auth.BASIC: {
        "type": "http",
        "scheme": "basic",
        "description": "An email address of the account as the user name, and its password.",
    },
    Auth.BEARER: {
        "type": "http",
        "scheme": "bearer",
        "description": "An API key of the account (a Postroom extension).",
    },
}

_PLAIN_TEXT = {"text/plain": {"schema": {"type": "string"}}}
_STATUS_TEXT = {
    400: "The call failed; Code says why.",
    401: "No or wrong credentials, or the login is disabled.",
    403: "The caller may not call this method, or not on this object.",
    404: "No such method.",
    405: "Not a POST.",
    413: "The request body is too large (Code requestTooLarge).",
    429: "Too many failed logins from the client's network.",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Webhook:
    """A webhook Postroom POSTs to a receiver, for the `webhooks` section."""

    name: str
    summary: str
    description: str
    body_type: type[Any]


@dataclass(frozen=True, slots=True, kw_only=True)
class DocumentInfo:
    """The `info` and `servers` of the document."""

    title: str
    version: str
    description: str
    server_url: str
    server_description: str


def openapi_document(
    apis: Sequence[ApiTable], *, info: DocumentInfo, webhooks: Sequence[Webhook] = ()
) -> dict[str, Any]:
    """The whole OpenAPI document of `apis` and `webhooks`, as JSON-ready values."""
    inputs = [m.request_type for api in apis for m in api.methods]
    outputs = [m.result_type for api in apis for m in api.methods if m.result_type is not None]
    schemas = SchemaSet(inputs=inputs, outputs=[*outputs, *(w.body_type for w in webhooks)])
    components: dict[str, Any] = dict(schemas.components)
    paths: dict[str, Any] = {}
    for api in apis:
        components[_error_name(api)] = _error_schema(api)
        for method in api.methods:
            paths[api.base_path + method.name] = {"post": _operation(api, method, schemas)}
    used = sorted({auth for api in apis for auth in api.auth})
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {"title": info.title, "version": info.version, "description": info.description},
        "servers": [{"url": info.server_url, "description": info.server_description}],
        "tags": [{"name": api.title, "description": api.summary} for api in apis],
        "paths": paths,
        "webhooks": {w.name: _webhook(w, schemas) for w in webhooks},
        "components": {
            "schemas": components,
            "securitySchemes": {auth.value: _SECURITY_SCHEMES[auth] for auth in used},
        },
    }
    return document


def openapi_json(document: Mapping[str, Any]) -> str:
    """The document as the text docs/openapi.json holds and the server serves."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _error_name(api: ApiTable) -> str:
    return f"{api.name.capitalize()}ErrorResponse"


def _error_schema(api: ApiTable) -> dict[str, Any]:
    docs = class_attribute_docs(api.error_codes).attributes
    codes = []
    for member in api.error_codes:
        text = docs.get(member.name)
        if text is None:
            raise MissingDocError(f"{api.error_codes.__name__}.{member.name} has no docstring")
        codes.append({"const": member.value, "description": text})
    return {
        "type": "object",
        "description": f"An error of the {api.title}: HTTP 400 with a Code and a Message.",
        "properties": {
            "Code": {"oneOf": codes, "description": "Machine-readable error code."},
            "Message": {"type": "string", "description": "Human-readable description."},
        },
        "required": ["Code", "Message"],
        "additionalProperties": False,
    }


def _example(cls: type[Any]) -> Any:
    return json.loads(encode_response(example_value(cls)))


def _request_field(method: MethodDoc, schemas: SchemaSet) -> dict[str, Any]:
    return {
        "type": "string",
        # An empty field is refused as "missing/empty request" (postroom/rpc/transport.py).
        "minLength": 1,
        "description": f"The {method.request_type.__name__} as JSON.",
        "contentMediaType": "application/json",
        "contentSchema": schemas.ref(method.request_type, output=False),
    }


def _operation(api: ApiTable, method: MethodDoc, schemas: SchemaSet) -> dict[str, Any]:
    request_json = json.dumps(_example(method.request_type), separators=(",", ":"))
    form = {
        "type": "object",
        "properties": {"request": _request_field(method, schemas)},
        "required": ["request"],
    }
    files = api.file_fields.get(method.name, ())
    multipart = {
        "type": "object",
        "properties": {
            "request": _request_field(method, schemas),
            **{
                name: {
                    "type": "array",
                    "items": {"type": "string", "contentMediaType": "application/octet-stream"},
                    "description": "Files to add; repeat the part for more than one.",
                }
                for name in files
            },
        },
        "required": ["request"],
    }
    request_body = {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": form,
                "example": {"request": request_json},
            },
            "multipart/form-data": {"schema": multipart},
            "application/json": {
                "schema": schemas.ref(method.request_type, output=False),
                "example": _example(method.request_type),
            },
        },
    }
    return {
        "operationId": f"{api.name}.{method.name}",
        "tags": [api.title],
        "summary": method.summary,
        "description": method.doc
        + (f"\n\nWho may call it: {method.access}" if method.access else ""),
        "security": [{auth.value: []} for auth in api.auth],
        "requestBody": request_body,
        "responses": {"200": _result(method, schemas), **_errors(api)},
    }


def _errors(api: ApiTable) -> dict[str, Any]:
    error = {"application/json": {"schema": {"$ref": _component(_error_name(api))}}}
    responses: dict[str, Any] = {}
    for status in sorted([*api.json_error_statuses, *api.text_error_statuses]):
        text = status in api.text_error_statuses
        description = _STATUS_TEXT.get(status, "The call failed.") + (
            " (plain text)" if text else ""
        )
        content = _PLAIN_TEXT if text else error
        responses[str(status)] = {"description": description, "content": content}
    return responses


def _component(name: str) -> str:
    return f"#/components/schemas/{name}"


def _result(method: MethodDoc, schemas: SchemaSet) -> dict[str, Any]:
    if method.result_type is not None:
        return {
            "description": f"The {method.result_type.__name__}.",
            "content": {
                "application/json": {
                    "schema": schemas.ref(method.result_type, output=True),
                    "example": _example(method.result_type),
                }
            },
        }
    if method.byte_media_type is not None:
        return {
            "description": "The bytes themselves.",
            "content": {method.byte_media_type: {"schema": {"type": "string"}}},
        }
    return {
        "description": "The bytes themselves, with a Content-Type sniffed from the first 512"
        " bytes.",
        "content": {"*/*": {"schema": {}}},
    }


def _webhook(webhook: Webhook, schemas: SchemaSet) -> dict[str, Any]:
    return {
        "post": {
            "summary": webhook.summary,
            "description": webhook.description,
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": schemas.ref(webhook.body_type, output=True),
                        "example": _example(webhook.body_type),
                    }
                },
            },
            "responses": {
                "200": {"description": "Received. Any 2xx status counts as received."},
                "default": {"description": "Not received: the webhook is tried again later."},
            },
        }
    }
