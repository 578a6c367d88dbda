"""The tests' PDF text reader must read every compressed stream, including one whose zlib data
happens to end in a CR byte (about one stream in 256), which trimming line ends would cut."""

from __future__ import annotations

import zlib

from confide.ledger.tests.reporting import pdf_text


def _compressed_ending_in_cr() -> tuple[bytes, bytes]:
    # Each added "%" moves the Adler-32 checksum's last byte by 37, which reaches every value.
    for n in range(512):
        text = b"BT (42 CFR part 2 notice" + b"%" * n + b") Tj ET"
        body = zlib.compress(text)
        if body.endswith(b"\r"):
            return text, body
    raise AssertionError("no sample found")


def test_a_compressed_stream_ending_in_cr_is_inflated() -> None:
    text, body = _compressed_ending_in_cr()
    pdf = b"%PDF-1.3\n1 0 obj <<>>\nstream\n" + body + b"\nendstream\nendobj\n"
    assert text in pdf_text(pdf)


def test_plain_and_crlf_streams_are_read_as_they_are() -> None:
    pdf = b"stream\r\nBT (plain) Tj ET\r\nendstream\nstream\n" + zlib.compress(b"(zipped)")
    pdf += b"\r\nendstream"
    found = pdf_text(pdf)
    assert b"BT (plain) Tj ET" in found
    assert b"(zipped)" in found
