"""Helpers for page tests: fresh re-authentication, and page text without markup."""

from __future__ import annotations

import html
import re
import time
from typing import Any

from django.test import Client as HttpClient

from confide.accounts.models import User
from confide.testing import signed_in
from confide.web.auth import REAUTH_AT


def reauthenticated(http: HttpClient) -> HttpClient:
    """Mark the session as having just confirmed password and code."""
    session = http.session
    session[REAUTH_AT] = time.time()
    session.save()
    return http


def browser(user: User, *, reauth: bool = False, csrf: bool = False) -> HttpClient:
    http = signed_in(HttpClient(enforce_csrf_checks=csrf), user)
    return reauthenticated(http) if reauth else http


def text(response: Any) -> str:
    """The visible text of a page, whitespace collapsed (for asserting on messages)."""
    body = response.content.decode()
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
