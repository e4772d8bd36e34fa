"""Finding the instance a command acts on: `--config FILE`, or `--dir DIR` (localserve's)."""

from __future__ import annotations

import argparse
from pathlib import Path

from postroom.config import CONFIG_FILE_NAME, Config, ConfigError, load_config
from postroom.localserve import default_directory


def add_instance_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--dir", help="instance directory (default: localserve's, ~/.config/postroom-localserve)"
    )
    group.add_argument("--config", help="config file of the instance (TOML)")


def instance_config(args: argparse.Namespace) -> Config:
    if args.config:
        return load_config(Path(args.config))
    directory = Path(args.dir) if args.dir else default_directory()
    path = directory / CONFIG_FILE_NAME
    if not path.exists():
        raise ConfigError(
            f"{path}: no Postroom instance here; start `postroom localserve --dir {directory}`"
            " first, or pass --config FILE"
        )
    return load_config(path)
