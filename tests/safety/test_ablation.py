"""Every safety rule of the triage policy is protected by at least one clinical case.

Generated from the policy data: each escalation removed, each escalation lowered one level,
each pattern default lowered one level, one at a time.  A weakening that no case notices is a
rule that no test protects; add a case (tests/cases) that the policy decides by that rule.
"""

from pathlib import Path

import pytest

from nervetjek.safety.ablation import ablate, mutants
from nervetjek.safety.clinical import case_sets

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
