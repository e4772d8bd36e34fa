"""Wire dataclasses as documented things: which structs a type reaches, and their
docstrings checked against their fields.

The type hints are the ones the codec in `postroom.wire` reads, so what is documented is
what travels on the wire.
"""

from __future__ import annotations

import dataclasses
import sys
import typing
from typing import Any

from postroom.apidoc.docstrings import ClassDoc, module_attribute_docs
from postroom.apidoc.errors import DocError, MissingDocError


def is_struct(hint: Any) -> bool:
    """Whether a hint is a wire struct (a dataclass type)."""
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def nested_structs(roots: typing.Iterable[type[Any]]) -> list[type[Any]]:
    """Every struct reachable through the fields of `roots`, sorted by name.

    The roots themselves are included only if some field refers to them.
    """
    found: dict[str, type[Any]] = {}
    pending = list(roots)
    while pending:
        for hint in typing.get_type_hints(pending.pop()).values():
            for struct in structs_in(hint):
                known = found.get(struct.__name__)
                if known is not None and known is not struct:
                    raise DocError(f"two wire types are named {struct.__name__}")
                if known is None:
                    found[struct.__name__] = struct
                    pending.append(struct)
    return [found[name] for name in sorted(found)]


def structs_in(hint: Any) -> list[type[Any]]:
    """The structs a type hint names, directly or inside lists, maps and optionals."""
    if is_struct(hint):
        return [hint]
    return [struct for arg in typing.get_args(hint) for struct in structs_in(arg)]


def class_doc(cls: type[Any]) -> ClassDoc:
    """The docstrings of a wire dataclass, checked against its dataclass fields."""
    docs = module_attribute_docs(sys.modules[cls.__module__])
    doc = docs.get(cls.__name__)
    if doc is None:
        raise DocError(f"{cls.__module__}.{cls.__name__}: class not found in its source")
    if not doc.doc:
        raise MissingDocError(f"{cls.__module__}.{cls.__name__} has no class docstring")
    names = [f.name for f in dataclasses.fields(cls)]
    if list(doc.attributes) != names:
        raise DocError(
            f"{cls.__name__}: the fields in its source {list(doc.attributes)} are not its"
            f" dataclass fields {names} (inherited fields are not supported)"
        )
    return doc
