"""docs/cli.md: the help of every command and subcommand of `build_parser()`.

The help is argparse's own, formatted at a fixed width so the page does not depend on the
terminal. Its layout does depend on the Python version's argparse.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass

from postroom.cli import build_parser
from postroom.gendoc.markdown import anchor, cell, code_block, page, table

HELP_WIDTH = 100


@dataclass(frozen=True, slots=True, kw_only=True)
class Command:
    """One parser of the command tree, e.g. `postroom queue list`."""

    prog: str
    help: str
    """The one-line help its parent lists it with; "" for the top level."""
    parser: argparse.ArgumentParser


class _FixedWidthFormatter(argparse.HelpFormatter):
    def __init__(self, prog: str) -> None:
        super().__init__(prog, width=HELP_WIDTH)


def commands(parser: argparse.ArgumentParser, summary: str = "") -> list[Command]:
    """The parser and every subparser below it, depth first, in the order they were added."""
    found = [Command(prog=parser.prog, help=summary, parser=parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            helps = {choice.dest: choice.help or "" for choice in action._choices_actions}
            for name, subparser in action.choices.items():
                found += commands(subparser, helps.get(name, ""))
    return found


def help_text(parser: argparse.ArgumentParser) -> str:
    """`parser.format_help()` at HELP_WIDTH columns, without colour."""
    parser.formatter_class = _FixedWidthFormatter
    if sys.version_info >= (3, 14):
        parser.color = False
    return parser.format_help()


def render_cli() -> str:
    """The whole of docs/cli.md."""
    found = commands(build_parser())
    rows = [(f"[`{c.prog}`](#{anchor(c.prog)})", cell(c.help)) for c in found[1:]]
    return page(
        "# Command line",
        table(("Command", "What it does"), rows),
        *(f"## {c.prog}\n\n{code_block(help_text(c.parser), 'text')}" for c in found),
    )
