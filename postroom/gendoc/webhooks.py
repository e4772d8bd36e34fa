"""docs/webhooks.md: every event and field, example bodies and the signature.

The example bodies are made by the code that makes real ones: the queue's event details
and message fields, `outgoing_payload` and `incoming_payload` of the hooks, the wire
encoder, and `request_headers` with a fixed example secret, so the documented signature
is one a receiver can check.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import postroom
from postroom.apidoc import class_attribute_docs
from postroom.gendoc.errors import MissingDocError
from postroom.gendoc.markdown import cell, code_block, page, table
from postroom.gendoc.wiretypes import class_doc, field_table
from postroom.hooks import Arrival, incoming_payload, outgoing_payload
from postroom.hooks.schedule import JITTER, MAX_ATTEMPTS, RETRY_WAITS
from postroom.hooks.sender import HookRequest, request_headers
from postroom.hooks.sign import secret_key
from postroom.mail import parse_message
from postroom.queue.events import EventDetails, QueueEvent
from postroom.queue.retire import message_fields
from postroom.wire import encode_html_safe
from postroom.wire.webhooks import Incoming, IncomingMeta, NameAddress, Outgoing, Structure

USER_AGENT = f"postroom/{postroom.__version__} (webhook)"
"""What the server sends (server/runtime.py); a test compares it with a real webhook."""
EXAMPLE_SECRET = "whsec_" + base64.b64encode(bytes(range(32))).decode("ascii")
EXAMPLE_TIMESTAMP = 1767225600
"""2026-01-01T00:00:00Z."""
EXAMPLE_TIME = datetime(2026, 1, 1, 0, 0, 0, 123456, tzinfo=UTC)
EXAMPLE_MESSAGE = {
    "from_id": "VHh7vp_k7POz2BdIPUJd2g",
    "message_id": "<P_bbcD-gkgXnGV@mail.example.org>",
    "subject": "Your invoice",
    "extra": {"userid": "456"},
}

_SCENARIOS: list[tuple[str, QueueEvent, EventDetails]] = [
    ("Delivered: the receiving server accepted the message.", QueueEvent.DELIVERED, EventDetails()),
    (
        "Delayed: the receiving server answered 451; Postroom tries again later.",
        QueueEvent.DELAYED,
        EventDetails(
            smtp_code=451,
            smtp_enhanced_code="4.2.2",
            error="remote smtp server sent 451 4.2.2 mailbox full, try again later",
        ),
    ),
    (
        "Failed: the receiving server refused the recipient; the address is now suppressed.",
        QueueEvent.FAILED,
        EventDetails(
            suppressing=True,
            smtp_code=550,
            smtp_enhanced_code="5.1.1",
            error="remote smtp server sent 550 5.1.1 no such user, permanent",
        ),
    ),
    (
        "Failed, from a bounce: the message was accepted, then a delivery report came back."
        " `BounceReason` says why.",
        QueueEvent.FAILED,
        EventDetails(
            dsn=True,
            suppressing=True,
            smtp_code=550,
            smtp_enhanced_code="5.1.1",
            error="550 5.1.1 <bob@example.com>: Recipient address rejected: User unknown",
            bounce_reason="userunknown",
        ),
    ),
    (
        "Complained (extension): the recipient reported the message as spam.",
        QueueEvent.COMPLAINED,
        EventDetails(
            dsn=True, suppressing=True, error="feedback report: abuse", bounce_reason="feedback"
        ),
    ),
    (
        "Suppressed: the recipient is on the suppression list, so nothing was sent.",
        QueueEvent.SUPPRESSED,
        EventDetails(
            error="not delivering to recipient address bob@example.com: address is on"
            " suppression list, permanent"
        ),
    ),
]

_INCOMING_MESSAGE = (
    b"From: Bob <bob@example.com>\r\n"
    b"To: support@example.org\r\n"
    b"Subject: Re: Your invoice\r\n"
    b"Message-ID: <reply-1@example.com>\r\n"
    b"In-Reply-To: <P_bbcD-gkgXnGV@mail.example.org>\r\n"
    b"References: <P_bbcD-gkgXnGV@mail.example.org>\r\n"
    b"Date: Thu, 01 Jan 2026 09:30:00 +0100\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/alternative; boundary="b1"\r\n'
    b"\r\n"
    b"--b1\r\n"
    b'Content-Type: text/plain; charset="utf-8"\r\n'
    b"\r\n"
    b"Thanks, paid!\r\n"
    b"--b1\r\n"
    b'Content-Type: text/html; charset="utf-8"\r\n'
    b"\r\n"
    b"<p>Thanks, paid!</p>\r\n"
    b"--b1--\r\n"
)


def render_webhooks() -> str:
    """The whole of docs/webhooks.md."""
    outgoing = [(text, _outgoing_body(event, details)) for text, event, details in _SCENARIOS]
    incoming = _incoming_body()
    headers = request_headers(
        HookRequest(
            hook_id=17,
            attempt=1,
            url="https://app.example.org/hooks/postroom",
            authorization="Bearer my-receiver-token",
            body=outgoing[0][1],
            timestamp=EXAMPLE_TIMESTAMP,
            signing_key=secret_key(EXAMPLE_SECRET),
        ),
        USER_AGENT,
    )
    return page(
        "# Webhooks",
        _intro(),
        _request(headers),
        _verifying(headers, outgoing[0][1]),
        _events(),
        "## Outgoing webhook",
        class_doc(Outgoing).doc,
        field_table(Outgoing),
        "### Examples",
        *(f"{text}\n\n{code_block(_pretty(body), 'json')}" for text, body in outgoing),
        "## Incoming webhook",
        class_doc(Incoming).doc,
        field_table(Incoming),
        "### Example",
        "A reply with a text and an HTML part:",
        code_block(_pretty(incoming), "json"),
        "## Types",
        *(
            f"### {cls.__name__}\n\n{class_doc(cls).doc}\n\n{field_table(cls)}"
            for cls in (IncomingMeta, NameAddress, Structure)
        ),
    )


def _intro() -> str:
    return """Postroom POSTs JSON to your application when something happens to a message an
