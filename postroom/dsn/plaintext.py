"""Reading the recipients and their errors out of a bounce's human-readable text.

Owns the layouts MTAs use when they write no RFC 3464 part: an address alone on
a line followed by the error (Exim, Gmail, qmail `<addr>:`), `addr: error` on one
line (Postfix, Courier), `addr... error` (Sendmail), `To: addr` style labels
(Exchange, Domino, many providers), and the SMTP transcript `RCPT TO:<addr>`.
Not what the errors mean (see `reasons`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

# A returned message or its headers start here; nothing below is the MTA's own text.
# Two separator characters, not `{2,}`: with `{2,}.*` every split of a long run of
# "=" between the two quantifiers was tried at each line start, quadratic in the
# line's length (11 KB of "=" took 16 s). `.*` takes the rest of the run alike.
_RETURNED_START = re.compile(
    r"^(?:[-=_*#]{2}.*(?:original|copy of|below this line|returned|rejected|undelivered|"
    r"unsent|header|attached|message follows|\bsent message)"
    r"|(?:return-path|received|dkim-signature|x-received|arc-seal|message-id|"
    r"domainkey-signature):[ \t]?\S)",
    re.IGNORECASE | re.MULTILINE,
)
_ADDRESS = r"[^\s<>()\[\]\"',;:@]+@[A-Za-z0-9\u0080-\uffff][^\s<>()\[\]\"',;:@]*"
# Where a search may start an address: not inside a run of address characters. A
# search that tried every position of a long run would scan the run from each,
# quadratic; a match that starts inside a run also matches from the run's start.
_ADDRESS_START = r"(?<![^\s<>()\[\]\"',;:@])"
# An address alone on its line, maybe in <>, maybe followed by ":" (Exim, Gmail, qmail).
# `\s*(?::\s*)?$`, not `\s*:?\s*$`: two adjacent `\s*` split a run of spaces every way.
_ALONE = re.compile(rf"^\s*[\"<]?({_ADDRESS})[\">]?\s*(?::\s*)?$", re.IGNORECASE)
# `addr: error`, `<addr>: error`, `addr... error`, `addr (error)`, `addr on <date>` (Exchange):
# the error on the same line.
_LEADING = re.compile(
    rf"^\s*(?:[245]\d\d[ -])?[\"<]?({_ADDRESS})[\">]?"
    r"(?:\s*:|\.\.\.|\s+\(|\s*--?>?\s|\s+on\s)\s*(.*)$"
)
# Where a bounce quotes the remote server, after its own boilerplate.
_SERVER_SAID = re.compile(
    r"(?:the error that the other server returned was|remote host said|"
    r"remote server (?:said|replied)|server replied|\bsaid)\s*:",
    re.IGNORECASE,
)
# A label naming the recipient: `To: addr`, `Recipient address: <addr>`, `RCPT TO:<addr>`.
_LABELLED = re.compile(
    r"^\s*(?:>>>\s*)?(?:(?:original|final|failed|invalid|bad|unknown|intended)[ -])?"
    r"(?:recipient(?:s| address(?:es)?)?|to|rcpt to|address(?:es)?|e-?mail address|"
    r"addressed to|mailbox|user|destinataire|empf\u00e4nger)\s*:\s*"
    rf"(?:rfc822;\s*)?<?({_ADDRESS})>?(.*)$",
    re.IGNORECASE,
)
# `delivery to <addr> failed`, `your message to addr could not ...` inside a sentence.
_IN_SENTENCE = re.compile(
    rf"(?:\bto|\bfor|recipient|address)\s*(?::\s*)?<?{_ADDRESS_START}({_ADDRESS})>?",
    re.IGNORECASE,
)
_ANY_ADDRESS = re.compile(_ADDRESS_START + _ADDRESS)
_TRAILING = ".>:;,)]}\"'"
# Addresses that are the bounce's own machinery, never the failed recipient.
_ROBOT_LOCALPARTS = frozenset(
    {"mailer-daemon", "postmaster", "root", "mail-daemon", "maildaemon", "bounce", "noreply"}
)
_MAX_DIAGNOSTIC_LINES = 12
_CODE = re.compile(r"\b[245]\d\d\b|\b[245]\.\d{1,3}\.\d{1,3}\b")


@dataclass(frozen=True, slots=True, kw_only=True)
class TextRecipient:
    """A recipient found in a bounce's text, with the text that explains its failure."""

    address: str
    diagnostic: str


