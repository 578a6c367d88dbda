"""Production settings pass Django's deployment checklist and send the protective headers."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client as HttpClient

ROOT = Path(__file__).resolve().parents[3]


def test_check_deploy_is_clean_under_production_settings(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CONFIDE_ENV": "production",
        "CONFIDE_SECRET_KEY": "x" * 20 + "a-long-random-production-secret-key-0123456789",
        "CONFIDE_ALLOWED_HOSTS": "confide.example.org",
        "CONFIDE_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "CONFIDE_ENV": "production",
        "CONFIDE_ALLOWED_HOSTS": "confide.example.org",
        "CONFIDE_VAR_DIR": str(tmp_path),
    }
    env.pop("CONFIDE_SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "CONFIDE_SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_every_page_sends_referrer_frame_and_content_policies(client: HttpClient) -> None:
    response = client.get("/sign-in/")
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"]
