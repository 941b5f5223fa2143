"""The suggested examination per pattern (examination.yaml), checked against a schema.

The schema is the pydantic model below: unknown fields, empty texts and a step without a
reason or source are refused, and every pattern of the outcome vocabulary needs steps.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from nervetjek.datafiles import package_text, parse_yaml
from nervetjek.intake.bank import Text
from nervetjek.intake.outcomes import load_outcomes
from nervetjek.knowledge.loader import PACKAGE, KnowledgeError

FILE = "examination.yaml"

NonEmpty = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Wording(_Strict):
    da: NonEmpty
    en: NonEmpty

    def __call__(self, lang: str) -> str:
        return Text(self.da, self.en)(lang)


class ExaminationStep(_Strict):
    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    text: Wording
    reason: NonEmpty
    source: NonEmpty


class ShownPatterns(_Strict):
    """Which patterns are shown to the clinician: a display cut-off with its reason."""

    min_probability: Annotated[float, Field(gt=0.0, lt=1.0)]
    max_patterns: Annotated[int, Field(ge=1)]
    reason: NonEmpty
    source: NonEmpty

    def select(self, probabilities: Sequence[tuple[str, float]]) -> list[tuple[str, float]]:
        """The leading (pattern, probability) pairs, most likely first, as given."""
        kept = [(p, prob) for p, prob in probabilities if prob >= self.min_probability]
        return kept[: self.max_patterns]


class ExaminationPlan(_Strict):
    version: int
    dated: NonEmpty
    shown: ShownPatterns
    patterns: Mapping[str, Annotated[tuple[ExaminationStep, ...], Field(min_length=1)]]

    @model_validator(mode="after")
    def _step_ids_unique(self) -> ExaminationPlan:
        ids = [step.id for steps in self.patterns.values() for step in steps]
        doubles = sorted({i for i in ids if ids.count(i) > 1})
        if doubles:
            raise ValueError(f"step ids used twice: {doubles}")
        return self

    def steps(self, pattern: str) -> tuple[ExaminationStep, ...]:
        return self.patterns[pattern]


def parse_examination(text: str, pattern_ids: Sequence[str]) -> ExaminationPlan:
    """Parse and check an examination file against the schema and the pattern list."""
    try:
        plan = ExaminationPlan.model_validate(parse_yaml(text))
    except ValidationError as exc:
        raise KnowledgeError(f"{FILE}: {exc}") from exc
    missing = sorted(set(pattern_ids) - set(plan.patterns))
    unknown = sorted(set(plan.patterns) - set(pattern_ids))
    if missing or unknown:
        raise KnowledgeError(f"{FILE}: patterns without steps {missing}, unknown {unknown}")
    return plan


@cache
def load_examination() -> ExaminationPlan:
    """The shipped examination plan, parsed and checked once per process."""
    return parse_examination(package_text(PACKAGE, FILE), load_outcomes().pattern_ids)
