"""Type hints to nodes: the struct node of a dataclass, and the cached node of any hint.

A dataclass is a Go struct whose fields are its dataclass fields, in order, each with the
node of its type hint. The hints are read with `typing.get_type_hints`, because
annotations are strings under `from __future__ import annotations`.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import datetime
from typing import Any, Final, cast

from postroom.wire.jsontext import JSON_KIND
from postroom.wire.nodes import (
    UNSET,
    ArrayNode,
    BoolNode,
    Context,
    IntNode,
    ListNode,
    MapNode,
    Node,
    PointerNode,
    StrNode,
    TimeNode,
)


class StructNode(Node):
    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.name = cls.__name__
        # Go names a struct type with its package; the type errors only come from decoding
        # requests, whose types are in mox's package webapi.
        self.go_type = "webapi." + cls.__name__
        self.encoder = self.encode
        self.names: tuple[str, ...] = ()
        self.exact: dict[str, tuple[str, Node]] = {}
        self.folded: dict[str, tuple[str, Node]] = {}
        self.encoders: tuple[tuple[str, typing.Callable[[Any], Any] | None], ...] = ()

    def build(self) -> None:
        hints = typing.get_type_hints(self.cls)
        entries = [(f.name, node_for(hints[f.name])) for f in dataclasses.fields(self.cls)]
        self.names = tuple(name for name, _ in entries)
        self.exact = {name: (name, node) for name, node in entries}
        # Go matches keys exactly first, then case-insensitively (names here are ASCII).
        self.folded = {name.upper(): (name, node) for name, node in entries}
        self.encoders = tuple((name, node.encoder) for name, node in entries)

    def decode(self, raw: Any, cur: Any, ctx: Context) -> Any:
        if type(raw) is not tuple:
            if raw is not None:
                ctx.mismatch(JSON_KIND[type(raw)], self.go_type)
            return cur
        values: dict[str, Any] = (
            {} if cur is UNSET else {name: getattr(cur, name) for name in self.names}
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
            value = node.decode(item, values.get(name, UNSET), ctx)
            stack.pop()
            if value is not UNSET:
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

    def example(self, seen: list[Node]) -> Any:
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

_SCALARS: Final[dict[Any, Node]] = {
    str: StrNode(),
    int: IntNode(),
    bool: BoolNode(),
    datetime: TimeNode(),
}
_NODES: Final[dict[Any, Node]] = {}


def node_for(hint: Any) -> Node:
    """The node for a type hint, built once and cached (dataclasses lazily, cycle-safe)."""
    node = _SCALARS.get(hint) or _NODES.get(hint)
    if node is not None:
        return node
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if isinstance(hint, type) and dataclasses.is_dataclass(hint):
        struct = StructNode(hint)
        _NODES[hint] = struct  # before building, so a recursive type finds itself
        try:
            struct.build()
        except BaseException:
            del _NODES[hint]
            raise
        return struct
    if origin is list and len(args) == 1:
        node = ListNode(node_for(args[0]))
    elif origin is dict and len(args) == 2 and args[0] is str:
        node = MapNode(node_for(args[1]))
    elif origin is tuple and args and Ellipsis not in args and len(set(args)) == 1:
        node = ArrayNode(node_for(args[0]), len(args))
    elif origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        node = PointerNode(node_for(next(a for a in args if a is not type(None))))
    else:
        raise TypeError(f"the wire codec does not support the type {hint!r}")
    _NODES[hint] = node
    return node


def struct_node(cls: type) -> StructNode:
    """The node of the dataclass `cls`; TypeError for anything else."""
    if not (isinstance(cls, type) and dataclasses.is_dataclass(cls)):
        raise TypeError(f"not a dataclass: {cls!r}")
    return cast(StructNode, node_for(cls))
