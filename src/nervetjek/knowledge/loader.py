"""Load and check the knowledge files; compile their conditions once per process."""

from __future__ import annotations

import csv
import hashlib
import io
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from nervetjek.conditions import Condition, ConditionSet, Vocabulary
from nervetjek.datafiles import check_schema, package_text, parse_yaml, plain
from nervetjek.intake.bank import ItemBank, Text, load_item_bank
from nervetjek.intake.outcomes import Outcomes, load_outcomes

PACKAGE = "nervetjek.knowledge"
FILES = ("features.yaml", "likelihoods.csv", "triage.yaml", "advice.yaml")
# The columns of likelihoods.csv besides one per pattern.
TABLE_COLUMNS = ("feature", "value", "source", "reason")
ADVICE_KINDS = ("examination", "treatment", "self_care", "sleep", "watch_for")


class KnowledgeError(ValueError):
    """A knowledge file is inconsistent: a data bug, caught by tests and at start-up."""


# ----------------------------------------------------------------------------- model


@dataclass(frozen=True)
class LikelihoodRow:
    """P(feature value | pattern) for every pattern, with why and where it comes from."""

    feature: str
    value: str  # "" for a flag's yes row
    probabilities: tuple[float, ...]  # in pattern order
    source: str
    reason: str


@dataclass(frozen=True)
class Flag:
    id: str
    condition: Condition
    absent_counts: bool
    label: Text
    label_no: Text | None  # None where a "no" does not count
    log_yes: tuple[float, ...]
    log_no: tuple[float, ...] | None  # None when a "no" is not counted
    lr_yes: tuple[float, ...]  # vs the other patterns, for explanations
    lr_no: tuple[float, ...] | None
    row: LikelihoodRow


@dataclass(frozen=True)
class Category:
    id: str
    label: Text
    values: tuple[tuple[str, Condition, Text], ...]
    log: Mapping[str, tuple[float, ...]]
    lr: Mapping[str, tuple[float, ...]]
    rows: Mapping[str, LikelihoodRow]


# ---------------------------------------------------------------------------- triage


@dataclass(frozen=True)
class PatternDefault:
    pattern: str
    level: str
    why: Text
    source: str
    exceptions: tuple[Escalation, ...] = ()


@dataclass(frozen=True)
class Escalation:
    id: str
    level: str
    condition: Condition
    why: Text
    source: str


@dataclass(frozen=True)
class TriagePolicy:
    version: str
    defaults: Mapping[str, PatternDefault]
    self_care_patterns: frozenset[str]
    self_care: Escalation
    escalations: tuple[Escalation, ...]
    min_answers: int
    min_probability: float
    min_lift: float
    min_support_ratio: float
    fallback_level: str
    not_counted: frozenset[str]


@dataclass(frozen=True)
class AdviceStep:
    id: str
    kind: str
    condition: Condition
    text: Text
    see: str  # article slug#anchor


@dataclass(frozen=True)
class Calibration:
    """How the naive posterior is tempered before it is shown (calibration.yaml)."""

    temperature: float  # log scores are multiplied by this before normalising
    reason: str
    fitted_on: str


@dataclass(frozen=True)
class Knowledge:
    patterns: tuple[str, ...]
    log_prior: tuple[float, ...]
    prior: tuple[float, ...]
    flags: tuple[Flag, ...]
    categories: tuple[Category, ...]
    policy: TriagePolicy
    advice: tuple[AdviceStep, ...]
    version: str  # policy version + digest of the knowledge files
    warning_keys: frozenset[str]  # the warning-sign (red flag) yes/no questions
    calibration: Calibration
    rows: tuple[LikelihoodRow, ...] = field(repr=False, default=())

    def pattern_index(self, pattern: str) -> int:
        return self.patterns.index(pattern)


# ---------------------------------------------------------------------------- schemas
# The shape of triage.yaml: an unknown key is refused with its file and line.


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _TextSpec(_Strict):
    da: str
    en: str


class _RuleSpec(_Strict):
    id: str
    level: str
    when: Any
    why: _TextSpec
    source: str


class _DefaultSpec(_Strict):
    level: str
    why: _TextSpec
    source: str
    exceptions: list[_RuleSpec] = []


class _SelfCareSpec(_Strict):
    patterns: list[str]
    when: Any
    why: _TextSpec
    source: str


class _RecognitionSpec(_Strict):
    min_answers: int
    min_answers_reason: str
    not_counted: list[str]
    min_probability: float
    min_probability_reason: str
    min_lift: float
    min_lift_reason: str
    min_support_ratio: float
    min_support_ratio_reason: str
    fallback_level: str


