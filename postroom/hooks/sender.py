"""POSTing a webhook: the `Sender` seam and its aiohttp implementation (docs/webhooks.md).

One shared `aiohttp.ClientSession` keeps connections to receivers open between hooks.
(aiohttp rather than httpx: on loopback it POSTs over ten times as many requests per
second at our concurrency, and webhooks are sent by the tens of thousands.)
Redirects are not followed (a receiver that moved must be reconfigured, and a
redirect must not turn a POST into a GET or carry the Authorization elsewhere); any
2xx status is success (mox wants exactly 200; docs/architecture.md); every attempt has a
timeout. A failure of the receiver is an outcome, never an exception. Connections go
only to addresses `hooks.addresses` allows, checked after resolution (`hooks.connect`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import aiohttp

from postroom.hooks.addresses import AddressPolicy
from postroom.hooks.connect import CheckedResolver
from postroom.hooks.results import MAX_RESPONSE_BYTES
from postroom.hooks.sign import signature
from postroom.resolver import Resolver


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
    """Sends webhooks over one pooled HTTP client session. Close it at shutdown."""

    def __init__(
        self,
        *,
        user_agent: str,
        timeout_seconds: float,
        resolver: Resolver,
        policy: AddressPolicy,
        max_connections: int = 100,
    ) -> None:
        self._user_agent = user_agent
        self._resolver = resolver
        self._policy = policy
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._max_connections = max_connections
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        # Created on first use: a session belongs to the event loop it was made in.
        if self._session is None:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(
                    limit=self._max_connections,
                    limit_per_host=0,
                    resolver=CheckedResolver(self._resolver, self._policy),
                ),
                timeout=self._timeout,
                trust_env=False,
                auto_decompress=False,
            )
        return self._session

    async def send(self, request: HookRequest) -> HookResponse:
        # aiohttp connects to IP literals without asking the resolver: checked here.
        refusal = self._policy.check_url(request.url)
        if refusal:
            return HookResponse(
                success=False, error=f"refused: {request.url} is {refusal}; not connecting"
            )
        headers = request_headers(request, self._user_agent)
        try:
            async with self._client().post(
                request.url, data=request.body, headers=headers, allow_redirects=False
            ) as response:
                excerpt = await _excerpt(response)
                status, reason = response.status, response.reason or ""
        except TimeoutError as exc:
            return HookResponse(success=False, error=f"http transact: timeout: {exc!r}")
        except (aiohttp.ClientError, OSError, ValueError) as exc:
            # ValueError: a URL that cannot be used (stored before validation existed).
            return HookResponse(success=False, error=f"http transact: {exc!r}")
        if 200 <= status < 300:
            return HookResponse(success=True, code=status, response=excerpt)
        return HookResponse(
            success=False,
            code=status,
            error=f'http status "{status} {reason}", expected 2xx',
            response=excerpt,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()


async def _excerpt(response: aiohttp.ClientResponse) -> str:
    """The first bytes of the body; the rest is not read (a receiver may send a lot)."""
    data = b""
    while len(data) < MAX_RESPONSE_BYTES:
        chunk = await response.content.read(MAX_RESPONSE_BYTES - len(data))
        if not chunk:
            break
        data += chunk
    return data.decode("utf-8", "replace")
