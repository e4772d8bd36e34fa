"""The public names of postroom.mail, pinned: other subpackages import only these."""

from __future__ import annotations

import postroom.mail
from postroom.errors import PostroomError


def test_public_names() -> None:
    assert sorted(postroom.mail.__all__) == [
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
    for name in postroom.mail.__all__:
        assert getattr(postroom.mail, name) is not None


def test_errors_derive_from_postroom_error() -> None:
    errors = [
        getattr(postroom.mail, name) for name in postroom.mail.__all__ if name.endswith("Error")
    ]
    assert len(errors) == 11
    for error in errors:
        assert issubclass(error, postroom.mail.MailError)
    assert issubclass(postroom.mail.MailError, PostroomError)