class _FlagSpec(_Strict):
    when: Any
    absent_counts: bool = True
    label: _TextSpec | None = None
    label_no: _TextSpec | None = None


class _CategoryValueSpec(_Strict):
    when: Any
    label: _TextSpec


class _CategorySpec(_Strict):
    label: _TextSpec
    values: dict[str, _CategoryValueSpec]


class _FeaturesSpec(_Strict):
    flags: dict[str, _FlagSpec]
    categories: dict[str, _CategorySpec]


class _AdviceStepSpec(_Strict):
    id: str
    kind: str
    when: Any
    text: _TextSpec
    see: str


class _AdviceSpec(_Strict):
    steps: list[_AdviceStepSpec]
    named: dict[str, Any] = {}


class _CalibrationSpec(_Strict):
    temperature: float
    temperature_reason: str
    fitted_on: str


class _TriageSpec(_Strict):
    policy_version: str
    dated: date
    recognition: _RecognitionSpec
    pattern_defaults: dict[str, _DefaultSpec]
    self_care: _SelfCareSpec
    escalations: list[_RuleSpec]
    named: dict[str, Any] = {}


# ----------------------------------------------------------------------------- parse


def _read_table(text: str, patterns: list[str]) -> list[LikelihoodRow]:
    reader = csv.DictReader(io.StringIO(text))
    columns = reader.fieldnames or []
    missing = [p for p in patterns if p not in columns]
    if missing:
        raise KnowledgeError(f"likelihoods.csv: no column for patterns {missing}")
    unknown = [c for c in columns if c not in {*patterns, *TABLE_COLUMNS}]
    if unknown:
        raise KnowledgeError(f"likelihoods.csv line 1: unknown column(s) {unknown}")
    rows = []
    for line, record in enumerate(reader, start=2):
        values = []
        for pattern in patterns:
            try:
                value = float(record[pattern])
            except (TypeError, ValueError) as exc:
                raise KnowledgeError(
                    f"likelihoods.csv line {line}: {pattern} is not a number"
                ) from exc
            if not 0.0 < value < 1.0:
                raise KnowledgeError(
                    f"likelihoods.csv line {line}: {pattern}={value} must be between 0 and 1 "
                    "(never certain, never impossible)"
                )
            values.append(value)
        if not record["reason"].strip() or not record["source"].strip():
            raise KnowledgeError(
                f"likelihoods.csv line {line}: every row needs a reason and source"
            )
        rows.append(
            LikelihoodRow(
                record["feature"],
                record["value"] or "",
                tuple(values),
                record["source"],
                record["reason"],
            )
        )
    return rows


def _ratio_vs_rest(probabilities: tuple[float, ...], prior: tuple[float, ...]) -> tuple[float, ...]:
    """P(x | pattern) / P(x | any other pattern), the others weighted by their priors."""
    total = sum(p * w for p, w in zip(probabilities, prior, strict=True))
    ratios = []
    for p, w in zip(probabilities, prior, strict=True):
        rest = (total - p * w) / (1.0 - w)
        ratios.append(p / rest)
    return tuple(ratios)


def _log(values: tuple[float, ...]) -> tuple[float, ...]:
    return tuple(math.log(v) for v in values)


def _text(raw: Mapping[str, str] | None) -> Text | None:
    return None if raw is None else Text.of(raw)


def _build_flags(
    raw: Mapping[str, Any],
    table: dict,
    conditions: ConditionSet,
    bank: ItemBank,
    prior: tuple[float, ...],
) -> tuple[Flag, ...]:
    flags = []
    for name, spec in raw.items():
        row = table.pop((name, ""), None)
        if row is None:
            raise KnowledgeError(f"feature {name}: no row in likelihoods.csv")
        condition = conditions.compile(spec["when"], where=f"feature {name}")
        item = bank.items.get(name)
        label = _text(spec.get("label")) or (item.yes_statement if item else None)
        label_no = _text(spec.get("label_no")) or (item.no_statement if item else None)
        if label is None:
            raise KnowledgeError(f"feature {name}: needs a label")
        absent_counts = spec.get("absent_counts", True)
        if label_no is None and absent_counts:
            # A "no" that counts is shown as a reason against; it needs its own words
            # (the word "ikke" put in front of the yes label reads wrongly).
            raise KnowledgeError(f"feature {name}: a no counts, so it needs a label_no")
        no_probs = tuple(1.0 - p for p in row.probabilities)
        flags.append(
            Flag(
                id=name,
                condition=condition,
                absent_counts=absent_counts,
                label=label,
                label_no=label_no,
                log_yes=_log(row.probabilities),
                log_no=_log(no_probs) if absent_counts else None,
                lr_yes=_ratio_vs_rest(row.probabilities, prior),
                lr_no=_ratio_vs_rest(no_probs, prior) if absent_counts else None,
                row=row,
            )
        )
    return tuple(flags)


