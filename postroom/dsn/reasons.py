"""Classifying a recipient's failure into a `Reason`, and whether it is hard.

Owns the decision, from three kinds of evidence in falling order of trust: an
enhanced status code that names one cause (RFC 3463 §3, RFC 7372, RFC 7505),
the server's wording (`phrases`), and a less specific code or the reply code.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from postroom.dsn.phrases import PHRASES
from postroom.dsn.result import Reason

_SPACE = re.compile(r"\s+")
_MAX_TEXT = 8000

# Enhanced codes whose meaning is one reason whatever the text says.
# "subject.detail" (the class is left out: 4.x and 5.x mean the same cause).
_DECISIVE: dict[str, Reason] = {
    "1.1": Reason.USER_UNKNOWN,  # RFC 3463 §3.2 bad destination mailbox address
    "1.2": Reason.HOST_UNKNOWN,  # RFC 3463 §3.2 bad destination system address
    "1.6": Reason.HAS_MOVED,  # RFC 3463 §3.2 destination mailbox has moved
    "2.2": Reason.MAILBOX_FULL,  # RFC 3463 §3.3 mailbox full
    "2.3": Reason.EXCEED_LIMIT,  # RFC 3463 §3.3 message length exceeds administrative limit
    "3.4": Reason.MESSAGE_TOO_BIG,  # RFC 3463 §3.4 message too big for system
    "1.7": Reason.REJECTED,  # RFC 3463 §3.2 bad sender's mailbox address syntax
    "1.8": Reason.REJECTED,  # RFC 3463 §3.2 bad sender's system address
    "7.20": Reason.AUTH_FAILURE,  # RFC 7372 §3.1 no passing DKIM signature
    "7.21": Reason.AUTH_FAILURE,
    "7.22": Reason.AUTH_FAILURE,
    "7.23": Reason.AUTH_FAILURE,  # RFC 7372 §3.2 SPF validation failed
    "7.24": Reason.AUTH_FAILURE,
    "7.25": Reason.REQUIRE_PTR,  # RFC 7372 §3.3 reverse DNS validation failed
    "7.26": Reason.AUTH_FAILURE,  # RFC 7372 §3.4 multiple authentication checks failed
    "7.27": Reason.NOT_ACCEPT,  # RFC 7505 §4.3 sender address has null MX
}

# Enhanced codes that suggest a reason when the wording names none (RFC 3463 §3).
_SUGGESTIVE: dict[str, Reason] = {
    "1.0": Reason.USER_UNKNOWN,
    "1.3": Reason.USER_UNKNOWN,  # bad destination mailbox address syntax
    "1.4": Reason.USER_UNKNOWN,  # destination mailbox address ambiguous
    "1.5": Reason.USER_UNKNOWN,
    # RFC 7505 §4.2 gives X.1.10 to a null-MX recipient domain, but Exchange Online
    # answers every unknown recipient with it (RESOLVER.ADR.RecipientNotFound); a
    # null MX says so in words ("null MX"), which the phrase table reads first.
    "1.10": Reason.USER_UNKNOWN,
    "2.0": Reason.FILTERED,
    # X.2.1 "mailbox disabled": servers use it for unknown mailboxes far more often
    # than for suspended ones, which say "disabled" or "suspended" in words.
    "2.1": Reason.USER_UNKNOWN,
    "2.4": Reason.SYSTEM_ERROR,  # mailing list expansion problem
    "3.0": Reason.SYSTEM_ERROR,
    "3.1": Reason.SYSTEM_FULL,  # mail system full
    "3.2": Reason.NOT_ACCEPT,  # system not accepting network messages
    "3.3": Reason.SYSTEM_ERROR,
    "3.5": Reason.SYSTEM_ERROR,  # system incorrectly configured
    "4.0": Reason.NETWORK_ERROR,
    "4.1": Reason.EXPIRED,  # no answer from host: reported when the MTA gives up
    "4.2": Reason.NETWORK_ERROR,  # bad connection
    "4.3": Reason.SYSTEM_ERROR,  # directory server failure
    "4.4": Reason.HOST_UNKNOWN,  # unable to route
    "4.5": Reason.TOO_MANY_CONN,  # mail system congestion
    "4.6": Reason.NETWORK_ERROR,  # routing loop detected
    # X.5.0 comes with RFC 5321's generic "550 Requested action not taken: mailbox
    # unavailable" far more often than with a real protocol error.
    "5.0": Reason.USER_UNKNOWN,
    "5.1": Reason.SYNTAX_ERROR,  # invalid command
    "5.2": Reason.SYNTAX_ERROR,  # syntax error
    "5.3": Reason.EXCEED_LIMIT,  # too many recipients
    "5.4": Reason.SYNTAX_ERROR,  # invalid command arguments
    "6.0": Reason.CONTENT_ERROR,
    "6.1": Reason.CONTENT_ERROR,
    "6.2": Reason.CONTENT_ERROR,
    "6.3": Reason.CONTENT_ERROR,
    "6.4": Reason.CONTENT_ERROR,
    "6.5": Reason.CONTENT_ERROR,
    "7.0": Reason.BLOCKED,
    "7.1": Reason.BLOCKED,  # delivery not authorized, message refused: mostly the client
    "7.2": Reason.SYSTEM_ERROR,
    "7.3": Reason.SECURITY_ERROR,
    "7.4": Reason.SECURITY_ERROR,
    "7.5": Reason.SECURITY_ERROR,
    "7.6": Reason.SECURITY_ERROR,
    "7.7": Reason.SECURITY_ERROR,
    "7.8": Reason.SECURITY_ERROR,
    "7.9": Reason.POLICY_VIOLATION,
    "7.10": Reason.FAILED_STARTTLS,  # RFC 5248: encryption needed
    "7.13": Reason.SUSPEND,  # RFC 5248: user account disabled
    "7.17": Reason.HAS_MOVED,  # RFC 5248: mailbox owner has changed
    "7.18": Reason.HAS_MOVED,
    "7.19": Reason.HAS_MOVED,
}

# RFC 5321 §4.2.3 reply codes, when nothing else is known.
_BY_REPLY: dict[int, Reason] = {
    421: Reason.SYSTEM_ERROR,
    450: Reason.SYSTEM_ERROR,
    451: Reason.SYSTEM_ERROR,
    452: Reason.MAILBOX_FULL,
    500: Reason.SYNTAX_ERROR,
    501: Reason.SYNTAX_ERROR,
    502: Reason.SYNTAX_ERROR,
    503: Reason.SYNTAX_ERROR,
    550: Reason.USER_UNKNOWN,
    551: Reason.USER_UNKNOWN,
    552: Reason.MAILBOX_FULL,
    553: Reason.USER_UNKNOWN,
    554: Reason.REJECTED,
}

# RFC 5321 §3.3: RCPT TO is where a server says a mailbox does not exist. A
# "user unknown" answered to DATA (or after the content) comes from a filter that
# had already accepted the recipient, so the address itself is not known bad.
_DATA_STAGE = re.compile(
    r">>> data|end of data|after data|(?:after|in reply to) (?:the )?(?:data|end of message)|"
    r"after end of message|data command|"
    # A reply with an empty address slot ("550 : user unknown") answers DATA: at
    # RCPT servers echo the address they refuse.
    r"\b[45]\d\d:? : "
)

# RFC 3463 §3.5 X.4.7 "delivery time expired": the reporting MTA gave up, and the
# recipient's own error text usually still says on what (a refused connection, a
# full mailbox); that text wins over the code, the report's general text does not.
_GAVE_UP = "4.7"

# The reporting MTA's words for a refusal at the greeting or at HELO/EHLO (Exim,
# Postfix, qmail).
_CLIENT_STAGE = re.compile(
    r"after initial connection|refused to talk to me|my name was rejected|"
    r"in reply to (?:helo|ehlo)|after (?:helo|ehlo)\b"
)

# How many of `classify`'s texts are about the one recipient (its diagnostic, and
# the text the report writes about it); the rest are about the whole report.
OWN_TEXTS = 2

_HARD = frozenset({Reason.USER_UNKNOWN, Reason.HOST_UNKNOWN, Reason.HAS_MOVED})


def normalize_text(text: str) -> str:
    """Lower-case with whitespace collapsed: the form the phrase table matches.

    Only the first _MAX_TEXT characters: the table costs about a microsecond per
    character, and a server's error is in the first few hundred.
    """
    return _SPACE.sub(" ", text[:_MAX_TEXT]).strip().lower()


def reason_from_text(text: str) -> Reason | None:
    """The first reason whose phrases occur in `text` (already normalized), or None."""
    if not text:
        return None
    for reason, pattern in PHRASES:
        if pattern.search(text):
            return reason
    return None


def mentions(reason: Reason, text: str) -> bool:
    """Whether `text` (normalized) uses any of `reason`'s phrases, wherever they rank."""
    return any(pattern.search(text) for named, pattern in PHRASES if named == reason)


