"""Generated docs: the committed pages match the code, and undocumented names fail loudly."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from types import ModuleType

import pytest

from postroom.cli import build_parser
from postroom.config import env_name
from postroom.gendoc import (
    GENERATED_HEADER,
    PAGES,
    MissingDocError,
    attribute_docs,
    stale_pages,
    write_pages,
)
from postroom.gendoc.cli import commands
from postroom.gendoc.config import config_sections
from postroom.gendoc.rfcs import find_citations
from postroom.webapi import METHODS, ErrorCode
from postroom.wire import webapi as wire_webapi
from postroom.wire import webhooks as wire_webhooks

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("docs")
    return {path.name: path.read_text(encoding="utf-8") for path in write_pages(out)}


@pytest.mark.parametrize("name", sorted(PAGES))
def test_committed_page_is_current(generated: dict[str, str], name: str) -> None:
    committed = DOCS / name
    assert committed.is_file(), f"docs/{name} is missing; run ./gendoc.sh"
    assert committed.read_text(encoding="utf-8") == generated[name], (
        f"docs/{name} is stale; run ./gendoc.sh"
    )


def test_stale_pages_finds_missing_and_changed(tmp_path: Path) -> None:
    write_pages(tmp_path)
    assert stale_pages(tmp_path) == []
    (tmp_path / "cli.md").unlink()
    config = tmp_path / "config.md"
    config.write_text(config.read_text(encoding="utf-8") + "edited\n", encoding="utf-8")
    hand_written = tmp_path / "architecture.md"
    hand_written.write_text("mine\n", encoding="utf-8")
    stale = {page.name: page.diff for page in stale_pages(tmp_path)}
    assert set(stale) == {"cli.md", "config.md"}
    assert stale["cli.md"] == ""
    assert "-edited" in stale["config.md"]
    write_pages(tmp_path)
    assert hand_written.read_text(encoding="utf-8") == "mine\n"


def test_every_page_starts_with_the_header(generated: dict[str, str]) -> None:
    for name, text in generated.items():
        assert str(Path.home()) not in text, name
        if name.endswith(".json"):  # JSON has no comments; --check keeps it current
            json.loads(text)
            continue
        assert text.startswith(GENERATED_HEADER + "\n"), name


def test_webapi_names_every_method_and_error_code(generated: dict[str, str]) -> None:
    text = generated["webapi.md"]
    for name in METHODS:
        assert f"\n### {name}\n" in text
        assert f"/webapi/v0/{name} \\\n  --data-urlencode 'request=" in text
    for code in ErrorCode:
        assert f"| `{code.value}` |" in text


def test_webapi_documents_nested_types_once(generated: dict[str, str]) -> None:
    text = generated["webapi.md"]
    for name in ("NameAddress", "File", "Submission", "Suppression"):
        assert text.count(f"\n### {name}\n") == 1
        assert f"[{name}](#{name.lower()})" in text
    assert "| `Date` | RFC 3339 time or null |" in text
    assert "| `Extra` | object of string → string |" in text


def test_config_names_every_key(generated: dict[str, str]) -> None:
    text = generated["config.md"]
    sections = config_sections()
    keys = [s.key for section in sections for s in section.settings]
    assert {"hostname", "http.port", "smtp.max_message_bytes", "transports.NAME.host"} <= set(keys)
    for section in sections:
        for setting in section.settings:
            assert f"| `{setting.key}` |" in text
            # Named tables and arrays of tables come from the file only.
            assert (f"`{env_name(setting.key)}`" in text) is section.env
    assert "## `[transports.NAME]`" in text and "## `[[routes]]`" in text


def test_cli_names_every_subcommand(generated: dict[str, str]) -> None:
    text = generated["cli.md"]
    progs = [command.prog for command in commands(build_parser())]
    assert {"postroom localserve", "postroom serve", "postroom queue list"} <= set(progs)
    for prog in progs:
        assert f"\n## {prog}\n" in text
        assert f"usage: {prog} " in text


def test_rfc_index_links_each_citation(generated: dict[str, str]) -> None:
    package = Path(__file__).resolve().parent.parent / "postroom"
    citations = find_citations(package)
    assert citations
    for citation in citations:
        link = f"[{citation.path}](../{citation.path}) `{citation.where}`"
        assert link in generated["rfc-index.md"]
        line = (package.parent / citation.path).read_text(encoding="utf-8").splitlines()
        assert f"RFC {citation.rfc} " in line[citation.line - 1]


def test_attribute_docs_reads_fields_and_members() -> None:
    source = '''
class Thing:
    """A thing."""

    Name: str = ""
    """Required name, e.g. `"x"`."""
    Size: int = 0
    """Size in bytes,
    over two lines."""


class Colour(enum.StrEnum):
    RED = "red"
    """Red."""
'''
    docs = attribute_docs(source)
    assert docs["Thing"].doc == "A thing."
    assert docs["Thing"].attributes == {
        "Name": 'Required name, e.g. `"x"`.',
        "Size": "Size in bytes,\nover two lines.",
    }
    assert docs["Colour"].attributes == {"RED": "Red."}


@pytest.mark.parametrize(
    ("body", "missing"),
    [
        ('Name: str = ""\n    Size: int = 0\n    """Size."""', "Thing.Name"),
        ('Name: str = ""\n    """Name."""\n    Size: int = 0', "Thing.Size"),
        ('RED = "red"\n    BLUE = "blue"\n    """Blue."""', "Thing.RED"),
    ],
)
def test_missing_docstring_raises_naming_the_field(body: str, missing: str) -> None:
    source = f'class Thing:\n    """A thing."""\n\n    {body}\n'
    with pytest.raises(MissingDocError, match=rf"throwaway\.py:\d+: {re.escape(missing)} "):
        attribute_docs(source, filename="throwaway.py")


@pytest.mark.parametrize("module", [wire_webapi, wire_webhooks], ids=lambda m: m.__name__)
def test_every_wire_field_is_documented(module: ModuleType) -> None:
    docs = attribute_docs(Path(str(module.__file__)).read_text(encoding="utf-8"))
    classes = [
        cls
        for cls in vars(module).values()
        if isinstance(cls, type) and cls.__module__ == module.__name__
    ]
    assert len(classes) >= 5
    for cls in classes:
        fields = [f.name for f in dataclasses.fields(cls)]
        assert list(docs[cls.__name__].attributes) == fields, cls.__name__
