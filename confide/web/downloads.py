"""File downloads: the one way any page or API route sends a file (PDF, CSV, attachment, JSON).

The file name goes only in the Content-Disposition header (never in a URL), reduced to plain
characters so no header can be forged through it. No-store caching and nosniff are set on every
response by the security middleware and settings; they are not repeated here.
"""

from __future__ import annotations

from django.http import HttpResponse

MAX_NAME = 100


def safe_filename(name: str) -> str:
    """`name` with only letters, digits, dot, dash, underscore and space; "file" if none remain."""
    kept = "".join(ch for ch in name if ch.isalnum() or ch in "._- ")[:MAX_NAME].strip()
    return kept or "file"


def download(content: bytes, content_type: str, filename: str) -> HttpResponse:
    """A response that makes the browser save `content` as `filename` rather than show it."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{safe_filename(filename)}"'
    return response
