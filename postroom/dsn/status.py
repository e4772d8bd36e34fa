"""Status codes: finding SMTP reply codes (RFC 5321 §4.2) and enhanced status
codes (RFC 3463) in text, choosing between them, and the pseudo codes used when
a report carries none. Not what a code means as a reason (see `reasons`).
"""

from __future__ import annotations

import re

from postroom.dsn.result import Reason

# RFC 3463 §2: class "." subject "." detail; class 2, 4 or 5, subject up to 3
# digits, detail up to 3 digits. Not part of a dotted quad or a version number.
_ENHANCED = re.compile(r"(?<![\w.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")
# RFC 3463 §3: a code written right after the reply code (`550 5.1.1`, `550-5.1.1`)
# is the remote server's own; one before it was added by a relaying MTA.
_AFTER_REPLY = re.compile(r"(?<![\w.])[45]\d\d[ -]['\"]?(([45])\.(\d{1,3})\.\d{1,3})(?!\.?\d)")
# RFC 5321 §4.2: a reply code is three digits, the first 2-5, followed by a space,
# a hyphen (multi-line reply) or the end of the line.
_REPLY = re.compile(r"(?<![\w.:/-])([245][0-5]\d)(?=[ \-\t]|$)", re.MULTILINE)
# Wording that marks a failure as temporary (RFC 5321 §4.2.1 4yz "transient").
_TEMPORARY = re.compile(
    r"retry timeout exceeded|failing for a long time|will retry|will be retried|still trying|"
    r"not yet been delivered|greylist",
    re.IGNORECASE,
)

# The corpus README's pseudo codes: sisimai's own detail numbers for a reason,
# used when the report has no RFC 3463 code; they never count as real codes.
_PSEUDO_DETAIL: dict[Reason, int] = {
    Reason.AUTH_FAILURE: 926,
    Reason.BAD_REPUTATION: 975,
    Reason.BLOCKED: 971,
    Reason.CONTENT_ERROR: 960,
    Reason.EXCEED_LIMIT: 923,
    Reason.EXPIRED: 947,
    Reason.FAILED_STARTTLS: 976,
    Reason.FILTERED: 910,
    Reason.HAS_MOVED: 916,
    Reason.HOST_UNKNOWN: 912,
    Reason.MAILBOX_FULL: 922,
    Reason.MAILER_ERROR: 939,
    Reason.MESSAGE_TOO_BIG: 934,
    Reason.NETWORK_ERROR: 944,
    Reason.NO_RELAYING: 909,
    Reason.NOT_ACCEPT: 932,
    Reason.NOT_COMPLIANT_RFC: 974,
    Reason.ON_HOLD: 901,
    Reason.POLICY_VIOLATION: 972,
    Reason.REJECTED: 918,
    Reason.REQUIRE_PTR: 973,
    Reason.SECURITY_ERROR: 970,
    Reason.SPAM_DETECTED: 980,
    Reason.SPEEDING: 946,
    Reason.SUPPRESSED: 903,
    Reason.SUSPEND: 921,
    Reason.SYNTAX_ERROR: 902,
    Reason.SYSTEM_ERROR: 930,
    Reason.SYSTEM_FULL: 931,
    Reason.TOO_MANY_CONN: 945,
    Reason.USER_UNKNOWN: 911,
    Reason.UNDEFINED: 900,
    Reason.VIRUS_DETECTED: 981,
}


def find_enhanced(text: str) -> str:
    """The most telling RFC 3463 code in `text`, "" if none.

    The first failure code is the one the server put next to its reply; a later,
    more specific code of the same class wins over a generic `X.0.0` (servers
    often prefix their own text with a generic code). Success codes (2.x.x) from
    a quoted SMTP transcript count only when there is nothing else.
    """
    replied = _AFTER_REPLY.search(text)
    if replied is not None and int(replied.group(3)) <= 7:
        return replied.group(1)
    best = ""
    success = ""
    for match in _ENHANCED.finditer(text):
        code = match.group(0)
        if int(match.group(2)) > 7:
            continue
        if code[0] == "2":
            success = success or code
            continue
        if not best:
            best = code
        elif is_generic(best) and not is_generic(code) and code[0] == best[0]:
            return code
        if not is_generic(best):
            break
    return best or success


def find_reply_code(text: str) -> int:
    """The first failure reply code in `text` (RFC 5321 §4.2), else the first
    success code (a transcript's 250 before the failing command), 0 if none."""
    success = 0
    for match in _REPLY.finditer(text):
        code = int(match.group(1))
        if code >= 400:
            return code
        success = success or code
    return success


def is_generic(code: str) -> bool:
    """`X.0.0`: RFC 3463 §3.1 "other undefined status", which says only the class."""
    return code.endswith(".0.0")


def is_valid(code: str) -> bool:
    """A well-formed RFC 3463 code (class 2, 4 or 5; subject 0-7)."""
    match = _ENHANCED.fullmatch(code.strip())
    return match is not None and int(match.group(2)) <= 7


def choose_status(field: str, text: str, reply_code: int) -> str:
    """Pick between a `Status:` field code and a code from the diagnostic text.

    The text's code is the remote server's own answer (RFC 3464 §2.3.6), while
    the field is the reporting MTA's summary: often a generic `5.0.0`, or `4.4.7`
    for "gave up" hiding the last real error. So the text's code wins when it is
    specific and agrees in class with the reply code it came with.
    """
    field = field if is_valid(field) else ""
    text = text if is_valid(text) else ""
    if not field or not text or field == text:
        return field or text
    reply_class = str(reply_code)[0] if reply_code else ""
    if reply_class and text[0] != reply_class:
        return field
    if is_generic(text):
        return field
    return text


def is_temporary_text(text: str) -> bool:
    return _TEMPORARY.search(text) is not None


def status_class(reply_code: int, action: str, text: str, reason: Reason) -> str:
    """ "4" or "5": whether a failure without an enhanced code is temporary.

    RFC 5321 §4.2.1: the first digit of the reply says it; without one, the
    action (RFC 3464 §2.3.3 `delayed` means the MTA is still trying) or the
    wording does.
    """
    if reply_code and str(reply_code)[0] in "45":
        return str(reply_code)[0]
    if action == "delayed":
        return "4"
    return "4" if is_temporary_text(text) else "5"


def pseudo_status(reason: Reason, permanent_class: str) -> str:
    """The corpus README's `X.0.9NN` code for a reason without an enhanced code."""
    if reason == Reason.FILTERED and permanent_class == "4":
        return "4.0.924"
    return f"{permanent_class}.0.{_PSEUDO_DETAIL.get(reason, 900)}"
