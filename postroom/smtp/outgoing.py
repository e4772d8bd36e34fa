"""FromIDs of SMTP submissions (as mox chooses them): generated per recipient, or chosen by the
sender in the MAIL FROM localpart."""

from __future__ import annotations

from dataclasses import dataclass

from postroom.mail import Address
from postroom.store.reader import Reader


@dataclass(frozen=True, slots=True, kw_only=True)
class FromIDPlan:
    sender: Address
    """MAIL FROM before any fromid (the base localpart when a fromid is added)."""
    separator: str = ""
    """The catch-all separator fromids follow, or "" to send MAIL FROM as it is."""
    chosen: str = ""
    """The fromid the sender chose, lower case, or "" to generate one per recipient."""


def plan_fromids(mail_from: Address, separator: str) -> FromIDPlan:
    """How a fromid login's MAIL FROM becomes each recipient's: `base<sep><fromid>`.

    MAIL FROM `alice@x` gets a generated fromid per recipient; `alice+abc@x` chose
    fromid `abc` (one recipient only); `alice+@x` (nothing after the separator) is
    sent as it is, without fromid.
    """
    base, found, suffix = mail_from.localpart.partition(separator)
    if not found:
        return FromIDPlan(
            sender=Address(localpart=base, domain=mail_from.domain), separator=separator
        )
    if not suffix:
        return FromIDPlan(sender=mail_from)
    return FromIDPlan(
        sender=Address(localpart=base, domain=mail_from.domain),
        separator=separator,
        chosen=suffix.lower(),
    )


async def fromid_taken(fromid: str, reader: Reader) -> bool:
    """Whether a queued or retired message already has `fromid` (they must be unique,
    so an incoming bounce names one message)."""
    rows = await reader.fetch(
        "SELECT id FROM queue_message WHERE from_id = ?"
        " UNION ALL SELECT id FROM retired_message WHERE from_id = ?",
        [fromid, fromid],
    )
    return bool(rows)
