"""The type-driven JSON codec of the wire dataclasses, with Go `encoding/json` semantics.

Owns decoding a request into a dataclass exactly as mox's server decodes it (SPEC.md §1.3
step 8) and encoding dataclasses as mox encodes responses (§1.3 step 10) and webhook
bodies (§3.4), plus the example values of method pages (§1.8). It knows the shapes str,
int (Go int64), bool, RFC 3339 datetimes, `list[X]`, `dict[str, X]`, `tuple[X, X]` (a Go
array such as `[2]string`), `X | None` (a Go pointer) and nested dataclasses, read from
the type hints. It does not know which method takes which type, nor any HTTP.
"""

from __future__ import annotations

import dataclasses
import json
import re
import types
import typing
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final, TypeVar, cast

from postroom.errors import PostroomError

T = TypeVar("T")

ZERO_TIME: Final = datetime(1, 1, 1, tzinfo=UTC)
"""Go's zero `time.Time`, 0001-01-01T00:00:00Z: the default of required time fields."""

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1


class WireError(PostroomError):
    """A request that does not decode into its type. The message mimics Go's encoding/json
    (e.g. `json: unknown field "Foo"`); the transport prefixes `parsing request: `."""


# --- Parsing JSON text -----------------------------------------------------------------
#
# Python's json module parses the text, with hooks so that the decoder still sees what
# Go's decoder sees: objects stay ordered (key, value) pairs (a tuple, so duplicates and
# their order survive), and numbers stay their literal text (Go reports `number 5.0`,
# and a 5000-digit integer must not trip Python's int conversion limit).


class _IntLit(str):
    """A JSON number literal without fraction or exponent, e.g. `-12`."""

    __slots__ = ()


class _FloatLit(str):
    """A JSON number literal with a fraction or exponent, e.g. `5.0` or `1e3`."""

    __slots__ = ()


def _reject_constant(name: str) -> Any:
    # Python accepts NaN and ±Infinity; JSON (and Go) do not.
    if name.startswith("-"):
        raise WireError("invalid character 'I' in numeric literal")
    raise WireError(f"invalid character {_quote_char(name[0])} looking for beginning of value")


_JSON: Final = json.JSONDecoder(
    object_pairs_hook=tuple,
    parse_int=_IntLit,
    parse_float=_FloatLit,
    parse_constant=_reject_constant,
)
_LEADING_SPACE: Final = re.compile(r"[ \t\n\r]*")  # JSON's (and Go's) whitespace, no more
_SURROGATE: Final = re.compile("[\ud800-\udfff]")
_JSON_KIND: Final[dict[type, str]] = {
    str: "string",
    _IntLit: "number",
    _FloatLit: "number",
    bool: "bool",
    list: "array",
    tuple: "object",
}


def _clean(s: str) -> str:
    """Replace lone surrogates (from `\\ud800` escapes) by U+FFFD, as Go's unquote does."""
    return s if s.isascii() else _SURROGATE.sub("\ufffd", s)


_GO_ESCAPES: Final = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    '"': '\\"',
    "\\": "\\\\",
}


def _go_quote(s: str) -> str:
    """Approximately Go's `%q` (strconv.Quote): printable characters stay as they are."""
    out = ['"']
    for ch in s:
        if ch in _GO_ESCAPES:
            out.append(_GO_ESCAPES[ch])
        elif ch.isprintable():
            out.append(ch)
        elif ord(ch) < 0x80:
            out.append(f"\\x{ord(ch):02x}")
        elif ord(ch) < 0x10000:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(f"\\U{ord(ch):08x}")
    out.append('"')
    return "".join(out)


