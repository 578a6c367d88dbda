"""Key providers: where the versioned key-encryption keys (KEKs) live, behind one interface.

A provider wraps and unwraps small secrets (client data keys, blind-index root keys) under a KEK
version; callers never see a KEK. Two providers:

- `LocalKeyringProvider` (the default): KEKs in the keyring file (see keyring.py), AES-256-GCM in
  this process.
- `Pkcs11Provider`: KEKs generated inside a PKCS#11 token (a hardware security module; SoftHSM2
  in tests) as non-extractable AES-256 keys labelled `<prefix>-v<N>`; wrapping is AES-256-GCM
  computed by the token, so a KEK never leaves it.

Wrapped format (both providers): nonce (12) | AES-GCM ciphertext and tag. The caller's AAD binds
what the secret is and which version wrapped it.

Configuration (environment, read in config/settings.py): CONFIDE_KEY_PROVIDER = keyring | pkcs11;
for pkcs11 CONFIDE_PKCS11_MODULE, CONFIDE_PKCS11_TOKEN_LABEL, CONFIDE_PKCS11_PIN or
CONFIDE_PKCS11_PIN_FILE, CONFIDE_PKCS11_KEY_LABEL.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from confide.crypto.keyring import KeyringError, add_kek, load_keyring

NONCE_BYTES = 12
TAG_BYTES = 16


class UnwrapFailed(RuntimeError):
    """A wrapped secret did not authenticate under the KEK version it names."""


class ProviderError(RuntimeError):
    """The key provider is misconfigured, unreachable, or lacks a KEK version."""


class KeyProvider(Protocol):
    """Holds versioned KEKs; wraps and unwraps secrets without revealing them."""

    name: str

    def active_version(self) -> int:
        """The KEK version new wraps use."""
        ...

    def wrap(self, version: int, secret: bytes, aad: bytes) -> bytes: ...

    def unwrap(self, version: int, wrapped: bytes, aad: bytes) -> bytes:
        """Raises UnwrapFailed when the wrapped secret does not authenticate."""
        ...

    def create_version(self) -> int:
        """Create the next KEK version, make it active, and return its number."""
        ...


def _split(wrapped: bytes) -> tuple[bytes, bytes]:
    if len(wrapped) < NONCE_BYTES + TAG_BYTES:
        raise UnwrapFailed("wrapped key too short")
    return wrapped[:NONCE_BYTES], wrapped[NONCE_BYTES:]


class LocalKeyringProvider:
    """KEKs in the local keyring file, as `load_keyring` finds it when the provider is made
    (parsed again only when the file changed): make one per operation (a request, a rotation
    batch), not one per process, so a new or retired KEK version is seen at the next one."""

    name = "keyring"

    def __init__(self, path: Path) -> None:
        self.path = path
        keyring = load_keyring(path)
        self._active = keyring.active_kek_version
        self._ciphers = {version: AESGCM(key) for version, key in keyring.keks.items()}

    def active_version(self) -> int:
        return self._active

    def _cipher(self, version: int) -> AESGCM:
        try:
            return self._ciphers[version]
        except KeyError:
            raise ProviderError(
                f"key-encryption key version {version} is not in the keyring"
            ) from None

    def wrap(self, version: int, secret: bytes, aad: bytes) -> bytes:
        nonce = os.urandom(NONCE_BYTES)
        return nonce + self._cipher(version).encrypt(nonce, secret, aad)

    def unwrap(self, version: int, wrapped: bytes, aad: bytes) -> bytes:
        nonce, body = _split(wrapped)
        try:
            return self._cipher(version).decrypt(nonce, body, aad)
        except InvalidTag:
            raise UnwrapFailed("wrapped key did not authenticate") from None

    def create_version(self) -> int:
        version = add_kek(self.path)
        keyring = load_keyring(self.path)
        self._active = keyring.active_kek_version
        self._ciphers = {v: AESGCM(key) for v, key in keyring.keks.items()}
        return version


class Pkcs11Provider:
    """KEKs inside a PKCS#11 token; AES-256-GCM wrap and unwrap are computed by the token.

    One logged-in session per process and token is reused (a connection, not a key cache: the
    token holds the keys). Access is serialized, since PKCS#11 sessions are not thread-safe. Open
    it first after the server forks its workers (the app touches no key at start-up).
    """

    name = "pkcs11"
    _sessions: dict[tuple[str, str, int], Any] = {}
    _lock = threading.Lock()

    def __init__(self, module: str, token_label: str, pin: str, key_label: str) -> None:
        if not module or not token_label or not pin:
            raise ProviderError(
                "the pkcs11 provider needs CONFIDE_PKCS11_MODULE, CONFIDE_PKCS11_TOKEN_LABEL and "
                "CONFIDE_PKCS11_PIN (or CONFIDE_PKCS11_PIN_FILE)"
            )
        self.module, self.token_label, self.key_label = module, token_label, key_label
        self._pin = pin
        self._keys: dict[int, Any] = {}

    def _session(self) -> Any:
        import pkcs11

        # Per process too: a session inherited across fork() must not be used by the child.
        slot = (self.module, self.token_label, os.getpid())
        session = self._sessions.get(slot)
        if session is None:
            try:
                token = pkcs11.lib(self.module).get_token(token_label=self.token_label)
                session = token.open(rw=True, user_pin=self._pin)
            except (pkcs11.PKCS11Error, RuntimeError) as exc:
                raise ProviderError(
                    f"cannot open the PKCS#11 token: {type(exc).__name__}"
                ) from None
            self._sessions[slot] = session
        return session

    @classmethod
    def close_all(cls) -> None:
        """Close every cached session (tests re-initialize tokens between runs)."""
        with cls._lock:
            for session in cls._sessions.values():
                session.close()
            cls._sessions.clear()

    def _label(self, version: int) -> str:
        return f"{self.key_label}-v{version}"

    def versions(self) -> list[int]:
        """KEK versions present in the token (labels `<prefix>-v<N>`), ascending."""
        from pkcs11 import Attribute, ObjectClass

        prefix = f"{self.key_label}-v"
        found = []
        with self._lock:
            objects = self._session().get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY})
            for obj in objects:
                label = obj[Attribute.LABEL]
                if isinstance(label, str) and label.startswith(prefix):
                    suffix = label[len(prefix) :]
                    if suffix.isdigit():
                        found.append(int(suffix))
        return sorted(found)

    def active_version(self) -> int:
        versions = self.versions()
        if not versions:
            return self.create_version()
        return versions[-1]

    def _key(self, version: int) -> Any:
        import pkcs11

        if version not in self._keys:
            try:
                self._keys[version] = self._session().get_key(
                    object_class=pkcs11.ObjectClass.SECRET_KEY, label=self._label(version)
                )
            except pkcs11.NoSuchKey:
                raise ProviderError(
                    f"key-encryption key version {version} is not in the token"
                ) from None
            except pkcs11.MultipleObjectsReturned:
                # Two processes created the same version at once: refuse rather than guess.
                raise ProviderError(
                    f"the token holds two keys labelled {self._label(version)!r}; keep the one "
                    "that unwraps existing data keys and delete the other"
                ) from None
        return self._keys[version]

    def wrap(self, version: int, secret: bytes, aad: bytes) -> bytes:
        from pkcs11 import GCMParams, Mechanism

        nonce = os.urandom(NONCE_BYTES)
        with self._lock:
            body = self._key(version).encrypt(
                secret, mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(nonce, aad, 128)
            )
        return nonce + bytes(body)

    def unwrap(self, version: int, wrapped: bytes, aad: bytes) -> bytes:
        import pkcs11
        from pkcs11 import GCMParams, Mechanism

        nonce, body = _split(wrapped)
        with self._lock:
            try:
                secret = self._key(version).decrypt(
                    body, mechanism=Mechanism.AES_GCM, mechanism_param=GCMParams(nonce, aad, 128)
                )
            except pkcs11.PKCS11Error:
                # SoftHSM2 reports a failed GCM tag as a general error; any refusal means the
                # wrapped key cannot be trusted.
                raise UnwrapFailed("wrapped key did not authenticate") from None
        return bytes(secret)

    def create_version(self) -> int:
        from pkcs11 import Attribute, KeyType

        version = (self.versions() or [0])[-1] + 1
        with self._lock:
            self._session().generate_key(
                KeyType.AES,
                256,
                label=self._label(version),
                store=True,
                template={
                    Attribute.SENSITIVE: True,
                    Attribute.EXTRACTABLE: False,
                    Attribute.TOKEN: True,
                },
            )
        return version


def _pin() -> str:
    pin_file = settings.CONFIDE_PKCS11_PIN_FILE
    if pin_file:
        try:
            return Path(pin_file).read_text(encoding="utf-8").strip()
        except OSError:
            raise ProviderError("CONFIDE_PKCS11_PIN_FILE cannot be read") from None
    return str(settings.CONFIDE_PKCS11_PIN)


def get_provider() -> KeyProvider:
    """The configured provider (CONFIDE_KEY_PROVIDER), ready for one operation."""
    kind = settings.CONFIDE_KEY_PROVIDER
    if kind == "keyring":
        try:
            return LocalKeyringProvider(Path(settings.CONFIDE_KEYRING_PATH))
        except KeyringError as exc:
            raise ProviderError(str(exc)) from None
    if kind == "pkcs11":
        return Pkcs11Provider(
            module=settings.CONFIDE_PKCS11_MODULE,
            token_label=settings.CONFIDE_PKCS11_TOKEN_LABEL,
            pin=_pin(),
            key_label=settings.CONFIDE_PKCS11_KEY_LABEL,
        )
    raise ProviderError(f"unknown CONFIDE_KEY_PROVIDER {kind!r}: use keyring or pkcs11")
