"""Which transport a delivery takes (docs/architecture.md): the message's own, set with
`postroom queue transport`, else the first configured route that matches, else the
default (direct delivery, or the legacy `delivery.relay_host`).

A message set to a transport that is not configured fails temporarily, so an
operator can fix the configuration (or the message) before its attempts run out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from postroom.config import RouteConfig
from postroom.queue.transport import Delivery, RecipientOutcome, Transport, failure_for_all


def domain_matches(pattern: str, domain: str) -> bool:
    """An empty pattern matches any domain; `.example.com` matches example.com and its
    subdomains; anything else only itself."""
    if not pattern:
        return True
    domain = domain.lower()
    if pattern.startswith("."):
        return domain == pattern[1:] or domain.endswith(pattern)
    return domain == pattern


def route_matches(route: RouteConfig, delivery: Delivery) -> bool:
    return (
        (not route.account or route.account == delivery.account)
        and domain_matches(route.sender_domain, delivery.sender_domain)
        and domain_matches(route.recipient_domain, delivery.recipient_domain)
        # Attempts so far, not counting this one (a fallback after N failures).
        and delivery.attempt - 1 >= route.minimum_attempts
    )


def chosen_transport(routes: Sequence[RouteConfig], delivery: Delivery) -> str:
    """The transport name for the delivery; "" for the default."""
    if delivery.transport:
        return delivery.transport
    for route in routes:
        if route_matches(route, delivery):
            return route.transport
    return ""


class RoutingTransport:
    def __init__(
        self,
        transports: Mapping[str, Transport],
        routes: Sequence[RouteConfig],
        default: Transport,
    ) -> None:
        self._transports = dict(transports)
        self._routes = list(routes)
        self._default = default

    async def deliver(self, delivery: Delivery) -> list[RecipientOutcome]:
        name = chosen_transport(self._routes, delivery)
        if not name:
            return await self._default.deliver(delivery)
        transport = self._transports.get(name)
        if transport is None:
            return failure_for_all(
                delivery.recipients,
                permanent=False,
                code=0,
                secode="",
                error=f'cannot find transport "{name}"',
            )
        return await transport.deliver(delivery)


class DropTransport:
    """Accepts every recipient and sends nothing: for trying a setup without mail
    leaving, and for tests."""

    async def deliver(self, delivery: Delivery) -> list[RecipientOutcome]:
        accepted = RecipientOutcome(success=True, code=250, secode="0.0", remote_mta="drop")
        return [accepted for _ in delivery.recipients]
