"""An API as documentation: its methods, their wire types and docs, its error codes.

Every RPC API of Postroom (the webapi, the admin and account APIs) is a method table:
rows with a name, a request type, a result type (None for bytes) and a handler whose
docstring documents the method. `ApiTable.from_methods` reads any such table, so the
OpenAPI document, the method pages and the Markdown reference are built the same way
for each API.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from postroom.apidoc.docstrings import class_attribute_docs
from postroom.apidoc.errors import MissingDocError


class MethodRow(Protocol):
    """What a method table's row must have; `byte_media_type` is optional."""

    @property
    def name(self) -> str: ...
    @property
    def request_type(self) -> type[Any]: ...
    @property
    def result_type(self) -> type[Any] | None: ...
    @property
    def handler(self) -> Any: ...


class Auth(enum.StrEnum):
    """How a caller authenticates (OpenAPI security scheme names)."""

    BASIC = "basic"
    """HTTP basic authentication: an email address of the account and its password."""
    BEARER = "bearer"
    """`Authorization: Bearer <API key>`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class MethodDoc:
    """One method as documented."""

    name: str
    doc: str
    """The handler's docstring, cleaned: first line a summary, then paragraphs."""
    request_type: type[Any]
    result_type: type[Any] | None
    """None: the result is the bytes themselves."""
    byte_media_type: str | None = None
    """For a bytes result: its exact Content-Type; None when it is sniffed from the bytes."""
    access: str = ""
    """Who may call it, e.g. "Global admins only."; "" when any caller of the API may."""

    @property
    def summary(self) -> str:
        return self.doc.split("\n", 1)[0].rstrip(".")


@dataclass(frozen=True, slots=True, kw_only=True)
class ApiTable:
    """An RPC API: `POST <base_path><Method>` with a JSON request, JSON or bytes back."""

    name: str
    """Short lower-case name, e.g. `webapi`; prefixes OpenAPI operation IDs."""
    title: str
    """Heading, e.g. `Webapi`."""
    base_path: str
    """Where the methods are, with both slashes, e.g. `/webapi/v0/`."""
    summary: str
    """One paragraph saying what the API is for."""
    methods: tuple[MethodDoc, ...]
    """Sorted by name."""
    error_codes: type[enum.StrEnum]
    """The `Code` values of its error responses."""
    auth: tuple[Auth, ...] = (Auth.BASIC,)
    """Accepted ways to authenticate, any one of them."""
    file_fields: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Method name → the multipart part names that carry files, e.g. `attachedfile`."""
    json_error_statuses: tuple[int, ...] = (400,)
    """HTTP statuses answered with a JSON `{"Code", "Message"}`."""
    text_error_statuses: tuple[int, ...] = (401, 429)
    """HTTP statuses answered in plain text (mox's authentication failures)."""

    @classmethod
    def from_methods(
        cls,
        rows: Iterable[MethodRow],
        *,
        name: str,
        title: str,
        base_path: str,
        summary: str,
        error_codes: type[enum.StrEnum],
        auth: tuple[Auth, ...] = (Auth.BASIC,),
        file_fields: Mapping[str, tuple[str, ...]] | None = None,
        json_error_statuses: tuple[int, ...] = (400,),
        text_error_statuses: tuple[int, ...] = (401, 429),
    ) -> ApiTable:
        """The table of a method table's rows; MissingDocError for an undocumented handler."""
        methods = []
        for row in rows:
            doc = inspect.cleandoc(row.handler.__doc__ or "")
            if not doc:
                raise MissingDocError(f"{title} method {row.name}: its handler has no docstring")
            methods.append(
                MethodDoc(
                    name=row.name,
                    doc=doc,
                    request_type=row.request_type,
                    result_type=row.result_type,
                    byte_media_type=getattr(row, "byte_media_type", None),
                    access=_access(getattr(row, "access", None)),
                )
            )
        return cls(
            name=name,
            title=title,
            base_path=base_path,
            summary=summary,
            methods=tuple(sorted(methods, key=lambda m: m.name)),
            error_codes=error_codes,
            auth=auth,
            file_fields=dict(file_fields or {}),
            json_error_statuses=json_error_statuses,
            text_error_statuses=text_error_statuses,
        )

    def method(self, name: str) -> MethodDoc | None:
        return next((m for m in self.methods if m.name == name), None)


def _access(access: object) -> str:
    """The docstring of an enum member saying who may call a method; "" for none."""
    if not isinstance(access, enum.Enum):
        return ""
    doc = class_attribute_docs(type(access)).attributes.get(access.name)
    if not doc:
        raise MissingDocError(f"{type(access).__name__}.{access.name} has no docstring")
    return doc
