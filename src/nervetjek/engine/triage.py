"""Triage: turn the recognised pattern and the answers into one urgency level.

Evaluates ``knowledge/triage.yaml`` exactly as the policy says: the most urgent of the
pattern's default and every escalation that applies.  Nothing here lowers a level; the
self-care rule is part of a pattern's default, applied only when no escalation applies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from nervetjek.conditions import Facts, selector
from nervetjek.construct import trusted
from nervetjek.engine.model import remember
from nervetjek.engine.result import TriageReason
from nervetjek.intake.bank import Text
from nervetjek.intake.outcomes import Outcomes
from nervetjek.knowledge import Escalation, Knowledge

UNRECOGNISED_WHY = Text(
    da="Dine svar er for få til at pege på en bestemt årsag. Få dine gener vurderet af en "
    "fysioterapeut eller læge.",
    en="Your answers are too few to point to a particular cause. Have your symptoms assessed "
    "by a physiotherapist or doctor.",
)


@dataclass(frozen=True)
class TriageDecision:
    level: str
    reasons: tuple[TriageReason, ...]  # most urgent first


def _reason(rule: Escalation, kind: str, facts: Facts) -> TriageReason:
    return trusted(
        TriageReason,
        rule=rule.id,
        kind=kind,
        level=rule.level,
        answers=tuple(rule.condition.evidence(facts)),
        why=rule.why,
        source=rule.source,
    )


def escalations(facts: Facts, knowledge: Knowledge) -> list[TriageReason]:
    return [_reason(rule, "escalation", facts) for rule in applying_escalations(facts, knowledge)]


def applying_escalations(facts: Facts, knowledge: Knowledge) -> list[Escalation]:
    """The escalation rules that apply, in policy order."""
    found = _APPLYING.get(id(knowledge))
    if found is None:
        found = remember(
            _APPLYING,
            knowledge,
            selector((rule.condition, rule) for rule in knowledge.policy.escalations),
        )
    return found(facts)


# Per knowledge: every escalation's condition in one function (conditions.selector).
_APPLYING: dict[int, Callable[[Facts], list[Escalation]]] = {}


def pattern_reason(
    pattern: str | None,
    facts: Facts,
    escalated: bool,
    knowledge: Knowledge,
    pattern_keys: tuple[str, ...] = (),
) -> TriageReason:
    """The level the recognised pattern asks for (or the fallback when none is).

    `pattern_keys` are the answers that made the pattern the most likely one; they are
    named as the answers behind the pattern's default level.
    """
    policy = knowledge.policy
    if pattern is None:
        return trusted(
            TriageReason,
            rule="unrecognised",
            kind="unrecognised",
            level=policy.fallback_level,
            answers=(),
            why=UNRECOGNISED_WHY,
            source="Triage policy 1.1",
        )
    default = policy.defaults[pattern]
    for exception in default.exceptions:
        if exception.condition.evaluate(facts) is True:
            return _reason(exception, "pattern_exception", facts)
    if (
        pattern in policy.self_care_patterns
        and not escalated
        and policy.self_care.condition.evaluate(facts) is True
    ):
        return _reason(policy.self_care, "self_care", facts)
    return trusted(
        TriageReason,
        rule=f"default:{pattern}",
        kind="pattern_default",
        level=default.level,
        answers=pattern_keys,
        why=default.why,
        source=default.source,
    )


def decide(
    pattern: str | None,
    facts: Facts,
    knowledge: Knowledge,
    outcomes: Outcomes,
    pattern_keys: tuple[str, ...] = (),
    applying: list[Escalation] | None = None,
) -> TriageDecision:
    """The level and its reasons; `applying` are the escalations that apply to `facts`
    when the caller found them already (`applying_escalations`)."""
    if applying is None:
        applying = applying_escalations(facts, knowledge)
    raised = [_reason(rule, "escalation", facts) for rule in applying]
    reasons = [pattern_reason(pattern, facts, bool(raised), knowledge, pattern_keys), *raised]
    reasons.sort(key=lambda r: outcomes.levels[r.level].rank)
    return TriageDecision(reasons[0].level, tuple(reasons))
