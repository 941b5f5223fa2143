"""The pattern model: prior x likelihood per observed feature (naive Bayes).

All numbers come from ``knowledge/likelihoods.csv``.  An unknown feature (a needed answer
is missing) is left out; nothing is guessed.  The model is one table, features x patterns,
so :func:`cohort_log_scores` can score many people column by column (NumPy, imported
only there, so a single assessment does not pay for it).
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import count
from operator import attrgetter
from typing import TYPE_CHECKING, TypeVar

from nervetjek.conditions import Condition, Facts, Source
from nervetjek.engine.result import Evidence, shared
from nervetjek.intake.bank import Text
from nervetjek.knowledge import Knowledge

if TYPE_CHECKING:
    import numpy as np

# Evidence is named for a pattern when its ratio is at least this strong either way.
MIN_EVIDENCE_RATIO = 1.25
MAX_OPPOSING_RATIO = 1.0 / MIN_EVIDENCE_RATIO
EVIDENCE_PER_SIDE = 3
# Every value of every feature has a one-byte code (see `evidence_by_pattern`); the
# code MAX_VALUES itself separates rankings.
MAX_VALUES = 255


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
    # The value's number among all values of all features, in feature order: one byte
    # (see `evidence_by_pattern`).
    code: int
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
    codes: Iterator[int],
    feature: str,
    value: str,
    log: tuple[float, ...],
    ratio: tuple[float, ...],
    keys: tuple[str, ...],
    label: Text,
    holds: Condition | None = None,
) -> Observation:
    evidence = tuple(
        (r, shared(Evidence(feature=feature, value=value, ratio=r, answers=keys, label=label)))
        for r in ratio
    )
    code = next(codes)
    observation = Observation(feature, value, log, ratio, keys, label, evidence, code, holds)
    for _, pull in evidence:
        _OBSERVATION_OF[id(pull)] = observation
    return observation


# The observation each piece of evidence was made for (both live as long as the process).
_OBSERVATION_OF: dict[int, Observation] = {}


def observation_of(evidence: Evidence) -> Observation:
    """The observation behind evidence that `evidence_by_pattern` named."""
    return _OBSERVATION_OF[id(evidence)]


@dataclass(frozen=True, slots=True)
class _Feature:
    keys: frozenset[str]  # the answers the feature reads
    counts_no: bool  # a known "no" (or other value) changes the result, not just a yes
    evaluate: Callable[[Facts], Observation | None]
    # The same feature for whole columns: the observation made when the condition has
    # the given truth value, tried in order (the first match wins, as in `evaluate`).
    outcomes: tuple[tuple[Condition, bool, Observation], ...]
    # A flag that is one yes/no answer: `observe` reads the answer itself (the hot path).
    yes_key: str | None = None
    yes: Observation | None = None
    no: Observation | None = None
    category: bool = False  # else a flag


def _flag_feature(flag, codes: Iterator[int]) -> _Feature:
    keys = flag.condition.keys
    yes = _observation(
        codes, flag.id, "yes", flag.log_yes, flag.lr_yes, keys, flag.label, flag.condition
    )
    no = None
    if flag.log_no is not None:
        no = _observation(codes, flag.id, "no", flag.log_no, flag.lr_no, keys, flag.label_no)
    key, condition = flag.condition.yes_key, flag.condition

    def evaluate(facts: Facts) -> Observation | None:
        # Most flags are a single yes/no answer: read it directly on this hot path.
        value = facts.answers.get(key) if key is not None else condition.evaluate(facts)
        if value is True:
            return yes
        return no if value is False else None

    outcomes = ((condition, True, yes),) + (((condition, False, no),) if no else ())
    return _Feature(frozenset(keys), no is not None, evaluate, outcomes, key, yes, no)


def _category_feature(category, codes: Iterator[int]) -> _Feature:
    keys = tuple(dict.fromkeys(k for _, condition, _ in category.values for k in condition.keys))
    values = [
        (
            condition,
            _observation(
                codes,
                category.id,
                value,
                category.log[value],
                category.lr[value],
                keys,
                label,
                condition,
            ),
        )
        for value, condition, label in category.values
    ]

    def evaluate(facts: Facts) -> Observation | None:
        for condition, observation in values:
            if condition.evaluate(facts) is True:
                return observation
        return None

    outcomes = tuple((condition, True, observation) for condition, observation in values)
    return _Feature(frozenset(keys), True, evaluate, outcomes, category=True)


_COMPILED: dict[int, tuple[_Feature, ...]] = {}


def _features(knowledge: Knowledge) -> tuple[_Feature, ...]:
    """Observation objects built once per feature value, reused for every person."""
    compiled = _COMPILED.get(id(knowledge))
    if compiled is None:
        codes = count()
        compiled = tuple(
            [_flag_feature(f, codes) for f in knowledge.flags]
            + [_category_feature(c, codes) for c in knowledge.categories]
        )
        if next(codes) > MAX_VALUES:
            raise ValueError(
                f"the features have more than {MAX_VALUES} values in all; the evidence "
                "ranking codes each value in one byte (model.evidence_by_pattern)"
            )
        remember(_COMPILED, knowledge, compiled)
    return compiled


_T = TypeVar("_T")


def remember(cache: dict[int, _T], knowledge: Knowledge, value: _T) -> _T:
    """Keep `value` in `cache` under the knowledge object's id while that object lives.
    The entry goes when the object is collected, so a ruleset made later at the same
    address (the ablation's, a release review's) is never given another's."""
    key = id(knowledge)
    cache[key] = value
    weakref.finalize(knowledge, cache.pop, key, None)
    return value