account sent (the **outgoing** webhook) and when a message arrives in one of its
mailboxes (the **incoming** webhook). The bodies are those of
[mox](https://www.xmox.nl/)'s webhooks, so a receiver written for mox works unchanged.
Postroom's extensions are additive: the event `complained`, the field `BounceReason`,
and Standard Webhooks signatures.

Each account has an outgoing URL (with an optional list of events; none means all), an
incoming URL, an optional `Authorization` header value for each, and a signing secret.
Set them with the account API's [WebhooksSet](account-api.md#webhooksset) (or the admin
API's, or `postroom account webhooks`); [WebhookSecretRotate](account-api.md#webhooksecretrotate)
(or `postroom account rotate-secret`) makes a new secret and shows it once.
`postroom localserve --webhook-url URL` sends both kinds for its account to `URL`.
URL and Authorization are copied into a webhook when it is queued; `postroom hooks`
lists queued and past webhooks and retries or cancels them."""


def _request(headers: dict[str, str]) -> str:
    waits = ", ".join(_duration(wait) for wait in RETRY_WAITS)
    rows = [
        ("`User-Agent`", cell(f"`{USER_AGENT}`.")),
        ("`Content-Type`", "`application/json; charset=utf-8`."),
        (
            "`X-Mox-Webhook-ID`",
            "The webhook's ID, decimal; the same on every attempt (incoming and outgoing"
            " webhooks share one sequence). Match header names case-insensitively.",
        ),
        ("`X-Mox-Webhook-Attempt`", "The attempt, from 1."),
        ("`Authorization`", "The configured value, verbatim; absent if none is configured."),
        ("`webhook-id`", "Standard Webhooks: the same as `X-Mox-Webhook-ID`."),
        ("`webhook-timestamp`", "Standard Webhooks: Unix seconds when this attempt was signed."),
        (
            "`webhook-signature`",
            "Standard Webhooks: `v1,` and the base64 HMAC-SHA256 of"
            " `<webhook-id>.<webhook-timestamp>.<body>` under the secret's key.",
        ),
    ]
    example = "\n".join(f"{name}: {value}" for name, value in headers.items())
    return f"""## The request

`POST <URL>` with the JSON body and these headers:

{table(("Header", "Value"), rows)}

For example (the first outgoing example below, with the example secret
`{EXAMPLE_SECRET}`):

{code_block(f"POST /hooks/postroom HTTP/1.1{chr(10)}{example}", "http")}

The body is JSON with `<`, `>` and `&` escaped as `\\u003c`, `\\u003e` and `\\u0026`, as
Go's `json.Marshal` writes it; every JSON parser reads it back as the plain characters.

**Answer with any 2xx status** (mox wants exactly 200) within the timeout. Anything else,
or no answer, is a failure and the webhook is tried again after {waits}
(±{JITTER:.0%} each): {MAX_ATTEMPTS} attempts in all. Redirects are not followed. A new
outgoing webhook about the same message replaces one still waiting to be retried, so a
receiver sees the latest state without a backlog."""


def _verifying(headers: dict[str, str], body: bytes) -> str:
    webhook_id = headers["webhook-id"]
    timestamp = headers["webhook-timestamp"]
    signature = headers["webhook-signature"]
    python = """from postroom.client import WebhookVerificationError, verify_webhook

SECRET = "whsec_…"  # the account's signing secret


def receive(headers: dict[str, str], body: bytes) -> None:
    try:
        payload = verify_webhook(headers, body, SECRET)  # Outgoing or Incoming
    except WebhookVerificationError:
        ...  # answer 401 and ignore the request
    print(payload)"""
    stdlib = '''import base64, hashlib, hmac, time


def verify(headers: dict[str, str], body: bytes, secret: str) -> bool:
    """headers: lower-cased names."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    webhook_id, timestamp = headers["webhook-id"], headers["webhook-timestamp"]
    if abs(time.time() - int(timestamp)) > 5 * 60:
        return False  # too old or from the future: maybe a replay
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()
    return any(
        hmac.compare_digest(expected, value.removeprefix("v1,"))
        for value in headers["webhook-signature"].split()
        if value.startswith("v1,")
    )'''
    shell = f"""secret='{EXAMPLE_SECRET}'
printf '%s' '{body.decode("utf-8")}' > body.json
key=$(printf '%s' "${{secret#whsec_}}" | base64 -d | xxd -p -c 256)
{{ printf '%s.%s.' {webhook_id} {timestamp}; cat body.json; }} \\
  | openssl dgst -sha256 -mac HMAC -macopt "hexkey:$key" -binary | base64"""
    curl = f"""curl http://localhost:8000/hooks/postroom \\
  -H 'Content-Type: application/json; charset=utf-8' \\
  -H 'webhook-id: {webhook_id}' -H 'webhook-timestamp: {timestamp}' \\
  -H 'webhook-signature: {signature}' \\
  --data-binary @body.json"""
    return f"""## Verifying the signature

Every webhook is signed as [Standard Webhooks](https://www.standardwebhooks.com/)
specifies, so any of its libraries verifies it. Check the signature over the **raw body
bytes** (before parsing JSON), compare in constant time, and refuse timestamps more than a
few minutes away from now. `webhook-signature` may hold several space-separated
signatures (while a secret is being changed); one valid `v1,` entry is enough.

With the Python client, which also decodes the body:

{code_block(python, "python")}

With the standard library only:

{code_block(stdlib, "python")}

With openssl, for the example above: this prints the part of `webhook-signature` after
`v1,`, `{signature.removeprefix("v1,")}`.

{code_block(shell, "sh")}

To test your receiver, send it that signed example with curl (a receiver that checks the
timestamp will refuse it as too old; give it the example secret and a clock of
{EXAMPLE_TIMESTAMP}, or re-sign with a current timestamp):

{code_block(curl, "sh")}"""


def _events() -> str:
    docs = class_attribute_docs(QueueEvent).attributes
    rows = []
    for event in QueueEvent:
        text = docs.get(event.name)
        if text is None:
            raise MissingDocError(f"QueueEvent.{event.name} has no docstring")
        rows.append((f"`{event.value}`", cell(text)))
    return (
        "## Events\n\nThe `Event` of an outgoing webhook. Each recipient of a message has its"
        " own webhooks. With `DSN` true, the event comes from a report (a bounce, a delay"
        " notice, a complaint) that came back after the message left.\n\n"
        + table(("Event", "When"), rows)
    )


def _outgoing_body(event: QueueEvent, details: EventDetails) -> bytes:
    row: dict[str, Any] = {
        "created": EXAMPLE_TIME,
        "queue_msg_id": 42,
        "event": event.value,
        "details": details.to_json(),
        "message": message_fields(EXAMPLE_MESSAGE),
    }
    return encode_html_safe(outgoing_payload(row))


def _incoming_body() -> bytes:
    arrival = Arrival(
        msg_id=123,
        mail_from="bob@example.com",
        rcpt_to="support@example.org",
        remote_ip="192.0.2.10",
        received=EXAMPLE_TIME + timedelta(hours=8, minutes=30),
        mailbox_name="Inbox",
    )
    data = _INCOMING_MESSAGE
    return encode_html_safe(incoming_payload(data, parse_message(data), arrival))


def _pretty(body: bytes) -> str:
    return json.dumps(json.loads(body), indent=2, ensure_ascii=False)


def _duration(wait: timedelta) -> str:
    seconds = int(wait.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    text = (f"{hours}h" if hours else "") + (f"{minutes}m" if minutes else "")
    return text + (f"{seconds}s" if seconds else "")
