"""Ablation of the triage policy: take out or weaken one safety rule at a time.

Mutation testing for the medicine.  Each mutant is the shipped policy data with exactly one
change that makes care less urgent: an escalation removed, an escalation's level lowered one
step, or a pattern's default level lowered one step.  A rule is *caught* when at least one
clinical case then gets a level other than the one it expects; a rule no case catches is a
rule no test protects.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from nervetjek.datafiles import package_text, parse_yaml
from nervetjek.intake import load_outcomes
from nervetjek.knowledge import Knowledge, knowledge_from_files

POLICY_FILE = "triage.yaml"


@dataclass(frozen=True)
class Mutant:
    id: str  # e.g. "remove:cauda_equina_signs", "weaken-default:dvt"
    what: str
    policy: dict[str, Any]

    def policy_text(self) -> str:
        return yaml.safe_dump(self.policy, allow_unicode=True, sort_keys=False)

    def knowledge(self) -> Knowledge:
        return knowledge_from_files({POLICY_FILE: self.policy_text()})


def _one_step_less_urgent(level: str) -> str | None:
    levels = load_outcomes().level_ids  # most urgent first
    index = levels.index(level)
    return levels[index + 1] if index + 1 < len(levels) else None


def mutants(policy_text: str | None = None) -> Iterator[Mutant]:
    """Every single-rule weakening of the policy, generated from the data."""
    policy = parse_yaml(policy_text or package_text("nervetjek.knowledge", POLICY_FILE))
    for index, rule in enumerate(policy["escalations"]):
        removed = copy.deepcopy(policy)
        del removed["escalations"][index]
        yield Mutant(f"remove:{rule['id']}", f"escalation {rule['id']} removed", removed)
        yield from _lowered(
            policy, ("escalations", index), f"weaken:{rule['id']}", f"escalation {rule['id']}"
        )
    for pattern in policy["pattern_defaults"]:
        yield from _lowered(
            policy,
            ("pattern_defaults", pattern),
            f"weaken-default:{pattern}",
            f"default of {pattern}",
        )


def _lowered(policy: dict, where: tuple[str, Any], name: str, what: str) -> Iterator[Mutant]:
    """The policy with the rule at `where` one level less urgent (none if already least)."""
    section, key = where
    level = policy[section][key]["level"]
    lower = _one_step_less_urgent(level)
    if lower:
        weakened = copy.deepcopy(policy)
        weakened[section][key]["level"] = lower
        yield Mutant(name, f"{what} lowered from {level} to {lower}", weakened)


def without_escalation(rule_id: str, policy_text: str | None = None) -> str:
    """The policy text with one escalation rule taken out (for gate tests and reviews)."""
    for mutant in mutants(policy_text):
        if mutant.id == f"remove:{rule_id}":
            return mutant.policy_text()
    raise KeyError(f"no escalation rule {rule_id!r} in the policy")


@dataclass(frozen=True)
class Verdict:
    mutant: Mutant
    caught_by: tuple[str, ...]  # case ids whose expected level the mutant misses

    @property
    def caught(self) -> bool:
        return bool(self.caught_by)


def ablate(cases: Sequence[dict[str, Any]], mutant: Mutant) -> Verdict:
    from nervetjek.safety.clinical import mismatches, run_engine

    outcomes = run_engine(cases, mutant.knowledge())
    return Verdict(mutant, tuple(mismatches(cases, outcomes)))
