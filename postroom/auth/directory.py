"""Which account an address belongs to, and which From addresses an account may use.

Addresses resolve like incoming recipients: the domain must be one of ours, the
localpart is lower-cased and cut at the domain's first catch-all separator, so
`Alice+news@Example.com` belongs to whoever owns `alice@example.com`.
"""

from __future__ import annotations

from dataclasses import dataclass

from postroom.auth.errors import FromDomainDisabledError, FromNotAllowedError
from postroom.mail import Address
from postroom.store.account import Account, Domain, LoginAddress


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedAddress:
    domain: Domain
    localpart: str
    """Lower-cased, without the catch-all suffix."""
    suffix: str
    """What followed the first catch-all separator, or "" (a fromid, for incoming mail)."""


def split_catchall(localpart: str, separators: list[str]) -> tuple[str, str]:
    """Cut a lower-cased localpart at the first occurrence of any separator."""
    lowered = localpart.lower()
    cut = min(
        (index for sep in separators if sep and (index := lowered.find(sep)) >= 0),
        default=-1,
    )
    if cut < 0:
        return lowered, ""
    separator = next(sep for sep in separators if sep and lowered.startswith(sep, cut))
    return lowered[:cut], lowered[cut + len(separator) :]


async def resolve_domain_address(address: Address) -> ResolvedAddress | None:
    """The address's domain row and normalized localpart, or None if not our domain."""
    domain = await Domain.get_or_none(name=address.domain)
    if domain is None:
        return None
    localpart, suffix = split_catchall(address.localpart, domain.catchall_separators)
    return ResolvedAddress(domain=domain, localpart=localpart, suffix=suffix)


async def find_login_address(address: Address) -> LoginAddress | None:
    """The login address row (with its account and domain loaded) that `address` names."""
    resolved = await resolve_domain_address(address)
    if resolved is None:
        return None
    row = await LoginAddress.get_or_none(
        domain_id=resolved.domain.id, localpart=resolved.localpart
    ).select_related("account")
    if row is not None:
        row.domain = resolved.domain
    return row


async def check_from_address(account: Account, address: Address) -> None:
    """Raise unless `account` may send with `address` in From and MAIL FROM.

    Allowed: the account's own addresses (with any catch-all suffix), and entries of
    its sender allow-list: an exact address, `@domain` for a whole domain, or `*`.
    """
    resolved = await resolve_domain_address(address)
    if resolved is not None:
        if resolved.domain.disabled:
            raise FromDomainDisabledError(address.domain)
        owned = await LoginAddress.exists(
            account_id=account.id, domain_id=resolved.domain.id, localpart=resolved.localpart
        )
        if owned:
            return
    if _allow_listed(account.sender_allowlist, address):
        return
    raise FromNotAllowedError(str(address))


def _allow_listed(allowlist: list[str], address: Address) -> bool:
    text = f"{address.localpart}@{address.domain}".lower()
    for entry in allowlist:
        entry = entry.strip().lower()
        if entry == "*" or entry == text or entry == "@" + address.domain:
            return True
    return False