def _quote_char(ch: str) -> str:
    """Go's scanner quoting of one offending character: `'x'`, `'\\n'`, `'\\''`."""
    if ch == "'":
        return "'\\''"
    if ch == '"':
        return "'\"'"
    return "'" + _go_quote(ch)[1:-1] + "'"


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
            f"invalid character {_quote_char(text[i])} in \\u hexadecimal character escape"
        )
    if msg.startswith("Invalid \\escape"):
        if pos + 1 >= len(text):
            return WireError("unexpected EOF")
        return WireError(f"invalid character {_quote_char(text[pos + 1])} in string escape code")
    if msg.startswith("Illegal trailing comma"):
        # Python 3.13+ names the comma; Go names the bracket after it.
        end = _LEADING_SPACE.match(text, pos + 1)
        pos = end.end() if end else pos + 1
        if pos >= len(text):
            return WireError("unexpected EOF")
        where = "object key string" if text[pos] == "}" else "value"
        ch = _quote_char(text[pos])
        return WireError(f"invalid character {ch} looking for beginning of {where}")
    ch = _quote_char(text[pos])
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


# --- RFC 3339 times ----------------------------------------------------------------------

_RFC3339: Final = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2})T([0-9]{2}):([0-9]{2}):([0-9]{2})"
    r"(?:\.([0-9]+))?(?:(Z)|([+-])([0-9]{2}):([0-9]{2}))"
)


def parse_rfc3339(s: str) -> datetime:
    """Parse `s` as Go's `time.Time.UnmarshalJSON` does (strict RFC 3339), keeping its offset.

    Accepts `2024-01-02T03:04:05Z`, `…05.123456789+01:00`, `…05-07:30`; rejects a lower-case
    `t`/`z`, a space for `T`, a missing offset, a comma fraction and out-of-range fields.
    The fraction is cut to microseconds; Go keeps nanoseconds. Go accepts year 0000,
    which Python cannot represent, so it is refused here.
    """
    m = _RFC3339.fullmatch(s)
    if m is None:
        raise WireError(
            f"parsing time {_go_quote(s)} as RFC 3339: "
            "want YYYY-MM-DDTHH:MM:SS[.fraction] followed by Z or ±hh:mm"
        )
    year, month, day, hour, minute, second = (int(g) for g in m.group(1, 2, 3, 4, 5, 6))
    frac, zulu, sign, off_h, off_m = m.group(7, 8, 9, 10, 11)
    if zulu:
        tz = UTC
    else:
        oh, om = int(off_h), int(off_m)
        if oh > 23:
            _time_range_error(s, "timezone hour")
        if om > 59:
            _time_range_error(s, "timezone minute")
        offset = timedelta(hours=oh, minutes=om)
        tz = timezone(-offset if sign == "-" else offset)
    micro = int((frac or "0")[:6].ljust(6, "0"))
    for value, low, high, what in (
        (year, 1, 9999, "year"),
        (month, 1, 12, "month"),
        (hour, 0, 23, "hour"),
        (minute, 0, 59, "minute"),
        (second, 0, 59, "second"),
    ):
        if not low <= value <= high:
            _time_range_error(s, what)
    try:
        dt = datetime(year, month, day, hour, minute, second, micro, tzinfo=tz)
    except ValueError:
        _time_range_error(s, "day")
    if year in (1, 9999):
        # The instant must also exist in UTC, or comparing it later overflows.
        try:
            dt.astimezone(UTC)
        except OverflowError:
            _time_range_error(s, "year")
    return dt


def _time_range_error(s: str, what: str) -> typing.NoReturn:
    raise WireError(f"parsing time {_go_quote(s)} as RFC 3339: {what} out of range")


