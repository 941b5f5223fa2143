"""Score typed cohort columns exactly as ``assess`` scores one person, column by column.

Everything clinical comes from the engine's own objects: the features and their rows of
the likelihood table (:func:`nervetjek.engine.model.feature_outcomes`), the model
(:func:`cohort_log_scores`, :func:`cohort_posterior`), the triage policy, the safety
floor's take-backs and the instrument definitions.  Their conditions are compiled to
Polars expressions (:mod:`nervetjek.cohort.columns`); the policy runs as column rules here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from nervetjek.cohort.columns import LEFT, REGIONS, RIGHT, PolarsConditions, region_masks
from nervetjek.cohort.read import typed_schema
from nervetjek.engine.assess import warning_sign_takebacks
from nervetjek.engine.model import (
    cohort_log_scores,
    cohort_posterior,
    cohort_rescore,
    feature_outcomes,
)
from nervetjek.instruments import load_instruments
from nervetjek.intake import load_item_bank, load_outcomes
from nervetjek.knowledge import Knowledge, load_knowledge

TOP = 3  # patterns named per person
Columns = dict[str, np.ndarray]


@dataclass(frozen=True)
class Triage:
    """The column-wise result of the pattern model and the triage policy."""

    rank: np.ndarray  # level rank per person (0 = most urgent)
    scores: np.ndarray  # log scores, people x patterns
    probabilities: np.ndarray  # people x patterns
    recognised: np.ndarray  # bool per person


class CohortScorer:
    """The knowledge compiled once to column expressions and lookup arrays."""

    def __init__(self, knowledge: Knowledge | None = None):
        self.knowledge = knowledge = knowledge or load_knowledge()
        self.bank = bank = load_item_bank()
        self.outcomes = outcomes = load_outcomes()
        build = PolarsConditions(bank)
        self.schema = typed_schema(bank)
        policy = knowledge.policy
        rank = {level: outcomes.levels[level].rank for level in outcomes.level_ids}
        self.level_names = outcomes.level_ids  # ordered by rank

        self.features = feature_outcomes(knowledge)
        # Every column rule by name: (expression, the answer keys it reads).
        rules: dict[str, tuple[pl.Expr, frozenset[str]]] = {}
        for f, outcomes_ in enumerate(self.features):
            keys = frozenset(k for condition, _, _ in outcomes_ for k in condition.keys)
            rules[f"f{f}"] = (_code(outcomes_, build), keys)
        self.ratios = [
            np.array([obs.ratio for _, _, obs in outcomes_] + [[0.0] * len(knowledge.patterns)])
            for outcomes_ in self.features
        ]
        # Recognition counts the answered questions that a known feature read.
        readers: dict[str, list[int]] = {}
        for f, outcomes_ in enumerate(self.features):
            for key in outcomes_[0][2].keys:
                if key not in policy.not_counted:
                    readers.setdefault(key, []).append(f)
        self.readers = readers
        for key in readers:
            rules[f"a:{key}"] = (build.answered(key, True), frozenset([key]))

        def rule(condition):
            return build(condition).fill_null(False), frozenset(condition.keys)

        self.escalations = []
        for escalation in policy.escalations:
            rules[f"e:{escalation.id}"] = rule(escalation.condition)
            self.escalations.append((rank[escalation.level], f"e:{escalation.id}"))
        self.exceptions = []
        for pattern, default in policy.defaults.items():
            for exception in default.exceptions:
                name = f"x:{pattern}:{exception.id}"
                rules[name] = rule(exception.condition)
                self.exceptions.append(
                    (knowledge.pattern_index(pattern), rank[exception.level], name)
                )
        rules["self_care"] = rule(policy.self_care.condition)
        self.rules = {name: (expr.alias(name), keys) for name, (expr, keys) in rules.items()}
        self.self_care_rank = rank[policy.self_care.level]
        self.self_care_patterns = np.array(
            [knowledge.pattern_index(p) for p in sorted(policy.self_care_patterns)]
        )
        self.default_rank = np.array(
            [rank[policy.defaults[p].level] for p in knowledge.patterns], dtype=np.int8
        )
        self.fallback_rank = rank[policy.fallback_level]
        self.min_lift_probability = np.array(knowledge.prior) * policy.min_lift
        # The warning signs, sorted as the engine's safety floor sorts them, and the rules
        # that read them (the only ones the floor evaluates again).
        self.warning_keys = sorted(knowledge.warning_keys)
        self.warning_rules = [
            name for name, (_, keys) in self.rules.items() if not keys.isdisjoint(self.warning_keys)
        ]
        self.warning_features = [
            f for f in range(len(self.features)) if f"f{f}" in self.warning_rules
        ]
        read = {k for name in self.warning_rules for k in self.rules[name][1]}
        self.warning_columns = sorted(read - {"locations"}) + (
            [REGIONS, LEFT, RIGHT] if "locations" in read else []
        )

    # ------------------------------------------------------------------ triage level

    def prepare(self, typed: pl.DataFrame) -> pl.DataFrame:
        """Every intake key as a column (unanswered when the file has none for it), and
        the body-map bit masks the region conditions read."""
        missing = [k for k in self.schema if k not in typed.columns]
        complete = typed.with_columns(pl.lit(None, dtype=self.schema[k]).alias(k) for k in missing)
        return complete.with_columns(region_masks(pl.col("locations"), self.bank))

    def evaluate(self, frame: pl.DataFrame, names: list[str] | None = None) -> Columns:
        """The column rules (all, or those named) for every row, as NumPy arrays."""
        names = list(self.rules) if names is None else names
        got = frame.lazy().select(self.rules[name][0] for name in names).collect()
        return {name: got[name].to_numpy() for name in names}

    def decide(self, columns: Columns, scores: np.ndarray | None = None) -> Triage:
        """Pattern model and triage policy (without the safety floor) for every row."""
        codes = [columns[f"f{f}"] for f in range(len(self.features))]
        if scores is None:
            scores = cohort_log_scores(codes, self.knowledge)
        probabilities = cohort_posterior(scores)
        best = probabilities.argmax(axis=1)  # ties: the first pattern, as in the engine
        recognised = self._recognised(codes, columns, probabilities, best)
        none = len(self.level_names)
        escalation_rank = np.full(len(best), none, dtype=np.int8)
        for level_rank, name in self.escalations:
            applies = columns[name]
            escalation_rank[applies] = np.minimum(escalation_rank[applies], level_rank)
        pattern_rank = self._pattern_rank(columns, best, recognised, escalation_rank < none)
        return Triage(np.minimum(pattern_rank, escalation_rank), scores, probabilities, recognised)

    def _recognised(self, codes, columns, probabilities, best) -> np.ndarray:
        policy = self.knowledge.policy
        people = np.arange(len(best))
        counted = np.zeros(len(best), dtype=np.int32)
        for key, readers in self.readers.items():
            read = np.logical_or.reduce([codes[f] >= 0 for f in readers])
            counted += read & columns[f"a:{key}"]
        support = np.zeros(len(best))
        for table, code in zip(self.ratios, codes, strict=True):
            np.maximum(support, table[code, best], out=support)
        top = probabilities[people, best]
        return (
            (counted >= policy.min_answers)
            & (top >= policy.min_probability)
            & (top >= self.min_lift_probability[best])
            & (support >= policy.min_support_ratio)
        )

    def _pattern_rank(self, columns, best, recognised, escalated) -> np.ndarray:
        """The level the leading pattern asks for: an exception, self-care or its default."""
        rank = self.default_rank[best]
        excepted = np.zeros(len(best), dtype=bool)
        for pattern, level_rank, name in reversed(self.exceptions):  # the first one wins
            applies = (best == pattern) & columns[name]
            rank = np.where(applies, level_rank, rank)
            excepted |= applies
        self_care = (
            np.isin(best, self.self_care_patterns) & ~escalated & ~excepted & columns["self_care"]
        )
        rank = np.where(self_care, self.self_care_rank, rank)
        return np.where(recognised, rank, self.fallback_rank).astype(np.int8)

    # ------------------------------------------------------------------ safety floor

    def safety_floor(self, frame: pl.DataFrame, columns: Columns, result: Triage) -> np.ndarray:
        """The engine's safety floor: the most urgent level over the answers as given and
        with any of the warning-sign yes answers taken back (as unanswered, or as a no).

        Every take-back of every person who needs one becomes one row; only the rules
        that read a warning sign are evaluated again, the rest are copied."""
        keys, rank = self.warning_keys, result.rank
        yes = frame.select(pl.col(k).fill_null(False) for k in keys).to_numpy()
        candidates = np.flatnonzero(yes.any(axis=1) & (rank > 0))
        if not len(candidates):
            return rank
        signature = yes[candidates] @ (1 << np.arange(len(keys), dtype=np.int64))
        groups, which = np.unique(signature, return_inverse=True)
        parents, takebacks = [], []
        for group, bits in enumerate(groups):
            changes = _change_matrix(
                [k for i, k in enumerate(keys) if bits >> i & 1], keys, self.knowledge
            )
            rows = candidates[which == group]
            parents.append(np.repeat(rows, len(changes)))
            takebacks.append(np.tile(changes, (len(rows), 1)))
        parent = np.concatenate(parents)
        change = np.concatenate(takebacks)
        reduced = frame.select(self.warning_columns)[parent].with_columns(
            pl.when(pl.Series(change[:, i] == _MISSING))
            .then(None)
            .when(pl.Series(change[:, i] == _NO))
            .then(False)
            .otherwise(pl.col(key))
            .alias(key)
            for i, key in enumerate(keys)
        )
        again = {name: column[parent] for name, column in columns.items()}
        again.update(self.evaluate(reduced, self.warning_rules))
        changed = {f: (columns[f"f{f}"][parent], again[f"f{f}"]) for f in self.warning_features}
        scores = cohort_rescore(result.scores[parent], changed, self.knowledge)
        floor = rank.copy()
        np.minimum.at(floor, parent, self.decide(again, scores).rank)
        return floor

    # ----------------------------------------------------------------------- output

    def score(self, typed: pl.DataFrame, full: bool = False) -> pl.DataFrame:
        """One output row per person: id, triage, top patterns, red flags, instruments."""
        frame = self.prepare(typed)
        columns = self.evaluate(frame)
        result = self.decide(columns)
        rank = self.safety_floor(frame, columns, result)
        patterns = self.knowledge.patterns
        order = np.argsort(-result.probabilities, axis=1, kind="stable")[:, :TOP]
        people = np.arange(frame.height)[:, None]
        top = result.probabilities[people, order]
        names = np.array(patterns, dtype=object)
        levels = np.array(self.level_names, dtype=object)
        columns = {
            "id": typed["id"],
            "triage": pl.Series(levels[rank], dtype=pl.String),
            **{
                f"pattern_{i + 1}": pl.Series(names[order[:, i]], dtype=pl.String)
                for i in range(TOP)
            },
            **{f"probability_{i + 1}": pl.Series(top[:, i]) for i in range(TOP)},
            "recognised": pl.Series(result.recognised),
        }
        out = pl.concat(
            [pl.DataFrame(columns), frame.select(self._red_flags(), *_instrument_totals())],
            how="horizontal",
        )
        out = out.with_columns(pl.lit(self.knowledge.version).alias("ruleset_version"))
        if full:
            out = out.with_columns(
                pl.Series(f"probability_{p}", result.probabilities[:, i])
                for i, p in enumerate(patterns)
            )
        return out

    def _red_flags(self) -> pl.Expr:
        """Warning signs answered yes, in questionnaire order, joined by ';'."""
        flags = [
            pl.when(pl.col(k)).then(pl.lit(k))
            for k in self.bank.items
            if k in self.knowledge.warning_keys
        ]
        return pl.concat_str(flags, separator=";", ignore_nulls=True).alias("red_flags")


_MISSING, _NO = 1, 2


def _change_matrix(yes_keys: list[str], keys: list[str], knowledge: Knowledge) -> np.ndarray:
    """The engine's take-backs for these yes answers, one row each: 0 keep, 1 unanswered, 2 no."""
    rows = []
    for change in warning_sign_takebacks(yes_keys, knowledge):
        rows.append([{"missing": _MISSING, "no": _NO}.get(change.get(k), 0) for k in keys])
    return np.array(rows, dtype=np.int8).reshape(-1, len(keys))


