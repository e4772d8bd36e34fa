"""A parsed message in wire shapes: the address lists and MIME structure that the
Incoming webhook and the webapi's MessageGet both report."""

from __future__ import annotations

from collections.abc import Sequence

from postroom.hooks.payloads import NameAddress, Structure
from postroom.mail import HeaderAddress, PartStructure


def name_addresses(addresses: Sequence[HeaderAddress]) -> list[NameAddress]:
    return [NameAddress(Name=a.name, Address=a.address) for a in addresses]


def structure_of(part: PartStructure) -> Structure:
    return Structure(
        ContentType=part.content_type,
        ContentTypeParams=dict(part.content_type_params),
        ContentID=part.content_id,
        ContentDisposition=part.content_disposition,
        Filename=part.filename,
        DecodedSize=part.decoded_size,
        Parts=[structure_of(child) for child in part.parts],
    )
