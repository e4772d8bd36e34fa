"""Which accounts an incoming recipient address delivers to, or why it is refused.

Accepted: an account's login address (case-insensitive, with any suffix after the
domain's catch-all separator, which is kept as the fromid); an alias, whose members on
our domains get a copy each and whose members elsewhere get a forwarded copy, queued as
the domain's forwarding account's (`queue.forward`); and an SRS address we made for a
forward, where a bounce about it comes back, forwarded on to the original sender.
Nothing else: a domain that is not ours is refused whoever asks, so the incoming
listener can never relay to an address a sender chooses.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from postroom.auth import ResolvedAddress, find_login_address, resolve_domain_address
from postroom.mail import Address, AddressError, SRSError, is_srs, parse_address
from postroom.queue.forward import decode_return_address
from postroom.smtp.errors import (
    AliasRemoteMembersError,
    DomainDisabledError,
    InvalidReturnAddressError,
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


@dataclass(frozen=True, slots=True, kw_only=True)
class ForwardDelivery:
    """An address elsewhere a recipient's copy is forwarded to."""

    account_id: int
    """The forwarding account of the domain, whose queue holds the forward."""
    forwarder_domain: str
    """The domain the forward is sent from (the alias's or SRS address's domain)."""
    address: Address


RecipientDelivery = LocalDelivery | ForwardDelivery


async def resolve_recipient(
    address: Address, reader: Reader, now: datetime
) -> tuple[RecipientDelivery, ...]:
    """Where `address`'s copy goes, at least one place. Raises a RecipientError."""
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
    if alias is not None:
        return await _alias_deliveries(address, resolved, alias.members, reader)
    if is_srs(address.localpart):
        return (await _return_delivery(address, resolved, reader, now),)
    raise NoSuchUserError(str(address))


async def _forwarding_account(resolved: ResolvedAddress, reader: Reader) -> int | None:
    rows = await reader.fetch(
        "SELECT forward_account_id FROM domain WHERE id = ?", [resolved.domain.id]
    )
    account_id = rows[0]["forward_account_id"] if rows else None
    return int(account_id) if account_id is not None else None


async def _return_delivery(
    address: Address, resolved: ResolvedAddress, reader: Reader, now: datetime
) -> ForwardDelivery:
    # A report about a forward (or a reply to its envelope sender): passed on to the
    # sender the forward was made for, if the address is one we made and still valid.
    try:
        original = await decode_return_address(address, reader, now)
    except SRSError as exc:
        raise InvalidReturnAddressError(str(exc)) from exc
    account_id = await _forwarding_account(resolved, reader)
    if account_id is None:
        raise InvalidReturnAddressError(f"{address}: domain has no forwarding account")
    return ForwardDelivery(
        account_id=account_id, forwarder_domain=resolved.domain.name, address=original
    )


MAX_ALIAS_DEPTH = 5
"""How deep aliases whose members are aliases are followed (as `queue.aliases`)."""


async def _alias_deliveries(
    alias: Address, resolved: ResolvedAddress, members: Sequence[str], reader: Reader
) -> tuple[RecipientDelivery, ...]:
    account_ids: dict[int, None] = {}
    remote: dict[str, Address] = {}
    seen = {str(alias).lower()}
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
        member_domain = await resolve_domain_address(address, reader)
        if member_domain is None:
            remote[str(address).lower()] = address
            continue
        nested = await Alias.get_or_none(
            domain_id=member_domain.domain.id, localpart=member_domain.localpart
        )
        if nested is not None and depth < MAX_ALIAS_DEPTH:
            pending.extend((m, depth + 1) for m in nested.members)
        else:
            log.warning("alias %s: member %s does not exist, skipped", alias, member)
    deliveries: list[RecipientDelivery] = [
        LocalDelivery(account_id=a, fromid="") for a in account_ids
    ]
    if remote:
        # Refused as a whole rather than delivered to only some members.
        forwarder = await _forwarding_account(resolved, reader)
        if forwarder is None:
            raise AliasRemoteMembersError(str(alias))
        deliveries.extend(
            ForwardDelivery(
                account_id=forwarder, forwarder_domain=resolved.domain.name, address=address
            )
            for address in remote.values()
        )
    if not deliveries:
        raise NoSuchUserError(str(alias))
    return tuple(deliveries)