def _code(outcomes: Sequence, build: PolarsConditions) -> pl.Expr:
    """The index of the feature's observed outcome, or -1 when it is unknown."""
    expr = None
    for index, (condition, truth, _) in enumerate(outcomes):
        holds = build(condition)
        holds = holds if truth else ~holds
        expr = pl.when(holds) if expr is None else expr.when(holds)
        expr = expr.then(pl.lit(index, dtype=pl.Int8))
    return expr.otherwise(pl.lit(-1, dtype=pl.Int8))


def _instrument_totals() -> list[pl.Expr]:
    """Per instrument: the score (only when complete), the points so far and the most
    the missing items could make it, as in ``nervetjek.instruments.score_instrument``."""
    totals = []
    for definition in load_instruments().values():
        name = definition.id.lower().replace("-", "_")
        points, open_weight = [], []
        for key, scores_on, weight in definition.scored_items.values():
            answer = pl.col(key)
            points.append((answer == scores_on).fill_null(False).cast(pl.Int32) * weight)
            open_weight.append(answer.is_null().cast(pl.Int32) * weight)
        got = pl.sum_horizontal(points)
        left = pl.sum_horizontal(open_weight)
        totals += [
            pl.when(left == 0).then(got).otherwise(None).alias(f"{name}_score"),
            got.alias(f"{name}_points"),
            (got + left).alias(f"{name}_max_possible"),
        ]
    return totals


__all__ = ["CohortScorer", "Triage"]