def format_rfc3339_nano(dt: datetime) -> str:
    """Format as Go's `time.RFC3339Nano`: fraction without trailing zeros, `Z` for UTC.

    `2024-01-02T03:04:05Z`, `2024-01-02T03:04:05.12+01:00`. The datetime must be aware.
    """
    offset = dt.utcoffset()
    if offset is None:
        raise ValueError(f"wire times must be timezone-aware: {dt!r}")
    text = (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:{dt.second:02d}"
    )
    if dt.microsecond:
        text += "." + f"{dt.microsecond:06d}".rstrip("0")
    seconds = offset.days * 86400 + offset.seconds
    if seconds == 0:
        return text + "Z"
    # Go writes hours and minutes only, dropping any seconds of the offset.
    sign = "-" if seconds < 0 else "+"
    hh, mm = divmod(abs(seconds) // 60, 60)
    return f"{text}{sign}{hh:02d}:{mm:02d}"


# --- Decoding -----------------------------------------------------------------------------
#
# Each node decodes a parsed JSON value *into* the current value of its field, like Go,
# which matters when a key occurs twice: `null` leaves a string, number, bool, time, array
# or struct alone but resets a list, map or pointer; a second object merges into the struct
# decoded from the first. `_UNSET` stands for "still the zero value". Type mismatches and
# unknown fields are recorded (the first one wins) and decoding goes on, as in Go, so that
# a later hard error (a bad time) is the one reported.


class _Unset:
    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"


_UNSET: Final = _Unset()


class _Context:
    """Go's error context: the innermost struct and the field path, and the first error."""

    __slots__ = ("error", "stack", "struct")

    def __init__(self) -> None:
        self.struct = ""
        self.stack: list[str] = []
        self.error: str | None = None

    def mismatch(self, value: str, go_type: str) -> None:
        if self.error is None:
            if self.stack:
                where = f"Go struct field {self.struct}.{'.'.join(self.stack)}"
            else:
                where = "Go value"
            self.error = f"json: cannot unmarshal {value} into {where} of type {go_type}"

    def unknown_field(self, key: str) -> None:
        if self.error is None:
            self.error = f"json: unknown field {_go_quote(_clean(key))}"


class _Node:
    """How one type hint is decoded, encoded and exemplified."""

    go_type: str = ""
    #: Encode function, or None when the value is already what json.dumps needs.
    encoder: typing.Callable[[Any], Any] | None = None

    def decode(self, raw: Any, cur: Any, ctx: _Context) -> Any:
        raise NotImplementedError

    def zero(self) -> Any:
        raise NotImplementedError

    def example(self, seen: list[_Node]) -> Any:
        return self.zero()


class _StrNode(_Node):
    go_type = "string"

    def decode(self, raw: Any, cur: Any, ctx: _Context) -> Any:
        if type(raw) is str:
            return raw if raw.isascii() else _SURROGATE.sub("\ufffd", raw)
        if raw is not None:
            ctx.mismatch(_JSON_KIND[type(raw)], "string")
        return cur

    def zero(self) -> Any:
        return ""


class _IntNode(_Node):
    go_type = "int64"

    def decode(self, raw: Any, cur: Any, ctx: _Context) -> Any:
        kind = type(raw)
        if kind is _IntLit:
            # Longer literals cannot fit; checking first avoids converting huge ones.
            if len(raw) <= 20:
                n = int(raw)
                if INT64_MIN <= n <= INT64_MAX:
                    return n
            ctx.mismatch(f"number {raw}", "int64")
        elif kind is _FloatLit:
            ctx.mismatch(f"number {raw}", "int64")
        elif raw is not None:
            ctx.mismatch(_JSON_KIND[kind], "int64")
        return cur

    def zero(self) -> Any:
        return 0


class _BoolNode(_Node):
    go_type = "bool"

    def decode(self, raw: Any, cur: Any, ctx: _Context) -> Any:
        if raw is True or raw is False:
            return raw
        if raw is not None:
            ctx.mismatch(_JSON_KIND[type(raw)], "bool")
        return cur

    def zero(self) -> Any:
        return False


class _TimeNode(_Node):
    go_type = "time.Time"
    encoder = staticmethod(format_rfc3339_nano)

    def decode(self, raw: Any, cur: Any, ctx: _Context) -> Any:
        if type(raw) is str:
            return parse_rfc3339(raw)
        if raw is None:
            return cur
        # time.Time implements json.Unmarshaler, whose errors abort decoding at once.
        raise WireError("Time.UnmarshalJSON: input is not a JSON string")

    def zero(self) -> Any:
        return ZERO_TIME


class _ListNode(_Node):
    def __init__(self, elem: _Node) -> None:
        self.elem = elem
        self.go_type = "[]" + elem.go_type
        enc = elem.encoder
        if enc is None:
            self.encoder = _encode_plain_list
        else:
            self.encoder = lambda v: [enc(x) for x in v] if v else []

    def decode(self, raw: Any, cur: Any, ctx: _Context) -> Any:
        if type(raw) is not list:
            if raw is None:
                return []
            ctx.mismatch(_JSON_KIND[type(raw)], self.go_type)
            return cur
        elem = self.elem
        out: list[Any] = []
        if cur is _UNSET or not cur:
            for item in raw:
                value = elem.decode(item, _UNSET, ctx)
                out.append(elem.zero() if value is _UNSET else value)
        else:
            # Go decodes into the elements that are already there.
            for i, item in enumerate(raw):
                value = elem.decode(item, cur[i] if i < len(cur) else _UNSET, ctx)
                out.append(elem.zero() if value is _UNSET else value)
        return out

    def zero(self) -> Any:
        return []

    def example(self, seen: list[_Node]) -> Any:
        if self in seen:
            return []
        seen.append(self)
        try:
            return [self.elem.example(seen)]
        finally:
            seen.pop()


def _encode_plain_list(v: Any) -> Any:
    return list(v) if v else []


class _ArrayNode(_Node):
    """A Go array (`tuple[str, str]` is `[2]string`): always exactly n elements."""

    def __init__(self, elem: _Node, length: int) -> None:
        self.elem = elem
        self.length = length
        self.go_type = f"[{length}]{elem.go_type}"
        enc = elem.encoder
        if enc is None:
            self.encoder = list
        else:
            self.encoder = lambda v: [enc(x) for x in v]

    def decode(self, raw: Any, cur: Any, ctx: _Context) -> Any:
        if type(raw) is not list:
            if raw is not None:
                ctx.mismatch(_JSON_KIND[type(raw)], self.go_type)
            return cur
        elem = self.elem
        out: list[Any] = []
        # Go drops elements beyond the length unchecked and zeroes missing ones.
        for i in range(self.length):
            if i < len(raw):
                value = elem.decode(raw[i], _UNSET if cur is _UNSET else cur[i], ctx)
                out.append(elem.zero() if value is _UNSET else value)
            else:
                out.append(elem.zero())
        return tuple(out)

    def zero(self) -> Any:
        return tuple(self.elem.zero() for _ in range(self.length))


class _MapNode(_Node):
    def __init__(self, value: _Node) -> None:
        self.value = value
        self.go_type = "map[string]" + value.go_type
        enc = value.encoder
        # Go writes map keys sorted.
        if enc is None:
            self.encoder = lambda v: {k: v[k] for k in sorted(v)} if v else {}
        else:
            self.encoder = lambda v: {k: enc(v[k]) for k in sorted(v)} if v else {}

    def decode(self, raw: Any, cur: Any, ctx: _Context) -> Any:
        if type(raw) is not tuple:
            if raw is None:
                return {}
            ctx.mismatch(_JSON_KIND[type(raw)], self.go_type)
            return cur
        node = self.value
        # Go adds to a map that is already there; each value starts from zero.
        out = {} if cur is _UNSET else dict(cur)
        for key, item in raw:
            value = node.decode(item, _UNSET, ctx)
            out[_clean(key)] = node.zero() if value is _UNSET else value
        return out

    def zero(self) -> Any:
        return {}

    def example(self, seen: list[_Node]) -> Any:
        if self in seen:
            return {}
        seen.append(self)
        try:
            return {"example": self.value.example(seen)}
        finally:
            seen.pop()


class _PointerNode(_Node):
    """`X | None`, a Go pointer: null is None, anything else decodes into X."""

    def __init__(self, target: _Node) -> None:
        self.target = target
        self.go_type = "*" + target.go_type
        enc = target.encoder
        if enc is not None:
            self.encoder = lambda v: None if v is None else enc(v)

    def decode(self, raw: Any, cur: Any, ctx: _Context) -> Any:
        if raw is None:
            return None
        target = self.target
        value = target.decode(raw, _UNSET if cur is None else cur, ctx)
        return target.zero() if value is _UNSET else value

    def zero(self) -> Any:
        return None

    def example(self, seen: list[_Node]) -> Any:
        if self in seen:
            return None
        seen.append(self)
        try:
            return self.target.example(seen)
        finally:
            seen.pop()


class _StructNode(_Node):
    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.name = cls.__name__
        self.go_type = "webapi." + cls.__name__
        self.encoder = self.encode
        self.names: tuple[str, ...] = ()
        self.exact: dict[str, tuple[str, _Node]] = {}
        self.folded: dict[str, tuple[str, _Node]] = {}
        self.encoders: tuple[tuple[str, typing.Callable[[Any], Any] | None], ...] = ()

    def build(self) -> None:
        hints = typing.get_type_hints(self.cls)
        entries = [(f.name, _node(hints[f.name])) for f in dataclasses.fields(self.cls)]
        self.names = tuple(name for name, _ in entries)
        self.exact = {name: (name, node) for name, node in entries}
        # Go matches keys exactly first, then case-insensitively (names here are ASCII).
        self.folded = {name.upper(): (name, node) for name, node in entries}
        self.encoders = tuple((name, node.encoder) for name, node in entries)

    def decode(self, raw: Any, cur: Any, ctx: _Context) -> Any:
        if type(raw) is not tuple:
            if raw is not None:
                ctx.mismatch(_JSON_KIND[type(raw)], self.go_type)
            return cur
        values: dict[str, Any] = (
            {} if cur is _UNSET else {name: getattr(cur, name) for name in self.names}
        )
        exact = self.exact
        folded = self.folded
        stack = ctx.stack
        outer = ctx.struct
        ctx.struct = self.name
        for key, item in raw:
            entry = exact.get(key)
            if entry is None:
                entry = folded.get(key.upper() if key.isascii() else key.translate(_FOLD))
                if entry is None:
                    ctx.unknown_field(key)
                    continue
            name, node = entry
            stack.append(name)
            value = node.decode(item, values.get(name, _UNSET), ctx)
            stack.pop()
            if value is not _UNSET:
                values[name] = value
        ctx.struct = outer
        return self.cls(**values)

    def zero(self) -> Any:
        return self.cls()

    def encode(self, value: Any) -> Any:
        out = {}
        for name, enc in self.encoders:
            v = getattr(value, name)
            out[name] = v if enc is None else enc(v)
        return out

    def example(self, seen: list[_Node]) -> Any:
        if self in seen:
            return self.cls()
        seen.append(self)
        try:
            return self.cls(**{name: node.example(seen) for name, node in self.exact.values()})
        finally:
            seen.pop()


# Go folds keys like bytes.EqualFold; besides ASCII letters, only KELVIN SIGN and LATIN
# SMALL LETTER LONG S fold onto ASCII letters (K and S).
_FOLD: Final = {c: chr(c).upper() for c in range(ord("a"), ord("z") + 1)} | {
    0x212A: "K",
    0x017F: "S",
}

_SCALARS: Final[dict[Any, _Node]] = {
    str: _StrNode(),
    int: _IntNode(),
    bool: _BoolNode(),
    datetime: _TimeNode(),
}
_NODES: Final[dict[Any, _Node]] = {}


def _node(hint: Any) -> _Node:
    """The node for a type hint, built once and cached (dataclasses lazily, cycle-safe)."""
    node = _SCALARS.get(hint) or _NODES.get(hint)
    if node is not None:
        return node
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        struct = _StructNode(hint)
        _NODES[hint] = struct  # before building, so a recursive type finds itself
        try:
            struct.build()
        except BaseException:
            del _NODES[hint]
            raise
        return struct
    if origin is list and len(args) == 1:
        node = _ListNode(_node(args[0]))
    elif origin is dict and len(args) == 2 and args[0] is str:
        node = _MapNode(_node(args[1]))
    elif origin is tuple and args and Ellipsis not in args and len(set(args)) == 1:
        node = _ArrayNode(_node(args[0]), len(args))
    elif origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        node = _PointerNode(_node(next(a for a in args if a is not type(None))))
    else:
        raise TypeError(f"the wire codec does not support the type {hint!r}")
    _NODES[hint] = node
    return node


def _struct_node(cls: type) -> _StructNode:
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise TypeError(f"not a dataclass: {cls!r}")
    return cast(_StructNode, _node(cls))


def decode_request(cls: type[T], text: str) -> T:
    """Decode the JSON request `text` into the dataclass `cls` as Go's encoding/json does.

    Only the first JSON value counts (trailing text is ignored); `null` gives the zero
    value; keys match field names case-insensitively, the last occurrence winning; unknown
    keys and type mismatches raise WireError with Go's message.
    """
    node = _struct_node(cls)
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
    if raw is None:
        return cast(T, node.zero())
    ctx = _Context()
    try:
        value = node.decode(raw, _UNSET, ctx)
    except RecursionError:
        raise WireError("exceeded max depth") from None
    if ctx.error is not None:  # also set when the request is not an object
        raise WireError(ctx.error)
    return cast(T, value)


# --- Encoding -----------------------------------------------------------------------------

_ENCODE: Final = json.JSONEncoder(
    ensure_ascii=False, separators=(",", ":"), check_circular=False, allow_nan=False
).encode


def _to_json(value: Any) -> str:
    node = _struct_node(type(value))
    # Go always escapes U+2028 and U+2029 (they end lines in JavaScript).
    return _ENCODE(node.encode(value)).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate cannot be UTF-8; Go writes U+FFFD for invalid text.
        return _SURROGATE.sub("\ufffd", text).encode("utf-8")


def encode_response(value: Any) -> bytes:
    """Encode a dataclass as a webapi response body: compact JSON and one `\\n`.

    Keys are the field names in field order; lists and maps are never null (`[]`, `{}`);
    `X | None` fields may be null; map keys are sorted; times are RFC 3339 with nanosecond
    precision trimmed; no HTML escaping; non-ASCII is written as UTF-8 (as Go's
    `json.Encoder` with `SetEscapeHTML(false)` after mox fills nil lists and maps).
    """
    return _utf8(_to_json(value)) + b"\n"


def encode_html_safe(value: Any) -> bytes:
    """Encode a dataclass like `encode_response`, but escape `<`, `>` and `&` as `\\u003c`,
    `\\u003e` and `\\u0026` (Go's `json.Marshal`, used for webhook bodies), without a
    trailing newline (json.Marshal adds none). Lists and maps are still `[]` and `{}`.
    """
    text = _to_json(value)
    if "<" in text or ">" in text or "&" in text:
        # These characters only occur inside JSON strings, so replacing is escaping.
        text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return _utf8(text)


def example_value(cls: type[T]) -> T:
    """An example of `cls` as mox builds for method pages and docs (SPEC.md §1.8).

    Every list gets one zero-valued element, every map one key `"example"` with a zero
    value, every `X | None` a zero X; nested types are filled the same way, except that a
    type is not expanded inside itself (the `Parts` of a `Structure` example hold one
    empty `Structure`).
    """
    return cast(T, _struct_node(cls).example([]))
