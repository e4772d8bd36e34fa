"""The OpenAPI document: a valid OpenAPI 3.1 document, every method and error code in it,
and the server serves the same document as docs/openapi.json."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from openapi_spec_validator import validate

from postroom.admin.errors import AdminCode
from postroom.server.openapi import API_TABLES, openapi_text
from postroom.webapi import METHODS, ErrorCode
from tests.conftest import RunningServer


@pytest.fixture(scope="module")
def document() -> dict[str, Any]:
    parsed: dict[str, Any] = json.loads(openapi_text())
    return parsed


def test_the_document_is_valid_openapi_3_1(document: dict[str, Any]) -> None:
    assert document["openapi"].startswith("3.1.")
    validate(document)


def test_every_method_is_an_operation(document: dict[str, Any]) -> None:
    operations = {path: item["post"]["operationId"] for path, item in document["paths"].items()}
    expected = {f"/webapi/v0/{name}": f"webapi.{name}" for name in METHODS}
    assert {p: o for p, o in operations.items() if p.startswith("/webapi/")} == expected
    assert len(operations) == sum(len(api.methods) for api in API_TABLES)
    send = document["paths"]["/webapi/v0/Send"]["post"]
    assert set(send["requestBody"]["content"]) == {
        "application/x-www-form-urlencoded",
        "multipart/form-data",
        "application/json",
    }
    assert set(send["responses"]) == {"200", "400", "401", "413", "429"}
    raw = document["paths"]["/webapi/v0/MessageRawGet"]["post"]["responses"]["200"]
    assert set(raw["content"]) == {"text/plain"}


def test_error_codes_and_fields_are_documented(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    codes = schemas["WebapiErrorResponse"]["properties"]["Code"]["oneOf"]
    assert [c["const"] for c in codes] == [code.value for code in ErrorCode]
    assert all(c["description"] for c in codes)
    admin_codes = schemas["AdminErrorResponse"]["properties"]["Code"]["oneOf"]
    assert [c["const"] for c in admin_codes] == [code.value for code in AdminCode]
    send = schemas["SendRequest"]
    assert "required" not in send  # every request field may be left out
    assert send["properties"]["Date"]["anyOf"][1] == {"type": "null"}
    assert send["properties"]["From"]["items"] == {"$ref": "#/components/schemas/NameAddressInput"}
    # Names two APIs share are told apart by their API.
    assert {"WebapiSuppressionListResult", "AdminSuppressionListResult"} <= set(schemas)
    assert "SuppressionListResult" not in schemas
    result = schemas["MessageGetResult"]
    assert result["required"] == ["Message", "Structure", "Meta"]
    assert schemas["Structure"]["properties"]["Parts"]["items"] == {
        "$ref": "#/components/schemas/Structure"
    }
    for name, schema in schemas.items():
        for field, value in schema.get("properties", {}).items():
            assert value.get("description"), f"{name}.{field}"


def test_webhooks_are_in_the_document(document: dict[str, Any]) -> None:
    outgoing = document["webhooks"]["outgoing"]["post"]["requestBody"]["content"]
    assert outgoing["application/json"]["schema"] == {"$ref": "#/components/schemas/Outgoing"}
    assert set(document["webhooks"]) == {"outgoing", "incoming"}


async def test_the_server_serves_the_generated_document(server: RunningServer) -> None:
    # docs/openapi.json is the same text (test_gendoc checks the committed file is current).
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.text == openapi_text()
