"""The synchronous webapi client: `Client`, one method per webapi method.

Use it as `with Client(...) as client:`, or call `close()` when done.
"""

from __future__ import annotations

from types import TracebackType

import httpx

from postroom.client.calls import (
    DEFAULT_TIMEOUT_SECONDS,
    DEFAULT_URL,
    auth_headers,
    base_url,
    basic_auth,
    call_headers,
    read_bytes,
    read_result,
    request_form,
)
from postroom.wire.webapi import (
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


class Client:
    """A webapi client for Postroom, or for mox (the methods and wire format are the same).

    `url` is the webapi's address, e.g. `https://mail.example.org/webapi/v0/`. Log in with
    an email address of the account and its password, or (Postroom only) with an API key.
    Every method takes its request dataclass and returns its result dataclass, or the bytes
    for MessageRawGet and MessagePartGet; a failed call raises PostroomError with the
    server's Code and Message. `http_client` replaces the client's own httpx.Client
    (its base URL and authentication are left as they are).
    """

    def __init__(
        self,
        url: str = DEFAULT_URL,
        username: str | None = None,
        password: str | None = None,
        *,
        api_key: str | None = None,
        timeout_seconds: float = DEFAULT_TIMEOUT_SECONDS,
        http_client: httpx.Client | None = None,
    ) -> None:
        self._url = base_url(url)
        self._own = http_client is None
        self._http = http_client or httpx.Client(
            auth=basic_auth(username, password),
            headers=auth_headers(api_key),
            timeout=timeout_seconds,
        )

    def close(self) -> None:
        """Close the HTTP connections (not a client passed in as `http_client`)."""
        if self._own:
            self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _post(
        self, name: str, request: object, idempotency_key: str | None = None
    ) -> httpx.Response:
        return self._http.post(
            self._url + name,
            data=request_form(name, request),
            headers=call_headers(idempotency_key),
        )

    def send(self, request: SendRequest, *, idempotency_key: str | None = None) -> SendResult:
        """Compose a message and queue it for delivery to every recipient.

        With `idempotency_key` (Postroom only), a retry with the same key within 24 hours
        returns the first result and sends nothing new."""
        return read_result(self._post("Send", request, idempotency_key), SendResult)

    def suppression_list(self, request: SuppressionListRequest) -> SuppressionListResult:
        """The account's suppressed addresses."""
        return read_result(self._post("SuppressionList", request), SuppressionListResult)

    def suppression_add(self, request: SuppressionAddRequest) -> SuppressionAddResult:
        """Stop delivering to an address."""
        return read_result(self._post("SuppressionAdd", request), SuppressionAddResult)

    def suppression_remove(self, request: SuppressionRemoveRequest) -> SuppressionRemoveResult:
        """Deliver to an address again."""
        return read_result(self._post("SuppressionRemove", request), SuppressionRemoveResult)

    def suppression_present(self, request: SuppressionPresentRequest) -> SuppressionPresentResult:
        """Whether an address is suppressed."""
        return read_result(self._post("SuppressionPresent", request), SuppressionPresentResult)

    def message_get(self, request: MessageGetRequest) -> MessageGetResult:
        """The parsed contents and metadata of a stored message."""
        return read_result(self._post("MessageGet", request), MessageGetResult)

    def message_raw_get(self, request: MessageRawGetRequest) -> bytes:
        """The stored message, as bytes."""
        return read_bytes(self._post("MessageRawGet", request))

    def message_part_get(self, request: MessagePartGetRequest) -> bytes:
        """The decoded contents of one MIME part, as bytes."""
        return read_bytes(self._post("MessagePartGet", request))

    def message_delete(self, request: MessageDeleteRequest) -> MessageDeleteResult:
        """Remove a stored message permanently."""
        return read_result(self._post("MessageDelete", request), MessageDeleteResult)

    def message_flags_add(self, request: MessageFlagsAddRequest) -> MessageFlagsAddResult:
        """Set flags and keywords on a stored message."""
        return read_result(self._post("MessageFlagsAdd", request), MessageFlagsAddResult)

    def message_flags_remove(self, request: MessageFlagsRemoveRequest) -> MessageFlagsRemoveResult:
        """Clear flags and keywords of a stored message."""
        return read_result(self._post("MessageFlagsRemove", request), MessageFlagsRemoveResult)

    def message_move(self, request: MessageMoveRequest) -> MessageMoveResult:
        """Move a stored message to another mailbox of the account."""
        return read_result(self._post("MessageMove", request), MessageMoveResult)
