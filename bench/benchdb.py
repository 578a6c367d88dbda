"""What the PostgreSQL benchmarks share: a throw-away database and key directory, and Confide's
settings pointed at them before `django.setup()` (settings are read once, at setup).

Needs PostgreSQL at 127.0.0.1:5432 (user postgres, trust authentication), as CI has.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "host=127.0.0.1 port=5432 user=postgres dbname=postgres"


@dataclass(frozen=True)
class BenchPlace:
    db_name: str
    var_dir: Path


def prepare(*, env_var: str, default_db: str, prefix: str, **extra_env: str) -> BenchPlace:
    """Pick the database ($env_var or default_db), make a temp directory for keys and files, and
    set the environment Confide's settings read. Call before importing django."""
    db_name = os.environ.get(env_var, default_db)
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", db_name):
        raise SystemExit(f"{env_var} must be a plain lower-case database name")
    var_dir = Path(tempfile.mkdtemp(prefix=prefix))
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    os.environ["CONFIDE_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{db_name}"
    os.environ["CONFIDE_VAR_DIR"] = str(var_dir)
    os.environ["CONFIDE_KEYRING_PATH"] = str(var_dir / "keyring.json")
    os.environ["CONFIDE_FILES_DIR"] = str(var_dir / "files")
    os.environ["CONFIDE_LOG_LEVEL"] = "WARNING"
    os.environ.pop("CONFIDE_ENV", None)
    os.environ.pop("CONFIDE_DATABASE_OWNER_URL", None)
    os.environ.update(extra_env)
    return BenchPlace(db_name, var_dir)


def recreate_database(db_name: str, *, drop_only: bool = False) -> None:
    import psycopg

    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
        if not drop_only:
            admin.execute(f"CREATE DATABASE {db_name}")


@contextmanager
def bench_database(place: BenchPlace, *, keep: bool) -> Iterator[None]:
    """A fresh database for the run, dropped afterwards unless `keep`."""
    from django.db import connections

    recreate_database(place.db_name)
    try:
        yield
    finally:
        connections.close_all()
        if keep:
            print(f"kept database {place.db_name}; keys and files in {place.var_dir}")
        else:
            recreate_database(place.db_name, drop_only=True)
