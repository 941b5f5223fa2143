"""Load and check ``interview.yaml``: the warning screens, the core questions, the weights."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from nervetjek.datafiles import package_yaml
from nervetjek.intake import load_item_bank, load_outcomes
from nervetjek.intake.bank import Text


class PlanError(ValueError):
    """interview.yaml is inconsistent with the item bank (a data bug)."""


@dataclass(frozen=True)
class WarningScreen:
    id: str
    keys: tuple[str, ...]
    title: Text


@dataclass(frozen=True)
class InstrumentRule:
    instrument: str
    patterns: frozenset[str]
    min_probability: float


@dataclass(frozen=True)
class Plan:
    warning_screens: tuple[WarningScreen, ...]
    core: tuple[str, ...]
    max_screen_size: int
    under_triage_cost: float
    over_triage_cost: float
    pattern_weight: float
    min_value: float
    settled_probability: float
    min_answer_probability: float
    max_questions: int
    typical_adaptive_questions: int
    number_values: Mapping[str, tuple[int, ...]]
    instruments: tuple[InstrumentRule, ...]

    @property
    def warning_keys(self) -> tuple[str, ...]:
        """Every question asked before any result (unless an answer sets emergency)."""
        return tuple(key for screen in self.warning_screens for key in screen.keys)


def _check_keys(keys, where: str) -> tuple[str, ...]:
    bank = load_item_bank()
    unknown = [k for k in keys if k not in bank.items]
    if unknown:
        raise PlanError(f"interview.yaml {where}: unknown item keys {unknown}")
    return tuple(keys)


def parse_plan(raw: Mapping) -> Plan:
    choice = raw["choice"]
    for name in ("cost", "pattern_weight", "min_value", "settled_probability"):
        if not str(choice.get(f"{name}_reason", "")).strip():
            raise PlanError(f"interview.yaml choice: {name} needs a reason")
    screens = tuple(
        WarningScreen(s["id"], _check_keys(s["keys"], s["id"]), Text.of(s["title"]))
        for s in raw["warning_screens"]
    )
    patterns = set(load_outcomes().pattern_ids)
    instruments = []
    for name, spec in raw["instruments"].items():
        if not set(spec["patterns"]) <= patterns or not spec.get("reason"):
            raise PlanError(f"interview.yaml instrument {name}: unknown patterns or no reason")
        instruments.append(
            InstrumentRule(name, frozenset(spec["patterns"]), float(spec["min_probability"]))
        )
    return Plan(
        warning_screens=screens,
        core=_check_keys(raw["core"]["keys"], "core"),
        max_screen_size=int(raw["max_screen_size"]),
        under_triage_cost=float(choice["under_triage_cost"]),
        over_triage_cost=float(choice["over_triage_cost"]),
        pattern_weight=float(choice["pattern_weight"]),
        min_value=float(choice["min_value"]),
        settled_probability=float(choice["settled_probability"]),
        min_answer_probability=float(choice["min_answer_probability"]),
        max_questions=int(choice["max_questions"]),
        typical_adaptive_questions=int(choice["typical_adaptive_questions"]),
        number_values={
            key: tuple(values)
            for key, values in zip(
                _check_keys(raw["number_values"], "number_values"),
                raw["number_values"].values(),
                strict=True,
            )
        },
        instruments=tuple(instruments),
    )


@cache
def load_plan() -> Plan:
    return parse_plan(package_yaml("nervetjek.interview", "interview.yaml"))
