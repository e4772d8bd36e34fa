"""Which account an address belongs to, and which From addresses an account may use.

Addresses resolve like incoming recipients: the domain must be one of ours, the
localpart is lower-cased and cut at the domain's first catch-all separator, so
`Alice+news@Example.com` belongs to whoever owns `alice@example.com`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from postroom.auth.errors import FromDomainDisabledError, FromNotAllowedError
from postroom.mail import Address
from postroom.store.reader import Reader
from postroom.store.records import AccountRecord, DomainRecord, LoginAddressRecord


@dataclass(frozen=True, slots=True, kw_only=True)
class ResolvedAddress:
    domain: DomainRecord
    localpart: str
    """Lower-cased, without the catch-all suffix."""
    suffix: str
    """What followed the first catch-all separator, or "" (a fromid, for incoming mail)."""


def split_catchall(localpart: str, separators: Sequence[str]) -> tuple[str, str]:
    """Cut a lower-cased localpart at the first occurrence of any separator."""
    lowered = localpart.lower()
    cut, width = -1, 0
    for separator in separators:
        if separator:
            index = lowered.find(separator)
            if index >= 0 and (cut < 0 or index < cut):
                cut, width = index, len(separator)
    if cut < 0:
        return lowered, ""
    return lowered[:cut], lowered[cut + width :]


async def resolve_domain_address(address: Address, reader: Reader) -> ResolvedAddress | None:
    """The address's domain row and normalized localpart, or None if not our domain."""
    rows = await reader.fetch(
        "SELECT id, name, catchall_separators, disabled FROM domain WHERE name = ?",
        [address.domain],
    )
    if not rows:
        # Another name of one of our domains (a domain alias) is that domain.
        rows = await reader.fetch(
            "SELECT d.id, d.name, d.catchall_separators, d.disabled FROM domain d"
            " JOIN domain_alias da ON da.domain_id = d.id WHERE da.name = ?",
            [address.domain],
        )
    if not rows:
        return None
    record = DomainRecord.from_row(rows[0])
    localpart, suffix = split_catchall(address.localpart, record.catchall_separators)
    return ResolvedAddress(domain=record, localpart=localpart, suffix=suffix)


# One query for a login: the login address with its domain and account. The localpart
# is not known before the domain's separators are, so the candidates are the whole
# lower-cased localpart and its prefixes before each non-alphanumeric character.
_LOGIN_QUERY = (
    "SELECT la.id AS la_id, la.localpart AS la_localpart, la.fromid_login AS la_fromid_login,"
    " d.id AS d_id, d.name AS d_name, d.catchall_separators AS d_catchall_separators,"
    " d.disabled AS d_disabled, "
    + ", ".join(f"a.{column} AS a_{column}" for column in AccountRecord.COLUMNS)
    + " FROM login_address la"
    " JOIN domain d ON d.id = la.domain_id"
    " JOIN account a ON a.id = la.account_id"
    " WHERE d.id IN (SELECT id FROM domain WHERE name = ?"
    " UNION ALL SELECT domain_id FROM domain_alias WHERE name = ?)"
    " AND la.localpart IN ({candidates})"
)


async def find_login_address(address: Address, reader: Reader) -> LoginAddressRecord | None:
    """The login address (with its account and domain) that `address` names, or None."""
    lowered = address.localpart.lower()
    candidates = [lowered] + [
        lowered[:index] for index, char in enumerate(lowered) if index and not char.isalnum()
    ]
    candidates = list(dict.fromkeys(candidates))[:16]
    query = _LOGIN_QUERY.format(candidates=", ".join("?" for _ in candidates))
    rows = await reader.fetch(query, [address.domain, address.domain, *candidates])
    if not rows:
        return None
    domain = DomainRecord.from_row(rows[0], "d_")
    localpart, _ = split_catchall(address.localpart, domain.catchall_separators)
    for row in rows:
        if row["la_localpart"] == localpart:
            return LoginAddressRecord(
                id=int(row["la_id"]),
                localpart=localpart,
                fromid_login=bool(row["la_fromid_login"]),
                account=AccountRecord.from_row(row, "a_"),
                domain=domain,
            )
    return None


async def check_from_address(
    account: AccountRecord,
    address: Address,
    reader: Reader,
    login: LoginAddressRecord | None = None,
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
    resolved = await resolve_domain_address(address, reader)
    if resolved is not None:
        if resolved.domain.disabled:
            raise FromDomainDisabledError(address.domain)
        owned = await reader.fetch(
            "SELECT 1 AS owned FROM login_address"
            " WHERE account_id = ? AND domain_id = ? AND localpart = ?",
            [account.id, resolved.domain.id, resolved.localpart],
        )
        if owned:
            return
    if _allow_listed(account.sender_allowlist, address):
        return
    raise FromNotAllowedError(str(address))


def _allow_listed(allowlist: Sequence[str], address: Address) -> bool:
    text = f"{address.localpart}@{address.domain}".lower()
    for entry in allowlist:
        entry = entry.strip().lower()
        if entry == "*" or entry == text or entry == "@" + address.domain:
            return True
    return False


async def first_login_address(account_id: int, reader: Reader) -> LoginAddressRecord | None:
    """The account's oldest login address (with account and domain), or None if it has none:
    what a caller authenticated by API key is taken to have logged in with."""
    query = _LOGIN_QUERY.split(" WHERE ")[0] + " WHERE a.id = ? ORDER BY la.id LIMIT 1"
    rows = await reader.fetch(query, [account_id])
    if not rows:
        return None
    row = rows[0]
    return LoginAddressRecord(
        id=int(row["la_id"]),
        localpart=str(row["la_localpart"]),
        fromid_login=bool(row["la_fromid_login"]),
        account=AccountRecord.from_row(row, "a_"),
        domain=DomainRecord.from_row(row, "d_"),
    )
