"""The clinic's commands: user add, purge, forget, export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from typer.testing import CliRunner

from nervetjek.cli import app
from nervetjek.store import repo
from nervetjek.store.models import User, utcnow

from .helpers import EMERGENCY, SCIATICA, add_intake

runner = CliRunner()


@pytest.fixture
def database(cli_database):
    return cli_database


def _actions(database) -> list[str]:
    with database.session() as session:
        return [e.action for e in reversed(repo.audit_entries(session))]


def test_user_add_reads_the_password_from_stdin(database):
    result = runner.invoke(
        app, ["user", "add", "Chef@Example.dk", "--role", "admin"], input="a long password 1\n"
    )
    assert result.exit_code == 0, result.output
    assert "chef@example.dk (admin)" in result.output
    with database.session() as session:
        user_id, stored = repo.password_hash_for(session, "chef@example.dk")
        assert repo.verify_password(stored, "a long password 1")
        assert session.get(User, user_id).role == "admin"
    assert "user.create" in _actions(database)


def test_user_add_refuses_a_short_password_and_a_bad_role(database):
    short = runner.invoke(app, ["user", "add", "a@example.dk"], input="short\n")
    assert short.exit_code == 2 and "12" in short.output
    role = runner.invoke(app, ["user", "add", "a@example.dk", "--role", "god"], input="x" * 20)
    assert role.exit_code == 2


def test_purge_deletes_past_retention_and_logs_counts(database):
    with database.session() as session:
        add_intake(session, SCIATICA, name="Old", created_at=utcnow() - timedelta(days=200))
        add_intake(session, SCIATICA, name="New", created_at=utcnow() - timedelta(days=3))
    dry = runner.invoke(app, ["purge", "--older-than", "180d", "--dry-run"])
    assert dry.exit_code == 0 and "Would delete 1 intakes" in dry.output
    result = runner.invoke(app, ["purge", "--older-than", "180d"])
    assert result.exit_code == 0, result.output
    assert "Deleted 1 intakes and 0 follow-ups" in result.output
    with database.session() as session:
        assert [i.contact_name for i in repo.worklist(session)] == ["New"]
        entry = repo.audit_entries(session)[0]
        assert entry.action == "purge" and entry.detail["intakes"] == 1
    assert runner.invoke(app, ["purge", "--older-than", "soon"]).exit_code == 2


def test_forget_by_receipt_code(database):
    with database.session() as session:
        code = add_intake(session, SCIATICA).receipt_code
    result = runner.invoke(app, ["forget", repo.format_receipt_code(code), "--yes"])
    assert result.exit_code == 0, result.output
    with database.session() as session:
        assert repo.find_intake(session, code) is None
    assert "intake.delete" in _actions(database)
    assert runner.invoke(app, ["forget", "NOSUCHCODE", "--yes"]).exit_code == 1


def test_export_csv_without_and_with_contact(database, tmp_path):
    with database.session() as session:
        add_intake(session, EMERGENCY, name="Kontakt Person", phone="99887766")
        add_intake(session, SCIATICA, name="Anden Person")
    out = tmp_path / "out.csv"
    result = runner.invoke(app, ["export", "--csv", str(out), "--level", "emergency"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(out.read_text("utf-8"))))
    assert len(rows) == 2 and rows[1][2] == "emergency"
    assert "Kontakt" not in out.read_text("utf-8")
    with_contact = runner.invoke(app, ["export", "--csv", "-", "--contact"])
    assert "Kontakt Person" in with_contact.output and "99887766" in with_contact.output
    assert _actions(database).count("export.csv") == 2
    assert runner.invoke(app, ["export"]).exit_code == 2


def test_export_fhir_prints_the_bundle(database):
    import json

    with database.session() as session:
        intake_id = add_intake(session, SCIATICA, name="Cli Fhir").id
    result = runner.invoke(app, ["export", "--fhir", str(intake_id)])
    assert result.exit_code == 0, result.output
    bundle = json.loads(result.output)
    assert bundle["type"] == "transaction"
    assert "export.fhir" in _actions(database)
    assert runner.invoke(app, ["export", "--fhir", "999999"]).exit_code == 1
