"""POSTing a webhook: the `Sender` seam and its httpx implementation (SPEC §3.4).

One shared `httpx.AsyncClient` keeps connections to receivers open between hooks.
Redirects are not followed (a receiver that moved must be reconfigured, and a
redirect must not turn a POST into a GET or carry the Authorization elsewhere); any
2xx status is success (mox wants exactly 200; SPEC policy 6); every attempt has a
timeout. A failure of the receiver is an outcome, never an exception.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import httpx

from postroom.hooks.results import MAX_RESPONSE_BYTES
from postroom.hooks.sign import signature


@dataclass(frozen=True, slots=True, kw_only=True)
class HookRequest:
    """One attempt of one webhook."""

    hook_id: int
    attempt: int
    """1-based."""
    url: str
    authorization: str
    """Sent verbatim as the Authorization header; "" sends none."""
    body: bytes
    timestamp: int
    """Unix seconds, for the signature."""
    signing_key: bytes | None
    """The account's Standard Webhooks key; None signs nothing."""


@dataclass(frozen=True, slots=True, kw_only=True)
class HookResponse:
    success: bool
    code: int = 0
    error: str = ""
    response: str = ""


class Sender(Protocol):
    async def send(self, request: HookRequest) -> HookResponse:
        """POST one webhook; a failure of the receiver is a response, never raised."""
        ...


def request_headers(request: HookRequest, user_agent: str) -> dict[str, str]:
    webhook_id = str(request.hook_id)
    headers = {
        "User-Agent": user_agent,
        "Content-Type": "application/json; charset=utf-8",
        "X-Mox-Webhook-ID": webhook_id,
        "X-Mox-Webhook-Attempt": str(request.attempt),
    }
    if request.authorization:
        headers["Authorization"] = request.authorization
    if request.signing_key is not None:
        # Standard Webhooks: the same id on every attempt, so receivers can deduplicate.
        headers["webhook-id"] = webhook_id
        headers["webhook-timestamp"] = str(request.timestamp)
        headers["webhook-signature"] = signature(
            request.signing_key, webhook_id, request.timestamp, request.body
        )
    return headers


class HTTPSender:
    """Sends webhooks with one pooled httpx client. Close it at shutdown."""

    def __init__(
        self, *, user_agent: str, timeout_seconds: float, max_connections: int = 100
    ) -> None:
        self._user_agent = user_agent
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(timeout_seconds),
            limits=httpx.Limits(
                max_connections=max_connections, max_keepalive_connections=max_connections
            ),
            trust_env=False,
        )

    async def send(self, request: HookRequest) -> HookResponse:
        headers = request_headers(request, self._user_agent)
        try:
            async with self._client.stream(
                "POST", request.url, content=request.body, headers=headers
            ) as response:
                excerpt = await _excerpt(response)
        except httpx.TimeoutException as exc:
            return HookResponse(success=False, error=f"http transact: timeout: {exc!r}")
        except (httpx.HTTPError, OSError, ValueError) as exc:
            # ValueError: a URL httpx cannot use (stored before validation existed).
            return HookResponse(success=False, error=f"http transact: {exc!r}")
        status = response.status_code
        if 200 <= status < 300:
            return HookResponse(success=True, code=status, response=excerpt)
        return HookResponse(
            success=False,
            code=status,
            error=f'http status "{status} {response.reason_phrase}", expected 2xx',
            response=excerpt,
        )

    async def close(self) -> None:
        await self._client.aclose()


async def _excerpt(response: httpx.Response) -> str:
    """The first bytes of the body; the rest is not read (a receiver may send a lot)."""
    data = b""
    async for chunk in response.aiter_raw():
        data += chunk
        if len(data) >= MAX_RESPONSE_BYTES:
            break
    return data[:MAX_RESPONSE_BYTES].decode("utf-8", "replace")
