"""File downloads: a confidential file name is sent only in a header, and never forges one."""

from __future__ import annotations

import pytest

from confide.web.downloads import MAX_NAME, download, safe_filename


@pytest.mark.parametrize(
    ("name", "sent"),
    [
        ("report.pdf", "report.pdf"),
        ('evil"; filename="x.html', "evil filenamex.html"),
        ("line\r\nSet-Cookie: a=b", "lineSet-Cookie ab"),
        ("../../etc/passwd", "....etcpasswd"),
        ("", "file"),
        ('"";\\/', "file"),
        ("   ", "file"),
        ("é-ñ.pdf", "é-ñ.pdf"),
    ],
)
def test_a_file_name_is_reduced_to_plain_characters(name: str, sent: str) -> None:
    assert safe_filename(name) == sent


def test_a_long_name_is_cut() -> None:
    assert len(safe_filename("a" * 500 + ".pdf")) == MAX_NAME


def test_the_response_is_a_download_with_the_name_only_in_its_header() -> None:
    response = download(b"%PDF-1.4", "application/pdf", 'x"\r\n.pdf')
    assert response.content == b"%PDF-1.4"
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="x.pdf"'
