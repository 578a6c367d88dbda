"""The PKCS#11 provider, for real, against a SoftHSM2 token in the project's var/ directory.

`make test` installs SoftHSM2 (Debian's softhsm2, as root) and initializes the token; these tests
initialize it too when SoftHSM2 is installed, and are skipped, saying why, when it is not.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from pytest_django import Settings

from confide.crypto import softhsm
from confide.crypto.blind_index import active_version
from confide.crypto.envelope import client_key
from confide.crypto.models import ClientKey, IndexKey
from confide.crypto.providers import (
    Pkcs11Provider,
    ProviderError,
    UnwrapFailed,
    get_provider,
)
from confide.crypto.rotation import rotate_client, rotate_kek
from confide.records import selectors
from confide.testing import World, actor, build_world

pytestmark = pytest.mark.skipif(
    not softhsm.available(),
    reason="SoftHSM2 is not installed (run `make test` as root, or apt-get install softhsm2)",
)

HSM_DIR = Path(django_settings.BASE_DIR) / "var" / "softhsm"


@pytest.fixture(scope="session")
def token() -> Path:
    conf = softhsm.ensure_token(HSM_DIR)
    os.environ["SOFTHSM2_CONF"] = str(conf)  # read by the module when it is first loaded
    return conf


@pytest.fixture
def provider(token: Path) -> Iterator[Pkcs11Provider]:
    """A fresh key label per test, so KEK versions of other tests stay out of the way; the
    test's keys are destroyed afterwards so the token does not grow run after run."""
    from pkcs11 import Attribute, ObjectClass

    made = Pkcs11Provider(
        softhsm.MODULE, softhsm.TOKEN_LABEL, softhsm.TEST_PIN, f"t-{uuid.uuid4().hex[:12]}"
    )
    yield made
    session = made._session()
    for obj in list(session.get_objects({Attribute.CLASS: ObjectClass.SECRET_KEY})):
        if str(obj[Attribute.LABEL]).startswith(made.key_label + "-v"):
            obj.destroy()


@pytest.fixture
def hsm_settings(settings: Settings, provider: Pkcs11Provider, tmp_path: Path) -> Settings:
    pin_file = tmp_path / "pin"
    pin_file.write_text(softhsm.TEST_PIN + "\n")
    settings.CONFIDE_KEY_PROVIDER = "pkcs11"
    settings.CONFIDE_PKCS11_MODULE = softhsm.MODULE
    settings.CONFIDE_PKCS11_TOKEN_LABEL = softhsm.TOKEN_LABEL
    settings.CONFIDE_PKCS11_PIN = ""
    settings.CONFIDE_PKCS11_PIN_FILE = str(pin_file)
    settings.CONFIDE_PKCS11_KEY_LABEL = provider.key_label
    return settings


def test_the_first_use_creates_kek_version_1_inside_the_token(provider: Pkcs11Provider) -> None:
    assert provider.versions() == []
    assert provider.active_version() == 1
    assert provider.versions() == [1]


def test_it_wraps_and_unwraps_inside_the_token(provider: Pkcs11Provider) -> None:
    version = provider.active_version()
    secret = os.urandom(32)
    wrapped = provider.wrap(version, secret, b"aad")
    assert secret not in wrapped
    assert len(wrapped) == 12 + 32 + 16
    assert provider.unwrap(version, wrapped, b"aad") == secret
    assert provider.wrap(version, secret, b"aad") != wrapped  # fresh nonce each time


@pytest.mark.parametrize("spoil", ["aad", "tag", "nonce", "short"])
def test_a_spoiled_wrap_does_not_unwrap(provider: Pkcs11Provider, spoil: str) -> None:
    version = provider.active_version()
    wrapped = bytearray(provider.wrap(version, os.urandom(32), b"aad"))
    aad = b"aad"
    if spoil == "aad":
        aad = b"other"
    elif spoil == "tag":
        wrapped[-1] ^= 1
    elif spoil == "nonce":
        wrapped[0] ^= 1
    else:
        wrapped = wrapped[:20]
    with pytest.raises(UnwrapFailed):
        provider.unwrap(version, bytes(wrapped), aad)