def _build_categories(
    raw: Mapping[str, Any], table: dict, conditions: ConditionSet, prior: tuple[float, ...]
) -> tuple[Category, ...]:
    categories = []
    for name, spec in raw.items():
        values, rows = [], {}
        for value, value_spec in spec["values"].items():
            row = table.pop((name, str(value)), None)
            if row is None:
                raise KnowledgeError(f"feature {name}={value}: no row in likelihoods.csv")
            rows[str(value)] = row
            values.append(
                (
                    str(value),
                    conditions.compile(value_spec["when"], where=f"{name}={value}"),
                    Text.of(value_spec["label"]),
                )
            )
        n_patterns = len(prior)
        for i in range(n_patterns):
            total = sum(row.probabilities[i] for row in rows.values())
            if abs(total - 1.0) > 0.011:
                raise KnowledgeError(
                    f"feature {name}: the values' probabilities add up to {total:.3f} for "
                    f"pattern column {i + 1}; a category's values must add up to 1"
                )
        categories.append(
            Category(
                id=name,
                label=Text.of(spec["label"]),
                values=tuple(values),
                log={v: _log(r.probabilities) for v, r in rows.items()},
                lr={v: _ratio_vs_rest(r.probabilities, prior) for v, r in rows.items()},
                rows=rows,
            )
        )
    return tuple(categories)


def _escalation(raw: Mapping[str, Any], conditions: ConditionSet, levels: list[str]) -> Escalation:
    if raw["level"] not in levels:
        raise KnowledgeError(f"triage rule {raw['id']}: unknown level {raw['level']!r}")
    return Escalation(
        id=raw["id"],
        level=raw["level"],
        condition=conditions.compile(raw["when"], where=f"triage rule {raw['id']}"),
        why=Text.of(raw["why"]),
        source=raw["source"],
    )


def _build_policy(
    raw: Mapping[str, Any], conditions: ConditionSet, outcomes: Outcomes
) -> TriagePolicy:
    levels = outcomes.level_ids
    defaults = {}
    for pattern, spec in raw["pattern_defaults"].items():
        if spec["level"] not in levels:
            raise KnowledgeError(f"default for {pattern}: unknown level {spec['level']!r}")
        defaults[pattern] = PatternDefault(
            pattern=pattern,
            level=spec["level"],
            why=Text.of(spec["why"]),
            source=spec["source"],
            exceptions=tuple(
                _escalation(e, conditions, levels) for e in spec.get("exceptions", ())
            ),
        )
    if set(defaults) != set(outcomes.pattern_ids):
        raise KnowledgeError("triage.yaml: every pattern needs exactly one default level")
    recognition = raw["recognition"]
    self_care = raw["self_care"]
    return TriagePolicy(
        version=str(raw["policy_version"]),
        defaults=defaults,
        self_care_patterns=frozenset(self_care["patterns"]),
        self_care=_escalation(
            {**self_care, "id": "self_care", "level": "self_care"}, conditions, levels
        ),
        escalations=tuple(_escalation(e, conditions, levels) for e in raw["escalations"]),
        min_answers=int(recognition["min_answers"]),
        min_probability=float(recognition["min_probability"]),
        min_lift=float(recognition["min_lift"]),
        min_support_ratio=float(recognition["min_support_ratio"]),
        fallback_level=recognition["fallback_level"],
        not_counted=frozenset(recognition["not_counted"]),
    )


def _build_advice(raw: Mapping[str, Any], conditions: ConditionSet) -> tuple[AdviceStep, ...]:
    steps, seen = [], set()
    for spec in raw["steps"]:
        if spec["id"] in seen:
            raise KnowledgeError(f"advice step {spec['id']} is defined twice")
        seen.add(spec["id"])
        if spec["kind"] not in ADVICE_KINDS:
            raise KnowledgeError(f"advice step {spec['id']}: unknown kind {spec['kind']!r}")
        if "#" not in spec["see"]:
            raise KnowledgeError(f"advice step {spec['id']}: `see` must be slug#anchor")
        steps.append(
            AdviceStep(
                id=spec["id"],
                kind=spec["kind"],
                condition=conditions.compile(spec["when"], where=f"advice {spec['id']}"),
                text=Text.of(spec["text"]),
                see=spec["see"],
            )
        )
    return tuple(steps)


