import json

import pytest
from typer.testing import CliRunner

from nervetjek.cli import app
from nervetjek.paths import shared_dir

runner = CliRunner()
SCIATICA = {
    "age": 42,
    "back_pain": True,
    "leg_pain_worse_than_back": True,
    "electric_shocks": True,
    "tingling": True,
    "worse_cough_sneeze": True,
    "pain_intensity": 7,
    "duration_days": 14,
    "trend": "same",
    "onset": "sudden",
    "locations": ["lower_back", "right.buttock", "right.thigh_outer", "right.shin_outer"],
}


@pytest.fixture
def answers_file(tmp_path):
    path = tmp_path / "answers.json"
    path.write_text(json.dumps(SCIATICA), "utf-8")
    return path


def test_assess_prints_a_danish_summary(answers_file):
    result = runner.invoke(app, ["assess", str(answers_file)])
    assert result.exit_code == 0, result.output
    assert "FYSIOTERAPEUT ELLER LÆGE" in result.output
    assert "Iskias" in result.output
    assert "ikke en diagnose" in result.output


def test_assess_in_english(answers_file):
    result = runner.invoke(app, ["assess", str(answers_file), "--lang", "en"])
    assert result.exit_code == 0
    assert "PHYSIOTHERAPIST OR DOCTOR" in result.output
    assert "Sciatica" in result.output


def test_assess_json_output(answers_file):
    result = runner.invoke(app, ["assess", str(answers_file), "--json"])
    body = json.loads(result.output)
    assert body["triage"] == "gp_or_physio"
    assert body["patterns"][0] == "lumbar_radiculopathy"
    assert body["ruleset_version"].startswith("1.1+")


def test_bad_answers_name_the_key(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({"age": "42", "back_pain": 1}), "utf-8")
    result = runner.invoke(app, ["assess", str(path)])
    assert result.exit_code == 2
    assert "age" in result.output and "back_pain" in result.output
    assert "Traceback" not in result.output


def test_missing_file_and_bad_json_are_clear(tmp_path):
    result = runner.invoke(app, ["assess", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "Cannot read" in result.output
    broken = tmp_path / "broken.json"
    broken.write_text("{", "utf-8")
    result = runner.invoke(app, ["assess", str(broken)])
    assert result.exit_code == 2 and "not valid JSON" in result.output


def test_jsonl_accepts_vignettes_and_bare_intakes(tmp_path):
    cases = tmp_path / "cases.jsonl"
    lines = [
        {"id": "v1", "answers": SCIATICA, "expect": {"triage": "gp_or_physio"}},
        {"id": "bare-1", **SCIATICA},
        SCIATICA,
        {"id": "broken", "age": "x"},
    ]
    cases.write_text("\n".join(json.dumps(line) for line in lines) + "\n", "utf-8")
    result = runner.invoke(app, ["assess", "--jsonl", str(cases)])
    out = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    assert [o["id"] for o in out] == ["v1", "bare-1", "line-3", "broken"]
    assert out[0]["triage"] == out[1]["triage"] == "gp_or_physio"
    assert out[0]["patterns"][0] == "lumbar_radiculopathy"
    assert out[3]["error"] == "invalid_intake"
    assert result.exit_code == 1  # one case was invalid


def test_jsonl_output_scores_with_the_shared_scorer(tmp_path):
    out = tmp_path / "results.jsonl"
    dev = shared_dir() / "vignettes" / "dev.jsonl"
    result = runner.invoke(app, ["assess", "--jsonl", str(dev), "-o", str(out)])
    assert result.exit_code == 0
    rows = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert len(rows) == 48 and all({"id", "triage", "patterns"} <= set(r) for r in rows)


def test_bench_vignettes_prints_the_metrics():
    result = runner.invoke(app, ["bench", "vignettes"])
    assert result.exit_code == 0, result.output
    assert "triage_exact_pct" in result.output and "under_triage_pct" in result.output


def test_version():
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and "nervetjek" in result.output
