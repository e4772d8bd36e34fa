"""`postroom dkim generate|list|rotate|remove`: the DKIM keys outgoing mail is signed
with, as files in the instance's data directory (`queue.dkimkeys`)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime

from postroom.cli.instance import add_instance_options, instance_config
from postroom.queue.dkimkeys import DKIMKey
from postroom.queue.outbound import dkim_keys


def _record(key: DKIMKey) -> str:
    # Zone-file form. RFC 1035 §3.3.14: one character-string holds at most 255 bytes,
    # so an RSA-2048 record is written as several, which receivers join (RFC 6376
    # §3.6.2.2).
    value = key.dns_record
    strings = " ".join(f'"{value[i : i + 255]}"' for i in range(0, len(value), 255))
    return f"{key.dns_name}. TXT {strings}"


def _generate(args: argparse.Namespace) -> int:
    store = dkim_keys(instance_config(args))
    keys = store.generate(args.domain, now=datetime.now(UTC))
    for key in keys:
        print(f"created {key.path}")
    print("\nPublish these DNS records:\n")
    for key in keys:
        print(_record(key))
    if keys[0].signing:
        print("\nThe new keys sign the domain's outgoing mail from now on.")
    else:
        print(
            "\nThe domain still signs with its current keys. Once the records above are"
            f" published, run `postroom dkim rotate {keys[0].domain}` to switch."
        )
    return 0


def _list(args: argparse.Namespace) -> int:
    store = dkim_keys(instance_config(args))
    domains = [args.domain] if args.domain else store.domains()
    for domain in domains:
        for key in store.keys(domain):
            state = "signing" if key.signing else "not signing"
            print(f"{key.domain}\t{key.selector}\t{key.algorithm.value}\t{state}\t{key.path}")
            if args.records:
                print(f"\t{_record(key)}")
    return 0


def _rotate(args: argparse.Namespace) -> int:
    store = dkim_keys(instance_config(args))
    signing, retired = store.rotate(args.domain)
    print("signing with: " + ", ".join(k.selector for k in signing))
    if retired:
        print(
            "no longer signing: " + ", ".join(k.selector for k in retired) + "\nKeep their"
            " DNS records for a few days (messages signed with them may still be in"
            " transit), then remove them with `postroom dkim remove`."
        )
    return 0


def _remove(args: argparse.Namespace) -> int:
    store = dkim_keys(instance_config(args))
    path = store.remove(args.domain, args.selector)
    print(f"removed {path}; its DNS record can go too")
    return 0


def add_dkim_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dkim = commands.add_parser(
        "dkim",
        help="DKIM signing keys of sending domains",
        description="DKIM keys (ed25519 and RSA-2048 pairs) kept in the data directory.",
    )
    actions = dkim.add_subparsers(dest="action", required=True, metavar="ACTION")
    generate = actions.add_parser(
        "generate",
        help="create a key pair for DOMAIN and print its DNS records",
        description="Create an ed25519 and an RSA-2048 key for DOMAIN and print the DNS"
        " records to publish. A domain's first keys sign at once; later ones after"
        " `postroom dkim rotate`.",
    )
    generate.add_argument("domain")
    generate.set_defaults(func=_generate)
    listing = actions.add_parser("list", help="list keys (of DOMAIN, or of every domain)")
    listing.add_argument("domain", nargs="?")
    listing.add_argument("--records", action="store_true", help="also print the DNS records")
    listing.set_defaults(func=_list)
    rotate = actions.add_parser(
        "rotate", help="sign with the newest key pair; older keys stop signing"
    )
    rotate.add_argument("domain")
    rotate.set_defaults(func=_rotate)
    remove = actions.add_parser("remove", help="delete a key that no longer signs")
    remove.add_argument("domain")
    remove.add_argument("selector")
    remove.set_defaults(func=_remove)
    for parser in (generate, listing, rotate, remove):
        add_instance_options(parser)
