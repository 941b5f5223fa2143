"""Scoring of the validated instruments: pure functions over one person's answers.

A missing item is never guessed.  An instrument with a missing scored item is reported
as incomplete, with the missing items, and ``score`` is ``None``.  What the answered items
already prove is still reported: ``points`` is a floor and ``max_possible`` a ceiling, so
a cut-off is ``met`` True or False only when the missing items could not change it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, RootModel

from nervetjek.construct import trusted
from nervetjek.datafiles import check_schema, package_text, parse_yaml, plain
from nervetjek.intake.bank import ItemBank, Text, load_item_bank


@dataclass(frozen=True)
class Cutoff:
    id: str
    at_least: int
    label: Text
    source: str


@dataclass(frozen=True)
class InstrumentDefinition:
    id: str
    name: Text
    purpose: Text
    citation: str
    max_score: int
    cutoffs: tuple[Cutoff, ...]
    below_label: Text
    # item number -> (answer key, answer that scores, weight); unscored items left out
    scored_items: Mapping[int, tuple[str, bool, int]]
    unscored_items: Mapping[int, str]
    # The patterns for which the person is shown this score (the clinic sees it always).
    patient_patterns: frozenset[str] = frozenset()

    @cached_property
    def scoring(self) -> tuple[tuple[str, bool, int, MissingItem], ...]:
        """The scored items as `score_instrument` reads them: (answer key, answer that
        scores, weight, the item as reported when it is missing), in item order."""
        return tuple(
            (key, scores_on, weight, _missing_item(number, key))
            for number, (key, scores_on, weight) in self.scored_items.items()
        )

    @cached_property
    def cutoff_results(self) -> tuple[tuple[int, dict[bool | None, CutoffResult]], ...]:
        """Per cut-off, its threshold and its three possible results (met, not, unknown)."""
        return tuple(
            (
                c.at_least,
                {met: _cutoff_result(c.id, c.at_least, met) for met in (True, False, None)},
            )
            for c in self.cutoffs
        )


class CutoffResult(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    at_least: int
    met: bool | None = Field(description="null: the missing items decide")


class MissingItem(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    item: int = Field(description="The item number in the published instrument")
    key: str = Field(description="The answer key")


# The results are few and immutable: each is made once per process and shared.
@cache
def _missing_item(number: int, key: str) -> MissingItem:
    return MissingItem(item=number, key=key)


@cache
def _cutoff_result(cutoff_id: str, at_least: int, met: bool | None) -> CutoffResult:
    return CutoffResult(id=cutoff_id, at_least=at_least, met=met)


class InstrumentScore(BaseModel):
    """One instrument's score; names, texts and sources come from instruments.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    complete: bool
    score: int | None = Field(description="Only when every scored item is answered")
    points: int = Field(description="Points from the answered items (a floor)")
    max_possible: int = Field(description="Points if every missing item scored (a ceiling)")
    max_score: int
    missing: tuple[MissingItem, ...]
    cutoffs: tuple[CutoffResult, ...]

    @property
    def definition(self) -> InstrumentDefinition:
        return load_instruments()[self.id]

    @property
    def name(self) -> Text:
        return self.definition.name

    @property
    def citation(self) -> str:
        return self.definition.citation

    def cutoff_label(self, cutoff_id: str) -> Text:
        return next(c.label for c in self.definition.cutoffs if c.id == cutoff_id)

    @property
    def interpretation(self) -> Text | None:
        """The strongest cut-off that is certainly met, or the 'below' text if none can be."""
        met = [c for c in self.cutoffs if c.met is True]
        if met:
            return self.cutoff_label(met[-1].id)
        if all(c.met is False for c in self.cutoffs):
            return self.definition.below_label
        return None


