"""Weigh a question before it is asked, with the engine's own likelihood table.

The pattern model is naive Bayes: given the pattern, the features are independent.  Read
as a generative model, it also says how likely each answer to a question is:

    P(answer | pattern) = product over the features the answer settles of
                          P(feature value | pattern)          (likelihoods.csv)
    P(answer)           = sum over patterns of P(pattern | answers so far) P(answer | pattern)

For a "no" that the engine does not count as evidence (``absent_counts: false``) the
generative probability is still 1 - P(yes): the person can answer no.  Where one answer
settles no feature on its own (one of several "any of" answers), the weights are
normalised over the possible answers.

The belief over patterns is the calibrated posterior (``knowledge/calibration.yaml``), not
the naive one, so the stopping rule is not fooled by naive-Bayes overconfidence.  The
decision is the level the engine itself would give now.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from nervetjek.conditions import Facts
from nervetjek.engine.assess import (
    answers_taken_back,
    counted_answers,
    recognised_pattern,
    safety_floor,
    warning_sign_takebacks,
)
from nervetjek.engine.model import Observation, log_scores, observe, posterior, reobserve
from nervetjek.engine.triage import escalations, pattern_reason
from nervetjek.intake import load_item_bank, load_outcomes
from nervetjek.interview.plan import Plan
from nervetjek.knowledge import Knowledge, load_knowledge


@dataclass(frozen=True)
class _FeatureState:
    """A feature read as a generative variable: its value for the answers, or None."""

    id: str
    keys: frozenset[str]
    value_of: Callable[[Facts], str | None]
    probabilities: Mapping[str, tuple[float, ...]]  # value -> P(value | pattern)


def _flag_state(flag) -> _FeatureState:
    yes = flag.row.probabilities
    no = tuple(1.0 - p for p in yes)
    condition = flag.condition

    def value_of(facts: Facts) -> str | None:
        value = condition.evaluate(facts)
        return None if value is None else ("yes" if value else "no")

    return _FeatureState(flag.id, frozenset(condition.keys), value_of, {"yes": yes, "no": no})


def _category_state(category) -> _FeatureState:
    values = category.values

    def value_of(facts: Facts) -> str | None:
        for value, condition, _ in values:
            if condition.evaluate(facts) is True:
                return value
        return None

    keys = frozenset(k for _, condition, _ in values for k in condition.keys)
    probabilities = {value: row.probabilities for value, row in category.rows.items()}
    return _FeatureState(category.id, keys, value_of, probabilities)


@cache
def _states_by_key() -> Mapping[str, tuple[_FeatureState, ...]]:
    knowledge = load_knowledge()
    states = [_flag_state(f) for f in knowledge.flags]
    states += [_category_state(c) for c in knowledge.categories]
    by_key: dict[str, list[_FeatureState]] = {}
    for state in states:
        for key in state.keys:
            by_key.setdefault(key, []).append(state)
    return {key: tuple(found) for key, found in by_key.items()}


def model_keys() -> frozenset[str]:
    """Answer keys that some feature of the pattern model reads."""
    return frozenset(_states_by_key())


@dataclass(frozen=True)
class Belief:
    """What the interview knows after some answers."""

    answers: Mapping[str, Any]
    facts: Facts
    observations: tuple[Observation, ...]
    naive: tuple[float, ...]  # the engine's posterior
    calibrated: tuple[float, ...]  # the tempered posterior the interview believes
    decision: int  # rank of the level the engine would give now
    recognised: bool  # the engine recognises a pattern now (else it falls back)
    recognisable: bool  # it would, were there enough answers (the policy's min_answers)
    counted: int  # answers the engine counts towards min_answers
    pattern_ranks: tuple[int, ...]  # rank of the level if each pattern were the true one

    @property
    def leader(self) -> int:
        return max(range(len(self.naive)), key=lambda i: (self.naive[i], -i))

    @cached_property
    def taken_back(self) -> tuple[Belief, ...]:
        """The belief with warning-sign yes answers taken back (as unanswered or as a no),
        as the engine's safety floor takes them back."""
        knowledge = load_knowledge()
        yes_keys = sorted(
            k for k in knowledge.warning_keys & self.answers.keys() if self.answers[k] is True
        )
        return tuple(
            belief(answers_taken_back(self.answers, change))
            for change in warning_sign_takebacks(yes_keys, knowledge)
        )


