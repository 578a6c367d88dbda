from confide.records import selectors, services
from confide.testing import World, actor


def test_a_worker_writes_signs_and_reads_a_note(world: World) -> None:
    note = world.note(world.worker_a, world.client_a, body="Discussed housing.")
    services.note_sign(actor=actor(world.worker_a), note_id=note.id, expected_version=1)
    view = selectors.client_get(actor=actor(world.worker_a), client_id=world.client_a.id)
    assert view.legal_name == "Rosalind Quenby"
    assert [n.body for n in view.notes] == ["Discussed housing."]