def test_the_kek_cannot_be_read_out_of_the_token(provider: Pkcs11Provider) -> None:
    import pkcs11

    key = provider._key(provider.active_version())
    assert key[pkcs11.Attribute.SENSITIVE] is True
    assert key[pkcs11.Attribute.EXTRACTABLE] is False
    with pytest.raises(pkcs11.AttributeSensitive):
        key[pkcs11.Attribute.VALUE]


def test_new_versions_are_separate_keys_and_old_ones_still_unwrap(
    provider: Pkcs11Provider,
) -> None:
    first = provider.active_version()
    wrapped = provider.wrap(first, b"s" * 32, b"a")
    assert provider.create_version() == first + 1
    assert provider.active_version() == first + 1
    assert provider.unwrap(first, wrapped, b"a") == b"s" * 32
    with pytest.raises(UnwrapFailed):
        provider.unwrap(first + 1, wrapped, b"a")


def test_an_unknown_version_is_a_provider_error(provider: Pkcs11Provider) -> None:
    provider.active_version()
    with pytest.raises(ProviderError, match="version 99"):
        provider.wrap(99, b"s" * 32, b"a")


def test_a_wrong_pin_or_token_is_a_provider_error(token: Path) -> None:
    Pkcs11Provider.close_all()
    with pytest.raises(ProviderError, match="cannot open"):
        Pkcs11Provider(softhsm.MODULE, "no-such-token", softhsm.TEST_PIN, "x").active_version()
    with pytest.raises(ProviderError, match="cannot open"):
        Pkcs11Provider(softhsm.MODULE, softhsm.TOKEN_LABEL, "wrong-pin", "x").active_version()


def test_missing_configuration_is_a_provider_error(settings: Settings) -> None:
    settings.CONFIDE_KEY_PROVIDER = "pkcs11"
    settings.CONFIDE_PKCS11_TOKEN_LABEL = ""
    with pytest.raises(ProviderError, match="CONFIDE_PKCS11_TOKEN_LABEL"):
        get_provider()


@pytest.mark.django_db
def test_records_work_end_to_end_with_the_hsm(hsm_settings: Settings) -> None:
    world = build_world()
    provider = get_provider()
    assert provider.name == "pkcs11"
    assert set(ClientKey.objects.values_list("kek_version", flat=True)) == {1}
    view = selectors.client_get(actor=actor(world.worker_a), client_id=world.client_a.id)
    assert view.legal_name == "Rosalind Quenby"
    found = selectors.client_search(
        actor=actor(world.worker_a), legal_name="Rosalind Quenby", date_of_birth=view.date_of_birth
    )
    assert [c.id for c in found] == [world.client_a.id]


@pytest.mark.django_db
def test_kek_and_client_rotation_with_the_hsm(hsm_settings: Settings) -> None:
    world: World = build_world()
    before = client_key(world.client_a.id)
    root_before = active_version().root
    result = rotate_kek()
    assert result.version == 2
    assert set(ClientKey.objects.values_list("kek_version", flat=True)) == {2}
    assert set(IndexKey.objects.values_list("kek_version", flat=True)) == {2}
    assert client_key(world.client_a.id) == before
    assert active_version().root == root_before
    rotate_client(world.client_a.id)
    assert client_key(world.client_a.id).version == 2
    view = selectors.client_get(actor=actor(world.worker_a), client_id=world.client_a.id)
    assert view.legal_name == "Rosalind Quenby"


def test_a_duplicated_kek_label_is_refused_not_guessed(provider: Pkcs11Provider) -> None:
    from pkcs11 import Attribute, KeyType

    provider.active_version()
    provider._session().generate_key(
        KeyType.AES,
        256,
        label=f"{provider.key_label}-v1",
        store=True,
        template={Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False},
    )
    fresh = Pkcs11Provider(
        softhsm.MODULE, softhsm.TOKEN_LABEL, softhsm.TEST_PIN, provider.key_label
    )
    with pytest.raises(ProviderError, match="two keys"):
        fresh.wrap(1, b"s" * 32, b"a")
