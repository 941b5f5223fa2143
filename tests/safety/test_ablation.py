"""Every safety rule of the triage policy is protected by at least one clinical case.

Generated from the policy data: each escalation removed, each escalation lowered one level,
each pattern default lowered one level, one at a time.  A weakening that no case notices is a
rule that no test protects; add a case (tests/cases) that the policy decides by that rule.
"""

from pathlib import Path

import pytest

from nervetjek.interview.plan import load_plan
from nervetjek.safety.ablation import ablate, mutants
from nervetjek.safety.clinical import case_sets
from nervetjek.safety.interview import plan_gaps, required_questions, without_question

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = list(mutants())


@pytest.fixture(scope="module")
def cases():
    return [case for cases in case_sets(ROOT).values() for case in cases]


def test_the_ablation_covers_every_escalation_and_default():
    ids = {m.id for m in MUTANTS}
    from nervetjek.knowledge import load_knowledge

    policy = load_knowledge().policy
    assert {f"remove:{rule.id}" for rule in policy.escalations} <= ids
    lowerable = {p for p, d in policy.defaults.items() if d.level != "self_care"}
    assert {f"weaken-default:{p}" for p in lowerable} <= ids


@pytest.mark.parametrize("mutant", MUTANTS, ids=[m.id for m in MUTANTS])
def test_weakening_the_rule_makes_a_case_fail(mutant, cases):
    verdict = ablate(cases, mutant)
    assert verdict.caught, f"no clinical case notices: {mutant.what}"


# The interview: each warning question taken out of its warning screens, one at a time.
WARNING_QUESTIONS = list(load_plan().warning_keys)


def test_the_interview_plan_asks_every_question_the_policy_reads():
    assert plan_gaps(load_plan()) == []
    assert required_questions() >= {"saddle_numbness", "leg_cold_pale", "age", "duration_days"}


@pytest.mark.parametrize("key", WARNING_QUESTIONS)
def test_taking_a_warning_question_out_of_the_interview_is_noticed(key):
    weakened = without_question(load_plan(), key)
    assert key not in weakened.warning_keys
    if key in required_questions():
        assert key in plan_gaps(weakened)
    else:  # asked first for safety though no rule reads it alone: a follow-up must bring it
        pytest.fail(f"{key} is in the warning screens but no escalation rule reads it")
