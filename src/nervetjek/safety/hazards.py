"""The hazard log (docs/safety/hazard-log.yaml): a DCB0129-style register, as typed data.

Every hazard names its cause, effect and harm, a risk before and after its controls, and
controls that each name what implements them (a file, a triage rule or a setting) and the
pytest node ids that prove them.  Loading refuses unknown fields, so a typo cannot drop a
control silently.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from nervetjek.datafiles import parse_yaml

LOG_PATH = Path("docs") / "safety" / "hazard-log.yaml"
SEVERITIES = ("minor", "significant", "considerable", "major", "catastrophic")
LIKELIHOODS = ("very_low", "low", "medium", "high", "very_high")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Risk(Strict):
    severity: Literal["minor", "significant", "considerable", "major", "catastrophic"]
    likelihood: Literal["very_low", "low", "medium", "high", "very_high"]


class Control(Strict):
    id: str
    description: str
    # "path/to/file", "rule:<triage rule id>", "setting:<settings field>"
    implemented_by: tuple[str, ...] = Field(min_length=1)
    tests: tuple[str, ...] = Field(min_length=1)


class Hazard(Strict):
    id: str = Field(pattern=r"^H\d{2}$")
    title: str
    cause: str
    effect: str
    harm: str
    initial: Risk
    controls: tuple[Control, ...] = Field(min_length=1)
    residual: Risk
    residual_reason: str


class RiskMatrix(Strict):
    """Risk rating 1 (very low) to 5 (very high) by likelihood, then severity."""

    source: str
    ratings: dict[str, dict[str, int]]

    @field_validator("ratings")
    @classmethod
    def _complete(cls, ratings: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
        for likelihood in LIKELIHOODS:
            row = ratings.get(likelihood, {})
            if sorted(row) != sorted(SEVERITIES):
                raise ValueError(f"risk matrix row {likelihood!r} must rate every severity")
        return ratings

    def rate(self, risk: Risk) -> int:
        return self.ratings[risk.likelihood][risk.severity]


class HazardLog(Strict):
    version: int
    standard: str
    risk_matrix: RiskMatrix
    hazards: tuple[Hazard, ...] = Field(min_length=1)

    @field_validator("hazards")
    @classmethod
    def _unique_ids(cls, hazards: tuple[Hazard, ...]) -> tuple[Hazard, ...]:
        ids = [h.id for h in hazards] + [c.id for h in hazards for c in h.controls]
        doubles = sorted({i for i in ids if ids.count(i) > 1})
        if doubles:
            raise ValueError(f"ids listed twice: {doubles}")
        return hazards

    @cached_property
    def test_ids(self) -> tuple[str, ...]:
        """Every referenced pytest node id, once, in log order."""
        return tuple(dict.fromkeys(t for h in self.hazards for c in h.controls for t in c.tests))


def load_hazard_log(root: Path) -> HazardLog:
    path = root / LOG_PATH
    return HazardLog.model_validate(parse_yaml(path.read_text("utf-8")))
