"""Reading the address headers of received mail (From, To, Cc, Bcc, Reply-To).

Owns a lenient RFC 5322 §3.4 address-list parser: display names are unquoted and
RFC 2047 decoded, groups (§3.4) contribute their members, obsolete routes (§4.4)
are dropped. An address is re-rendered in its canonical Unicode form when it
parses (`address.parse_address`); when it does not, its raw `user@host` text is
kept instead of failing the whole header, unlike mox (Postroom's policy 12).
"""

from __future__ import annotations

from dataclasses import dataclass

from postroom.mail.address import Address, parse_address
from postroom.mail.errors import AddressError
from postroom.mail.worddecoder import decode_words

_SPACE = " \t\r\n"
# Characters that end an atom: whitespace and the RFC 5322 §3.2.3 specials that
# structure an address list ("@" and "." stay inside: `a.b@c.d` is one word).
_ATOM_END = frozenset(_SPACE + '"(<>[],:;')


@dataclass(frozen=True, slots=True, kw_only=True)
class HeaderAddress:
    """One mailbox of an address header."""

    name: str
    """The decoded display name, "" if none."""
    address: str
    """`localpart@domain`: canonical (Unicode domain, localpart quoted if needed) when
    it parses, else the raw text with whitespace and comments removed."""
    parsed: Address | None
    """The parsed address, None when it could not be parsed."""


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    """"word", "quoted", "comment" or "angle"."""
    value: str
    """Unquoted content (for "angle": the raw text between < and >)."""
    raw: str
    """As written (quoted strings with their quotes)."""
    spaced: bool
    """Whether whitespace or a comment came before it."""


def parse_address_list(value: str) -> tuple[HeaderAddress, ...]:
    """The mailboxes of an address-list header value, in order; never raises."""
    found: list[HeaderAddress] = []
    tokens: list[_Token] = []
    pos, length, spaced, angled = 0, len(value), False, False
    while pos < length:
        c = value[pos]
        if c in _SPACE:
            pos, spaced = pos + 1, True
            continue
        if c in ",;" or (c == ":" and not angled):
            # ":" ends a group's display name, which names no mailbox; ";" ends the group.
            if c != ":":
                _add_mailbox(found, tokens)
            tokens, spaced, angled = [], False, False
            pos += 1
            continue
        if c == '"':
            text, end = _delimited(value, pos + 1, '"')
            token = _Token("quoted", text, value[pos:end], spaced)
        elif c == "(":
            text, end = _comment(value, pos + 1)
            token = _Token("comment", text, "", spaced)
        elif c == "<":
            end = _angle_end(value, pos + 1)
            inner = value[pos + 1 : end - 1] if value[end - 1 : end] == ">" else value[pos + 1 :]
            token = _Token("angle", inner, value[pos:end], spaced)
            angled = True
        else:
            end = pos + 1
            if c == "[":
                end = _literal_end(value, end)
            while end < length and value[end] not in _ATOM_END:
                end += 1
            token = _Token("word", value[pos:end], value[pos:end], spaced)
        tokens.append(token)
        pos, spaced = end, token.kind == "comment"
    _add_mailbox(found, tokens)
    return tuple(found)


def _add_mailbox(found: list[HeaderAddress], tokens: list[_Token]) -> None:
    angle = next((i for i, t in enumerate(tokens) if t.kind == "angle"), None)
    comments = [t.value for t in tokens if t.kind == "comment"]
    if angle is not None:
        name = _phrase(tokens[:angle])
        raw = _strip_route(_addr_spec(list(_inner_tokens(tokens[angle].value))))
    else:
        words = [t for t in tokens if t.kind != "comment"]
        name, raw = "", _addr_spec(words)
        # Leniency for `Name user@host` without the angle brackets.
        last = next((i for i in range(len(words) - 1, 0, -1) if words[i].spaced), 0)
        if last and "@" in _addr_spec(words[last:]) and "@" not in _addr_spec(words[:last]):
            name, raw = _phrase(words[:last]), _addr_spec(words[last:])
    if not name and comments:
        # Go's net/mail, which mox uses, takes `user@host (Name)` as a display name too.
        name = decode_words(" ".join(comments[0].split()))
    if not raw:
        return
    parsed = _parse(raw)
    found.append(HeaderAddress(name=name, address=str(parsed) if parsed else raw, parsed=parsed))


def _parse(raw: str) -> Address | None:
    if "@" not in raw:
        return None
    try:
        return parse_address(raw)
    except AddressError:
        return None


def _phrase(tokens: list[_Token]) -> str:
    words = [t.value for t in tokens if t.kind in ("word", "quoted")]
    return decode_words(" ".join(" ".join(words).split()))


def _addr_spec(tokens: list[_Token]) -> str:
    """An addr-spec as written, without comments and without the whitespace around its
    "@" and dots (RFC 5322 §4.4 allows it there); other whitespace is kept, so that
    `not valid@host` stays as invalid as it was."""
    out: list[str] = []
    for token in tokens:
        if token.kind not in ("word", "quoted"):
            continue
        if out and token.spaced and out[-1][-1:] not in "@." and token.raw[:1] not in "@.":
            out.append(" ")
        out.append(token.raw)
    return "".join(out)


def _inner_tokens(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos, spaced = 0, False
    while pos < len(text):
        c = text[pos]
        if c in _SPACE:
            pos, spaced = pos + 1, True
            continue
        if c == "(":
            pos, spaced = _comment(text, pos + 1)[1], True
            continue
        if c == '"':
            value, end = _delimited(text, pos + 1, '"')
            tokens.append(_Token("quoted", value, text[pos:end], spaced))
        else:
            end = pos + 1
            while end < len(text) and text[end] not in _SPACE + '"(':
                end += 1
            tokens.append(_Token("word", text[pos:end], text[pos:end], spaced))
        pos, spaced = end, False
    return tokens


def _strip_route(spec: str) -> str:
    """Drop an RFC 5322 §4.4 obs-route (`@a,@b:`) before the address."""
    if spec.startswith("@") and ":" in spec:
        return spec.partition(":")[2]
    return spec


def _delimited(text: str, pos: int, close: str) -> tuple[str, int]:
    """Content up to an unescaped `close` and the position after it (or the text's end)."""
    out: list[str] = []
    while pos < len(text):
        c = text[pos]
        if c == close:
            return "".join(out), pos + 1
        if c == "\\" and pos + 1 < len(text):
            pos += 1
            c = text[pos]
        out.append(c)
        pos += 1
    return "".join(out), pos


def _comment(text: str, pos: int) -> tuple[str, int]:
    """RFC 5322 §3.2.2: a comment (nested comments allowed) and the position after it."""
    out: list[str] = []
    depth = 1
    while pos < len(text):
        c = text[pos]
        if c == "\\" and pos + 1 < len(text):
            pos += 1
            c = text[pos]
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return "".join(out), pos + 1
        out.append(c)
        pos += 1
    return "".join(out), pos


def _angle_end(text: str, pos: int) -> int:
    """The position after the `>` closing an angle-addr (quotes respected), or the end."""
    while pos < len(text):
        c = text[pos]
        if c == ">":
            return pos + 1
        if c == '"':
            pos = _delimited(text, pos + 1, '"')[1]
            continue
        pos += 1
    return pos


def _literal_end(text: str, pos: int) -> int:
    end = text.find("]", pos)
    return len(text) if end == -1 else end + 1
