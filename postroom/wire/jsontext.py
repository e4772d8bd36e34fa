"""Reading JSON text as Go's `encoding/json` reads it: the first value only, and the
syntax errors in the words of Go's scanner.

Python's json module parses the text, with hooks so that the decoder still sees what
Go's decoder sees: objects stay ordered (key, value) pairs (a tuple, so duplicates and
their order survive), and numbers stay their literal text (Go reports `number 5.0`,
and a 5000-digit integer must not trip Python's int conversion limit).
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from postroom.wire.errors import WireError
from postroom.wire.quote import go_quote


class IntLit(str):
    """A JSON number literal without fraction or exponent, e.g. `-12`."""

    __slots__ = ()


class FloatLit(str):
    """A JSON number literal with a fraction or exponent, e.g. `5.0` or `1e3`."""

    __slots__ = ()


JSON_KIND: Final[dict[type, str]] = {
    str: "string",
    IntLit: "number",
    FloatLit: "number",
    bool: "bool",
    list: "array",
    tuple: "object",
}
"""The JSON kind of each parsed value's type, as Go names it in type mismatch errors."""

SURROGATE: Final = re.compile("[\ud800-\udfff]")


def clean(s: str) -> str:
    """Replace lone surrogates (from `\\ud800` escapes) by U+FFFD, as Go's unquote does."""
    return s if s.isascii() else SURROGATE.sub("\ufffd", s)


def quote_char(ch: str) -> str:
    """Go's scanner quoting of one offending character: `'x'`, `'\\n'`, `'\\''`."""
    if ch == "'":
        return "'\\''"
    if ch == '"':
        return "'\"'"
    return "'" + go_quote(ch)[1:-1] + "'"


def _reject_constant(name: str) -> Any:
    # Python accepts NaN and ±Infinity; JSON (and Go) do not.
    if name.startswith("-"):
        raise WireError("invalid character 'I' in numeric literal")
    raise WireError(f"invalid character {quote_char(name[0])} looking for beginning of value")


_JSON: Final = json.JSONDecoder(
    object_pairs_hook=tuple,
    parse_int=IntLit,
    parse_float=FloatLit,
    parse_constant=_reject_constant,
)
_LEADING_SPACE: Final = re.compile(r"[ \t\n\r]*")  # JSON's (and Go's) whitespace, no more


def read_value(text: str) -> Any:
    """The first JSON value of `text`; trailing text is ignored, as Go's `Decoder` does.

    Objects come back as tuples of (key, value) pairs, arrays as lists, numbers as IntLit
    or FloatLit, strings as str (lone surrogates kept: see `clean`), and null as None.
    Empty text and invalid JSON raise WireError with Go's message.
    """
    start = _LEADING_SPACE.match(text)
    pos = start.end() if start else 0
    if pos == len(text):
        raise WireError("EOF")
    try:
        raw, _ = _JSON.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        raise _syntax_error(text, exc) from None
    except RecursionError:
        raise WireError("exceeded max depth") from None
    return raw


_CONTAINER_TOKEN: Final = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _innermost_container(text: str) -> str:
    """'[' or '{' for the innermost container still open at the end of `text`."""
    stack: list[str] = []
    for m in _CONTAINER_TOKEN.finditer(text):
        tok = m.group()
        if tok in "[{":
            stack.append(tok)
        elif tok in "]}" and stack:
            stack.pop()
    return stack[-1] if stack else ""


def _syntax_error(text: str, exc: json.JSONDecodeError) -> WireError:
    """Translate Python's syntax error into the text Go's scanner would give."""
    pos = exc.pos
    msg = exc.msg
    if msg.startswith("Unterminated string") or pos >= len(text):
        return WireError("unexpected EOF")
    if msg.startswith("Invalid \\uXXXX"):
        # pos is at the backslash; Go names the first character that is not hex.
        i = pos + 2
        while i < len(text) and i < pos + 6 and text[i] in "0123456789abcdefABCDEF":
            i += 1
        if i >= len(text):
            return WireError("unexpected EOF")
        return WireError(
            f"invalid character {quote_char(text[i])} in \\u hexadecimal character escape"
        )
    if msg.startswith("Invalid \\escape"):
        if pos + 1 >= len(text):
            return WireError("unexpected EOF")
        return WireError(f"invalid character {quote_char(text[pos + 1])} in string escape code")
    if msg.startswith("Illegal trailing comma"):
        # Python 3.13+ names the comma; Go names the bracket after it.
        end = _LEADING_SPACE.match(text, pos + 1)
        pos = end.end() if end else pos + 1
        if pos >= len(text):
            return WireError("unexpected EOF")
        where = "object key string" if text[pos] == "}" else "value"
        ch = quote_char(text[pos])
        return WireError(f"invalid character {ch} looking for beginning of {where}")
    ch = quote_char(text[pos])
    if msg.startswith("Invalid control character"):
        return WireError(f"invalid character {ch} in string literal")
    if msg.startswith("Expecting property name"):
        return WireError(f"invalid character {ch} looking for beginning of object key string")
    if msg.startswith("Expecting ':'"):
        return WireError(f"invalid character {ch} after object key")
    if msg.startswith("Expecting ','"):
        if _innermost_container(text[:pos]) == "[":
            return WireError(f"invalid character {ch} after array element")
        return WireError(f"invalid character {ch} after object key:value pair")
    return WireError(f"invalid character {ch} looking for beginning of value")
