"""Content sniffing: Go net/http DetectContentType's table (WHATWG MIME Sniffing)."""

from __future__ import annotations

import pytest

from postroom.mail import sniff_content_type

HTML = "text/html; charset=utf-8"
TEXT = "text/plain; charset=utf-8"


def mp4(brand: bytes, compatible: bytes = b"isom") -> bytes:
    box = b"ftyp" + brand + b"\x00\x00\x02\x00" + compatible
    return (len(box) + 4).to_bytes(4, "big") + box


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        # HTML tags, case-insensitive, after whitespace, ended by space or ">".
        (b"<!DOCTYPE HTML><html>", HTML),
        (b"<!doctype html>", HTML),
        (b"  \r\n\t<html>", HTML),
        (b"<HEAD>", HTML),
        (b"<script src=x>", HTML),
        (b"<iframe>", HTML),
        (b"<h1>", HTML),
        (b"<div class=x>", HTML),
        (b"<font>", HTML),
        (b"<table>", HTML),
        (b"<a href=x>", HTML),
        (b"<style>", HTML),
        (b"<title>", HTML),
        (b"<b>", HTML),
        (b"<body>", HTML),
        (b"<br>", HTML),
        (b"<p>", HTML),
        (b"<!-- c -->", HTML),
        (b"<htmlx>", TEXT),
        (b"<html", TEXT),
        (b"<?xml version='1.0'?>", "text/xml; charset=utf-8"),
        (b"\n <?xml", "text/xml; charset=utf-8"),
        (b"%PDF-1.7", "application/pdf"),
        (b"%!PS-Adobe-3.0", "application/postscript"),
        # Byte order marks.
        (b"\xfe\xff\x00h", "text/plain; charset=utf-16be"),
        (b"\xff\xfeh\x00", "text/plain; charset=utf-16le"),
        (b"\xef\xbb\xbfhi", "text/plain; charset=utf-8"),
        # Images.
        (b"\x00\x00\x01\x00\x01\x00", "image/x-icon"),
        (b"\x00\x00\x02\x00\x01\x00", "image/x-icon"),
        (b"BM\x00\x00", "image/bmp"),
        (b"GIF87a\x01\x00", "image/gif"),
        (b"GIF89a\x01\x00", "image/gif"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "image/png"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "image/jpeg"),
        # Audio and video.
        (b".snd\x00\x00\x00\x18", "audio/basic"),
        (b"FORM\x00\x00\x00\x00AIFFCOMM", "audio/aiff"),
        (b"ID3\x03\x00\x00\x00", "audio/mpeg"),
        (b"OggS\x00\x02\x00\x00", "application/ogg"),
        (b"MThd\x00\x00\x00\x06\x00\x01", "audio/midi"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "video/avi"),
        (b"RIFF\x24\x00\x00\x00WAVEfmt ", "audio/wave"),
        (mp4(b"mp42"), "video/mp4"),
        (mp4(b"isom", b"mp41"), "video/mp4"),
        (b"\x1a\x45\xdf\xa3\x01\x00", "video/webm"),
        # Fonts.
        (b"\x00" * 34 + b"LP" + b"\x00" * 4, "application/vnd.ms-fontobject"),
        (b"\x00\x01\x00\x00\x00\x0e", "font/ttf"),
        (b"OTTO\x00\x0b", "font/otf"),
        (b"ttcf\x00\x01", "font/collection"),
        (b"wOFF\x00\x01", "font/woff"),
        (b"wOF2\x00\x01", "font/woff2"),
        # Archives.
        (b"\x1f\x8b\x08\x00\x00", "application/x-gzip"),
        (b"PK\x03\x04\x14\x00", "application/zip"),
        (b"Rar!\x1a\x07\x00\xcf", "application/x-rar-compressed"),
        (b"Rar!\x1a\x07\x01\x00\x33", "application/x-rar-compressed"),
        (b"7z\xbc\xaf\x27\x1c\x00\x04", "application/x-7z-compressed"),
        (b"\x00asm\x01\x00\x00\x00", "application/wasm"),
        # Text, and the fallback.
        (b"", TEXT),
        (b"Hello, world\n", TEXT),
        ("grüße\n".encode(), TEXT),
        # ESC is not a binary data byte (WHATWG MIME Sniffing §3), for ANSI colours.
        (b"line\x1b[0m escape", TEXT),
        (b"a\x00b", "application/octet-stream"),
        (b"\x01\x02\x03\x04", "application/octet-stream"),
        # Only the first 512 octets count.
        (b"a" * 512 + b"\x00", TEXT),
        (b"a" * 511 + b"\x00", "application/octet-stream"),
    ],
)
def test_sniff(data: bytes, content_type: str) -> None:
    assert sniff_content_type(data) == content_type


def test_mp4_box_size_must_fit_and_align() -> None:
    assert sniff_content_type(b"\x00\x00\x00\x13ftypmp42\x00\x00\x00\x00isom") != "video/mp4"
    assert sniff_content_type(b"\x00\x00\x01\x00ftypmp42\x00\x00\x00\x00isom") != "video/mp4"
