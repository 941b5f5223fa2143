"""The assessment: what the engine returns, with both languages inside.

One typed result (frozen pydantic models) for every consumer: the API serialises it
as it is, the pages and FHIR read its attributes, and the store keeps its JSON and
reads it back with :meth:`Assessment.model_validate`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

import orjson
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    computed_field,
    field_serializer,
    field_validator,
    model_validator,
)

from nervetjek.instruments import InstrumentScore
from nervetjek.intake.bank import Text

DISCLAIMER = Text(
    da="Nervetjek giver vejledning, ikke en diagnose. Kun en læge eller fysioterapeut, der "
    "undersøger dig, kan stille en diagnose. Bliver du værre, så søg hjælp med det samme.",
    en="Nervetjek gives guidance, not a diagnosis. Only a doctor or physiotherapist who "
    "examines you can make a diagnosis. If you get worse, seek help straight away.",
)

# The numbers the result's JSON carries (API, CLI, store): likelihood ratios are rounded
# when the evidence is made, probabilities when they are written out (the model keeps
# them exact, so they still add up to 1).
RATIO_DECIMALS = 3
PROBABILITY_DECIMALS = 4

# Shown probabilities are rounded to 5 % and kept away from 0 % and 100 %: the model
# is a guide, and an exact-looking number would claim more than it knows.
PERCENT_STEP = 5
PERCENT_FLOOR = 10
PERCENT_CEILING = 90


def shown_percent(probability: float) -> tuple[str, int]:
    """("about", 40), ("over", 90) or ("under", 10): the one rounding of a probability."""
    rounded = int(probability * 100 / PERCENT_STEP + 0.5) * PERCENT_STEP
    if rounded > PERCENT_CEILING:
        return "over", PERCENT_CEILING
    if rounded < PERCENT_FLOOR:
        return "under", PERCENT_FLOOR
    return "about", rounded


class ResultModel(BaseModel):
    """Frozen, strict about unknown keys, and populated by field name or JSON name."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


_Part = TypeVar("_Part", bound=BaseModel)
# JSON of the parts made once per process and kept for its life (evidence, next steps),
# written once, by id.  _SHARED holds the parts themselves, so no other object can take
# over one's id.
_SHARED: list[BaseModel] = []
_SHARED_JSON: dict[int, orjson.Fragment] = {}


def shared(part: _Part) -> _Part:
    """Mark a part of results that is made once and kept for the life of the process:
    :meth:`Assessment.json_bytes` reuses its JSON instead of writing it again."""
    _SHARED.append(part)
    _SHARED_JSON[id(part)] = orjson.Fragment(part.model_dump_json(by_alias=True))
    return part


def _json(parts: Iterable[BaseModel]) -> list[orjson.Fragment]:
    """The parts' JSON, reused for shared parts.  It runs ~30 times a response, mostly
    on shared evidence: map and a lookup that fails only for unshared parts, not a loop."""
    try:
        return list(map(_SHARED_JSON.__getitem__, map(id, parts)))
    except KeyError:
        written = _SHARED_JSON.get
        return [
            written(id(part)) or orjson.Fragment(part.model_dump_json(by_alias=True))
            for part in parts
        ]


class Evidence(ResultModel):
    """One feature's pull on one pattern: ratio > 1 argues for it, < 1 against it."""

    feature: str
    value: str = Field(description='"yes", "no" or the category value')
    ratio: float = Field(description="Likelihood ratio, 3 decimals: above 1 argues for the pattern")
    answers: tuple[str, ...] = Field(description="The answers behind the feature")
    label: Text

    @field_validator("ratio")
    @classmethod
    def _round_ratio(cls, ratio: float) -> float:
        return round(ratio, RATIO_DECIMALS)


class PatternResult(ResultModel):
    """One pattern's probability, with the strongest evidence for and against it."""

    id: str
    probability: float = Field(ge=0, le=1, description="4 decimals in JSON")
    supporting: tuple[Evidence, ...] = Field(alias="for")
    opposing: tuple[Evidence, ...] = Field(alias="against")

    @field_serializer("probability")
    def _round_probability(self, probability: float) -> float:
        return round(probability, PROBABILITY_DECIMALS)

    @property
    def percent(self) -> tuple[str, int]:
        return shown_percent(self.probability)


class TriageReason(ResultModel):
    """A rule that set or raised the level, and the answers that made it apply."""

    rule: str
    kind: str = Field(
        description="pattern_default, pattern_exception, self_care, unrecognised, "
        "escalation or safety_floor"
    )
    level: str
    answers: tuple[str, ...]
    why: Text
    source: str


class RedFlag(ResultModel):
    """A warning sign answered yes, with the escalation rules it took part in."""

    key: str
    rules: tuple[str, ...]
    statement: Text


class NextStep(ResultModel):
    id: str
    kind: str
    text: Text
    see: str


