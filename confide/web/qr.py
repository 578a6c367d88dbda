"""QR codes for authenticator enrolment, rendered as inline SVG (no images leave the server)."""

from __future__ import annotations

import segno


def totp_qr_svg(otpauth_url: str) -> str:
    # svg_inline returns text; saving into a StringIO fails on segno 1.6 (it wraps any file
    # object in a UTF-8 byte writer).
    svg: str = segno.make(otpauth_url, error="m").svg_inline(
        scale=5,
        border=2,
        title="QR code for your authenticator app",
        dark="#000",
        light="#fff",
    )
    return svg
