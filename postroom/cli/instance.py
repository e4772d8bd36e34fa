"""Finding the instance a command acts on: `--config FILE`, or `--dir DIR` (localserve's)."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TypeVar

from postroom.config import CONFIG_FILE_NAME, Config, ConfigError, load_config
from postroom.localserve import default_directory
from postroom.store.db import Database, open_database
from postroom.store.groupcommit import GroupCommitter


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


T = TypeVar("T")


def run_with_database(
    config: Config, work: Callable[[Database, GroupCommitter], Awaitable[T]]
) -> T:
    """Run `work` with the instance's database open and a group committer for writes."""

    async def main() -> T:
        async with open_database(config.effective_database_url()) as database:
            committer = GroupCommitter(database)
            committer.start()
            try:
                return await work(database, committer)
            finally:
                await committer.stop()

    return asyncio.run(main())
