"""The OpenAPI document of everything the server answers: the webapi, the admin and account
APIs, and the webhooks it sends.

Served at `GET /openapi.json` and written to docs/openapi.json by gendoc, from the same
function, so the two are the same document.
"""

from __future__ import annotations

import functools

from starlette.requests import Request
from starlette.responses import Response

import postroom
from postroom.admin.reference import ACCOUNT_API, ADMIN_API
from postroom.apidoc import ApiTable, DocumentInfo, Webhook, openapi_document, openapi_json
from postroom.webapi.reference import WEBAPI
from postroom.wire.webhooks import Incoming, Outgoing

SPEC_PATH = "/openapi.json"

API_TABLES: tuple[ApiTable, ...] = (WEBAPI, ADMIN_API, ACCOUNT_API)
"""Every RPC API in the document; add an API's table here to publish it."""

WEBHOOKS: tuple[Webhook, ...] = (
    Webhook(
        name="outgoing",
        summary="Something happened to a message the account sent",
        description="POSTed to the account's outgoing webhook URL for each subscribed delivery"
        " event of each recipient: delivered, delayed, failed, suppressed, and more. Signed"
        " with the Standard Webhooks headers webhook-id, webhook-timestamp and"
        " webhook-signature; see docs/webhooks.md.",
        body_type=Outgoing,
    ),
    Webhook(
        name="incoming",
        summary="A message arrived in the account's mailbox",
        description="POSTed to the account's incoming webhook URL for each message stored in"
        " one of its mailboxes, with the parsed message. Signed like outgoing webhooks.",
        body_type=Incoming,
    ),
)

INFO = DocumentInfo(
    title="Postroom",
    version=postroom.__version__,
    description="The HTTP APIs of Postroom, a self-hosted transactional email server, and"
    " the webhooks it sends. Every method is an HTTP POST of a JSON request; see"
    " docs/webapi.md, docs/admin-api.md and docs/account-api.md.",
    server_url="http://localhost:1080",
    server_description="postroom localserve",
)


@functools.cache
def openapi_text() -> str:
    """The document as JSON text (built once: it depends only on the code)."""
    return openapi_json(openapi_document(API_TABLES, info=INFO, webhooks=WEBHOOKS))


async def openapi_endpoint(request: Request) -> Response:
    return Response(openapi_text(), media_type="application/json")
