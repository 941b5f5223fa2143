"""Generate the intake JSON Schema from the item bank (never written by hand)."""

from __future__ import annotations

from typing import Any

from nervetjek.intake.bank import Item, ItemBank, load_item_bank
from nervetjek.intake.outcomes import Outcomes, load_outcomes

SCHEMA_ID = "intake-v1.schema.json"


def _instrument_tags(item: Item) -> list[str]:
    return [
        f"{use.instrument}:{use.number}" + ("" if use.scores_on else " (no scores)")
        for use in item.instruments
    ]


def _property(item: Item) -> dict[str, Any]:
    prop: dict[str, Any]
    match item.type:
        case "boolean":
            prop = {"type": "boolean"}
        case "integer":
            prop = {"type": "integer", "minimum": item.minimum, "maximum": item.maximum}
        case "choice":
            prop = {"enum": list(item.options)}
        case "regions":
            prop = {"type": "array", "uniqueItems": True, "items": {"$ref": "#/$defs/region"}}
        case "text":
            prop = {"type": "string", "maxLength": item.max_length}
    prop["description"] = item.text.en
    prop["x-question-da"] = item.text.da
    prop["x-section"] = item.section
    if item.instruments:
        prop["x-instrument-items"] = _instrument_tags(item)
    return prop


def build_intake_schema(
    bank: ItemBank | None = None, outcomes: Outcomes | None = None
) -> dict[str, Any]:
    bank = bank or load_item_bank()
    outcomes = outcomes or load_outcomes()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "Leg nerve symptom intake, version 1 (Nervetjek item bank)",
        "description": "Answers of one person. Every key is optional: an absent key means "
        "'not answered'. Unknown keys are an error.",
        "type": "object",
        "additionalProperties": False,
        "properties": {key: _property(item) for key, item in bank.items.items()},
        "$defs": {
            "region": {"enum": bank.regions},
            "triage_level": {
                "enum": outcomes.level_ids,
                "x-meaning": {lvl.id: lvl.action.en for lvl in outcomes.levels.values()},
            },
            "pattern": {
                "enum": outcomes.pattern_ids,
                "x-meaning": {p.id: p.name.en for p in outcomes.patterns.values()},
            },
        },
    }
