"""Receiving webhooks: `verify_webhook` checks a request's Standard Webhooks signature and
timestamp and decodes its body into an `Outgoing` or `Incoming`.

Written from the Standard Webhooks specification rather than shared with the server's
signing code, so that a test of one against the other checks both.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from datetime import timedelta

from postroom.client.errors import WebhookVerificationError
from postroom.wire import WireError, decode_response
from postroom.wire.webhooks import Incoming, Outgoing

SECRET_PREFIX = "whsec_"
DEFAULT_TOLERANCE = timedelta(minutes=5)
"""How far the signed timestamp may be from now, either way (Standard Webhooks' advice)."""


def verify_webhook(
    headers: Mapping[str, str],
    body: bytes,
    secret: str,
    *,
    tolerance: timedelta = DEFAULT_TOLERANCE,
    now_seconds: float | None = None,
) -> Outgoing | Incoming:
    """The payload of a webhook request whose signature is valid; WebhookVerificationError
    otherwise.

    `headers` are the request's headers (any case), `body` its raw bytes, exactly as
    received; `secret` is the account's `whsec_…` signing secret. The payload is an
    `Outgoing` when the body has an `Event`, else an `Incoming`.
    """
    lowered = {name.lower(): value for name, value in headers.items()}
    webhook_id = _header(lowered, "webhook-id")
    timestamp = _header(lowered, "webhook-timestamp")
    signatures = _header(lowered, "webhook-signature")
    try:
        signed_at = int(timestamp)
    except ValueError:
        raise WebhookVerificationError(f"webhook-timestamp {timestamp!r} is not a number") from None
    now = time.time() if now_seconds is None else now_seconds
    if abs(now - signed_at) > tolerance.total_seconds():
        raise WebhookVerificationError("webhook-timestamp is too far from now")
    expected = _signature(_key(secret), webhook_id, timestamp, body)
    given = [s.removeprefix("v1,") for s in signatures.split() if s.startswith("v1,")]
    if not any(hmac.compare_digest(expected, signature) for signature in given):
        raise WebhookVerificationError("no valid v1 signature in webhook-signature")
    return _payload(body)


def _header(headers: Mapping[str, str], name: str) -> str:
    value = headers.get(name, "").strip()
    if not value:
        raise WebhookVerificationError(f"missing header {name}")
    return value


def _key(secret: str) -> bytes:
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError("a webhook secret starts with whsec_")
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except binascii.Error as exc:
        raise ValueError("a webhook secret is whsec_ and base64") from exc


def _signature(key: bytes, webhook_id: str, timestamp: str, body: bytes) -> str:
    content = f"{webhook_id}.{timestamp}.".encode() + body
    return base64.b64encode(hmac.new(key, content, hashlib.sha256).digest()).decode("ascii")


def _payload(body: bytes) -> Outgoing | Incoming:
    try:
        text = body.decode("utf-8")
        if "Event" in json.loads(text):
            return decode_response(Outgoing, text)
        return decode_response(Incoming, text)
    except (UnicodeDecodeError, ValueError, TypeError, WireError) as exc:
        raise WebhookVerificationError(f"the body is not a webhook payload: {exc}") from exc
