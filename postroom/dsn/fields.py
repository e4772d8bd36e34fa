"""RFC 3464 §2.1 field groups: the per-message and per-recipient fields of a
delivery-status part (and of a header section, which reads the same way).

Lenient where mox is strict (docs/architecture.md): a repeated field, an
unknown field, a missing final line break, a line that is neither a field nor a
continuation, or groups not separated by blank lines do not make a report
unreadable. What the values mean is other modules' business.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from postroom.dsn.errors import NoRecipientsError

# RFC 5322 §3.6.8 field name; digits first too, and whitespace before the colon
# (RFC 5322 §4.5.8, obsolete but still written).
_FIELD = re.compile(r"([A-Za-z0-9][A-Za-z0-9_.-]*)[ \t]*:[ \t]*(.*)")
# The lookbehind starts a match only where a run of address characters starts: a
# search from every position of a long run without "@" is quadratic.
ADDRESS = re.compile(r"(?<![^\s<>()\[\]\"',;:])[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+")
"""Something shaped like an address in free text (header values, report fields)."""
# RFC 6533 §3: utf-8-addr-xtext writes a character it cannot carry as \x{HEX}.
_UTF8_ESCAPE = re.compile(r"\\x\{([0-9A-Fa-f]{1,6})\}")
# RFC 3464 §2.3: the fields that describe one recipient. A group with any of them
# is a per-recipient group; the rest are per-message (RFC 3464 §2.2).
RECIPIENT_FIELDS = frozenset(
    {
        "original-recipient",
        "final-recipient",
        "action",
        "status",
        "remote-mta",
        "diagnostic-code",
        "last-attempt-date",
        "final-log-id",
        "will-retry-until",
        "x-actual-recipient",
    }
)
_ADDRESS_FIELDS = ("final-recipient", "original-recipient", "x-actual-recipient")


@dataclass(frozen=True, slots=True)
class FieldBlock:
    """Fields in order: lower-case names, unfolded and trimmed values."""

    fields: tuple[tuple[str, str], ...] = ()

    def get(self, name: str) -> str:
        """The first non-empty value of the field `name` (lower-case), or ""."""
        for key, value in self.fields:
            if key == name and value:
                return value
        return ""

    def get_all(self, name: str) -> list[str]:
        return [value for key, value in self.fields if key == name]

    def has(self, name: str) -> bool:
        return any(key == name for key, _ in self.fields)


@dataclass(frozen=True, slots=True, kw_only=True)
class DeliveryStatus:
    """The content of a delivery-status part: one per-message group, then recipients."""

    per_message: FieldBlock
    recipients: tuple[FieldBlock, ...]


def read_fields(lines: Iterable[str]) -> Iterator[tuple[str, str] | None]:
    """Fields (name, value) in order, with None where a blank line separates groups.

    A line that is not a field continues the previous field: real reports wrap
    long diagnostics without the leading whitespace RFC 5322 §2.2.3 asks for.
    """
    name = ""
    value: list[str] = []
    for line in lines:
        line = line.rstrip("\r\n")
        if not line.strip():
            if name:
                yield name, " ".join(value).strip()
                name, value = "", []
            yield None
            continue
        match = None if line[0] in " \t" else _FIELD.fullmatch(line)
        if match is None:
            if name:
                value.append(line.strip())
            continue
        if name:
            yield name, " ".join(value).strip()
        name, value = match.group(1).lower(), [match.group(2)]
    if name:
        yield name, " ".join(value).strip()


def parse_header_section(text: str) -> FieldBlock:
    """The fields before the first blank line of `text` (an RFC 5322 header section)."""
    fields: list[tuple[str, str]] = []
    for item in read_fields(text.splitlines()):
        if item is None:
            if fields:
                break
            continue
        fields.append(item)
    return FieldBlock(tuple(fields))


def parse_delivery_status(text: str, section: str = "delivery-status") -> DeliveryStatus:
    """The groups of a delivery-status part (RFC 3464 §2.1), read leniently.

    Groups are split at blank lines and also where a recipient's field repeats
    (reports that leave out the blank lines); a recipient group without an
    address is joined to the one before when they do not overlap (reports that
    put a blank line inside a recipient's fields). Raises NoRecipientsError when
    there is no per-recipient field at all.
    """
    groups: list[list[tuple[str, str]]] = [[]]
    for item in read_fields(text.splitlines()):
        if item is None:
            if groups[-1]:
                groups.append([])
            continue
        name = item[0]
        current = groups[-1]
        if (
            name in RECIPIENT_FIELDS
            and current
            and (
                any(key == name for key, _ in current)
                or not any(key in RECIPIENT_FIELDS for key, _ in current)
            )
        ):
            groups.append([])
        groups[-1].append(item)
    per_message: list[tuple[str, str]] = []
    recipients: list[list[tuple[str, str]]] = []
    for group in groups:
        if not any(name in RECIPIENT_FIELDS for name, _ in group):
            per_message.extend(group)
            continue
        if recipients and _joins_previous(recipients[-1], group):
            recipients[-1].extend(group)
        else:
            recipients.append(group)
    if not recipients:
        raise NoRecipientsError(section, text.count("\n") + 1)
    return DeliveryStatus(
        per_message=FieldBlock(tuple(per_message)),
        recipients=tuple(FieldBlock(tuple(group)) for group in recipients),
    )


def _joins_previous(previous: list[tuple[str, str]], group: list[tuple[str, str]]) -> bool:
    names = {name for name, _ in group}
    if names & set(_ADDRESS_FIELDS) and any(n in _ADDRESS_FIELDS for n, _ in previous):
        return False
    return not names & {name for name, _ in previous}


def typed_value(value: str) -> tuple[str, str]:
    """RFC 3464 §2.1.2 `type; text` as (lower-case type, text); type "" when absent."""
    kind, separator, rest = value.partition(";")
    if separator and kind.strip() and "@" not in kind and " " not in kind.strip():
        return kind.strip().lower(), rest.strip()
    return "", value.strip()


def address_value(value: str) -> str:
    """The address in an RFC 3464 §2.3.1/§2.3.2 recipient field, "" if none.

    `rfc822; <a@b>`, `utf-8; a\\x{E9}@b` (RFC 6533 §3), a bare address, an address
    with a comment or a display name all give `a@b`.
    """
    kind, text = typed_value(value)
    if kind == "utf-8":
        text = _UTF8_ESCAPE.sub(_unescape, text)
    match = ADDRESS.search(text)
    if match is None:
        return ""
    return match.group(0).strip(".")


def _unescape(match: re.Match[str]) -> str:
    code = int(match.group(1), 16)
    return chr(code) if code <= 0x10FFFF else match.group(0)


def date_value(value: str) -> datetime | None:
    """An RFC 5322 §3.3 date, with or without weekday and comments; None if unreadable."""
    if not value:
        return None
    try:
        parsed = email.utils.parsedate_tz(value)
        if parsed is None:
            return None
        offset = parsed[9] or 0
        zone = UTC if not offset else timezone(timedelta(seconds=offset))
        return datetime(*parsed[:6], tzinfo=zone)
    except (ValueError, TypeError, OverflowError, IndexError):
        return None
