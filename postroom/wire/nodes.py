"""The nodes of the codec: how one Go type decodes, encodes and is exemplified.

A node per shape: string, int64, bool, time.Time, slice (`list[X]`), array
(`tuple[X, X]`), map (`dict[str, X]`) and pointer (`X | None`); the struct node, which
reads a dataclass's type hints, is in `hints`.

Each node decodes a parsed JSON value *into* the current value of its field, like Go,
which matters when a key occurs twice: `null` leaves a string, number, bool, time, array
or struct alone but resets a list, map or pointer; a second object merges into the struct
decoded from the first. `UNSET` stands for "still the zero value". Type mismatches and
unknown fields are recorded (the first one wins) and decoding goes on, as in Go, so that
a later hard error (a bad time) is the one reported.
"""

from __future__ import annotations

import typing
from typing import Any, Final

from postroom.wire.errors import WireError
from postroom.wire.jsontext import JSON_KIND, SURROGATE, FloatLit, IntLit, clean
from postroom.wire.quote import go_quote
from postroom.wire.rfc3339 import ZERO_TIME, format_rfc3339_nano, parse_rfc3339

INT64_MIN: Final = -(2**63)
INT64_MAX: Final = 2**63 - 1


class Unset:
    """The type of `UNSET`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<unset>"


UNSET: Final = Unset()


class Context:
    """Go's error context: the innermost struct and the field path, and the first error."""

    __slots__ = ("error", "ignore_unknown", "stack", "struct")

    def __init__(self, *, ignore_unknown: bool = False) -> None:
        self.struct = ""
        self.stack: list[str] = []
        self.error: str | None = None
        # Responses from a newer server may carry fields this version does not know.
        self.ignore_unknown = ignore_unknown

    def mismatch(self, value: str, go_type: str) -> None:
        if self.error is None:
            if self.stack:
                where = f"Go struct field {self.struct}.{'.'.join(self.stack)}"
            else:
                where = "Go value"
            self.error = f"json: cannot unmarshal {value} into {where} of type {go_type}"

    def unknown_field(self, key: str) -> None:
        if self.error is None and not self.ignore_unknown:
            self.error = f"json: unknown field {go_quote(clean(key))}"


class Node:
    """How one type hint is decoded, encoded and exemplified."""

    go_type: str = ""
    #: Encode function, or None when the value is already what json.dumps needs.
    encoder: typing.Callable[[Any], Any] | None = None

    def decode(self, raw: Any, cur: Any, ctx: Context) -> Any:
        raise NotImplementedError

    def zero(self) -> Any:
        raise NotImplementedError

    def example(self, seen: list[Node]) -> Any:
        return self.zero()


class StrNode(Node):
    go_type = "string"

    def decode(self, raw: Any, cur: Any, ctx: Context) -> Any:
        if type(raw) is str:
            return raw if raw.isascii() else SURROGATE.sub("\ufffd", raw)
        if raw is not None:
            ctx.mismatch(JSON_KIND[type(raw)], "string")
        return cur

    def zero(self) -> Any:
        return ""


class IntNode(Node):
    go_type = "int64"

    def decode(self, raw: Any, cur: Any, ctx: Context) -> Any:
        kind = type(raw)
        if kind is IntLit:
            # Longer literals cannot fit; checking first avoids converting huge ones.
            if len(raw) <= 20:
                n = int(raw)
                if INT64_MIN <= n <= INT64_MAX:
                    return n
            ctx.mismatch(f"number {raw}", "int64")
        elif kind is FloatLit:
            ctx.mismatch(f"number {raw}", "int64")
        elif raw is not None:
            ctx.mismatch(JSON_KIND[kind], "int64")
        return cur

    def zero(self) -> Any:
        return 0


class BoolNode(Node):
    go_type = "bool"

    def decode(self, raw: Any, cur: Any, ctx: Context) -> Any:
        if raw is True or raw is False:
            return raw
        if raw is not None:
            ctx.mismatch(JSON_KIND[type(raw)], "bool")
        return cur

    def zero(self) -> Any:
        return False


class TimeNode(Node):
    go_type = "time.Time"
    encoder = staticmethod(format_rfc3339_nano)

    def decode(self, raw: Any, cur: Any, ctx: Context) -> Any:
        if type(raw) is str:
            return parse_rfc3339(raw)
        if raw is None:
            return cur
        # time.Time implements json.Unmarshaler, whose errors abort decoding at once.
        raise WireError("Time.UnmarshalJSON: input is not a JSON string")

    def zero(self) -> Any:
        return ZERO_TIME


