"""A SoftHSM2 token in a project-local directory, for the PKCS#11 provider's tests and demos.

`python -m confide.crypto.softhsm DIR` (run by `make test`) writes DIR/softhsm2.conf pointing
SoftHSM2 at DIR/tokens and initializes the token `confide-test` there when it is missing; running
it again changes nothing. Production installations use their HSM's own module and token instead.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

MODULE = "/usr/lib/softhsm/libsofthsm2.so"
TOKEN_LABEL = "confide-test"  # noqa: S105 - a label, not a secret
# Test-only credentials of a throwaway software token in the project's var/ directory.
TEST_PIN = "confide-test-pin"
TEST_SO_PIN = "confide-test-so-pin"


class SoftHsmMissing(RuntimeError):
    """softhsm2-util or the SoftHSM2 module is not installed."""


def available() -> bool:
    return shutil.which("softhsm2-util") is not None and Path(MODULE).exists()


def _util(conf: Path, *args: str) -> str:
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    program = shutil.which("softhsm2-util") or "softhsm2-util"
    done = subprocess.run(  # noqa: S603 - a fixed program; the arguments are ours
        [program, *args], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def ensure_token(directory: Path, label: str = TOKEN_LABEL) -> Path:
    """The config file of a SoftHSM2 store in `directory` holding token `label` (idempotent)."""
    if not available():
        raise SoftHsmMissing("SoftHSM2 is not installed (Debian package softhsm2)")
    tokens = directory / "tokens"
    tokens.mkdir(parents=True, exist_ok=True, mode=0o700)
    conf = directory / "softhsm2.conf"
    text = f"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n"
    if not conf.exists() or conf.read_text() != text:
        conf.write_text(text)
    labels = {
        line.split(":", 1)[1].strip()
        for line in _util(conf, "--show-slots").splitlines()
        if line.strip().startswith("Label:")
    }
    if label not in labels:
        _util(
            conf,
            "--init-token",
            "--free",
            "--label",
            label,
            "--pin",
            TEST_PIN,
            "--so-pin",
            TEST_SO_PIN,
        )
    return conf


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        sys.stderr.write("usage: python -m confide.crypto.softhsm DIR\n")
        return 2
    try:
        conf = ensure_token(Path(argv[0]).resolve())
    except SoftHsmMissing as exc:
        sys.stderr.write(f"warning: {exc}; the PKCS#11 provider tests will be skipped\n")
        return 0
    except subprocess.CalledProcessError as exc:
        sys.stderr.write(f"softhsm: softhsm2-util failed: {exc.stderr.strip()}\n")
        return 1
    sys.stdout.write(f"SoftHSM2 token {TOKEN_LABEL!r} ready (SOFTHSM2_CONF={conf})\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
