"""QR codes for authenticator enrolment, rendered as inline SVG (no images leave the server)."""

from __future__ import annotations

import io

import segno


def totp_qr_svg(otpauth_url: str) -> str:
    buffer = io.StringIO()
    segno.make(otpauth_url, error="m").save(
        buffer,
        kind="svg",
        scale=5,
        border=2,
        xmldecl=False,
        svgns=True,
        title="QR code for your authenticator app",
        dark="#000",
        light="#fff",
    )
    return buffer.getvalue()
