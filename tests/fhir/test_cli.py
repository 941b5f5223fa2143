"""`nervetjek fhir questionnaire` and `nervetjek assess --fhir`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from nervetjek.cli import app
from nervetjek.engine import assess
from nervetjek.fhir.mapping import answers_to_response
from nervetjek.fhir.questionnaire import build_questionnaire
from tests.fhir.helpers import vignettes

runner = CliRunner()


def test_questionnaire_to_stdout_and_file(tmp_path):
    result = runner.invoke(app, ["fhir", "questionnaire"])
    assert result.exit_code == 0
    assert json.loads(result.stdout) == build_questionnaire("intake")
    target = tmp_path / "mnsi.json"
    result = runner.invoke(app, ["fhir", "questionnaire", "mnsi", "-o", str(target)])
    assert result.exit_code == 0
    assert json.loads(target.read_text("utf-8")) == build_questionnaire("mnsi")


def test_unknown_questionnaire_exits_2():
    result = runner.invoke(app, ["fhir", "questionnaire", "phq9"])
    assert result.exit_code == 2
    assert "intake, dn4, mnsi, s-lanss" in result.stderr


def test_assess_a_questionnaire_response(tmp_path):
    vignette = vignettes()[2]
    path = tmp_path / "response.json"
    path.write_text(json.dumps(answers_to_response(vignette["answers"])), "utf-8")
    result = runner.invoke(app, ["assess", "--fhir", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["triage"] == assess(vignette["answers"]).triage


def test_assess_a_misfit_response_names_the_problem(tmp_path):
    response = answers_to_response({"age": 30})
    response["item"][0]["item"][0]["linkId"] = "alder"
    path = tmp_path / "response.json"
    path.write_text(json.dumps(response), "utf-8")
    result = runner.invoke(app, ["assess", "--fhir", str(path)])
    assert result.exit_code == 2
    assert "'alder' is not an item" in result.stderr
