"""The test run's role set-up (`make test` on PostgreSQL): its URLs and its refusals."""

from __future__ import annotations

import pytest

from confide.ledger import ci_roles


def test_it_names_the_same_database_as_each_role() -> None:
    url = "postgres://postgres@127.0.0.1:5432/confide_test"
    assert ci_roles.with_user(url, ci_roles.APP_ROLE) == (
        "postgres://confide_test_app@127.0.0.1:5432/confide_test"
    )
    assert ci_roles.with_user("postgresql://su:secret@db/x", ci_roles.OWNER_ROLE) == (
        "postgresql://confide_test_owner@db/x"  # the superuser's password is not passed on
    )


@pytest.mark.parametrize("argv", [[], ["sqlite:///x.db"], ["a", "b"]])
def test_it_refuses_anything_but_one_postgres_url(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert ci_roles.main(argv) == 2
    assert "usage" in capsys.readouterr().err
