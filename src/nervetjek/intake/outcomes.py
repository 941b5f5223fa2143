"""The outcome vocabulary: urgency levels (most urgent first) and patterns."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from nervetjek.datafiles import package_yaml
from nervetjek.intake.bank import Text


@dataclass(frozen=True)
class Level:
    id: str
    rank: int  # 0 is the most urgent
    label: Text
    action: Text


@dataclass(frozen=True)
class Pattern:
    id: str
    name: Text
    plain: Text
    article: str  # slug of our patient-information article


@dataclass(frozen=True)
class Outcomes:
    levels: dict[str, Level]
    patterns: dict[str, Pattern]

    @property
    def level_ids(self) -> list[str]:
        return list(self.levels)

    @property
    def pattern_ids(self) -> list[str]:
        return list(self.patterns)


@cache
def load_outcomes() -> Outcomes:
    raw = package_yaml("nervetjek.intake", "outcomes.yaml")
    levels = {
        entry["id"]: Level(entry["id"], rank, Text.of(entry["label"]), Text.of(entry["action"]))
        for rank, entry in enumerate(raw["levels"])
    }
    patterns = {
        entry["id"]: Pattern(
            entry["id"], Text.of(entry["name"]), Text.of(entry["plain"]), entry["article"]
        )
        for entry in raw["patterns"]
    }
    return Outcomes(levels, patterns)
