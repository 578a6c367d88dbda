"""Test settings: the same as production-like development, with fast hashing and temp storage."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

os.environ.setdefault("CONFIDE_VAR_DIR", tempfile.mkdtemp(prefix="confide-test-"))
os.environ.setdefault(
    "CONFIDE_DATABASE_URL", "sqlite:///" + os.environ["CONFIDE_VAR_DIR"] + "/t.db"
)

from config.settings import *  # noqa: F403

# Argon2 is kept (tests prove it is used) but with test-sized parameters via the hasher below.
PASSWORD_HASHERS = ["confide.accounts.hashers.FastArgon2PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CONFIDE_KEYRING_PATH = Path(os.environ["CONFIDE_VAR_DIR"]) / "keyring.json"
CONFIDE_FILES_DIR = Path(os.environ["CONFIDE_VAR_DIR"]) / "files"
CONFIDE_SHRED_LIST_PATH = Path(os.environ["CONFIDE_VAR_DIR"]) / "shredded-clients.jsonl"
# Each test's transaction is rolled back, never committed: link ledger events when recorded.
CONFIDE_LEDGER_LINK_AT_COMMIT = False

# PostgreSQL with an owner and an application role (`make test`): log in as the owner, which
# creates and migrates test databases, and assume the application's role for everything else,
# so tests run with exactly its privileges (root conftest.py, confide/ledger/dbroles.py).
if CONFIDE_DATABASE_OWNER is not None and "postgresql" in DATABASES["default"]["ENGINE"]:  # noqa: F405
    DATABASES["default"].update(  # noqa: F405
        USER=CONFIDE_DATABASE_OWNER["USER"],  # noqa: F405
        PASSWORD=CONFIDE_DATABASE_OWNER["PASSWORD"],  # noqa: F405
    )
    DATABASES["default"].setdefault("OPTIONS", {})["assume_role"] = CONFIDE_DATABASE_APP_ROLE  # noqa: F405
