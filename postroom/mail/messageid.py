"""Message-IDs (RFC 5322 §3.6.4): generating new ones and checking given ones like mox.

Owns only the `<...>` shape; References entries are not checked (mox keeps
whatever the caller got from an earlier message).
"""

from __future__ import annotations

import base64
import secrets

from postroom.mail.errors import MessageIDError
from postroom.mail.headers import check_header_value

# 16 random octets give 128 bits, unique without coordination; base64url
# without padding makes them 22 characters that are all RFC 5322 atext.
_RANDOM_OCTETS = 16


def new_message_id(hostname: str) -> str:
    """A fresh `<random@hostname>`; pass the Unicode hostname only in SMTPUTF8 mode."""
    token = base64.urlsafe_b64encode(secrets.token_bytes(_RANDOM_OCTETS)).rstrip(b"=")
    return f"<{token.decode('ascii')}@{hostname}>"


def check_message_id(value: str) -> None:
    """Refuse a Message-ID that does not start with < and end with >, or has control characters."""
    if not (value.startswith("<") and value.endswith(">")):
        raise MessageIDError()
    check_header_value(value)
