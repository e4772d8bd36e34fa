"""The webapi wire types themselves: dataclass shape, field order as in mox, an
attribute docstring on every field, and a codec round trip of each type."""

from __future__ import annotations

import ast
import dataclasses
import inspect
from pathlib import Path
from typing import Any

import pytest

from postroom.webapi.types import MessageGetResult, MessageMeta, SendRequest, Structure, Suppression
from postroom.wire import decode_request, encode_response, example_value
from postroom.wire import webapi as wire_types

WIRE_CLASSES = [
    obj
    for _, obj in inspect.getmembers(wire_types, inspect.isclass)
    if dataclasses.is_dataclass(obj) and obj.__module__ == wire_types.__name__
]


@pytest.mark.parametrize("cls", WIRE_CLASSES, ids=lambda c: c.__name__)
def test_every_wire_type_has_examples_and_zero_values(cls: type[Any]) -> None:
    example = example_value(cls)
    assert isinstance(example, cls)
    assert decode_request(cls, encode_response(example).decode()) == example
    assert decode_request(cls, "{}") == cls() == decode_request(cls, "null")


# --- The wire types themselves ------------------------------------------------------------


@pytest.mark.parametrize("cls", WIRE_CLASSES, ids=lambda c: c.__name__)
def test_wire_types_are_frozen_slotted_keyword_only(cls: type[Any]) -> None:
    params = cls.__dataclass_params__
    assert params.frozen
    assert "__slots__" in cls.__dict__
    assert all(f.kw_only for f in dataclasses.fields(cls))


def test_field_order_follows_spec() -> None:
    def names(cls: type[Any]) -> list[str]:
        return [f.name for f in dataclasses.fields(cls)]

    assert names(SendRequest) == [
        "From", "To", "CC", "BCC", "ReplyTo", "MessageID", "References", "Date", "Subject",
        "Text", "HTML", "Extra", "Headers", "AlternativeFiles", "InlineFiles",
        "AttachedFiles", "RequireTLS", "FutureRelease", "SaveSent",
    ]  # fmt: skip
    assert names(MessageMeta) == [
        "Size", "DSN", "Flags", "MailFrom", "MailFromValidated", "RcptTo", "MsgFrom",
        "MsgFromValidated", "DKIMVerifiedDomains", "RemoteIP", "MailboxName",
    ]  # fmt: skip
    assert names(Structure) == [
        "ContentType", "ContentTypeParams", "ContentID", "ContentDisposition", "Filename",
        "DecodedSize", "Parts",
    ]  # fmt: skip
    assert names(Suppression) == [
        "ID", "Created", "Account", "BaseAddress", "OriginalAddress", "Manual", "Reason",
    ]  # fmt: skip
    assert names(MessageGetResult) == ["Message", "Structure", "Meta"]


def test_every_wire_field_has_an_attribute_docstring() -> None:
    source = Path(wire_types.__file__).read_text(encoding="utf-8")
    missing: list[str] = []
    classes = 0
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.ClassDef):
            continue
        classes += 1
        if ast.get_docstring(node) is None:
            missing.append(node.name)
        for stmt, following in zip(node.body, [*node.body[1:], None], strict=True):
            if not isinstance(stmt, ast.AnnAssign):
                continue
            assert isinstance(stmt.target, ast.Name)
            documented = (
                isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
                and following.value.value.strip() != ""
            )
            if not documented:
                missing.append(f"{node.name}.{stmt.target.id}")
    # NameAddress and Structure are defined with the webhook payloads (postroom.hooks),
    # whose docstrings gendoc requires.
    assert classes == len(WIRE_CLASSES) >= 28
    assert missing == []
