"""The release gate passes on this release and fails on a weakened policy."""

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nervetjek.cli import app
from nervetjek.knowledge.loader import FILES
from nervetjek.safety.ablation import without_escalation
from nervetjek.safety.gate import compare_with_baseline, load_baseline, run_gate

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "src" / "nervetjek" / "knowledge"


def ruleset_copy(folder: Path) -> Path:
    folder.mkdir()
    for name in FILES:
        shutil.copy(KNOWLEDGE / name, folder / name)
    return folder


def test_gate_passes_on_the_shipped_ruleset_without_control_tests():
    run = run_gate(ROOT, run_controls=False, ablate=False)
    assert run.ok, [c for c in run.checks if not c.ok]


def test_gate_fails_when_an_escalation_rule_is_removed(tmp_path):
    folder = ruleset_copy(tmp_path / "weakened")
    policy = folder / "triage.yaml"
    policy.write_text(without_escalation("cauda_equina_signs", policy.read_text("utf-8")))
    result = CliRunner().invoke(
        app, ["safety", "gate", "--root", str(ROOT), "--ruleset", str(folder), "--no-ablation"]
    )
    assert result.exit_code == 1, result.output
    assert "newly under-triaged" in result.output
    assert "FAILED" in result.output


@pytest.mark.parametrize("rule", ["swollen_calf", "foot_drop", "under_18"])
def test_gate_fails_for_any_removed_escalation(rule, tmp_path):
    folder = ruleset_copy(tmp_path / rule)
    policy = folder / "triage.yaml"
    policy.write_text(without_escalation(rule, policy.read_text("utf-8")))
    files = {name: (folder / name).read_text("utf-8") for name in FILES}
    assert not run_gate(ROOT, ruleset=files, run_controls=False, ablate=False).ok


def test_a_drop_in_emergency_sensitivity_or_a_new_under_triage_is_a_regression():
    base = {"dev": {"emergency_sensitivity_pct": 100.0, "under_triaged": ["a"]}}
    same = {"dev": {"emergency_sensitivity_pct": 100.0, "under_triaged": ["a"]}}
    assert compare_with_baseline(same, base) == []
    worse = {"dev": {"emergency_sensitivity_pct": 90.0, "under_triaged": ["a", "b"]}}
    problems = compare_with_baseline(worse, base)
    assert any("emergency_sensitivity_pct fell" in p for p in problems)
    assert any("newly under-triaged ['b']" in p for p in problems)
    assert compare_with_baseline({}, base) == ["dev: case set missing"]


def test_the_baseline_records_every_case_set_and_the_full_form_under_triages_none():
    baseline = load_baseline(ROOT)["sets"]
    assert {"own_cases", "dev_vignettes"} <= set(baseline)
    assert {"interview:own_cases", "interview:dev_vignettes"} <= set(baseline)
    for name, figures in baseline.items():
        assert figures["emergency_sensitivity_pct"] == 100.0, name
        if not name.startswith("interview:"):
            assert figures["under_triaged"] == [], name


def test_diff_lists_cases_whose_level_changed(tmp_path):
    old = ruleset_copy(tmp_path / "old")
    new = ruleset_copy(tmp_path / "new")
    policy = new / "triage.yaml"
    policy.write_text(without_escalation("under_18", policy.read_text("utf-8")))
    result = CliRunner().invoke(
        app, ["safety", "diff", str(old), str(new), "--root", str(ROOT), "--json"]
    )
    assert result.exit_code == 0, result.output
    changed = {c["id"]: c for c in map(json.loads, result.output.splitlines())}
    assert changed["tr-age-17-muscle-soreness"]["old"]["triage"] == "gp_soon"
    assert changed["tr-age-17-muscle-soreness"]["new"]["triage"] == "self_care"
    assert "tr-age-18-muscle-soreness" not in changed
    same = CliRunner().invoke(
        app, ["safety", "diff", str(old), "HEAD", "--root", str(ROOT), "--json"]
    )
    assert same.exit_code == 0, same.output
    assert same.output == ""


def test_diff_refuses_an_unknown_ruleset(tmp_path):
    result = CliRunner().invoke(
        app, ["safety", "diff", str(tmp_path), "no-such-revision", "--root", str(ROOT)]
    )
    assert result.exit_code == 2
