"""The webapi's method table: one row per method, the single source for routing and docs."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from postroom.webapi import send, suppressions
from postroom.webapi.context import Call
from postroom.webapi.types import (
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

    @property
    def doc(self) -> str:
        return (self.handler.__doc__ or "").strip()


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
    )
}