class PatternSummary(ResultModel):
    id: str
    probability: float = Field(ge=0, le=1, description="4 decimals in JSON")

    @field_serializer("probability")
    def _round_probability(self, probability: float) -> float:
        return round(probability, PROBABILITY_DECIMALS)


class AssessmentSummary(ResultModel):
    """The compact assessment: the level, the reasons that set it, the top patterns."""

    triage: str
    recognised: bool
    triage_reasons: tuple[TriageReason, ...] = Field(description="The reasons for this level")
    patterns: tuple[PatternSummary, ...] = Field(description="The most likely patterns")
    engine_version: str
    ruleset_version: str

    @computed_field
    @property
    def disclaimer(self) -> Text:
        return DISCLAIMER


# How many patterns the compact summary names.
SUMMARY_PATTERNS = 3

# Keys of the JSON form that are derived from the fields ("patterns" there is the list
# of pattern ids; the patterns themselves are under "pattern_scores").
_DERIVED_KEYS = ("patterns", "disclaimer")


class Assessment(ResultModel):
    """The engine's assessment: guidance, not a diagnosis."""

    triage: str = Field(description="Urgency level, most urgent first")
    recognised: bool = Field(description="false: the answers point to no one pattern")
    triage_reasons: tuple[TriageReason, ...] = Field(description="The decisive reason(s) first")
    patterns: tuple[PatternResult, ...] = Field(
        alias="pattern_scores", description="Every pattern, most likely first"
    )
    red_flags: tuple[RedFlag, ...]
    instruments: dict[str, InstrumentScore]
    next_steps: tuple[NextStep, ...]
    engine_version: str
    ruleset_version: str
    # The answers are stored beside the assessment, not inside its JSON.
    answers: dict[str, Any] = Field(default_factory=dict, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _skip_derived(cls, data: Any) -> Any:
        if isinstance(data, dict) and "pattern_scores" in data:
            return {k: v for k, v in data.items() if k not in _DERIVED_KEYS}
        return data

    @computed_field(alias="patterns", description="Every pattern id, most likely first")
    @property
    def pattern_ids(self) -> list[str]:
        return [p.id for p in self.patterns]

    @computed_field
    @property
    def disclaimer(self) -> Text:
        return DISCLAIMER

    @property
    def top_pattern(self) -> PatternResult | None:
        return self.patterns[0] if self.recognised else None

    def summary(self) -> AssessmentSummary:
        return AssessmentSummary(
            triage=self.triage,
            recognised=self.recognised,
            triage_reasons=tuple(r for r in self.triage_reasons if r.level == self.triage),
            patterns=tuple(
                PatternSummary(id=p.id, probability=p.probability)
                for p in self.patterns[:SUMMARY_PATTERNS]
            ),
            engine_version=self.engine_version,
            ruleset_version=self.ruleset_version,
        )

    def steps(self, kind: str) -> list[NextStep]:
        return [s for s in self.next_steps if s.kind == kind]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (as the API, the CLI and the store write it)."""
        return self.model_dump(mode="json", by_alias=True)

    def json_bytes(self) -> bytes:
        """The JSON form, byte for byte as ``model_dump_json(by_alias=True)`` writes it
        (tests/engine/test_result.py checks this), for the API.

        Faster: most of the JSON is evidence, and each piece of evidence is made once
        per process (:func:`shared`), so its JSON is written once, not per response.
        The parts made per result are written a kind at a time (``_written``).
        """
        return orjson.dumps(
            {
                "triage": self.triage,
                "recognised": self.recognised,
                "triage_reasons": _written(_REASONS, self.triage_reasons),
                "pattern_scores": [
                    {
                        "id": pattern.id,
                        "probability": round(pattern.probability, PROBABILITY_DECIMALS),
                        "for": _json(pattern.supporting),
                        "against": _json(pattern.opposing),
                    }
                    for pattern in self.patterns
                ],
                "red_flags": _written(_RED_FLAGS, self.red_flags),
                "instruments": _written(_INSTRUMENTS, self.instruments),
                "next_steps": _json(self.next_steps),
                "engine_version": self.engine_version,
                "ruleset_version": self.ruleset_version,
                "patterns": self.pattern_ids,
                "disclaimer": _DISCLAIMER_JSON,
            }
        )


# Parts made per result, each kind written in one call rather than one per part.
_REASONS = TypeAdapter(tuple[TriageReason, ...])
_RED_FLAGS = TypeAdapter(tuple[RedFlag, ...])
_INSTRUMENTS = TypeAdapter(dict[str, InstrumentScore])


def _written(adapter: TypeAdapter, value: Any) -> orjson.Fragment:
    return orjson.Fragment(adapter.dump_json(value, by_alias=True))


_DISCLAIMER_JSON = orjson.Fragment(orjson.dumps({"da": DISCLAIMER.da, "en": DISCLAIMER.en}))