def calibrated_posterior(observations: Sequence[Observation], knowledge: Knowledge) -> list[float]:
    """The posterior with the log scores scaled by the fitted temperature."""
    scores = log_scores(observations, knowledge)
    return posterior([knowledge.calibration.temperature * s for s in scores])


def belief(
    answers: Mapping[str, Any],
    previous: Belief | None = None,
    changed: str | None = None,
) -> Belief:
    knowledge, outcomes = load_knowledge(), load_outcomes()
    facts = Facts.of(answers)
    if previous is not None and changed is not None:
        observations = reobserve(previous.observations, facts, {changed}, knowledge)
    else:
        observations = observe(facts, knowledge)
    naive = posterior(log_scores(observations, knowledge))
    calibrated = calibrated_posterior(observations, knowledge)
    raised = escalations(facts, knowledge)
    raised_rank = min((outcomes.levels[r.level].rank for r in raised), default=len(outcomes.levels))
    pattern = recognised_pattern(observations, naive, answers, knowledge)
    decision = min(
        outcomes.levels[pattern_reason(pattern, facts, bool(raised), knowledge).level].rank,
        raised_rank,
    )
    # The engine's safety floor (a warning-sign yes never lowers the level) is part of
    # the level it gives, so the interview weighs answers with it: without it, a yes to a
    # warning sign could make a question look unable to change the level and end the
    # interview below the level the engine gives for the same answers plus that one.
    floor_rank = len(outcomes.levels)
    if decision > 0:
        floor_rank, _ = safety_floor(
            answers, facts, list(observations), floor_rank, knowledge, outcomes
        )
    decision = min(decision, floor_rank)
    pattern_ranks = tuple(
        min(
            outcomes.levels[pattern_reason(p, facts, bool(raised), knowledge).level].rank,
            raised_rank,
            floor_rank,
        )
        for p in knowledge.patterns
    )
    return Belief(
        answers,
        facts,
        tuple(observations),
        tuple(naive),
        tuple(calibrated),
        decision,
        pattern is not None,
        pattern is not None
        or recognised_pattern(observations, naive, answers, knowledge, count_answers=False)
        is not None,
        len(counted_answers(observations, answers, knowledge)),
        pattern_ranks,
    )


def answer_values(key: str, plan: Plan) -> tuple[Any, ...]:
    """The answers a question can get, as far as weighing it goes."""
    item = load_item_bank()[key]
    if item.type == "boolean":
        return (True, False)
    if item.type == "choice":
        return tuple(item.options)
    if item.type == "integer":
        return plan.number_values[key]
    return ()


def answer_likelihoods(
    key: str, values: Sequence[Any], now: Belief, then: Sequence[Belief]
) -> list[tuple[float, ...]]:
    """P(value | pattern) for each value, normalised over the values for each pattern."""
    states = _states_by_key().get(key, ())
    n = len(now.naive)
    weights = []
    for after in then:
        weight = [1.0] * n
        for state in states:
            before_value = state.value_of(now.facts)
            value = state.value_of(after.facts)
            if value is not None and before_value is None:
                row = state.probabilities[value]
                weight = [w * p for w, p in zip(weight, row, strict=True)]
        weights.append(weight)
    totals = [sum(w[i] for w in weights) for i in range(n)]
    return [tuple(w[i] / totals[i] for i in range(n)) for w in weights]


def entropy_bits(probabilities: Sequence[float]) -> float:
    return -sum(p * math.log2(p) for p in probabilities if p > 0.0)


def level_cost(state: Belief, level: int, plan: Plan) -> float:
    """Expected cost of giving the level of rank `level`, over the calibrated belief."""
    cost = 0.0
    for p, rank in zip(state.calibrated, state.pattern_ranks, strict=True):
        if level > rank:  # the level is less urgent than needed
            cost += p * plan.under_triage_cost * (level - rank)
        elif level < rank:
            cost += p * plan.over_triage_cost * (rank - level)
    return cost


