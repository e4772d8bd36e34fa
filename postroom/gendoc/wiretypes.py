"""Wire dataclasses as documentation: JSON type names from type hints, and field tables.

The type hints are the ones the codec in `postroom.wire` reads, so a field is documented
with the JSON type it really has on the wire; the descriptions are the attribute
docstrings of the defining module.
"""

from __future__ import annotations

import types
import typing
from datetime import datetime
from typing import Any

from postroom.apidoc import class_doc, is_struct, nested_structs
from postroom.gendoc.errors import GendocError
from postroom.gendoc.markdown import anchor, cell, table

__all__ = ["class_doc", "field_table", "json_type", "nested_structs"]

_SCALARS: dict[Any, str] = {
    str: "string",
    int: "integer",
    bool: "boolean",
    datetime: "RFC 3339 time",
}


def json_type(hint: Any) -> str:
    """The JSON type of a hint in words, with struct names linked to their own section."""
    if hint in _SCALARS:
        return _SCALARS[hint]
    if is_struct(hint):
        name: str = hint.__name__
        return f"[{name}](#{anchor(name)})"
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin is list and len(args) == 1:
        return f"array of {json_type(args[0])}"
    if origin is tuple and args and len(set(args)) == 1 and args[0] is not Ellipsis:
        return f"array of exactly {len(args)} × {json_type(args[0])}"
    if origin is dict and len(args) == 2 and args[0] is str:
        return f"object of string → {json_type(args[1])}"
    if origin in (types.UnionType, typing.Union) and len(args) == 2 and type(None) in args:
        (inner,) = (arg for arg in args if arg is not type(None))
        return f"{json_type(inner)} or null"
    raise GendocError(f"no JSON type name for the type hint {hint!r}")


def field_table(cls: type[Any]) -> str:
    """The fields of a wire dataclass as a table, or a sentence when it has none."""
    doc = class_doc(cls)
    if not doc.attributes:
        return "No fields: `{}`."
    hints = typing.get_type_hints(cls)
    rows = [
        (f"`{name}`", cell(json_type(hints[name])), cell(text))
        for name, text in doc.attributes.items()
    ]
    return table(("Field", "Type", "Description"), rows)