def _definition(instrument_id: str, raw: Mapping[str, Any], bank: ItemBank) -> InstrumentDefinition:
    uses = bank.instrument_items(instrument_id)
    numbers = set(range(1, raw["items"] + 1))
    if set(uses) != numbers:
        raise ValueError(
            f"{instrument_id}: item bank maps items {sorted(uses)}, expected 1..{raw['items']}"
        )
    unscored = set(raw.get("unscored", ()))
    weights = raw.get("weights") or {}
    scored = {
        n: (item.key, use.scores_on, int(weights.get(n, 1)))
        for n, (item, use) in uses.items()
        if n not in unscored
    }
    if sum(w for _, _, w in scored.values()) != raw["max_score"]:
        raise ValueError(f"{instrument_id}: weights do not add up to max_score")
    return InstrumentDefinition(
        id=instrument_id,
        name=Text.of(raw["name"]),
        purpose=Text.of(raw["purpose"]),
        citation=" ".join(raw["citation"].split()),
        max_score=raw["max_score"],
        cutoffs=tuple(
            Cutoff(c["id"], c["at_least"], Text.of(c["label"]), " ".join(c["source"].split()))
            for c in raw["cutoffs"]
        ),
        below_label=Text.of(raw["below_label"]),
        scored_items=scored,
        unscored_items={n: uses[n][0].key for n in sorted(unscored)},
        patient_patterns=frozenset(raw["shown_to_patient_for"]["patterns"]),
    )


# ---------------------------------------------------------------------------- schema
# The shape of instruments.yaml: a misspelt key is refused with its file and line.


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _TextSpec(_Strict):
    da: str
    en: str


class _CutoffSpec(_Strict):
    id: str
    at_least: int
    label: _TextSpec
    source: str


class _ShownSpec(_Strict):
    patterns: list[str]
    reason: str
    source: str


class _InstrumentSpec(_Strict):
    name: _TextSpec
    purpose: _TextSpec
    citation: str
    items: int
    unscored: list[int] = []
    weights: dict[int, int] = {}
    max_score: int
    cutoffs: list[_CutoffSpec]
    below_label: _TextSpec
    shown_to_patient_for: _ShownSpec


class _InstrumentsSpec(RootModel[dict[str, _InstrumentSpec]]):
    pass


def parse_instruments_yaml(text: str) -> Mapping[str, Any]:
    """instruments.yaml, checked against its schema (file and line of any unknown key)."""
    source = "instruments/instruments.yaml"
    raw = parse_yaml(text, source, keep_lines=True)
    check_schema(_InstrumentsSpec, raw, source)
    return plain(raw)


@cache
def load_instruments() -> dict[str, InstrumentDefinition]:
    raw = parse_instruments_yaml(package_text("nervetjek.instruments", "instruments.yaml"))
    bank = load_item_bank()
    return {key: _definition(key, entry, bank) for key, entry in raw.items()}


def score_instrument(
    definition: InstrumentDefinition, answers: Mapping[str, Any]
) -> InstrumentScore:
    points = 0
    open_weight = 0
    missing = []
    get = answers.get
    for key, scores_on, weight, missing_item in definition.scoring:
        value = get(key)
        if value is None:
            missing.append(missing_item)
            open_weight += weight
        elif value is scores_on:
            points += weight
    ceiling = points + open_weight
    cutoffs = tuple(
        [
            results[True if points >= at_least else False if ceiling < at_least else None]
            for at_least, results in definition.cutoff_results
        ]
    )
    return trusted(
        InstrumentScore,
        id=definition.id,
        complete=not missing,
        score=None if missing else points,
        points=points,
        max_possible=ceiling,
        max_score=definition.max_score,
        missing=tuple(missing),
        cutoffs=cutoffs,
    )


def score_all(answers: Mapping[str, Any]) -> dict[str, InstrumentScore]:
    return {key: score_instrument(d, answers) for key, d in load_instruments().items()}


def score_dn4(answers: Mapping[str, Any]) -> InstrumentScore:
    """DN4 interview (Bouhassira 2005): 7 yes/no items, positive at 3 or more."""
    return score_instrument(load_instruments()["DN4"], answers)


def score_mnsi(answers: Mapping[str, Any]) -> InstrumentScore:
    """MNSI questionnaire (Feldman 1994): 13 scored items; items 7 and 13 score on no."""
    return score_instrument(load_instruments()["MNSI"], answers)


def score_slanss(answers: Mapping[str, Any]) -> InstrumentScore:
    """S-LANSS (Bennett 2005): 7 weighted items, 24 points, positive at 12 or more."""
    return score_instrument(load_instruments()["S-LANSS"], answers)
