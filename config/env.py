"""Typed readers for environment variables, so settings fail loudly on bad values."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


class ConfigError(RuntimeError):
    """A configuration value is missing or malformed."""


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    lowered = raw.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name}: expected a boolean (true/false), got {raw!r}")


def env_int(name: str, default: int, *, minimum: int = 0) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}: expected an integer, got {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name}: must be at least {minimum}, got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def agency_time_zone() -> ZoneInfo:
    """The agency's time zone (CONFIDE_TIME_ZONE, default America/New_York): its calendar days
    are the ones Confide shows and compares. Read here, without Django, so the settings and the
    Django-free disclosure engine's command line take the same zone."""
    name = env_str("CONFIDE_TIME_ZONE", "America/New_York")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # unknown, malformed, unreadable
        raise ConfigError(f"CONFIDE_TIME_ZONE: unknown time zone {name!r}") from None


def database_from_url(url: str, *, base_dir: Path) -> dict[str, Any]:
    """Turn `sqlite:///path` or `postgres://user:pw@host:port/name` into a DATABASES entry."""
    parts = urlsplit(url)
    if parts.scheme == "sqlite":
        # sqlite:///var/db.sqlite3 is relative to the project; sqlite:////tmp/db is absolute.
        path = Path(unquote(parts.path)[1:])
        if not path.is_absolute():
            path = base_dir / path
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(path),
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
            "ATOMIC_REQUESTS": False,
        }
    if parts.scheme in {"postgres", "postgresql"}:
        return {
            # Django's, but the ledger's flush wait runs first among commit hooks (decision 0017).
            "ENGINE": "confide.ledger.postgresql",
            "NAME": unquote(parts.path.lstrip("/")) or "confide",
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(parts.port or ""),
            "CONN_MAX_AGE": 60,
            "ATOMIC_REQUESTS": False,
        }
    raise ConfigError(f"CONFIDE_DATABASE_URL: unsupported scheme {parts.scheme!r}")
