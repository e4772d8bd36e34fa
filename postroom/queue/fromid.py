"""FromIDs: per-recipient tokens in the MAIL FROM localpart that map bounces back to a message.

128 bits from `secrets`, written in lower-case base32 (26 characters). Lower case
only, because relays may change the case of a localpart on the way back; matching
is then a plain lower-cased lookup (mox uses mixed-case base64 and exact matching).
"""

from __future__ import annotations

import base64
import secrets
from collections.abc import Sequence

from postroom.mail import Address
from postroom.queue.errors import FromIDSeparatorError
from postroom.store.account import Domain
from postroom.store.records import DomainRecord

FROMID_LENGTH = 26


def new_fromid() -> str:
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=").lower()


def fromid_mail_from_localpart(base_localpart: str, separator: str, fromid: str) -> str:
    """`alice` + `+` + fromid: the localpart of the MAIL FROM address of one recipient."""
    return f"{base_localpart}{separator}{fromid}"


async def fromid_sender(
    from_address: Address, login_address: Address, login_domain: DomainRecord
) -> tuple[str, Address]:
    """The catch-all separator for fromids and the MAIL FROM address before its fromid.

    The From address is used when its domain is ours and has a separator; otherwise
    (an allow-listed foreign From) the login address, so bounces still come back here.
    Raises FromIDSeparatorError when neither domain has a separator.
    """
    if from_address.domain == login_domain.name:
        from_separators: Sequence[str] = login_domain.catchall_separators
    else:
        domain = await Domain.get_or_none(name=from_address.domain)
        from_separators = domain.catchall_separators if domain is not None else []
    for address, separators in (
        (from_address, from_separators),
        (login_address, login_domain.catchall_separators),
    ):
        if separators:
            separator = separators[0]
            base = address.localpart.split(separator, 1)[0]
            return separator, Address(localpart=base, domain=address.domain)
    raise FromIDSeparatorError(login_domain.name)