def feature_outcomes(
    knowledge: Knowledge,
) -> tuple[tuple[tuple[Condition, bool, Observation], ...], ...]:
    """Per feature, in the order `observe` tries them: (condition, truth value, observation)."""
    return tuple(feature.outcomes for feature in _features(knowledge))


def observe(facts: Facts, knowledge: Knowledge) -> list[Observation]:
    """Every feature whose value is known, with its row of the table (in feature order)."""
    observer = _OBSERVERS.get(id(knowledge))
    if observer is None:
        observer = remember(_OBSERVERS, knowledge, _observer(_features(knowledge)))
    return observer(facts)


_OBSERVERS: dict[int, Callable[[Facts], list[Observation]]] = {}


def _observer(features: Sequence[_Feature]) -> Callable[[Facts], list[Observation]]:
    """`observe` as one function, every feature's conditions written out in it (see
    conditions.Source): a person's features take no call each.  The same tests as each
    feature's `evaluate`, in feature order."""
    source = Source()
    lines = ["seen = []", "add = seen.append"]
    for feature in features:
        if feature.category:  # the first value whose condition is true
            for i, (condition, _, observation) in enumerate(feature.outcomes):
                lines.append(
                    f"{'elif' if i else 'if'} {source.condition(condition)} is True: "
                    f"add({source.constant(observation)})"
                )
            continue
        value, condition = source.temporary(), feature.outcomes[0][0]
        if feature.yes_key is not None:  # one yes/no answer: read it
            lines.append(f"{value} = g({source.constant(feature.yes_key)})")
        else:
            lines.append(f"{value} = {source.condition(condition)}")
        lines.append(f"if {value} is True: add({source.constant(feature.yes)})")
        if feature.no is not None:
            lines.append(f"elif {value} is False: add({source.constant(feature.no)})")
    lines.append("return seen")
    return source.compile("".join(f"    {line}\n" for line in lines))


def reobserve(
    observations: Sequence[Observation], facts: Facts, changed: set[str], knowledge: Knowledge
) -> list[Observation]:
    """`observe` again after the answers in `changed` were altered, re-evaluating only
    the features that read them."""
    kept = [obs for obs in observations if changed.isdisjoint(obs.keys)]
    return kept + observe_reading(facts, changed, knowledge)


