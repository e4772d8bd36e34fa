"""Wire dataclasses as documentation: JSON type names from type hints, and field tables.

The type hints are the ones the codec in `postroom.wire` reads, so a field is documented
with the JSON type it really has on the wire; the descriptions are the attribute
docstrings of the defining module.
"""

from __future__ import annotations

import dataclasses
import sys
import types
import typing
from datetime import datetime
from typing import Any

from postroom.gendoc.docstrings import ClassDoc, module_attribute_docs
from postroom.gendoc.errors import GendocError, MissingDocError
from postroom.gendoc.markdown import anchor, cell, table

_SCALARS: dict[Any, str] = {
    str: "string",
    int: "integer",
    bool: "boolean",
    datetime: "RFC 3339 time",
}


def is_struct(hint: Any) -> bool:
    """Whether a hint is a wire struct (a dataclass type)."""
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


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


def nested_structs(roots: typing.Iterable[type[Any]]) -> list[type[Any]]:
    """Every struct reachable through the fields of `roots`, sorted by name.

    The roots themselves are included only if some field refers to them.
    """
    found: dict[str, type[Any]] = {}
    pending = list(roots)
    while pending:
        for hint in typing.get_type_hints(pending.pop()).values():
            for struct in _structs_in(hint):
                known = found.get(struct.__name__)
                if known is not None and known is not struct:
                    raise GendocError(f"two wire types are named {struct.__name__}")
                if known is None:
                    found[struct.__name__] = struct
                    pending.append(struct)
    return [found[name] for name in sorted(found)]


def _structs_in(hint: Any) -> list[type[Any]]:
    if is_struct(hint):
        return [hint]
    return [struct for arg in typing.get_args(hint) for struct in _structs_in(arg)]


def class_doc(cls: type[Any]) -> ClassDoc:
    """The docstrings of a wire dataclass, checked against its dataclass fields."""
    docs = module_attribute_docs(sys.modules[cls.__module__])
    doc = docs.get(cls.__name__)
    if doc is None:
        raise GendocError(f"{cls.__module__}.{cls.__name__}: class not found in its source")
    if not doc.doc:
        raise MissingDocError(f"{cls.__module__}.{cls.__name__} has no class docstring")
    names = [f.name for f in dataclasses.fields(cls)]
    if list(doc.attributes) != names:
        raise GendocError(
            f"{cls.__name__}: the fields in its source {list(doc.attributes)} are not its"
            f" dataclass fields {names} (inherited fields are not supported)"
        )
    return doc


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
