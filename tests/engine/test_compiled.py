"""The engine's fast paths give what the plain definitions give.

Conditions are compiled into one Python function each, `observe`, the escalations and
the next steps into one function per rule set, and the evidence is found by deleting
codes from prepared rankings.  Each is checked here against a plain, slow version on
generated answers: a tree-walking evaluator of the condition language, a loop over the
features, and a sort of one person's observations.
"""

from __future__ import annotations

import gc
import importlib

from hypothesis import HealthCheck, given, settings
from tests.strategies import answers

from nervetjek import conditions as c
from nervetjek.conditions import Condition, Facts
from nervetjek.engine import assess_valid, model, triage
from nervetjek.engine.assess import _enough_answers, _next_steps, counted_answers
from nervetjek.engine.model import (
    EVIDENCE_PER_SIDE,
    MAX_OPPOSING_RATIO,
    MIN_EVIDENCE_RATIO,
    _features,
    evidence_by_pattern,
    log_scores,
    more_log_scores,
    observe,
)
from nervetjek.engine.triage import applying_escalations
from nervetjek.intake import load_item_bank, load_outcomes
from nervetjek.knowledge import knowledge_from_files, load_knowledge

KNOWLEDGE = load_knowledge()
# the module (the package's `assess` is the function of that name)
assess_module = importlib.import_module("nervetjek.engine.assess")
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reference(condition: Condition, facts: Facts) -> bool | None:
    """The condition language's three-valued logic, walked part by part."""
    answers = facts.answers
    match condition:
        case c._Ref():
            return reference(condition._resolve(), facts)
        case c._Yes():
            value = answers.get(condition.key)
            return None if value is None else value is condition.want
        case c._Answered():
            return (condition.key in answers) is condition.want
        case c._Is():
            value = answers.get(condition.key)
            return None if value is None else value == condition.value
        case c._Differs():
            return answers.get(condition.key) != condition.value
        case c._Compare():
            value = answers.get(condition.key)
            return None if value is None else condition.op(value, condition.value)
        case c._Between():
            value = answers.get(condition.key)
            return None if value is None else condition.low <= value <= condition.high
        case c._OnlyRegions():
            if facts.regions is None:
                return None
            return bool(facts.regions) and facts.regions <= condition.names
        case c._BothSides():
            if facts.regions is None:
                return None
            names = condition.names
            return not names.isdisjoint(facts.left) and not names.isdisjoint(facts.right)
        case c._Region():
            return None if facts.regions is None else not condition.names.isdisjoint(facts.regions)
        case c._AtLeast():
            values = [answers.get(key) for key in condition.keys]
            yes = sum(value is True for value in values)
            if yes >= condition.n:
                return True
            return False if yes + values.count(None) < condition.n else None
        case c._Any():
            values = [reference(part, facts) for part in condition.parts]
            return True if True in values else None if None in values else False
        case c._All():
            values = [reference(part, facts) for part in condition.parts]
            return False if False in values else None if None in values else True
        case c._Not():
            value = reference(condition.part, facts)
            return None if value is None else not value
        case c._OrUnknown():
            return reference(condition.part, facts) is not False
        case c._Outcome():
            value = facts.outcome.get(condition.field)
            return None if value is None else value in condition.values
    raise AssertionError(f"no reference for {condition!r}")


def every_condition() -> list[Condition]:
    policy = KNOWLEDGE.policy
    found = [outcome[0] for feature in _features(KNOWLEDGE) for outcome in feature.outcomes]
    found += [rule.condition for rule in policy.escalations]
    found += [e.condition for d in policy.defaults.values() for e in d.exceptions]
    found += [policy.self_care.condition, *(step.condition for step in KNOWLEDGE.advice)]
    found += [item.ask_if for item in load_item_bank().items.values() if item.ask_if]
    return found


CONDITIONS = every_condition()
LEVELS, PATTERNS = load_outcomes().level_ids, KNOWLEDGE.patterns


@FAST
@given(answers())
def test_every_compiled_condition_gives_the_reference_value(raw):
    facts = Facts.of(raw, level=LEVELS[len(raw) % len(LEVELS)], pattern=PATTERNS[0])
    for condition in CONDITIONS:
        assert condition.evaluate(facts) is reference(condition, facts), condition


@FAST
@given(answers())
def test_observe_is_every_feature_evaluated_in_order(raw):
    facts = Facts.of(raw)
    expected = [o for o in (f.evaluate(facts) for f in _features(KNOWLEDGE)) if o is not None]
    assert observe(facts, KNOWLEDGE) == expected


@FAST
@given(answers())
def test_escalations_and_next_steps_are_their_conditions_in_order(raw):
    facts = Facts.of(raw)
    policy = KNOWLEDGE.policy
    assert applying_escalations(facts, KNOWLEDGE) == [
        rule for rule in policy.escalations if reference(rule.condition, facts) is True
    ]
    for level in LEVELS:
        context = Facts.of(raw, level=level, pattern=PATTERNS[1])
        steps = [s.id for s in _next_steps(facts, level, PATTERNS[1], KNOWLEDGE)]
        assert steps == [s.id for s in KNOWLEDGE.advice if reference(s.condition, context)]


@FAST
@given(answers())
def test_evidence_is_a_stable_sort_of_the_observations(raw):
    observations = observe(Facts.of(raw), KNOWLEDGE)
    found = evidence_by_pattern(observations, KNOWLEDGE)
    for p, (supporting, opposing) in enumerate(found):
        weakest_first = sorted(observations, key=lambda o: o.ratio[p])
        strongest = [o for o in reversed(weakest_first) if o.ratio[p] >= MIN_EVIDENCE_RATIO]
        against = [o for o in weakest_first if o.ratio[p] <= MAX_OPPOSING_RATIO]
        assert supporting == tuple(o.evidence[p][1] for o in strongest[:EVIDENCE_PER_SIDE])
        assert opposing == tuple(o.evidence[p][1] for o in against[:EVIDENCE_PER_SIDE])


@FAST
@given(answers(), answers())
def test_scores_carried_on_are_the_scores_of_all(first, second):
    before = observe(Facts.of(first), KNOWLEDGE)
    after = observe(Facts.of(second), KNOWLEDGE)
    carried = more_log_scores(log_scores(before, KNOWLEDGE), after)
    assert carried == log_scores([*before, *after], KNOWLEDGE)  # to the bit


@FAST
@given(answers())
def test_enough_answers_is_the_count_against_the_minimum(raw):
    observations = observe(Facts.of(raw), KNOWLEDGE)
    counted = counted_answers(observations, raw, KNOWLEDGE)
    expected = len(counted) >= KNOWLEDGE.policy.min_answers
    assert _enough_answers(observations, raw, KNOWLEDGE) is expected


def test_what_is_made_per_ruleset_goes_with_the_ruleset():
    """Compiled rules are kept per ruleset object by its id; a ruleset made later at the
    same address (the ablation makes many) must not be given another's."""
    caches = [
        model._COMPILED,
        model._OBSERVERS,
        model._READERS,
        model._RANKINGS,
        triage._APPLYING,
        assess_module._ADVICE,
        assess_module._NO_MATTERS,
        assess_module._WARNING_ITEMS,
    ]
    ruleset = knowledge_from_files({})
    # a warning sign that does not make it an emergency: the safety floor runs too
    assess_valid({"band_rash": True, "age": 70, "numbness": True}, ruleset)
    key = id(ruleset)
    assert all(key in cache for cache in caches)
    del ruleset
    gc.collect()
    assert not any(key in cache for cache in caches)