def observe_reading(facts: Facts, keys: Iterable[str], knowledge: Knowledge) -> list[Observation]:
    """`observe`, only for the features that read any of these answers (in feature order)."""
    features, readers = _features(knowledge), _readers(knowledge)
    seen = []
    for index in sorted({index for key in keys for index in readers.get(key, ())}):
        observation = features[index].evaluate(facts)
        if observation is not None:
            seen.append(observation)
    return seen


_READERS: dict[int, dict[str, tuple[int, ...]]] = {}


def _readers(knowledge: Knowledge) -> dict[str, tuple[int, ...]]:
    """Per answer key, the features (their index in `_features`) that read it."""
    found = _READERS.get(id(knowledge))
    if found is None:
        readers: dict[str, list[int]] = {}
        for index, feature in enumerate(_features(knowledge)):
            for key in feature.keys:
                readers.setdefault(key, []).append(index)
        found = remember(_READERS, knowledge, {k: tuple(v) for k, v in readers.items()})
    return found


def keys_where_no_counts(knowledge: Knowledge) -> frozenset[str]:
    """Answer keys for which a "no" changes the model's result (not only a yes)."""
    return frozenset(k for f in _features(knowledge) if f.counts_no for k in f.keys)


def log_scores(observations: Iterable[Observation], knowledge: Knowledge) -> list[float]:
    """Log prior plus the log likelihood of every observation, per pattern."""
    # Each column added left to right (prior first), as cohort_log_scores adds them.
    return list(map(sum, zip(knowledge.log_prior, *map(_LOG, observations), strict=True)))


_LOG = attrgetter("log")


def more_log_scores(scores: Sequence[float], observations: Sequence[Observation]) -> list[float]:
    """`log_scores` of more observations, from the scores of those before them: the same
    sums to the bit, as `sum` adds left to right (Python 3.11, pyproject.toml)."""
    if not observations:
        return list(scores)
    return list(map(sum, zip(*map(_LOG, observations), strict=True), scores))


def posterior(scores: Sequence[float]) -> list[float]:
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]


_TABLES: dict[int, list[np.ndarray]] = {}
_BLOCK = 8192


def _log_tables(knowledge: Knowledge) -> list[np.ndarray]:
    """Per feature: one log row per outcome, then a row of zeros for "unknown"."""
    import numpy as np

    tables = _TABLES.get(id(knowledge))
    if tables is None:
        zeros = [0.0] * len(knowledge.patterns)
        tables = remember(
            _TABLES,
            knowledge,
            [
                np.array([obs.log for _, _, obs in outcomes] + [zeros])
                for outcomes in feature_outcomes(knowledge)
            ],
        )
    return tables


def cohort_log_scores(codes: Sequence[np.ndarray], knowledge: Knowledge) -> np.ndarray:
    """Log scores for many people at once (people x patterns), one feature at a time.

    ``codes[f][person]`` is the index of the outcome of feature ``f`` that was observed
    (see :func:`feature_outcomes`), or -1 when the feature is unknown.  The rows are added
    in the same order as :func:`log_scores` adds them, so the sums are the same to the bit.
    """
    import numpy as np

    tables = _log_tables(knowledge)
    if len(codes) != len(tables):
        raise ValueError(f"expected codes for {len(tables)} features, got {len(codes)}")
    people = len(codes[0]) if len(codes) else 0
    scores = np.empty((people, len(knowledge.patterns)))
    scores[:] = knowledge.log_prior
    # Blocks of people small enough to stay in the processor cache while every feature
    # is added (about twice as fast as whole columns).
    for start in range(0, people, _BLOCK):
        block = scores[start : start + _BLOCK]
        for table, code in zip(tables, codes, strict=True):
            block += table[code[start : start + _BLOCK]]  # -1: the zero row, adds nothing
    return scores


def cohort_rescore(
    scores: np.ndarray,
    changed: Mapping[int, tuple[np.ndarray, np.ndarray]],
    knowledge: Knowledge,
) -> np.ndarray:
    """Log scores after some features changed outcome, without adding up every feature
    again: ``changed[f] = (codes before, codes after)``; the old row of feature ``f``
    is taken out and the new one added where they differ.  Equal to scoring afresh up
    to rounding, as the safety floor's re-observing in ``assess`` is."""
    import numpy as np

    tables = _log_tables(knowledge)
    scores = scores.copy()
    for feature, (before, after) in changed.items():
        rows = np.flatnonzero(before != after)
        table = tables[feature]
        scores[rows] += table[after[rows]] - table[before[rows]]
    return scores


