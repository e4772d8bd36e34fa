"""A Python client for Postroom's webapi (and mox's: the wire format is the same), and
verification of the webhooks Postroom sends.

    from postroom.client import Client, NameAddress, SendRequest

    with Client("http://localhost:1080/webapi/v0/", "postroom@localhost", "postroom") as c:
        result = c.send(SendRequest(To=[NameAddress(Address="bob@example.com")], Text="hi"))

    sync      Client: one method per webapi method
    aio       AsyncClient: the same, async
    calls     the method table, building requests and reading answers
    webhooks  verify_webhook
    errors    PostroomError (Code and Message), WebhookVerificationError

It needs only httpx: the request and result dataclasses are the server's own, from
`postroom.wire`, which imports nothing but the standard library.
"""

from __future__ import annotations

from postroom.client.aio import AsyncClient
from postroom.client.errors import PostroomError, WebhookVerificationError
from postroom.client.sync import Client
from postroom.client.webhooks import verify_webhook
from postroom.wire.webapi import (
    File,
    Message,
    MessageDeleteRequest,
    MessageDeleteResult,
    MessageFlagsAddRequest,
    MessageFlagsAddResult,
    MessageFlagsRemoveRequest,
    MessageFlagsRemoveResult,
    MessageGetRequest,
    MessageGetResult,
    MessageMeta,
    MessageMoveRequest,
    MessageMoveResult,
    MessagePartGetRequest,
    MessageRawGetRequest,
    NameAddress,
    SendRequest,
    SendResult,
    Structure,
    Submission,
    Suppression,
    SuppressionAddRequest,
    SuppressionAddResult,
    SuppressionListRequest,
    SuppressionListResult,
    SuppressionPresentRequest,
    SuppressionPresentResult,
    SuppressionRemoveRequest,
    SuppressionRemoveResult,
)
from postroom.wire.webhooks import Incoming, IncomingMeta, Outgoing

__all__ = [
    "AsyncClient",
    "Client",
    "File",
    "Incoming",
    "IncomingMeta",
    "Message",
    "MessageDeleteRequest",
    "MessageDeleteResult",
    "MessageFlagsAddRequest",
    "MessageFlagsAddResult",
    "MessageFlagsRemoveRequest",
    "MessageFlagsRemoveResult",
    "MessageGetRequest",
    "MessageGetResult",
    "MessageMeta",
    "MessageMoveRequest",
    "MessageMoveResult",
    "MessagePartGetRequest",
    "MessageRawGetRequest",
    "NameAddress",
    "Outgoing",
    "PostroomError",
    "SendRequest",
    "SendResult",
    "Structure",
    "Submission",
    "Suppression",
    "SuppressionAddRequest",
    "SuppressionAddResult",
    "SuppressionListRequest",
    "SuppressionListResult",
    "SuppressionPresentRequest",
    "SuppressionPresentResult",
    "SuppressionRemoveRequest",
    "SuppressionRemoveResult",
    "WebhookVerificationError",
    "verify_webhook",
]
