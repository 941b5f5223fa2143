"""Finding 8 of issue 11: weak passwords are refused, also by `nervetjek user add`."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from nervetjek.cli import app
from nervetjek.store import repo


@pytest.mark.parametrize(
    "password", ["password1234", "aaaaaaaaaaaa", " " * 12, "qwertyuiop12", "  short pw  "]
)
def test_weak_passwords_are_refused(cli_database, password):
    with pytest.raises(repo.UserError), cli_database.session() as session:
        repo.create_user(session, "sikker@example.dk", password, "clinician")


def test_a_passphrase_is_accepted(cli_database):
    with cli_database.session() as session:
        repo.create_user(session, "s@example.dk", "Korrekt-Hest-Batteri-Haefteklamme-42", "admin")


@pytest.mark.parametrize("password", ["password1234", " " * 12])
def test_user_add_refuses_weak_passwords(cli_database, password):
    result = CliRunner().invoke(app, ["user", "add", "w@example.dk"], input=password + "\n")
    assert result.exit_code == 2
    assert "password" in result.output
    with cli_database.session() as session:
        assert repo.password_hash_for(session, "w@example.dk") is None  # no account made
