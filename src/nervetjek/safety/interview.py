"""The interview's part of the safety case: policy-required questions, and their ablation.

The questions the interview must ask before any result are derived from the triage policy
(not from the interview's own plan): every warning-sign question an escalation rule reads
that is asked of everyone, and the numbers the rules compare (age, duration).  Ablation
takes one question out of the interview's warning screens at a time; the plan check must
then notice it.  (Playing every case again per question would cost minutes per question;
the gate plays every case once with the shipped plan instead.)
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from nervetjek.intake import load_item_bank
from nervetjek.interview.plan import Plan, load_plan
from nervetjek.interview.play import Dialogue, play
from nervetjek.knowledge import Knowledge, load_knowledge

WEAKNESS_FOLLOW_UPS = ("weakness_sudden", "weakness_worsening", "weakness_ascending")


@cache
def required_questions() -> frozenset[str]:
    """Keys every non-emergency interview must ask: read off the escalation rules."""
    bank = load_item_bank()
    read = {key for rule in load_knowledge().policy.escalations for key in rule.condition.keys}
    return frozenset(
        key
        for key in read
        if bank.items[key].ask_if is None
        and (
            bank.items[key].section == "red_flags"
            or (bank.items[key].type == "integer" and bank.items[key].section != "symptoms")
        )
    )


def skipped(dialogue: Dialogue, known: Mapping[str, Any]) -> list[str]:
    """Required questions a finished interview did not ask (none when it ended at emergency)."""
    if dialogue.done.emergency:
        return []
    need = set(required_questions())
    if known.get("leg_weakness") is True:
        need |= set(WEAKNESS_FOLLOW_UPS)
    if known.get("diabetes") is True or known.get("numbness") is True:
        need.add("foot_wound_now")
    return sorted(need - set(dialogue.asked))


def plan_gaps(plan: Plan) -> list[str]:
    """Required questions missing from the interview's warning screens."""
    return sorted(required_questions() - set(plan.warning_keys))


def without_question(plan: Plan, key: str) -> Plan:
    screens = tuple(
        dataclasses.replace(s, keys=tuple(k for k in s.keys if k != key))
        for s in plan.warning_screens
    )
    return dataclasses.replace(plan, warning_screens=tuple(s for s in screens if s.keys))


def question_ablation_caught(key: str) -> bool:
    """Taking `key` out of the interview's warning screens is noticed by the plan check."""
    return key in plan_gaps(without_question(load_plan(), key))


_PLAYED: dict[str, Dialogue] = {}


def played(answers: Mapping[str, Any]) -> Dialogue:
    """The interview played on known answers, once per process (the gate reads it twice)."""
    key = json.dumps(answers, sort_keys=True, default=str)
    if key not in _PLAYED:
        _PLAYED[key] = play(answers)
    return _PLAYED[key]


def run_interview(
    cases: Sequence[Mapping[str, Any]], knowledge: Knowledge | None = None
) -> dict[str, Any]:
    """Outcomes of the interview played on each case (the shipped ruleset only)."""
    from nervetjek.safety.clinical import Outcome

    if knowledge is not None:
        raise ValueError("the interview is played under the shipped ruleset only")
    return {c["id"]: Outcome.of(played(c["answers"]).result) for c in cases}
