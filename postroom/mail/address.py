"""Email addresses: parsing an RFC 5321 Mailbox into an `Address`, and suppression keys.

Owns the syntax of localparts and domain names (IDNA) and the base-address
normalisation of the suppression list. Display names and header rendering live
in `headers.py`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from encodings import idna

from postroom.mail.errors import AddressError, quoted

# RFC 5322 §3.2.3 atext, extended by RFC 6531 §3.3 with UTF8-non-ascii. We leave
# out the C1 controls and lone surrogates: they are not characters anyone can
# type, and a lone surrogate cannot even be encoded as UTF-8 on the wire.
_ATEXT_ASCII = r"A-Za-z0-9!#$%&'*+/=?^_`{|}~\-"
_ATEXT = _ATEXT_ASCII + r"\u00a0-\ud7ff\ue000-\U0010ffff"
_DOT_ATOM = re.compile(rf"[{_ATEXT}]+(?:\.[{_ATEXT}]+)*")
_ATEXT_CHAR = re.compile(rf"[{_ATEXT}]")
# RFC 5321 §4.1.2 qtextSMTP (%d32-33 / %d35-91 / %d93-126) plus UTF8-non-ascii.
_QTEXT_CHAR = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e\u00a0-\ud7ff\ue000-\U0010ffff]")
# RFC 5321 §4.1.2 quoted-pairSMTP: a backslash and one printable ASCII character.
_QPAIR_CHAR = re.compile(r"[\x20-\x7e]")

# The hot path: a plain ASCII dot-atom at an ASCII host name. Everything else,
# including every invalid address, goes through the slower parser that can say
# what is wrong.
_FAST = re.compile(
    rf"([{_ATEXT_ASCII}]+(?:\.[{_ATEXT_ASCII}]+)*)"
    r"@((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)*"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)"
)
_LDH_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")
_NOT_LDH = re.compile(r"[^a-z0-9-]")
# UTS #46 / IDNA 2003 label separators; RFC 3490 §3.1 says to treat them all as dots.
_DOTS = re.compile("[\u3002\uff0e\uff61]")
_SURROGATE = re.compile("[\ud800-\udfff]")
# IDNA 2003 (the stdlib codec) maps these away, IDNA 2008 keeps them (RFC 5892
# §2.6, UTS #46 "deviation characters"): "straße.de" would silently become a
# different domain, "strasse.de". We refuse them rather than misdeliver.
_DEVIATIONS = re.compile("[\u00df\u03c2\u200c\u200d\u1e9e]")
_DEVIATION_REASON = "a character that IDNA 2003 and IDNA 2008 map differently (ß, ς, ZWJ, ZWNJ)"

_GMAIL_DOMAINS = frozenset({"gmail.com", "googlemail.com"})

# RFC 5321 §4.5.3.1.1, §4.5.3.1.2 and §4.5.3.1.3 (a 256-octet path minus its <>).
_MAX_LOCALPART_OCTETS = 64
_MAX_DOMAIN_OCTETS = 255
_MAX_ADDRESS_OCTETS = 254
# RFC 1035 §2.3.4.
_MAX_LABEL_OCTETS = 63


@dataclass(frozen=True, slots=True, kw_only=True)
class Address:
    """An SMTP mailbox: the localpart as written (unquoted, case kept) and the domain.

    `domain` is lower-case Unicode: IDNA A-labels are decoded to U-labels.
    """

    localpart: str
    domain: str

    def __str__(self) -> str:
        return f"{quote_localpart(self.localpart)}@{self.domain}"

    @property
    def ascii_domain(self) -> str:
        """The domain with A-labels (punycode), as used in DNS and non-SMTPUTF8 SMTP."""
        if self.domain.isascii():
            return self.domain
        return self.domain.encode("idna").decode("ascii")

    @property
    def is_ascii(self) -> bool:
        """Whether the address can be sent without SMTPUTF8 (the domain can be punycoded)."""
        return self.localpart.isascii()

    def smtp_path(self, smtputf8: bool) -> str:
        """The mailbox for MAIL FROM / RCPT TO, without <>; A-label domain unless smtputf8."""
        domain = self.domain if smtputf8 else self.ascii_domain
        return f"{quote_localpart(self.localpart)}@{domain}"


def quote_localpart(localpart: str) -> str:
    """The localpart as a dot-string if it is one, else as an RFC 5321 §4.1.2 Quoted-string."""
    if _DOT_ATOM.fullmatch(localpart):
        return localpart
    escaped = localpart.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def parse_address(text: str) -> Address:
    """Parse an RFC 5321 §4.1.2 Mailbox (an SMTP path without <>), UTF-8 allowed (RFC 6531).

    IP address literals are refused. Raises AddressError with a specific reason.
    """
    m = _FAST.fullmatch(text)
    if m is not None:
        localpart = m.group(1)
        domain = m.group(2).lower()
        last_label = domain.rpartition(".")[2]
        if "xn--" not in domain and not last_label.isdigit():
            _check_lengths(text, len(localpart), len(domain))
            return Address(localpart=localpart, domain=domain)
    return _parse_slow(text)


def base_address(address: Address, separators: Sequence[str]) -> str:
    """The suppression-list key of an address (Postroom's rule, not mox's).

    The localpart is lower-cased and cut at the first catch-all separator or "+";
    dots are removed only for Gmail, the one big provider known to ignore them;
    "-" is kept because many real mailboxes contain one.
    """
    localpart = address.localpart.lower()
    cut = len(localpart)
    for separator in (*separators, "+"):
        if separator:
            index = localpart.find(separator)
            if index != -1:
                cut = min(cut, index)
    # A localpart that starts with a separator has no base to cut down to.
    if cut > 0:
        localpart = localpart[:cut]
    if address.domain in _GMAIL_DOMAINS:
        undotted = localpart.replace(".", "")
        if undotted:
            localpart = undotted
    return str(Address(localpart=localpart, domain=address.domain))


def _parse_slow(text: str) -> Address:
    if text != text.strip():
        raise AddressError(text, "leading or trailing whitespace")
    if text.startswith('"'):
        localpart, rest = _parse_quoted_localpart(text)
        written = quote_localpart(localpart)
    else:
        written, at, rest = text.partition("@")
        if not at:
            raise AddressError(text, "missing @")
        if "@" in rest:
            raise AddressError(text, "more than one @")
        _check_dot_atom(text, written)
        localpart = written
    domain, ascii_length = _parse_domain(text, rest)
    _check_lengths(text, len(written.encode("utf-8")), ascii_length)
    return Address(localpart=localpart, domain=domain)


def _parse_quoted_localpart(text: str) -> tuple[str, str]:
    """Unquote a leading Quoted-string; return it and the text after its "@"."""
    chars: list[str] = []
    i = 1
    while True:
        if i >= len(text):
            raise AddressError(text, "unterminated quoted localpart")
        c = text[i]
        if c == '"':
            break
        if c == "\\" and i + 1 < len(text):
            i += 1
            c = text[i]
            valid = _QPAIR_CHAR.match(c)
        else:
            valid = _QTEXT_CHAR.match(c)
        if not valid:
            raise AddressError(text, f"invalid character {quoted(c)} in localpart")
        chars.append(c)
        i += 1
    rest = text[i + 1 :]
    if not rest:
        raise AddressError(text, "missing @")
    if not rest.startswith("@"):
        raise AddressError(text, "unexpected text after quoted localpart")
    if not chars:
        # RFC 5321 §4.1.2 allows `""`, but no mail system has such a mailbox.
        raise AddressError(text, "empty localpart")
    return "".join(chars), rest[1:]


def _check_dot_atom(text: str, localpart: str) -> None:
    if _DOT_ATOM.fullmatch(localpart):
        return
    if not localpart:
        raise AddressError(text, "empty localpart")
    for c in localpart:
        if c != "." and not _ATEXT_CHAR.match(c):
            raise AddressError(text, f"invalid character {quoted(c)} in localpart")
    if localpart.startswith("."):
        raise AddressError(text, "localpart starts with a dot")
    if localpart.endswith("."):
        raise AddressError(text, "localpart ends with a dot")
    raise AddressError(text, "consecutive dots in localpart")


def _parse_domain(text: str, domain: str) -> tuple[str, int]:
    """Validate a domain name; return its lower-case Unicode form and its A-label length."""
    if not domain:
        raise AddressError(text, "empty domain")
    if domain.startswith("["):
        raise AddressError(text, "IP address literals not allowed")

    def invalid(why: str) -> AddressError:
        return AddressError(text, f"invalid domain name {quoted(domain)}: {why}")

    if domain.endswith("."):
        raise invalid("trailing dot")
    if _SURROGATE.search(domain):
        raise invalid("invalid character")
    if _DEVIATIONS.search(domain):
        raise invalid(f"holds {_DEVIATION_REASON}")
    unicode_labels: list[str] = []
    ascii_length = -1
    for label in _DOTS.sub(".", domain).split("."):
        if not label:
            raise invalid("empty label")
        if label.isascii():
            label = label.lower()
        if label.startswith("-") or label.endswith("-"):
            raise invalid(f"label {quoted(label)} starts or ends with a hyphen")
        bad = _NOT_LDH.search(label) if label.isascii() else None
        if bad is not None:
            raise invalid(f"invalid character {quoted(bad.group())}")
        converted = _convert_label(label)
        if isinstance(converted, str):
            raise invalid(converted)
        ulabel, alabel = converted
        if len(alabel) > _MAX_LABEL_OCTETS:
            raise invalid(f"label longer than {_MAX_LABEL_OCTETS} octets")
        unicode_labels.append(ulabel)
        ascii_length += 1 + len(alabel)
    # RFC 3696 §2: a top-level domain is never all-numeric; "1.2.3.4" is an IP
    # address without its brackets.
    if unicode_labels[-1].isascii() and unicode_labels[-1].isdigit():
        raise invalid("top-level label is all-numeric")
    return ".".join(unicode_labels), ascii_length


# Converting a label costs more than parsing a whole ASCII address; the same
# few IDN domains recur, so the outcome per label is remembered.
@functools.lru_cache(maxsize=4096)
def _convert_label(label: str) -> tuple[str, str] | str:
    """The (U-label, A-label) pair of a label (RFC 5890 §2.3.2.1), or why it is invalid."""
    if label.isascii() and not label.startswith("xn--"):
        return label, label
    if label.isascii():
        try:
            ulabel = label[4:].encode("ascii").decode("punycode")
        except UnicodeError:
            return f"label {quoted(label)} is not a valid A-label"
        if _DEVIATIONS.search(ulabel):
            return f"label {quoted(label)} holds {_DEVIATION_REASON}"
        try:
            if idna.ToUnicode(label) != ulabel:
                raise UnicodeError
        except UnicodeError:
            return f"label {quoted(label)} is not a valid A-label"
        return ulabel, label
    try:
        alabel = idna.ToASCII(label).decode("ascii")
        ulabel = idna.ToUnicode(alabel) if alabel.startswith("xn--") else alabel
    except UnicodeError as exc:
        why = exc.args[0] if exc.args and isinstance(exc.args[0], str) else str(exc)
        return f"label {quoted(label)}: IDNA: {why}"
    if not _LDH_LABEL.fullmatch(alabel):
        # Nameprep can map a Unicode character to a forbidden ASCII one (full-width "_").
        return f"label {quoted(label)} is not a valid host name label"
    return ulabel, alabel


def _check_lengths(text: str, localpart_octets: int, domain_octets: int) -> None:
    if localpart_octets > _MAX_LOCALPART_OCTETS:
        raise AddressError(text, f"localpart longer than {_MAX_LOCALPART_OCTETS} octets")
    if domain_octets > _MAX_DOMAIN_OCTETS:
        raise AddressError(text, f"domain longer than {_MAX_DOMAIN_OCTETS} octets")
    if localpart_octets + 1 + domain_octets > _MAX_ADDRESS_OCTETS:
        raise AddressError(text, f"address longer than {_MAX_ADDRESS_OCTETS} octets")