def server_words(diagnostic: str) -> str:
    """The part of `diagnostic` that quotes the remote server, "" if it names none."""
    ends = [match.end() for match in _SERVER_SAID.finditer(diagnostic)]
    return diagnostic[ends[-1] :].strip() if ends else ""


def own_text(text: str) -> str:
    """`text` up to where a copy of the returned message (or its headers) begins."""
    match = _RETURNED_START.search(text)
    return text[: match.start()] if match else text


def clean_address(address: str) -> str:
    address = address.strip(_TRAILING)
    if address.lower().startswith("mailto:"):
        address = address[7:]
    return address


def _is_robot(address: str, exclude: Collection[str]) -> bool:
    lower = address.lower()
    return lower in exclude or lower.partition("@")[0] in _ROBOT_LOCALPARTS


def scan_recipients(text: str, exclude: Collection[str]) -> list[TextRecipient]:
    """The recipients a bounce's own text names, in order, each with its error text.

    `text` should already be cut with `own_text`; `exclude` holds lower-case
    addresses that are not recipients (the bounce's sender and addressee).
    """
    lines = text.split("\n")
    found: list[tuple[int, str, str]] = []  # (line index, address, rest of the line)
    seen: set[str] = set()
    for index, line in enumerate(lines):
        if "@" not in line:
            continue
        hit = _match_line(line)
        if hit is None:
            continue
        address, rest = clean_address(hit[0]), hit[1]
        if not address or _is_robot(address, exclude) or "@" not in address:
            continue
        key = address.lower()
        if key in seen:
            continue
        seen.add(key)
        found.append((index, address, rest))
    if not found:
        found = _sentence_recipients(lines, exclude)
    results: list[TextRecipient] = []
    for number, (index, address, rest) in enumerate(found):
        end = found[number + 1][0] if number + 1 < len(found) else len(lines)
        results.append(
            TextRecipient(address=address, diagnostic=_diagnostic(lines, index, end, rest))
        )
    return results


def _match_line(line: str) -> tuple[str, str] | None:
    for pattern in (_ALONE, _LABELLED, _LEADING):
        match = pattern.match(line)
        if match is not None:
            rest = match.group(2) if match.lastindex and match.lastindex >= 2 else ""
            return match.group(1), rest or ""
    return None


def _sentence_recipients(lines: list[str], exclude: Collection[str]) -> list[tuple[int, str, str]]:
    """Recipients named inside sentences, when no line is about one recipient."""
    for pattern in (_IN_SENTENCE, _ANY_ADDRESS):
        for index, line in enumerate(lines):
            if "@" not in line:
                continue
            for match in pattern.finditer(line):
                address = clean_address(match.group(match.lastindex or 0))
                if address and "@" in address and not _is_robot(address, exclude):
                    return [(index, address, line)]
    return []


def _diagnostic(lines: list[str], start: int, end: int, rest: str) -> str:
    """The error text for the recipient on `lines[start]`: its line's remainder and
    the lines below it, up to the next recipient or the end of the paragraph after."""
    collected = [rest.strip()] if rest.strip() else []
    blank_run = 0
    for line in lines[start + 1 : min(end, start + 1 + _MAX_DIAGNOSTIC_LINES)]:
        if not line.strip():
            blank_run += 1
            if collected and blank_run >= 1 and _looks_finished(collected):
                break
            continue
        blank_run = 0
        collected.append(line.strip())
    return " ".join(collected)


def _looks_finished(collected: list[str]) -> bool:
    # A block that already holds a reply code is the error and the paragraph after
    # it is boilerplate; without one the error may be in the next paragraph
    # (Gmail writes "The error that the other server returned was:" there).
    return _CODE.search(" ".join(collected)) is not None