def _build_calibration(raw: Mapping[str, Any]) -> Calibration:
    temperature = float(raw["temperature"])
    if not 0.0 < temperature <= 1.0:
        raise KnowledgeError("calibration.yaml: the temperature must be in (0, 1]")
    if not str(raw.get("temperature_reason", "")).strip():
        raise KnowledgeError("calibration.yaml: the temperature needs a reason")
    return Calibration(temperature, raw["temperature_reason"], raw["fitted_on"])


def _digest(read: Callable[[str], str]) -> str:
    sha = hashlib.sha256()
    for name in FILES:
        sha.update(read(name).encode("utf-8"))
    return sha.hexdigest()[:12]


def _shipped(name: str) -> str:
    return package_text(PACKAGE, name)


SCHEMAS: dict[str, type[BaseModel]] = {
    "features.yaml": _FeaturesSpec,
    "triage.yaml": _TriageSpec,
    "advice.yaml": _AdviceSpec,
    "calibration.yaml": _CalibrationSpec,
}


def parse_checked(name: str, text: str) -> Mapping[str, Any]:
    """A knowledge YAML file, checked against its schema (file and line of any unknown
    or missing key)."""
    source = f"knowledge/{name}"
    raw = parse_yaml(text, source, keep_lines=True)
    check_schema(SCHEMAS[name], raw, source)
    return plain(raw)


def parse_triage(text: str) -> Mapping[str, Any]:
    return parse_checked("triage.yaml", text)


def build_knowledge(
    bank: ItemBank, outcomes: Outcomes, read: Callable[[str], str] = _shipped
) -> Knowledge:
    """Knowledge from the four files, read by name with `read` (default: the shipped ones).

    Another `read` gives another ruleset: an older release for `nervetjek safety diff`, or
    a policy with one rule taken out for the ablation tests.
    """
    features = parse_checked("features.yaml", read("features.yaml"))
    triage = parse_triage(read("triage.yaml"))
    advice = parse_checked("advice.yaml", read("advice.yaml"))
    patterns = outcomes.pattern_ids

    vocabulary = Vocabulary(keys=frozenset(bank.items), regions=frozenset(bank.base_region_labels))
    triage_conditions = ConditionSet(vocabulary, triage.get("named", {}))
    feature_conditions = ConditionSet(vocabulary)
    advice_vocabulary = Vocabulary(
        keys=vocabulary.keys,
        regions=vocabulary.regions,
        outcomes={"level": frozenset(outcomes.level_ids), "pattern": frozenset(patterns)},
    )
    advice_conditions = ConditionSet(advice_vocabulary, advice.get("named", {}))

    rows = _read_table(read("likelihoods.csv"), patterns)
    table = {(row.feature, row.value): row for row in rows}
    prior_row = table.pop(("prior", ""), None)
    if prior_row is None:
        raise KnowledgeError("likelihoods.csv: the prior row is missing")
    if abs(sum(prior_row.probabilities) - 1.0) > 0.001:
        raise KnowledgeError("likelihoods.csv: the priors must add up to 1")
    prior = prior_row.probabilities
    flags = _build_flags(features["flags"], table, feature_conditions, bank, prior)
    categories = _build_categories(features["categories"], table, feature_conditions, prior)
    if table:
        raise KnowledgeError(f"likelihoods.csv: rows for unknown features {sorted(table)}")
    policy = _build_policy(triage, triage_conditions, outcomes)
    triage_conditions.compile_all()
    advice_steps = _build_advice(advice, advice_conditions)
    advice_conditions.compile_all()
    # The warning-sign questions: the engine's safety floor may take back their yes answers.
    warning_keys = frozenset(
        key
        for key, item in bank.items.items()
        if item.section == "red_flags" and item.type == "boolean"
    )
    return Knowledge(
        patterns=tuple(patterns),
        log_prior=_log(prior),
        prior=prior,
        flags=flags,
        categories=categories,
        policy=policy,
        advice=advice_steps,
        version=f"{policy.version}+{_digest(read)}",
        warning_keys=warning_keys,
        calibration=_build_calibration(
            parse_checked("calibration.yaml", package_text(PACKAGE, "calibration.yaml"))
        ),
        rows=tuple(rows),
    )


@cache
def load_knowledge() -> Knowledge:
    """The shipped knowledge, parsed and checked once per process."""
    return build_knowledge(load_item_bank(), load_outcomes())


def knowledge_from_files(files: Mapping[str, str]) -> Knowledge:
    """A ruleset from file texts by name (features.yaml, likelihoods.csv, triage.yaml,
    advice.yaml); a missing name falls back to the shipped file."""
    return build_knowledge(
        load_item_bank(), load_outcomes(), lambda name: files.get(name) or _shipped(name)
    )
