"""The pattern model: prior x likelihood per observed feature (naive Bayes).

All numbers come from ``knowledge/likelihoods.csv``.  An unknown feature (a needed answer
is missing) is left out; nothing is guessed.  The model is one table, features x patterns,
so :func:`cohort_log_scores` can score many people column by column.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from nervetjek.conditions import Facts
from nervetjek.engine.result import Evidence
from nervetjek.intake.bank import Text
from nervetjek.knowledge import Knowledge


@dataclass(frozen=True, slots=True)
class Observation:
    feature: str
    value: str
    log: tuple[float, ...]
    ratio: tuple[float, ...]
    keys: tuple[str, ...]
    warning: bool  # a warning-sign yes (see features.yaml: absent_counts)
    label: Text


@dataclass(frozen=True, slots=True)
class _CompiledFlag:
    condition: object
    simple_key: str | None  # the answer key when the flag is just {yes: key}
    yes: Observation
    no: Observation | None  # None when a "no" is not counted


_COMPILED: dict[int, tuple[list[_CompiledFlag], list[tuple[object, Observation]]]] = {}


def _compile(knowledge: Knowledge):
    """Observation objects built once per feature value, reused for every person."""
    compiled = _COMPILED.get(id(knowledge))
    if compiled is not None:
        return compiled
    flags = []
    for flag in knowledge.flags:
        keys = flag.condition.keys
        yes = Observation(
            flag.id, "yes", flag.log_yes, flag.lr_yes, keys, not flag.absent_counts, flag.label
        )
        no = None
        if flag.log_no is not None:
            no = Observation(flag.id, "no", flag.log_no, flag.lr_no, keys, False, flag.label_no)
        flags.append(_CompiledFlag(flag.condition, flag.condition.yes_key, yes, no))
    categories = [
        [
            (
                condition,
                Observation(
                    category.id,
                    value,
                    category.log[value],
                    category.lr[value],
                    condition.keys,
                    False,
                    label,
                ),
            )
            for value, condition, label in category.values
        ]
        for category in knowledge.categories
    ]
    compiled = _COMPILED[id(knowledge)] = (flags, categories)
    return compiled


def observe(facts: Facts, knowledge: Knowledge) -> list[Observation]:
    """Every feature whose value is known, with its row of the table."""
    flags, categories = _compile(knowledge)
    answers = facts.answers
    seen = []
    for flag in flags:
        if flag.simple_key is not None:
            value = answers.get(flag.simple_key)
        else:
            value = flag.condition.evaluate(facts)
        if value is True:
            seen.append(flag.yes)
        elif value is False and flag.no is not None:
            seen.append(flag.no)
    for values in categories:
        for condition, observation in values:
            if condition.evaluate(facts) is True:
                seen.append(observation)
                break
    return seen


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


def evidence_for(
    pattern_index: int, observations: Sequence[Observation], limit: int = 3, min_ratio: float = 1.25
) -> tuple[tuple[Evidence, ...], tuple[Evidence, ...]]:
    """The strongest observations for and against one pattern."""
    pulls = sorted(
        ((obs.ratio[pattern_index], obs) for obs in observations),
        key=lambda pair: pair[0],
    )

    def evidence(ratio: float, obs: Observation) -> Evidence:
        return Evidence(obs.feature, obs.value, ratio, obs.label, obs.keys)

    supporting = tuple(evidence(r, o) for r, o in reversed(pulls[-limit:]) if r >= min_ratio)
    opposing = tuple(evidence(r, o) for r, o in pulls[:limit] if r <= 1.0 / min_ratio)
    return supporting, opposing
