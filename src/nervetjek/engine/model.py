"""The pattern model: prior x likelihood per observed feature (naive Bayes).

All numbers come from ``knowledge/likelihoods.csv``.  An unknown feature (a needed answer
is missing) is left out; nothing is guessed.  The model is one table, features x patterns,
so :func:`cohort_log_scores` can score many people column by column.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import itemgetter

from nervetjek.conditions import Condition, Facts
from nervetjek.engine.result import Evidence
from nervetjek.intake.bank import Text
from nervetjek.knowledge import Knowledge


@dataclass(frozen=True, slots=True)
class Observation:
    feature: str
    value: str
    log: tuple[float, ...]
    ratio: tuple[float, ...]
    keys: tuple[str, ...]  # every answer the feature reads
    label: Text
    # Its pull on each pattern, built once per process: (exact ratio, evidence) so the
    # strongest are chosen on the exact ratio, not the rounded one the result shows.
    evidence: tuple[tuple[float, Evidence], ...]
    # The condition that is true when this value is observed (None for a flag's "no",
    # where every answer read was part of it): it names the answers behind the value.
    holds: Condition | None = None

    def answers_behind(self, facts: Facts) -> list[str]:
        """The answers that made this observation, not every answer the feature reads
        (a "yes" to one of three risk factors is not also about the two answered no)."""
        if self.holds is None:
            return [key for key in self.keys if key in facts.answers]
        return self.holds.evidence(facts)


def _observation(
    feature: str,
    value: str,
    log: tuple[float, ...],
    ratio: tuple[float, ...],
    keys: tuple[str, ...],
    label: Text,
    holds: Condition | None = None,
) -> Observation:
    evidence = tuple(
        (r, Evidence(feature=feature, value=value, ratio=r, answers=keys, label=label))
        for r in ratio
    )
    return Observation(feature, value, log, ratio, keys, label, evidence, holds)


@dataclass(frozen=True, slots=True)
class _Feature:
    keys: frozenset[str]  # the answers the feature reads
    counts_no: bool  # a known "no" (or other value) changes the result, not just a yes
    evaluate: Callable[[Facts], Observation | None]


def _flag_feature(flag) -> _Feature:
    keys = flag.condition.keys
    yes = _observation(flag.id, "yes", flag.log_yes, flag.lr_yes, keys, flag.label, flag.condition)
    no = None
    if flag.log_no is not None:
        no = _observation(flag.id, "no", flag.log_no, flag.lr_no, keys, flag.label_no)
    key, condition = flag.condition.yes_key, flag.condition

    def evaluate(facts: Facts) -> Observation | None:
        # Most flags are a single yes/no answer: read it directly on this hot path.
        value = facts.answers.get(key) if key is not None else condition.evaluate(facts)
        if value is True:
            return yes
        return no if value is False else None

    return _Feature(frozenset(keys), no is not None, evaluate)


def _category_feature(category) -> _Feature:
    keys = tuple(dict.fromkeys(k for _, condition, _ in category.values for k in condition.keys))
    values = [
        (
            condition,
            _observation(
                category.id, value, category.log[value], category.lr[value], keys, label, condition
            ),
        )
        for value, condition, label in category.values
    ]

    def evaluate(facts: Facts) -> Observation | None:
        for condition, observation in values:
            if condition.evaluate(facts) is True:
                return observation
        return None

    return _Feature(frozenset(keys), True, evaluate)


_COMPILED: dict[int, tuple[_Feature, ...]] = {}


def _features(knowledge: Knowledge) -> tuple[_Feature, ...]:
    """Observation objects built once per feature value, reused for every person."""
    compiled = _COMPILED.get(id(knowledge))
    if compiled is None:
        compiled = _COMPILED[id(knowledge)] = tuple(
            [_flag_feature(f) for f in knowledge.flags]
            + [_category_feature(c) for c in knowledge.categories]
        )
    return compiled


def observe(facts: Facts, knowledge: Knowledge) -> list[Observation]:
    """Every feature whose value is known, with its row of the table."""
    seen = []
    for feature in _features(knowledge):
        observation = feature.evaluate(facts)
        if observation is not None:
            seen.append(observation)
    return seen


def reobserve(
    observations: Sequence[Observation], facts: Facts, changed: set[str], knowledge: Knowledge
) -> list[Observation]:
    """`observe` again after the answers in `changed` were altered, re-evaluating only
    the features that read them."""
    kept = [obs for obs in observations if changed.isdisjoint(obs.keys)]
    for feature in _features(knowledge):
        if not feature.keys.isdisjoint(changed):
            observation = feature.evaluate(facts)
            if observation is not None:
                kept.append(observation)
    return kept


def keys_where_no_counts(knowledge: Knowledge) -> frozenset[str]:
    """Answer keys for which a "no" changes the model's result (not only a yes)."""
    return frozenset(k for f in _features(knowledge) if f.counts_no for k in f.keys)


def log_scores(observations: Iterable[Observation], knowledge: Knowledge) -> list[float]:
    """Log prior plus the log likelihood of every observation, per pattern."""
    rows = [knowledge.log_prior, *(obs.log for obs in observations)]
    return [sum(column) for column in zip(*rows, strict=True)]


def posterior(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


def cohort_log_scores(
    cohort: Sequence[Sequence[Observation]], knowledge: Knowledge
) -> list[list[float]]:
    """Log scores for many people at once, one feature row of the table at a time."""
    scores = [list(knowledge.log_prior) for _ in cohort]
    by_feature: dict[tuple[str, str], list[int]] = {}
    rows: dict[tuple[str, str], tuple[float, ...]] = {}
    for person, observations in enumerate(cohort):
        for obs in observations:
            by_feature.setdefault((obs.feature, obs.value), []).append(person)
            rows[(obs.feature, obs.value)] = obs.log
    for key, people in by_feature.items():
        row = rows[key]
        for person in people:
            target = scores[person]
            for i, value in enumerate(row):
                target[i] += value
    return scores


# Evidence is named for a pattern when its ratio is at least this strong either way.
MIN_EVIDENCE_RATIO = 1.25
EVIDENCE_PER_SIDE = 3
_EXACT_RATIO = itemgetter(0)


def evidence_by_pattern(
    observations: Sequence[Observation], patterns: int
) -> list[tuple[tuple[Evidence, ...], tuple[Evidence, ...]]]:
    """The strongest observations for and against each pattern, in pattern order."""
    if not observations:
        return [((), ())] * patterns
    found = []
    against = 1.0 / MIN_EVIDENCE_RATIO
    for column in zip(*(obs.evidence for obs in observations), strict=True):
        pulls = sorted(column, key=_EXACT_RATIO)
        supporting = tuple(
            e for r, e in reversed(pulls[-EVIDENCE_PER_SIDE:]) if r >= MIN_EVIDENCE_RATIO
        )
        opposing = tuple(e for r, e in pulls[:EVIDENCE_PER_SIDE] if r <= against)
        found.append((supporting, opposing))
    return found
