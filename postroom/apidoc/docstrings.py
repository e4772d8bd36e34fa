"""Attribute docstrings read from source with `ast`: the string literal after a field.

Python keeps no record of these literals at run time, so the source is parsed. Only the
reading lives here; which classes are documented, and how, is up to the renderers.
"""

from __future__ import annotations

import ast
import functools
import inspect
import textwrap
from dataclasses import dataclass
from types import ModuleType

from postroom.apidoc.errors import MissingDocError


@dataclass(frozen=True, slots=True, kw_only=True)
class ClassDoc:
    """The docstrings of one class: its own, and one per attribute in source order."""

    name: str
    doc: str
    """The class docstring, cleaned; "" if it has none."""
    attributes: dict[str, str]
    """Attribute name → cleaned docstring, in source order."""


def attribute_docs(source: str, *, filename: str = "<source>") -> dict[str, ClassDoc]:
    """The docstrings of every class in `source`, keyed by class name.

    An attribute is an annotated assignment (a dataclass field) or a plain assignment to
    one name (an enum member) in a class body. Each must be followed by a string literal,
    its docstring; otherwise MissingDocError names `Class.attribute` and the line.
    """
    tree = ast.parse(source, filename=filename)
    classes: dict[str, ClassDoc] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            classes[node.name] = _class_doc(node, filename)
    return classes


@functools.cache
def module_attribute_docs(module: ModuleType) -> dict[str, ClassDoc]:
    """`attribute_docs` of an imported module's source file."""
    return attribute_docs(inspect.getsource(module), filename=module.__name__)


def _class_doc(node: ast.ClassDef, filename: str) -> ClassDoc:
    attributes: dict[str, str] = {}
    body = node.body
    for index, statement in enumerate(body):
        name = _assigned_name(statement)
        if name is None:
            continue
        following = body[index + 1] if index + 1 < len(body) else None
        doc = _string_literal(following)
        if doc is None:
            raise MissingDocError(
                f"{filename}:{statement.lineno}: {node.name}.{name} has no docstring"
                " (a string literal on the line after it)"
            )
        attributes[name] = doc
    return ClassDoc(name=node.name, doc=ast.get_docstring(node) or "", attributes=attributes)


def _assigned_name(statement: ast.stmt) -> str | None:
    if isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name):
        return statement.target.id
    if (
        isinstance(statement, ast.Assign)
        and len(statement.targets) == 1
        and isinstance(statement.targets[0], ast.Name)
    ):
        return statement.targets[0].id
    return None


def _string_literal(statement: ast.stmt | None) -> str | None:
    if (
        isinstance(statement, ast.Expr)
        and isinstance(statement.value, ast.Constant)
        and isinstance(statement.value.value, str)
    ):
        return inspect.cleandoc(statement.value.value)
    return None


def class_attribute_docs(cls: type) -> ClassDoc:
    """`attribute_docs` of one class's own source, for a class whose module holds other
    classes that are not documented field by field."""
    source = textwrap.dedent(inspect.getsource(cls))
    return attribute_docs(source, filename=f"{cls.__module__}.{cls.__name__}")[cls.__name__]