class ListNode(Node):
    def __init__(self, elem: Node) -> None:
        self.elem = elem
        self.go_type = "[]" + elem.go_type
        enc = elem.encoder
        if enc is None:
            self.encoder = _encode_plain_list
        else:
            self.encoder = lambda v: [enc(x) for x in v] if v else []

    def decode(self, raw: Any, cur: Any, ctx: Context) -> Any:
        if type(raw) is not list:
            if raw is None:
                return []
            ctx.mismatch(JSON_KIND[type(raw)], self.go_type)
            return cur
        elem = self.elem
        out: list[Any] = []
        if cur is UNSET or not cur:
            for item in raw:
                value = elem.decode(item, UNSET, ctx)
                out.append(elem.zero() if value is UNSET else value)
        else:
            # Go decodes into the elements that are already there.
            for i, item in enumerate(raw):
                value = elem.decode(item, cur[i] if i < len(cur) else UNSET, ctx)
                out.append(elem.zero() if value is UNSET else value)
        return out

    def zero(self) -> Any:
        return []

    def example(self, seen: list[Node]) -> Any:
        if self in seen:
            return []
        seen.append(self)
        try:
            return [self.elem.example(seen)]
        finally:
            seen.pop()


def _encode_plain_list(v: Any) -> Any:
    return list(v) if v else []


class ArrayNode(Node):
    """A Go array (`tuple[str, str]` is `[2]string`): always exactly n elements."""

    def __init__(self, elem: Node, length: int) -> None:
        self.elem = elem
        self.length = length
        self.go_type = f"[{length}]{elem.go_type}"
        enc = elem.encoder
        if enc is None:
            self.encoder = list
        else:
            self.encoder = lambda v: [enc(x) for x in v]

    def decode(self, raw: Any, cur: Any, ctx: Context) -> Any:
        if type(raw) is not list:
            if raw is not None:
                ctx.mismatch(JSON_KIND[type(raw)], self.go_type)
            return cur
        elem = self.elem
        out: list[Any] = []
        # Go drops elements beyond the length unchecked and zeroes missing ones.
        for i in range(self.length):
            if i < len(raw):
                value = elem.decode(raw[i], UNSET if cur is UNSET else cur[i], ctx)
                out.append(elem.zero() if value is UNSET else value)
            else:
                out.append(elem.zero())
        return tuple(out)

    def zero(self) -> Any:
        return tuple(self.elem.zero() for _ in range(self.length))


class MapNode(Node):
    def __init__(self, value: Node) -> None:
        self.value = value
        self.go_type = "map[string]" + value.go_type
        enc = value.encoder
        # Go writes map keys sorted.
        if enc is None:
            self.encoder = lambda v: {k: v[k] for k in sorted(v)} if v else {}
        else:
            self.encoder = lambda v: {k: enc(v[k]) for k in sorted(v)} if v else {}

    def decode(self, raw: Any, cur: Any, ctx: Context) -> Any:
        if type(raw) is not tuple:
            if raw is None:
                return {}
            ctx.mismatch(JSON_KIND[type(raw)], self.go_type)
            return cur
        node = self.value
        # Go adds to a map that is already there; each value starts from zero.
        out = {} if cur is UNSET else dict(cur)
        for key, item in raw:
            value = node.decode(item, UNSET, ctx)
            out[clean(key)] = node.zero() if value is UNSET else value
        return out

    def zero(self) -> Any:
        return {}

    def example(self, seen: list[Node]) -> Any:
        if self in seen:
            return {}
        seen.append(self)
        try:
            return {"example": self.value.example(seen)}
        finally:
            seen.pop()


class PointerNode(Node):
    """`X | None`, a Go pointer: null is None, anything else decodes into X."""

    def __init__(self, target: Node) -> None:
        self.target = target
        self.go_type = "*" + target.go_type
        enc = target.encoder
        if enc is not None:
            self.encoder = lambda v: None if v is None else enc(v)

    def decode(self, raw: Any, cur: Any, ctx: Context) -> Any:
        if raw is None:
            return None
        target = self.target
        value = target.decode(raw, UNSET if cur is None else cur, ctx)
        return target.zero() if value is UNSET else value

    def zero(self) -> Any:
        return None

    def example(self, seen: list[Node]) -> Any:
        if self in seen:
            return None
        seen.append(self)
        try:
            return self.target.example(seen)
        finally:
            seen.pop()
