"""Which accounts an incoming recipient address delivers to, or why it is refused.

Accepted: an account's login address (case-insensitive, with any suffix after the
domain's catch-all separator, which is kept as the fromid), and an alias whose members
are all our own addresses. Nothing else: a domain that is not ours is refused whoever
asks, so the incoming listener can never relay.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from postroom.auth import find_login_address, resolve_domain_address
from postroom.mail import Address, AddressError, parse_address
from postroom.smtp.errors import (
    AliasRemoteMembersError,
    DomainDisabledError,
    NoSuchUserError,
    RelayDeniedError,
)
from postroom.store.account import Alias
from postroom.store.reader import Reader

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class LocalDelivery:
    """One account a recipient's copy goes to."""

    account_id: int
    fromid: str
    """The lower-cased suffix after the catch-all separator of a login address (a
    fromid when it names a message we sent), or ""."""


async def resolve_recipient(address: Address, reader: Reader) -> tuple[LocalDelivery, ...]:
    """The accounts `address` delivers to, at least one. Raises a RecipientError."""
    # The domain first: for mail to other domains (refused, or in localserve taken
    # for the local account) that is the only query.
    resolved = await resolve_domain_address(address, reader)
    if resolved is None:
        raise RelayDeniedError(str(address))
    if resolved.domain.disabled:
        raise DomainDisabledError(address.domain)
    owners = await reader.fetch(
        "SELECT account_id FROM login_address WHERE domain_id = ? AND localpart = ?",
        [resolved.domain.id, resolved.localpart],
    )
    if owners:
        return (LocalDelivery(account_id=int(owners[0]["account_id"]), fromid=resolved.suffix),)
    alias = await Alias.get_or_none(domain_id=resolved.domain.id, localpart=resolved.localpart)
    if alias is None:
        raise NoSuchUserError(str(address))
    return await _alias_deliveries(str(address), alias.members, reader)


MAX_ALIAS_DEPTH = 5
"""How deep aliases whose members are aliases are followed (as `queue.aliases`)."""


async def _alias_deliveries(
    alias: str, members: Sequence[str], reader: Reader
) -> tuple[LocalDelivery, ...]:
    # Members on other domains would need forwarding through the queue, which mail from
    # other servers does not get: the alias is refused as a whole rather than delivered
    # to only some members (see docs/architecture.md, Administration).
    account_ids: dict[int, None] = {}
    seen = {alias.lower()}
    pending = [(member, 1) for member in members]
    while pending:
        member, depth = pending.pop(0)
        try:
            address = parse_address(member)
        except AddressError:
            log.warning("alias %s: member %r is not an address, skipped", alias, member)
            continue
        if str(address).lower() in seen:
            continue
        seen.add(str(address).lower())
        login = await find_login_address(address, reader)
        if login is not None:
            account_ids[login.account.id] = None
            continue
        resolved = await resolve_domain_address(address, reader)
        if resolved is None:
            raise AliasRemoteMembersError(alias)
        nested = await Alias.get_or_none(domain_id=resolved.domain.id, localpart=resolved.localpart)
        if nested is not None and depth < MAX_ALIAS_DEPTH:
            pending.extend((m, depth + 1) for m in nested.members)
        else:
            log.warning("alias %s: member %s does not exist, skipped", alias, member)
    if not account_ids:
        raise NoSuchUserError(alias)
    return tuple(LocalDelivery(account_id=a, fromid="") for a in account_ids)
