"""`nervetjek export --fhir ID` (wired in store/cli.py) with a stored intake: the bundle
validates, carries the stored answers and only the consented contact data."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nervetjek.cli import app
from nervetjek.fhir.mapping import response_to_answers
from tests.fhir.helpers import r4b_validate, vignettes
from tests.store.helpers import add_intake

runner = CliRunner()


@pytest.fixture
def database(cli_database):
    return cli_database


def test_export_fhir_of_a_stored_intake(database, tmp_path):
    answers = vignettes()[0]["answers"]
    with database.session() as session:
        intake_id = add_intake(
            session, answers, name="Ida Holm", phone=None, email="ida@example.dk"
        ).id
    out = tmp_path / "bundle.json"
    result = runner.invoke(app, ["export", "--fhir", str(intake_id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    bundle = json.loads(out.read_text("utf-8"))
    r4b_validate(bundle)
    assert bundle["type"] == "transaction"
    patient, response = (e["resource"] for e in bundle["entry"][:2])
    assert patient == {
        "resourceType": "Patient",
        "name": [{"text": "Ida Holm"}],
        "telecom": [{"system": "email", "value": "ida@example.dk"}],
    }
    assert response_to_answers(response) == answers
    assert response["identifier"]["value"] == str(intake_id)