def decision_cost(state: Belief, plan: Plan) -> float:
    """Expected cost of the best level for the belief (the expected value of an answer
    is then never below zero: knowing more cannot make the best choice worse)."""
    return min(level_cost(state, level, plan) for level in set(state.pattern_ranks))


@dataclass(frozen=True)
class Weighed:
    key: str
    value: float  # expected value of asking it
    changes_level: bool  # a likely enough answer changes the engine's level
    raises_level: bool  # a likely enough answer makes the engine's level more urgent
    changes_leader: bool  # a likely enough answer changes the leading pattern
    recognises: bool  # none is recognised now; a likely answer gets one recognised or nearer
    evidence: float  # expected weight of evidence (bits) of the answer for the leading pattern


def leader_evidence(
    likelihoods: Sequence[Sequence[float]], leader: int, prior: Sequence[float]
) -> float:
    """Expected weight of evidence of the answer for the leading pattern against the rest.

    The Kullback-Leibler divergence, in bits, of P(answer | leader) from P(answer | any
    other pattern), the others weighted by their priors (as the engine's support ratio).
    It measures how well the question tests the leading pattern itself, which the
    posterior cannot show once naive Bayes is sure of the leader on thin evidence.
    """
    rest = sum(w for i, w in enumerate(prior) if i != leader)
    bits = 0.0
    for lik in likelihoods:
        if lik[leader] <= 0.0:
            continue
        other = sum(w * p for i, (w, p) in enumerate(zip(prior, lik, strict=True)) if i != leader)
        other /= rest
        bits += lik[leader] * math.log2(lik[leader] / other) if other > 0.0 else 0.0
    return bits


def _chances(now: Belief, likelihoods: Sequence[Sequence[float]]) -> list[float]:
    """P(value) for each value, by the calibrated belief."""
    return [sum(p * q for p, q in zip(now.calibrated, lik, strict=True)) for lik in likelihoods]


def _floor_chance(key: str, index: int, values: Sequence[Any], now: Belief) -> float:
    """The most likely the answer ``values[index]`` is with any warning-sign yes taken back.

    A warning-sign yes makes some answers less likely (the sign explains the trouble), so
    a question whose answer would make the level more urgent could fall below
    ``min_answer_probability`` and go unasked, and the person would end less urgent than
    without the warning sign.  As the engine's safety floor does for the level, the
    interview counts the chance without the warning sign too: a warning sign never takes
    a level-raising question away.
    """
    best = 0.0
    for before in now.taken_back:
        then = [_Answered(Facts.of({**before.answers, key: v})) for v in values]
        best = max(best, _chances(before, answer_likelihoods(key, values, before, then))[index])
    return best


@dataclass(frozen=True)
class _Answered:
    """What `answer_likelihoods` reads of a belief after the answer: its facts."""

    facts: Facts


def weigh(key: str, now: Belief, plan: Plan) -> Weighed:
    values = answer_values(key, plan)
    then = [belief({**now.answers, key: v}, now, key) for v in values]
    likelihoods = answer_likelihoods(key, values, now, then)
    chance = _chances(now, likelihoods)
    cost_now, bits_now = decision_cost(now, plan), entropy_bits(now.calibrated)
    value = 0.0
    changes_level = raises_level = changes_leader = recognises = False
    for value_index, (q, after) in enumerate(zip(chance, then, strict=True)):
        value += q * (
            cost_now
            - decision_cost(after, plan)
            + plan.pattern_weight * (bits_now - entropy_bits(after.calibrated))
        )
        raising = after.decision < now.decision  # rank 0 is the most urgent
        if q >= plan.min_answer_probability:
            changes_level |= after.decision != now.decision
            raises_level |= raising
            changes_leader |= after.leader != now.leader
            recognises |= not now.recognised and (
                after.recognised or (after.recognisable and after.counted > now.counted)
            )
        elif raising and now.taken_back:
            likely = _floor_chance(key, value_index, values, now) >= plan.min_answer_probability
            changes_level |= likely
            raises_level |= likely
    evidence = leader_evidence(likelihoods, now.leader, load_knowledge().prior)
    return Weighed(key, value, changes_level, raises_level, changes_leader, recognises, evidence)
