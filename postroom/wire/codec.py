"""The type-driven JSON codec of the wire dataclasses, with Go `encoding/json` semantics.

Owns decoding a request into a dataclass exactly as mox's server decodes it, and
encoding dataclasses as mox encodes responses and webhook bodies, plus the example
values of method pages. It knows the shapes str,
int (Go int64), bool, RFC 3339 datetimes, `list[X]`, `dict[str, X]`, `tuple[X, X]` (a Go
array such as `[2]string`), `X | None` (a Go pointer) and nested dataclasses, read from
the type hints. It does not know which method takes which type, nor any HTTP.
"""

from __future__ import annotations

import json
from typing import Any, Final, TypeVar, cast

from postroom.wire.errors import WireError
from postroom.wire.hints import struct_node
from postroom.wire.jsontext import SURROGATE, read_value
from postroom.wire.nodes import UNSET, Context

T = TypeVar("T")


def decode_request(cls: type[T], text: str, *, null_ok: bool = True) -> T:
    """Decode the JSON request `text` into the dataclass `cls` as Go's encoding/json does.

    Only the first JSON value counts (trailing text is ignored); `null` gives the zero
    value, or with `null_ok=False` raises WireError (an API call must be an object: a
    zero filter means "every message", which `null` must never mean); keys match field
    names case-insensitively, the last occurrence winning; unknown keys and type
    mismatches raise WireError with Go's message.
    """
    return _decode(cls, text, Context(), null_ok=null_ok)


def decode_response(cls: type[T], text: str) -> T:
    """Decode a response or webhook body into `cls` like `decode_request`, except that
    unknown keys are skipped: a client must keep working when a newer server adds fields."""
    return _decode(cls, text, Context(ignore_unknown=True))


def _decode(cls: type[T], text: str, ctx: Context, *, null_ok: bool = True) -> T:
    node = struct_node(cls)
    raw = read_value(text)
    if raw is None:
        if not null_ok:
            raise WireError(f"the request must be a JSON object, not null ({cls.__name__})")
        return cast(T, node.zero())
    try:
        value = node.decode(raw, UNSET, ctx)
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
    node = struct_node(type(value))
    # Go always escapes U+2028 and U+2029 (they end lines in JavaScript).
    return _ENCODE(node.encode(value)).replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _utf8(text: str) -> bytes:
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:
        # A lone surrogate cannot be UTF-8; Go writes U+FFFD for invalid text.
        return SURROGATE.sub("\ufffd", text).encode("utf-8")


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


# --- Examples -----------------------------------------------------------------------------


def example_value(cls: type[T]) -> T:
    """An example of `cls` as mox builds for method pages and docs.

    Every list gets one zero-valued element, every map one key `"example"` with a zero
    value, every `X | None` a zero X; nested types are filled the same way, except that a
    type is not expanded inside itself (the `Parts` of a `Structure` example hold one
    empty `Structure`).
    """
    return cast(T, struct_node(cls).example([]))
