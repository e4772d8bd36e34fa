"""Pure mail handling: addresses, header rendering, content sniffing, message composition
and reading received messages.

Nothing here does I/O. Other subpackages import only the names in `__all__`.
"""

from __future__ import annotations

from postroom.mail.address import Address, base_address, parse_address
from postroom.mail.addresslist import HeaderAddress, parse_address_list
from postroom.mail.attachment import Attachment, decode_base64_attachment
from postroom.mail.compose import ComposedMessage, MessageSpec, compose_message
from postroom.mail.errors import (
    AddressError,
    AttachmentError,
    ForbiddenHeaderError,
    HeaderNameError,
    HeaderTooLongError,
    HeaderValueError,
    MailError,
    MessageIDError,
    MessageTooLargeError,
    PartNotFoundError,
    SRSError,
)
from postroom.mail.headers import (
    NameAddr,
    check_header_value,
    check_request_header,
    format_address_header,
    format_date,
    format_subject,
)
from postroom.mail.messageid import check_message_id, new_message_id
from postroom.mail.parse import ParsedMessage, parse_message
from postroom.mail.parts import part_content
from postroom.mail.sniff import sniff_content_type
from postroom.mail.srs import is_srs, srs_decode, srs_encode
from postroom.mail.structure import PartStructure

__all__ = [
    "Address",
    "AddressError",
    "Attachment",
    "AttachmentError",
    "ComposedMessage",
    "ForbiddenHeaderError",
    "HeaderAddress",
    "HeaderNameError",
    "HeaderTooLongError",
    "HeaderValueError",
    "MailError",
    "MessageIDError",
    "MessageSpec",
    "MessageTooLargeError",
    "NameAddr",
    "ParsedMessage",
    "PartNotFoundError",
    "PartStructure",
    "SRSError",
    "base_address",
    "check_header_value",
    "check_message_id",
    "check_request_header",
    "compose_message",
    "decode_base64_attachment",
    "format_address_header",
    "format_date",
    "format_subject",
    "is_srs",
    "new_message_id",
    "parse_address",
    "parse_address_list",
    "parse_message",
    "part_content",
    "sniff_content_type",
    "srs_decode",
    "srs_encode",
]
