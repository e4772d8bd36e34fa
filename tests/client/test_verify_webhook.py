"""verify_webhook on webhooks a live server sent, on the documented example, and the
documented openssl recipe run as written."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from standardwebhooks.webhooks import Webhook as StandardWebhook

from postroom.client import Incoming, Outgoing, WebhookVerificationError, verify_webhook
from postroom.gendoc.webhooks import (
    EXAMPLE_SECRET,
    EXAMPLE_TIMESTAMP,
    USER_AGENT,
    render_webhooks,
)
from postroom.hooks import new_secret
from tests.hooks.conftest import START, Hooked, hooked, receiver

__all__ = ["hooked", "receiver"]  # fixtures, used by name


async def test_verifies_and_decodes_what_the_server_sends(hooked: Hooked) -> None:
    await hooked.configure(incoming_url=hooked.receiver.url + "/in")
    result = await hooked.send_result("someone@example.com", Extra={"order": "<7&8>"})
    await hooked.deliver()
    await hooked.hooks.run_once()
    secret = (await hooked.runtime_account()).webhook_secret
    (request,) = hooked.receiver.on("/out")
    now = START.timestamp()

    payload = verify_webhook(request.headers, request.body, secret, now_seconds=now)
    assert isinstance(payload, Outgoing)
    assert (payload.Event, payload.MessageID) == ("delivered", result["MessageID"])
    assert payload.Extra == {"order": "<7&8>"}
    assert request.headers["user-agent"] == USER_AGENT

    # Header names in any case, as frameworks hand them over.
    upper = {name.upper(): value for name, value in request.headers.items()}
    assert verify_webhook(upper, request.body, secret, now_seconds=now) == payload

    (incoming,) = hooked.receiver.on("/in")  # the delivered message arrived locally
    arrived = verify_webhook(incoming.headers, incoming.body, secret, now_seconds=now)
    assert isinstance(arrived, Incoming)
    assert arrived.Meta.MailboxName == "Inbox"


async def test_refuses_tampering_wrong_secrets_and_old_timestamps(hooked: Hooked) -> None:
    await hooked.configure()
    await hooked.send("someone@example.com")
    await hooked.deliver()
    await hooked.hooks.run_once()
    secret = (await hooked.runtime_account()).webhook_secret
    (request,) = hooked.receiver.on("/out")
    now = START.timestamp()
    tampered = request.body.replace(b"delivered", b"failed")
    with pytest.raises(WebhookVerificationError, match="no valid v1 signature"):
        verify_webhook(request.headers, tampered, secret, now_seconds=now)
    with pytest.raises(WebhookVerificationError, match="no valid v1 signature"):
        verify_webhook(request.headers, request.body, new_secret(), now_seconds=now)
    with pytest.raises(WebhookVerificationError, match="too far from now"):
        verify_webhook(request.headers, request.body, secret, now_seconds=now + 301)
    assert verify_webhook(
        request.headers,
        request.body,
        secret,
        now_seconds=now + 3600,
        tolerance=timedelta(hours=2),
    )
    unsigned = {k: v for k, v in request.headers.items() if k != "webhook-signature"}
    with pytest.raises(WebhookVerificationError, match="missing header webhook-signature"):
        verify_webhook(unsigned, request.body, secret, now_seconds=now)


def documented_example() -> tuple[dict[str, str], bytes, str]:
    """The signed example request of docs/webhooks.md: its headers, body and shell recipe."""
    page = render_webhooks()
    (http,) = re.findall(r"```http\n(.*?)\n```", page, re.S)
    headers = dict(line.split(": ", 1) for line in http.splitlines()[1:])
    shell = next(
        block for block in re.findall(r"```sh\n(.*?)\n```", page, re.S) if "openssl" in block
    )
    (body,) = re.findall(r"printf '%s' '(.*)' > body.json", shell)
    return headers, body.encode("utf-8"), shell


def test_the_documented_example_verifies() -> None:
    headers, body, _ = documented_example()
    payload = verify_webhook(headers, body, EXAMPLE_SECRET, now_seconds=EXAMPLE_TIMESTAMP)
    assert isinstance(payload, Outgoing) and payload.Event == "delivered"
    # An independent implementation signs the same bytes the same way.
    signature = StandardWebhook(EXAMPLE_SECRET).sign(
        headers["webhook-id"], datetime.fromtimestamp(EXAMPLE_TIMESTAMP, UTC), body.decode()
    )
    assert signature == headers["webhook-signature"]


@pytest.mark.skipif(
    not (shutil.which("openssl") and shutil.which("xxd") and shutil.which("base64")),
    reason="needs openssl, xxd and base64",
)
def test_the_documented_openssl_recipe_prints_the_signature(tmp_path: Path) -> None:
    headers, _, shell = documented_example()
    done = subprocess.run(
        ["bash", "-c", shell], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    assert "v1," + done.stdout.strip() == headers["webhook-signature"]
