"""Standard Webhooks signatures (https://www.standardwebhooks.com, "Signature scheme").

The signed content is `<webhook-id>.<webhook-timestamp>.<body>`; the signature is
`v1,` + base64 of its HMAC-SHA256 under the secret, which is written `whsec_` +
base64 of the key bytes. Receivers verify with any Standard Webhooks library.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from postroom.hooks.errors import SecretError

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
"""The specification asks for 24 to 64 random bytes."""


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode("ascii")


def secret_key(secret: str) -> bytes:
    """The key bytes of a `whsec_…` secret."""
    if not secret.startswith(SECRET_PREFIX):
        raise SecretError("a webhook secret starts with whsec_")
    try:
        return base64.b64decode(secret[len(SECRET_PREFIX) :], validate=True)
    except ValueError as exc:
        raise SecretError("a webhook secret is whsec_ and base64") from exc


def signature(key: bytes, webhook_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header value for one request."""
    content = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, content, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")
