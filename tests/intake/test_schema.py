"""The generated schema must stay compatible with the shared clinical contract."""

import json

import jsonschema
import pytest

from nervetjek.intake import build_intake_schema, load_item_bank
from nervetjek.paths import shared_dir

COMPARED = (
    "type",
    "enum",
    "minimum",
    "maximum",
    "maxLength",
    "items",
    "uniqueItems",
    "x-section",
    "x-instrument-items",
)


@pytest.fixture(scope="module")
def contract():
    return json.loads((shared_dir() / "spec" / "intake-v1.schema.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def ours():
    return build_intake_schema()


def test_same_keys(contract, ours):
    assert set(ours["properties"]) == set(contract["properties"])


def test_same_types_enums_ranges_sections_and_instrument_items(contract, ours):
    for key, spec in contract["properties"].items():
        mine = ours["properties"][key]
        for field in COMPARED:
            assert mine.get(field) == spec.get(field), f"{key}.{field}"


@pytest.mark.parametrize("name", ["region", "triage_level", "pattern"])
def test_same_vocabularies(contract, ours, name):
    assert ours["$defs"][name]["enum"] == contract["$defs"][name]["enum"]


def test_strictness_matches(contract, ours):
    assert ours["additionalProperties"] is False
    assert contract["additionalProperties"] is False
    assert ours["type"] == contract["type"] == "object"


def test_generated_schema_is_a_valid_schema(ours):
    jsonschema.Draft202012Validator.check_schema(ours)


def test_dev_vignettes_validate_against_both_schemas(contract, ours):
    lines = (shared_dir() / "vignettes" / "dev.jsonl").read_text("utf-8").splitlines()
    for line in lines:
        answers = json.loads(line)["answers"]
        jsonschema.validate(answers, contract)
        jsonschema.validate(answers, ours)


def test_every_item_has_danish_and_english_text():
    for item in load_item_bank().items.values():
        assert item.text.da.strip() and item.text.en.strip(), item.key
        assert item.text.da != item.text.en, item.key
