"""JSON Schema (2020-12, as OpenAPI 3.1 uses it) of wire types, from their type hints.

A struct becomes a component with its attribute docstrings as descriptions. Results are
always encoded with every field, so a struct seen in results lists all its fields as
`required`; requests may leave any field out (it keeps Go's zero value), so a struct seen
in requests requires none. A struct used both ways gets two components: `Name` for
results and `NameInput` for requests.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from postroom.apidoc.errors import DocError
from postroom.apidoc.structs import class_doc, is_struct, structs_in
from postroom.wire import INT64_MAX, INT64_MIN

_SCALARS: dict[Any, dict[str, Any]] = {
    str: {"type": "string"},
    int: {"type": "integer", "format": "int64", "minimum": INT64_MIN, "maximum": INT64_MAX},
    bool: {"type": "boolean"},
    datetime: {"type": "string", "format": "date-time"},
}


class SchemaSet:
    """The component schemas of a set of request and result types."""

    def __init__(self, *, inputs: Iterable[type[Any]], outputs: Iterable[type[Any]]) -> None:
        ins, outs = reachable(inputs), reachable(outputs)
        self._outputs = set(outs)
        self._names = component_names([*outs, *ins])
        self.components: dict[str, dict[str, Any]] = {}
        for cls in outs:
            self._add(cls, output=True)
        for cls in ins:
            self._add(cls, output=False)
        self.components = dict(sorted(self.components.items()))

    def component_name(self, cls: type[Any], *, output: bool) -> str:
        name = self._names[cls]
        if not output and cls in self._outputs:
            return name + "Input"
        return name

    def ref(self, cls: type[Any], *, output: bool) -> dict[str, Any]:
        """A `$ref` to the component of a struct."""
        return {"$ref": f"#/components/schemas/{self.component_name(cls, output=output)}"}

    def schema(self, hint: Any, *, output: bool) -> dict[str, Any]:
        """The schema of a type hint, with `$ref`s for structs."""
        if hint in _SCALARS:
            return dict(_SCALARS[hint])
        if is_struct(hint):
            return self.ref(hint, output=output)
        origin = typing.get_origin(hint)
        args = typing.get_args(hint)
        if origin is list and len(args) == 1:
            return {"type": "array", "items": self.schema(args[0], output=output)}
        if origin is tuple and args and len(set(args)) == 1 and args[0] is not Ellipsis:
            item = self.schema(args[0], output=output)
            count = len(args)
            return {"type": "array", "items": item, "minItems": count, "maxItems": count}
        if origin is dict and len(args) == 2 and args[0] is str:
            return {"type": "object", "additionalProperties": self.schema(args[1], output=output)}
        if len(args) == 2 and type(None) in args:
            (inner,) = (arg for arg in args if arg is not type(None))
            return {"anyOf": [self.schema(inner, output=output), {"type": "null"}]}
        raise DocError(f"no JSON Schema for the type hint {hint!r}")

    def _add(self, cls: type[Any], *, output: bool) -> None:
        name = self.component_name(cls, output=output)
        if name in self.components:
            return
        doc = class_doc(cls)
        hints = typing.get_type_hints(cls)
        properties = {
            field: {**self.schema(hints[field], output=output), "description": text}
            for field, text in doc.attributes.items()
        }
        component: dict[str, Any] = {
            "type": "object",
            "description": doc.doc,
            "properties": properties,
            "additionalProperties": False,
        }
        if output:
            component["required"] = list(properties)
        self.components[name] = component


def reachable(roots: Iterable[type[Any]]) -> list[type[Any]]:
    """The roots and every struct their fields reach, each once, in the order found."""
    found: dict[type[Any], None] = {}
    pending = list(roots)
    while pending:
        cls = pending.pop(0)
        if cls in found:
            continue
        found[cls] = None
        for hint in typing.get_type_hints(cls).values():
            pending += structs_in(hint)
    return list(found)


def component_names(classes: Iterable[type[Any]]) -> dict[type[Any], str]:
    """A component name per struct: its class name, or, where different APIs have classes of
    the same name, the name prefixed with its API (`AdminSuppressionListRequest`)."""
    by_name: dict[str, list[type[Any]]] = {}
    for cls in dict.fromkeys(classes):
        by_name.setdefault(cls.__name__, []).append(cls)
    names: dict[type[Any], str] = {}
    for name, same in by_name.items():
        for cls in same:
            names[cls] = name if len(same) == 1 else _qualifier(cls) + name
    if len(set(names.values())) != len(names):
        raise DocError(f"wire types with clashing names: {sorted(names.values())}")
    return names


def _qualifier(cls: type[Any]) -> str:
    """`Webapi` for postroom.wire.webapi, `Admin` for postroom.admin.types.queue."""
    parts = [p for p in cls.__module__.split(".")[1:] if p not in ("wire", "types")]
    return parts[0].capitalize() if parts else ""
