"""The assessment: what the engine returns, with both languages inside."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from nervetjek.instruments import InstrumentScore
from nervetjek.intake.bank import Text

DISCLAIMER = Text(
    da="Nervetjek giver vejledning, ikke en diagnose. Kun en læge eller fysioterapeut, der "
    "undersøger dig, kan stille en diagnose. Bliver du værre, så søg hjælp med det samme.",
    en="Nervetjek gives guidance, not a diagnosis. Only a doctor or physiotherapist who "
    "examines you can make a diagnosis. If you get worse, seek help straight away.",
)


@dataclass(frozen=True)
class Evidence:
    """One feature's pull on one pattern: ratio > 1 argues for it, < 1 against it."""

    feature: str
    value: str  # "yes", "no" or the category value
    ratio: float  # P(observation | pattern) / P(observation | the other patterns)
    label: Text
    keys: tuple[str, ...]  # the answers behind the feature

    def as_dict(self) -> dict[str, Any]:
        return {
            "feature": self.feature,
            "value": self.value,
            "ratio": round(self.ratio, 3),
            "answers": list(self.keys),
            "label": vars(self.label),
        }


@dataclass(frozen=True)
class PatternResult:
    """One pattern's probability; the evidence for and against is worked out on demand."""

    id: str
    probability: float
    explain: Callable[[], tuple[tuple[Evidence, ...], tuple[Evidence, ...]]] = field(
        repr=False, compare=False
    )

    @cached_property
    def _evidence(self) -> tuple[tuple[Evidence, ...], tuple[Evidence, ...]]:
        return self.explain()

    @property
    def supporting(self) -> tuple[Evidence, ...]:
        return self._evidence[0]

    @property
    def opposing(self) -> tuple[Evidence, ...]:
        return self._evidence[1]

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "probability": round(self.probability, 4),
            "for": [e.as_dict() for e in self.supporting],
            "against": [e.as_dict() for e in self.opposing],
        }


@dataclass(frozen=True)
class TriageReason:
    """A rule that set or raised the level, and the answers that made it apply."""

    rule: str
    # pattern_default | pattern_exception | self_care | unrecognised | escalation | safety_floor
    kind: str
    level: str
    answers: tuple[str, ...]
    why: Text
    source: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "kind": self.kind,
            "level": self.level,
            "answers": list(self.answers),
            "why": vars(self.why),
            "source": self.source,
        }


@dataclass(frozen=True)
class RedFlag:
    key: str
    statement: Text
    rules: tuple[str, ...]  # the escalation rules it took part in

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "rules": list(self.rules), "statement": vars(self.statement)}


@dataclass(frozen=True)
class NextStep:
    id: str
    kind: str
    text: Text
    see: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "text": vars(self.text), "see": self.see}


@dataclass(frozen=True)
class Assessment:
    triage: str
    triage_reasons: tuple[TriageReason, ...]  # the decisive reason(s) first
    recognised: bool
    patterns: tuple[PatternResult, ...]  # all patterns, most likely first
    red_flags: tuple[RedFlag, ...]
    instruments: dict[str, InstrumentScore]
    next_steps: tuple[NextStep, ...]
    answers: dict[str, Any]
    engine_version: str
    ruleset_version: str

    @property
    def pattern_ids(self) -> list[str]:
        return [p.id for p in self.patterns]

    @property
    def top_pattern(self) -> PatternResult | None:
        return self.patterns[0] if self.recognised else None

    def steps(self, kind: str) -> list[NextStep]:
        return [s for s in self.next_steps if s.kind == kind]

    def as_dict(self) -> dict[str, Any]:
        return {
            "triage": self.triage,
            "patterns": self.pattern_ids,
            "recognised": self.recognised,
            "triage_reasons": [r.as_dict() for r in self.triage_reasons],
            "pattern_scores": [p.as_dict() for p in self.patterns],
            "red_flags": [f.as_dict() for f in self.red_flags],
            "instruments": {k: v.as_dict() for k, v in self.instruments.items()},
            "next_steps": [s.as_dict() for s in self.next_steps],
            "engine_version": self.engine_version,
            "ruleset_version": self.ruleset_version,
            "disclaimer": vars(DISCLAIMER),
        }
