"""Which account an address belongs to, and which From addresses an account may use.

Addresses resolve like incoming recipients: the domain must be one of ours, the
localpart is lower-cased and cut at the domain's first catch-all separator, so
`Alice+news@Example.com` belongs to whoever owns `alice@example.com`.
"""

from __future__ import annotations

from dataclasses import dataclass

from postroom.auth.errors import FromDomainDisabledError, FromNotAllowedError
from postroom.mail import Address
from postroom.store import sql
from postroom.store.account import Account, Domain, LoginAddress
from postroom.store.db import read_connection


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


# One query for a login: the login address with its domain and account. The localpart
# is not known before the domain's separators are, so the candidates are the whole
# lower-cased localpart and its prefixes before each non-alphanumeric character.
_LOGIN_QUERY = """
SELECT la.id AS login_address_id, la.localpart AS login_localpart, la.fromid_login,
       la.created AS login_created,
       d.id AS d_id, d.name AS d_name, d.catchall_separators AS d_catchall_separators,
       d.disabled AS d_disabled, d.created AS d_created,
       a.*
FROM login_address la
JOIN domain d ON d.id = la.domain_id
JOIN account a ON a.id = la.account_id
WHERE d.name = ? AND la.localpart IN ({candidates})
"""


async def find_login_address(address: Address) -> LoginAddress | None:
    """The login address row (with its account and domain loaded) that `address` names."""
    lowered = address.localpart.lower()
    candidates = [lowered] + [
        lowered[:index] for index, char in enumerate(lowered) if index and not char.isalnum()
    ]
    candidates = list(dict.fromkeys(candidates))[:16]
    query = _LOGIN_QUERY.format(candidates=", ".join("?" for _ in candidates))
    connection = read_connection()
    rows = await sql.fetch(connection, query, [address.domain, *candidates])
    if not rows:
        return None
    first = rows[0]
    domain = Domain._init_from_db(
        id=first["d_id"],
        name=first["d_name"],
        catchall_separators=first["d_catchall_separators"],
        disabled=first["d_disabled"],
        created=first["d_created"],
    )
    localpart, _ = split_catchall(address.localpart, domain.catchall_separators)
    for row in rows:
        if row["login_localpart"] == localpart:
            account_columns = {k: v for k, v in row.items() if k in _ACCOUNT_COLUMNS}
            login = LoginAddress._init_from_db(
                id=row["login_address_id"],
                localpart=row["login_localpart"],
                fromid_login=row["fromid_login"],
                account_id=row["id"],
                domain_id=domain.id,
                created=row["login_created"],
            )
            login.account = Account._init_from_db(**account_columns)
            login.domain = domain
            return login
    return None


_ACCOUNT_COLUMNS = frozenset(Account._meta.fields_db_projection.values())


async def check_from_address(
    account: Account, address: Address, login: LoginAddress | None = None
) -> None:
    """Raise unless `account` may send with `address` in From and MAIL FROM.

    Allowed: the account's own addresses (with any catch-all suffix), and entries of
    its sender allow-list: an exact address, `@domain` for a whole domain, or `*`.
    `login` (the address the caller logged in with, domain loaded) saves the lookups
    in the common case that From is the login address.
    """
    if login is not None and login.domain.name == address.domain:
        localpart, _ = split_catchall(address.localpart, login.domain.catchall_separators)
        if localpart == login.localpart:
            if login.domain.disabled:
                raise FromDomainDisabledError(address.domain)
            return
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