def _subject_detail(code: str) -> str:
    return code.partition(".")[2]


def classify(
    *,
    enhanced_code: str,
    reply_code: int,
    texts: Sequence[str],
    action: str = "failed",
    data_stage: bool = False,
    client_stage: bool = False,
    default: Reason | None = None,
) -> Reason:
    """The reason for one recipient.

    `texts` are tried in order, each normalized with `normalize_text`: the
    server's diagnostic first, then the report's wider explanation.
    `data_stage` says the server answered DATA or the content (see `in_data_stage`);
    `client_stage` says the server refused the connecting client, at its greeting
    or HELO (see `in_client_stage`); `default` is the reason when no evidence
    names one.
    """
    if action == "delivered" or action == "relayed" or action == "expanded":
        return Reason.DELIVERED
    key = _subject_detail(enhanced_code)
    if client_stage and key not in _DECISIVE:
        # RFC 5321 §3.1, §4.1.1.1: before MAIL FROM nothing about the message or a
        # recipient is known yet; what is refused is the sending host, however the
        # server words it. A missing PTR record is the one cause worth keeping.
        ptr = any(mentions(Reason.REQUIRE_PTR, text) for text in texts[:OWN_TEXTS])
        return Reason.REQUIRE_PTR if ptr else Reason.BLOCKED
    if key == _GAVE_UP:
        own = [reason_from_text(text) for text in texts[:OWN_TEXTS]]
        return next((reason for reason in own if reason is not None), Reason.EXPIRED)
    if key in _DECISIVE:
        return _DECISIVE[key]
    # The recipient's own error (its diagnostic and the text about it) comes
    # first, then its enhanced code, and only then the report's general text.
    for index, text in enumerate(texts):
        if index == OWN_TEXTS and key in _SUGGESTIVE:
            return _SUGGESTIVE[key]
        from_text = reason_from_text(text)
        if from_text is not None:
            if from_text == Reason.USER_UNKNOWN and (data_stage or key.startswith("7.")):
                # RFC 3463 §3.8: a 7.x code says policy refused it, not that the
                # mailbox is unknown; likewise a refusal at DATA (see _DATA_STAGE).
                return Reason.FILTERED
            return from_text
    if key in _SUGGESTIVE:
        return _SUGGESTIVE[key]
    if action == "delayed":
        return Reason.EXPIRED
    if reply_code in _BY_REPLY:
        return _BY_REPLY[reply_code]
    if default is not None:
        return default
    return Reason.UNDEFINED if any(texts) else Reason.ON_HOLD


def in_client_stage(text: str) -> bool:
    """Whether `text` (normalized) says the server refused the client before MAIL FROM."""
    return _CLIENT_STAGE.search(text) is not None


def in_data_stage(text: str) -> bool:
    """Whether `text` (normalized) says the reply answered DATA or the message content."""
    return _DATA_STAGE.search(text) is not None


def is_hard(reason: Reason, status: str) -> bool:
    """Whether the address should not be tried again (the corpus README's rule).

    Unknown users, unknown hosts and moved mailboxes are hard whatever the class;
    a domain that accepts no mail (RFC 7505 null MX) is hard unless temporary.
    """
    if reason in _HARD:
        return True
    return reason == Reason.NOT_ACCEPT and not status.startswith("4")