def cohort_posterior(scores: np.ndarray) -> np.ndarray:
    """:func:`posterior` for every row of a people x patterns array."""
    import numpy as np

    weights = np.exp(scores - scores.max(axis=1, keepdims=True))
    total = weights[:, 0].copy()
    for column in range(1, weights.shape[1]):  # left to right, like sum() in `posterior`
        total += weights[:, column]
    return weights / total[:, None]


# Per pattern, every observation value strong enough to be named for it (against it),
# strongest first, as a string of value codes (`Observation.code`, one byte each), and
# a look-up of each code's evidence for that pattern.  Of equally strong values the
# later feature comes first for, the earlier first against: the order in which a stable
# sort of one person's observations (made in feature order) puts them.
@dataclass(frozen=True, slots=True)
class _Rankings:
    every: bytes  # every value's code
    # The rankings for and against each pattern, in pattern order, joined by SEPARATOR.
    joined: bytes
    evidence: tuple[Callable[[int], Evidence], ...]  # per ranking: code -> evidence


# Joins the rankings: no value has this code (MAX_VALUES is below it).
SEPARATOR = bytes([MAX_VALUES])
_RANKINGS: dict[int, _Rankings] = {}


def _ranking(
    pulls: Iterable[Observation], pattern: int, size: int
) -> tuple[bytes, Callable[[int], Evidence]]:
    pulls = tuple(pulls)
    evidence: list[Evidence | None] = [None] * size
    for obs in pulls:
        evidence[obs.code] = obs.evidence[pattern][1]
    return bytes(obs.code for obs in pulls), tuple(evidence).__getitem__


def _rankings(knowledge: Knowledge) -> _Rankings:
    found = _RANKINGS.get(id(knowledge))
    if found is None:
        values = [
            (position, obs)
            for position, outcomes in enumerate(feature_outcomes(knowledge))
            for _, _, obs in outcomes
        ]
        size = len(values)
        rankings = []
        for p in range(len(knowledge.patterns)):
            pulls = [obs for _, obs in sorted(values, key=lambda v: (v[1].ratio[p], v[0]))]
            rankings.append(
                _ranking((o for o in reversed(pulls) if o.ratio[p] >= MIN_EVIDENCE_RATIO), p, size)
            )
            rankings.append(
                _ranking((o for o in pulls if o.ratio[p] <= MAX_OPPOSING_RATIO), p, size)
            )
        found = remember(
            _RANKINGS,
            knowledge,
            _Rankings(
                every=bytes(range(size)),
                joined=SEPARATOR.join(codes for codes, _ in rankings),
                evidence=tuple(evidence for _, evidence in rankings),
            ),
        )
    return found


def evidence_by_pattern(
    observations: Sequence[Observation], knowledge: Knowledge
) -> list[tuple[tuple[Evidence, ...], tuple[Evidence, ...]]]:
    """The strongest observations for and against each pattern, in pattern order: at most
    EVIDENCE_PER_SIDE each way, strongest first.  `observations` as `observe` makes them.

    Each pattern's rankings of every value are made once per knowledge; per person the
    values not shown are deleted from all of them at once (`bytes.translate`, in C
    instead of a sort or a Python loop per pattern) and the first EVIDENCE_PER_SIDE of
    each remain.
    """
    rankings = _rankings(knowledge)
    unseen = rankings.every.translate(None, bytes([obs.code for obs in observations]))
    shown = rankings.joined.translate(None, unseen).split(SEPARATOR)
    n = EVIDENCE_PER_SIDE
    named = [
        tuple(map(evidence, codes[:n]))
        for evidence, codes in zip(rankings.evidence, shown, strict=True)
    ]
    return list(zip(named[::2], named[1::2], strict=True))
