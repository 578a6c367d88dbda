"""Ed25519 signed notes (C2SP signed-note) and the ledger's signing key file (no Django).

A signed note is text ending in a newline, a blank line, then signature lines
`— <key name> <base64(key id || signature)>`. The key id is the first four bytes of
SHA-256(key name || 0x0A || 0x01 || public key), 0x01 being the Ed25519 signature type. A
verifier key is shared as the text `<name>+<hex key id>+<base64(0x01 || public key)>`.

The private key lives in a file outside the database (PKCS#8 PEM), created on first use with
mode 0600; a key file that its group or others may read is refused, as for the keyring.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

ALG_ED25519 = 0x01
EM_DASH = "\u2014"
SIGNATURE_PREFIX = EM_DASH + " "
MAX_SIGNATURES = 100
MAX_NOTE_BYTES = 1 << 20


class SigningKeyError(RuntimeError):
    """The signing key file is missing, unsafe or not an Ed25519 key."""


class NoteError(ValueError):
    """A signed note is malformed, or carries no valid signature of the trusted key."""


def valid_key_name(name: str) -> bool:
    return bool(name) and not any(ch.isspace() or ch == "+" for ch in name)


def key_id(name: str, public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode() + b"\n" + bytes([ALG_ED25519]) + public_key).digest()[:4]


def b64decode_strict(text: str) -> bytes:
    """Standard base64 with padding; anything that does not re-encode identically is refused."""
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise NoteError("not valid base64") from exc
    if base64.b64encode(raw).decode() != text:
        raise NoteError("not canonical base64")
    return raw


@dataclass(frozen=True)
class Verifier:
    """A trusted key: its name, id and Ed25519 public key."""

    name: str
    public_key: bytes

    @property
    def key_id(self) -> bytes:
        return key_id(self.name, self.public_key)

    def text(self) -> str:
        encoded = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        try:
            Ed25519PublicKey.from_public_bytes(self.public_key).verify(signature, message)
        except (InvalidSignature, ValueError):
            return False
        return True

    @classmethod
    def parse(cls, text: str) -> Verifier:
        """Read `<name>+<hex key id>+<base64(0x01 || public key)>`, checking the id."""
        name, _, rest = text.strip().partition("+")
        hex_id, _, encoded = rest.partition("+")
        if not valid_key_name(name) or len(hex_id) != 8:
            raise NoteError("a verifier key reads <name>+<key id>+<base64 key>")
        raw = b64decode_strict(encoded)
        if len(raw) != 33 or raw[0] != ALG_ED25519:
            raise NoteError("the verifier key is not an Ed25519 key")
        verifier = cls(name, raw[1:])
        if verifier.key_id.hex() != hex_id.lower():
            raise NoteError("the verifier key's id does not match its name and key")
        return verifier


@dataclass(frozen=True)
class Signer:
    name: str
    private_key: Ed25519PrivateKey

    @property
    def verifier(self) -> Verifier:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return Verifier(self.name, public)

    def sign(self, message: bytes) -> bytes:
        return self.private_key.sign(message)


def _check_text(text: str) -> None:
    if not text.endswith("\n") or "\n\n" in text:
        raise NoteError("a note's text ends with one newline and has no blank line")
    if any(ord(ch) < 0x20 and ch != "\n" for ch in text):
        raise NoteError("a note may hold no control characters but newlines")


def sign_note(text: str, signer: Signer) -> str:
    """The note `text` followed by a blank line and the signer's signature line."""
    _check_text(text)
    if not valid_key_name(signer.name):
        raise NoteError("a key name is non-empty, without spaces or '+'")
    blob = signer.verifier.key_id + signer.sign(text.encode())
    return f"{text}\n{SIGNATURE_PREFIX}{signer.name} {base64.b64encode(blob).decode()}\n"


def open_note(note: str, verifier: Verifier) -> str:
    """The text of `note` if it carries a valid signature of `verifier`; NoteError otherwise.

    Signature lines of other keys are ignored (other parties may cosign); a line that names the
    trusted key and id but does not verify rejects the whole note.
    """
    if len(note.encode()) > MAX_NOTE_BYTES:
        raise NoteError("the note is too large")
    split = note.rfind("\n\n")
    if split < 0 or not note.endswith("\n"):
        raise NoteError("a signed note is text, a blank line, then signature lines")
    text, signatures = note[: split + 1], note[split + 2 : -1].split("\n")
    _check_text(text)
    if len(signatures) > MAX_SIGNATURES:
        raise NoteError("the note has too many signatures")
    for line in signatures:
        name, blob = _signature_line(line)
        if name == verifier.name and blob[:4] == verifier.key_id:
            if not verifier.verify(text.encode(), blob[4:]):
                raise NoteError(f"the signature of {name} does not verify")
            return text
    raise NoteError(f"the note is not signed by {verifier.name} ({verifier.key_id.hex()})")


def _signature_line(line: str) -> tuple[str, bytes]:
    if not line.startswith(SIGNATURE_PREFIX):
        raise NoteError("a signature line starts with an em dash and a space")
    name, space, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
    if not space or not valid_key_name(name):
        raise NoteError("a signature line names its key")
    blob = b64decode_strict(encoded)
    if len(blob) < 5:
        raise NoteError("a signature is a key id and a signature")
    return name, blob


# --- the key file -----------------------------------------------------------------------------


def load_or_create_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 key in `path`, created (mode 0600) if the file does not exist."""
    if not path.exists():
        _create_key_file(path)
    return load_private_key(path)


def load_private_key(path: Path) -> Ed25519PrivateKey:
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as exc:
        raise SigningKeyError(f"ledger signing key {path} does not exist") from exc
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SigningKeyError(
            f"ledger signing key {path} may be read by group or others; chmod 600 it"
        )
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except ValueError as exc:
        raise SigningKeyError(f"ledger signing key {path} is not a PEM private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise SigningKeyError(f"ledger signing key {path} is not an Ed25519 key")
    return key


def _create_key_file(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    # Written whole under a temporary name, then linked into place: a concurrent first use sees
    # either no key or a complete one, and the first link wins.
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    except FileExistsError:
        pass  # another process created it first; use theirs
    finally:
        temporary.unlink(missing_ok=True)
