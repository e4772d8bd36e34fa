"""docs/rfc-index.md: every RFC section the code cites, with the code that cites it.

Citations point at the file and the enclosing function or class, not at line numbers,
so that editing a module does not make the index stale unless a citation changes.

A citation is the one greppable form the style guide asks for: "RFC", the number, and a
section sign with the section, where further sections may follow ("§2.7 and §2.8",
"§4.1, §4.2"). Mentions of an RFC without a section are not indexed.
"""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from postroom.gendoc.markdown import page, table

_CITATION = re.compile(
    r"\bRFC (?P<number>\d+) (?P<sections>§[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*"
    r"(?:(?:, | and | or )§[0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)*)"
)
_SECTION = re.compile(r"§([0-9A-Za-z]+(?:\.[0-9A-Za-z]+)*)")


@dataclass(frozen=True, slots=True, kw_only=True, order=True)
class Citation:
    """One cited section at one line: RFC number, section such as `4.5.3.1.6`, and where."""

    rfc: int
    section: str
    path: str
    """Relative to the repository root, with `/`, e.g. `postroom/mail/address.py`."""
    line: int
    where: str
    """The enclosing function or class (`Class.method`), or `module` at the top level."""


def _enclosing_names(tree: ast.Module) -> list[tuple[int, int, str]]:
    spans: list[tuple[int, int, str]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = f"{prefix}{child.name}"
                spans.append((child.lineno, child.end_lineno or child.lineno, name))
                visit(child, name + ".")
            else:
                visit(child, prefix)

    visit(tree, "")
    return spans


def _where(spans: list[tuple[int, int, str]], line: int) -> str:
    inside = [(end - start, name) for start, end, name in spans if start <= line <= end]
    return min(inside)[1] if inside else "module"


def find_citations(package_dir: Path) -> list[Citation]:
    """Every citation in the package's `.py` files; paths start with the package's name."""
    root = package_dir.parent
    found: list[Citation] = []
    for file in sorted(package_dir.rglob("*.py")):
        path = file.relative_to(root).as_posix()
        text = file.read_text(encoding="utf-8")
        spans = _enclosing_names(ast.parse(text))
        for number, line in enumerate(text.splitlines(), start=1):
            for match in _CITATION.finditer(line):
                for section in _SECTION.findall(match["sections"]):
                    found.append(
                        Citation(
                            rfc=int(match["number"]),
                            section=section,
                            path=path,
                            line=number,
                            where=_where(spans, number),
                        )
                    )
    return found


def _section_key(section: str) -> tuple[tuple[int, int | str], ...]:
    # Numeric parts sort as numbers (§4.10 after §4.9) and before appendix letters.
    return tuple((0, int(p)) if p.isdigit() else (1, p) for p in section.split("."))


def render_rfc_index(package_dir: Path) -> str:
    """The whole of docs/rfc-index.md for the package at `package_dir`."""
    by_rfc: dict[int, dict[str, list[Citation]]] = defaultdict(lambda: defaultdict(list))
    for citation in find_citations(package_dir):
        by_rfc[citation.rfc][citation.section].append(citation)
    blocks = [
        "# RFC citations",
        "Every `RFC <number> §<section>` cited in the code, by RFC and section, with the"
        " file and the function or class that cites it.",
    ]
    for rfc in sorted(by_rfc):
        rows = []
        for section in sorted(by_rfc[rfc], key=_section_key):
            places = sorted({(c.path, c.where) for c in by_rfc[rfc][section]})
            links = ", ".join(f"[{path}](../{path}) `{where}`" for path, where in places)
            rows.append((f"§{section}", links))
        link = f"https://www.rfc-editor.org/rfc/rfc{rfc}"
        blocks.append(f"## [RFC {rfc}]({link})\n\n" + table(("Section", "Cited at"), rows))
    return page(*blocks)
