"""next_screen(answers, asked) -> Screen: the short interview, pure and deterministic.

`answers` holds real answers only.  A question answered "Ved ikke" (don't know) is in
`asked` and not in `answers`: it stays unknown, is never read as "no" and is not asked
again.  The order of work is described at the top of ``interview.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from nervetjek.conditions import Condition, Facts
from nervetjek.intake import load_item_bank, load_outcomes
from nervetjek.interview.plan import Plan, load_plan
from nervetjek.interview.screen import Screen
from nervetjek.interview.weigh import Belief, answer_values, belief, model_keys, weigh
from nervetjek.knowledge import load_knowledge

EMERGENCY_RANK = 0


def _askable(key: str, asked: set[str], facts: Facts) -> bool:
    item = load_item_bank()[key]
    return key not in asked and item.type != "text" and item.is_asked(facts)


def _decisive(
    condition: Condition, answers: Mapping[str, Any], asked: set[str], facts: Facts, plan: Plan
) -> list[str]:
    """Unasked keys with an answer that alone would make `condition` true."""
    found = []
    for key in condition.keys:
        if not _askable(key, asked, facts):
            continue
        for value in answer_values(key, plan):
            if condition.evaluate(Facts.of({**answers, key: value})) is True:
                found.append(key)
                break
    return found


def _follow_ups(answers: Mapping[str, Any], asked: set[str], facts: Facts, plan: Plan) -> list[str]:
    """Keys that could make a triage rule apply that does not apply yet.

    Outside the warning screens (those are asked anyway): the weakness follow-ups after a
    weak leg, diabetes and numbness after a foot wound, back pain after cancer, ...
    """
    warning = set(plan.warning_keys)
    keys: list[str] = []
    for rule in load_knowledge().policy.escalations:
        if rule.condition.evaluate(facts) is True:
            continue
        keys += [
            k for k in _decisive(rule.condition, answers, asked, facts, plan) if k not in warning
        ]
    return list(dict.fromkeys(keys))


def _open_level_keys(now: Belief, asked: set[str], plan: Plan) -> list[str]:
    """Keys of the leading pattern's own level rules (self-care drop, exceptions) that are
    still open and would give another level than the one now."""
    knowledge, outcomes = load_knowledge(), load_outcomes()
    policy = knowledge.policy
    pattern = knowledge.patterns[now.leader]
    rules = list(policy.defaults[pattern].exceptions)
    if pattern in policy.self_care_patterns:
        rules.append(policy.self_care)
    keys: list[str] = []
    for rule in rules:
        if outcomes.levels[rule.level].rank == now.decision:
            continue
        if rule.condition.evaluate(now.facts) is None:
            keys += [k for k in rule.condition.keys if _askable(k, asked, now.facts)]
    return list(dict.fromkeys(keys))


def _group(keys: list[str], plan: Plan) -> tuple[str, ...]:
    """The first keys that fit one screen; a body map is always on a screen of its own."""
    bank = load_item_bank()
    if bank[keys[0]].type == "regions":
        return (keys[0],)
    group = [k for k in keys if bank[k].type != "regions"]
    return tuple(group[: plan.max_screen_size])


def _screen(kind: str, keys: tuple[str, ...], remaining: int, reason: str, title=None) -> Screen:
    return Screen(
        id=f"{kind}:{'+'.join(keys)}",
        kind=kind,
        keys=keys,
        done=False,
        emergency=False,
        remaining=max(remaining, 0),
        title=title,
        reason=reason,
    )


def _done(emergency: bool, reason: str) -> Screen:
    return Screen(
        id="emergency" if emergency else "done",
        kind="done",
        keys=(),
        done=True,
        emergency=emergency,
        remaining=0,
        reason=reason,
    )


def _candidates(asked: set[str], facts: Facts) -> list[str]:
    """Questions the model or the triage rules read, not asked yet, askable now."""
    bank = load_item_bank()
    return [
        key
        for key in bank.items
        if key in model_keys() and _askable(key, asked, facts) and bank[key].type != "regions"
    ]


def _instrument_keys(now: Belief, asked: set[str], complete: bool, plan: Plan) -> list[str]:
    """Missing items of the instruments the leading patterns make relevant."""
    if not complete:
        return []
    bank, knowledge = load_item_bank(), load_knowledge()
    keys: list[str] = []
    for rule in plan.instruments:
        weight = sum(
            p
            for p, name in zip(now.calibrated, knowledge.patterns, strict=True)
            if name in rule.patterns
        )
        if weight < rule.min_probability:
            continue
        keys += [
            item.key
            for item, _ in bank.instrument_items(rule.instrument).values()
            if _askable(item.key, asked, now.facts)
        ]
    return list(dict.fromkeys(keys))


def _estimate(asked: set[str], facts: Facts, plan: Plan) -> int:
    """Questions still to come: the warning questions left, plus the typical rest."""
    warning = [k for k in plan.warning_keys if _askable(k, asked, facts)]
    adaptive_asked = len(asked - set(plan.warning_keys))
    return len(warning) + max(1, plan.typical_adaptive_questions - adaptive_asked)


def next_screen(
    answers: Mapping[str, Any], asked: Iterable[str], *, complete_instruments: bool = False
) -> Screen:
    """The next screen of the interview, or a done screen."""
    plan = load_plan()
    answers = {k: v for k, v in answers.items() if v is not None}
    asked_set = set(asked) | set(answers)
    now = belief(answers)
    if now.decision == EMERGENCY_RANK:
        return _done(True, "an answer sets the emergency level")
    estimate = _estimate(asked_set, now.facts, plan)

    follow = _follow_ups(answers, asked_set, now.facts, plan)
    if follow:
        keys = _group(follow, plan)
        return _screen("follow_up", keys, estimate - len(keys), "an answer could raise the level")
    for warning in plan.warning_screens:
        keys = tuple(k for k in warning.keys if _askable(k, asked_set, now.facts))
        if keys:
            return _screen(
                "warning", keys, estimate - len(keys), "warning signs first", warning.title
            )
    core = [k for k in plan.core if _askable(k, asked_set, now.facts)]
    if core:
        return _screen("question", (core[0],), estimate - 1, "core question")
    if len(asked_set) >= plan.max_questions:
        # The cap ends the questions about the pattern, never those about the level: an
        # answer that could still make the level more urgent is asked, or stopping at the
        # cap could leave the person less urgent than their answers would make them.  While
        # no pattern is recognised and one would be more urgent than the fallback, any
        # answer could be one of the few that together get it recognised (one answer at a
        # time cannot show that), so every question the model reads is still asked.
        unsettled = not now.recognised and min(now.pattern_ranks) < now.decision
        raising = [
            w
            for w in (weigh(k, now, plan) for k in _candidates(asked_set, now.facts))
            if w.raises_level or unsettled
        ]
        if not raising:
            return _done(False, "the cap on questions is reached")
        pick = max(raising, key=lambda w: w.value)
        return _screen("question", (pick.key,), 0, "past the cap: could make the level more urgent")
    open_keys = _open_level_keys(now, asked_set, plan)
    if open_keys:
        return _screen(
            "question", (open_keys[0],), estimate - 1, "settles the leading pattern's level"
        )
    weighed = [weigh(key, now, plan) for key in _candidates(asked_set, now.facts)]
    level_open = [w for w in weighed if w.changes_level]
    pattern_open = (
        [w for w in weighed if w.changes_leader]
        if now.calibrated[now.leader] < plan.settled_probability
        else []
    )
    # While no pattern is recognised the person gets the fallback level and no explanation;
    # an answer that gets the leading pattern recognised can give its level (a fallback
    # below the pattern's level is an under-triage), so the interview goes on while one is
    # likely enough.
    recognition_open = [w for w in weighed if w.recognises]
    open_now = level_open or pattern_open or recognition_open
    # Unrecognised, the leader needs an answer that points to it (the engine's support
    # ratio) more than a fall in entropy the overconfident posterior can no longer show:
    # ask what tests the leading pattern best.
    rank = (lambda w: (w.evidence, w.value)) if not now.recognised else (lambda w: w.value)
    pick = max(open_now or weighed, key=rank, default=None)
    if pick is None or (not open_now and pick.value < plan.min_value):
        instruments = _instrument_keys(now, asked_set, complete_instruments, plan)
        if instruments:
            keys = _group(instruments, plan)
            return _screen("instrument", keys, len(instruments) - len(keys), "complete instruments")
        return _done(False, "the level and the leading pattern are settled")
    why = (
        "could change the level"
        if level_open
        else "could change the leading pattern"
        if pattern_open
        else "could get the leading pattern recognised"
        if recognition_open
        else "worth asking"
    )
    return _screen("question", (pick.key,), estimate - 1, why)
