"""FromIDs: per-recipient tokens in the MAIL FROM localpart that map bounces back to a message.

128 bits from `secrets`, written in lower-case base32 (26 characters). Lower case
only, because relays may change the case of a localpart on the way back; matching
is then a plain lower-cased lookup (mox uses mixed-case base64 and exact matching).
"""

from __future__ import annotations

import base64
import secrets

FROMID_LENGTH = 26


def new_fromid() -> str:
    return base64.b32encode(secrets.token_bytes(16)).decode("ascii").rstrip("=").lower()


def fromid_mail_from_localpart(base_localpart: str, separator: str, fromid: str) -> str:
    """`alice` + `+` + fromid: the localpart of the MAIL FROM address of one recipient."""
    return f"{base_localpart}{separator}{fromid}"
