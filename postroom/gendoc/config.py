"""docs/config.md: every setting of the Config dataclass tree, with its default and variable.

Keys, types and defaults come from the dataclasses in `postroom.config`, descriptions
from each field's metadata `doc`, variable names from `env_name`.
"""

from __future__ import annotations

import dataclasses
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from postroom.config import CONFIG_FILE_NAME, ENV_PREFIX, Config, MiB, env_name, table_item_type
from postroom.gendoc.errors import GendocError, MissingDocError
from postroom.gendoc.markdown import cell, code, page, table

_TYPES: dict[Any, str] = {
    str: "string",
    int: "integer",
    bool: "boolean",
    Path: "path (string)",
    tuple[str, ...]: "array of strings",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Setting:
    """One leaf key of the config, e.g. `http.port`."""

    key: str
    """Dotted path, e.g. `http.port`."""
    name: str
    """The key within its section, e.g. `port`."""
    hint: Any
    default: Any
    doc: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Section:
    """One TOML table, or the top level (`name` "")."""

    name: str
    doc: str
    settings: list[Setting]
    env: bool = True
    """Whether environment variables can set its keys."""


def config_sections(cls: type[Any] = Config, prefix: str = "", doc: str = "") -> list[Section]:
    """The top level and every nested table of a config dataclass, in field order."""
    hints = typing.get_type_hints(cls)
    here = Section(name=prefix.rstrip("."), doc=doc, settings=[])
    nested: list[Section] = []
    for f in dataclasses.fields(cls):
        key = prefix + f.name
        text = f.metadata.get("doc", "")
        if not text:
            raise MissingDocError(f"config key {key} has no doc in its field metadata")
        hint = hints[f.name]
        if isinstance(hint, type) and dataclasses.is_dataclass(hint):
            nested += config_sections(hint, key + ".", text)
            continue
        item = table_item_type(hint)
        if item is not None:
            # Named tables ([transports.NAME]) and arrays of tables ([[routes]]): from the
            # file only, so their keys have no environment variable.
            many = f"{key}.NAME" if typing.get_origin(hint) is dict else f"{key}[]"
            (section, *deeper) = config_sections(item, many + ".", text)
            nested += [dataclasses.replace(section, env=False), *deeper]
            continue
        if f.default is dataclasses.MISSING:
            raise GendocError(f"config key {key} has no default")
        here.settings.append(Setting(key=key, name=f.name, hint=hint, default=f.default, doc=text))
    return [here, *nested]


def render_config() -> str:
    """The whole of docs/config.md."""
    sections = config_sections()
    return page(
        "# Configuration",
        f"`postroom serve --config FILE` reads a TOML file (`postroom localserve` writes its own"
        f" {code(CONFIG_FILE_NAME)} into its directory). Every key is optional. An environment"
        f" variable {code(ENV_PREFIX + '<SECTION>_<KEY>')} overrides the file, for example"
        f" {code(env_name('http.port') + '=8080')}. Precedence, lowest first: the default,"
        " the file, the environment, command-line flags (localserve's ports). A relative"
        " `data_dir` is relative to the file's directory. Booleans in variables are"
        " `true`/`1`/`yes` or `false`/`0`/`no`. A bad value stops start-up with a message"
        " naming the key.",
        *(_section(section) for section in sections),
    )


def _section(section: Section) -> str:
    opening = f"[[{section.name[:-2]}]]" if section.name.endswith("[]") else f"[{section.name}]"
    heading = f"## `{opening}`" if section.name else "## Top level"
    intro = f"{section.doc}\n\n" if section.doc else "Keys before any table.\n\n"
    rows = [
        (
            f"`{s.key}`",
            _type_name(s),
            cell(_default(s.default)),
            f"`{env_name(s.key)}`" if section.env else "—",
            cell(s.doc),
        )
        for s in section.settings
    ]
    header = ("Key", "Type", "Default", "Environment", "Description")
    return f"{heading}\n\n{intro}{table(header, rows)}"


def _type_name(setting: Setting) -> str:
    name = _TYPES.get(setting.hint)
    if name is not None:
        return name
    raise GendocError(f"config key {setting.key}: no documented type for {setting.hint!r}")


def _default(value: Any) -> str:
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if isinstance(value, tuple):
        return code(repr(list(value)).replace("'", '"'))
    if isinstance(value, int):
        if value >= MiB and value % MiB == 0:
            return f"`{value}` ({value // MiB} MiB)"
        return f"`{value}`"
    text = str(value)
    return code(f'"{text}"') if text else '`""`'
