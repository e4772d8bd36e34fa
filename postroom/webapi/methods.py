"""The webapi's method table: one row per method, the single source for routing and docs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from postroom.mail import sniff_content_type
from postroom.webapi import messages, send, suppressions
from postroom.webapi.context import Call
from postroom.webapi.types import (
    MessageDeleteRequest,
    MessageDeleteResult,
    MessageFlagsAddRequest,
    MessageFlagsAddResult,
    MessageFlagsRemoveRequest,
    MessageFlagsRemoveResult,
    MessageGetRequest,
    MessageGetResult,
    MessageMoveRequest,
    MessageMoveResult,
    MessagePartGetRequest,
    MessageRawGetRequest,
    SendRequest,
    SendResult,
    SuppressionAddRequest,
    SuppressionAddResult,
    SuppressionListRequest,
    SuppressionListResult,
    SuppressionPresentRequest,
    SuppressionPresentResult,
    SuppressionRemoveRequest,
    SuppressionRemoveResult,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Method:
    name: str
    request_type: type[Any]
    result_type: type[Any] | None
    """None for methods that answer with bytes."""
    handler: Callable[[Call, Any], Awaitable[Any]]
    byte_media_type: str | None = None
    """The Content-Type of a bytes result, sent exactly (no charset added); None to sniff
    it from the first 512 bytes, as Go's net/http does for a mox handler that sets none."""

    @property
    def doc(self) -> str:
        return (self.handler.__doc__ or "").strip()

    def media_type_of(self, body: bytes) -> str:
        """The Content-Type header for the bytes result `body`."""
        return self.byte_media_type or sniff_content_type(body)


METHODS: dict[str, Method] = {
    m.name: m
    for m in (
        Method(name="Send", request_type=SendRequest, result_type=SendResult, handler=send.send),
        Method(
            name="SuppressionList",
            request_type=SuppressionListRequest,
            result_type=SuppressionListResult,
            handler=suppressions.suppression_list,
        ),
        Method(
            name="SuppressionAdd",
            request_type=SuppressionAddRequest,
            result_type=SuppressionAddResult,
            handler=suppressions.suppression_add,
        ),
        Method(
            name="SuppressionRemove",
            request_type=SuppressionRemoveRequest,
            result_type=SuppressionRemoveResult,
            handler=suppressions.suppression_remove,
        ),
        Method(
            name="SuppressionPresent",
            request_type=SuppressionPresentRequest,
            result_type=SuppressionPresentResult,
            handler=suppressions.suppression_present,
        ),
        Method(
            name="MessageGet",
            request_type=MessageGetRequest,
            result_type=MessageGetResult,
            handler=messages.message_get,
        ),
        Method(
            name="MessageRawGet",
            request_type=MessageRawGetRequest,
            result_type=None,
            handler=messages.message_raw_get,
            byte_media_type="text/plain",
        ),
        Method(
            name="MessagePartGet",
            request_type=MessagePartGetRequest,
            result_type=None,
            handler=messages.message_part_get,
        ),
        Method(
            name="MessageDelete",
            request_type=MessageDeleteRequest,
            result_type=MessageDeleteResult,
            handler=messages.message_delete,
        ),
        Method(
            name="MessageFlagsAdd",
            request_type=MessageFlagsAddRequest,
            result_type=MessageFlagsAddResult,
            handler=messages.message_flags_add,
        ),
        Method(
            name="MessageFlagsRemove",
            request_type=MessageFlagsRemoveRequest,
            result_type=MessageFlagsRemoveResult,
            handler=messages.message_flags_remove,
        ),
        Method(
            name="MessageMove",
            request_type=MessageMoveRequest,
            result_type=MessageMoveResult,
            handler=messages.message_move,
        ),
    )
}
