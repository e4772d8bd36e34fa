"""Non-standard bounces: messages that report a failure in prose, with no RFC 3464 part.

Owns deciding that such a message is a bounce at all, and collecting each
recipient's evidence from the text (Postfix, Exim, qmail, Sendmail, Exchange,
Gmail, Yahoo and the like). The layouts are `plaintext`'s; judging a recipient
is `outcome`'s.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from postroom.dsn.fields import ADDRESS, FieldBlock, address_value
from postroom.dsn.message import MessageView
from postroom.dsn.outcome import Evidence, recipient_outcome
from postroom.dsn.plaintext import (
    TextRecipient,
    clean_address,
    scan_recipients,
    server_words,
)
from postroom.dsn.result import Bounce, BounceKind, Reason, RecipientResult
from postroom.dsn.status import find_enhanced, find_reply_code, is_temporary_text

# Senders, subjects and wording of bounces that carry no report part.
_BOUNCE_SENDER = re.compile(
    r"mailer-daemon|post_?master|mail delivery|mail administrator|mdaemon|bounce", re.IGNORECASE
)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|not delivered|delivery (?:status|failure|failed|notification|problem)|"
    r"failure notice|returned mail|returned to sender|could not be delivered|"
    r"mail (?:delivery )?(?:failed|failure|error)|bounce|rejected|non[ -]?remis|"
    r"warning|delayed|nondeliverable|delivery report|unzustellbar|problem|"
    r"\u30a8\u30e9\u30fc|\u672a\u914d\u9054|\u4e0d\u9054",  # Japanese: error, undelivered
    re.IGNORECASE,
)
_BOUNCE_TEXT = re.compile(
    r"(?:could not|couldn't|cannot|can't|was not|wasn't) be delivered|undeliverable|"
    r"delivery (?:has )?failed|failed permanently|permanent (?:error|failure)|"
    r"unable to deliver|not delivered to",
    re.IGNORECASE,
)
# Mailing-list hosts whose bounces refuse a posting (not a member, no such
# group): the recipient is a list, and the refusal is of the sender.
_LIST_HOSTS = ("googlegroups.com",)


def looks_like_bounce(view: MessageView, text: str) -> bool:
    """Evidence that a message without a report part is a bounce: a report type,
    a robot sender, or bounce wording together with the null reverse-path that
    RFC 5321 §4.5.5 requires of notifications (or with a returned message).
    `text` is the message's own text (`plaintext.own_text`)."""
    sender = view.header.get("from") + " " + view.header.get("return-path")
    if view.report_type == "delivery-status" or _BOUNCE_SENDER.search(sender):
        return True
    null_path = view.header.get("return-path").strip() in ("<>", "")
    if _BOUNCE_SUBJECT.search(view.subject):
        return null_path or view.returned is not None
    return null_path and _BOUNCE_TEXT.search(text) is not None


def read_text_bounce(
    view: MessageView, text: str, returned: FieldBlock | None, exclude: Collection[str]
) -> Bounce | None:
    """The recipients a bounce's prose names, None when it does not look like a bounce.

    `text` is the message's own text; `returned` the returned message's header,
    whose To is the recipient of last resort.
    """
    if not looks_like_bounce(view, text):
        return None
    found = scan_recipients(text, exclude)
    failed = _failed_recipients(view.header)
    if failed:
        # Exim and Gmail name the failed recipients in X-Failed-Recipients; the
        # text may name other addresses (the sender, a forwarding target).
        scanned = {item.address.lower(): item for item in found}
        found = [
            scanned.get(address.lower(), TextRecipient(address=address, diagnostic=""))
            for address in failed
        ]
    if not found and returned is not None:
        address = address_value(returned.get("to"))
        if address:
            found = [TextRecipient(address=clean_address(address), diagnostic=text)]
    if not found:
        found = [TextRecipient(address="", diagnostic=text)]
    recipients = tuple(_recipient(item, text, view.subject) for item in found)
    return Bounce(kind=BounceKind.BOUNCE, recipients=recipients)


def _failed_recipients(header: FieldBlock) -> list[str]:
    addresses: list[str] = []
    seen: set[str] = set()  # a set: a list searched per address is quadratic
    for value in header.get_all("x-failed-recipients"):
        for match in ADDRESS.finditer(value):
            address = clean_address(match.group(0))
            if address.lower() not in seen:
                seen.add(address.lower())
                addresses.append(address)
    return addresses


def _recipient(item: TextRecipient, text: str, subject: str) -> RecipientResult:
    reply_code = find_reply_code(item.diagnostic)
    enhanced = find_enhanced(item.diagnostic)
    if not enhanced and not reply_code:
        reply_code = find_reply_code(text)
        enhanced = find_enhanced(text)
    temporary = enhanced.startswith("4") or str(reply_code).startswith("4")
    action = "delayed" if temporary and is_temporary_text(text + " " + subject) else "failed"
    listed = item.address.lower().endswith(_LIST_HOSTS)
    return recipient_outcome(
        Evidence(
            recipient=item.address,
            action=action,
            reply_code=reply_code,
            enhanced_code=enhanced,
            diagnostic=item.diagnostic.strip(),
            # The server's own words first, then the bounce's text about this
            # recipient, then the whole bounce.
            texts=(server_words(item.diagnostic), item.diagnostic, text, subject),
            default_reason=Reason.REJECTED if listed else None,
        )
    )
