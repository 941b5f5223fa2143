"""Result models built with `construct.trusted` are the models validation would make."""

from __future__ import annotations

import json

import pytest
from pydantic import BaseModel

from nervetjek.engine import assess
from nervetjek.engine.result import Assessment, PatternResult, RedFlag, TriageReason
from nervetjek.instruments import InstrumentScore
from nervetjek.paths import shared_dir


def _vignettes() -> list[dict]:
    lines = (shared_dir() / "vignettes" / "dev.jsonl").read_text("utf-8").splitlines()
    return [json.loads(line)["answers"] for line in lines]


def _validated(model: BaseModel) -> BaseModel:
    """The same model made by validating its field values."""
    cls = type(model)
    return cls(**{name: getattr(model, name) for name in cls.model_fields})


def _same(built: BaseModel, validated: BaseModel) -> None:
    assert built == validated
    assert repr(built) == repr(validated)
    assert built.model_dump_json(by_alias=True) == validated.model_dump_json(by_alias=True)
    assert built.model_fields_set == validated.model_fields_set
    # pydantic's own copy with an update works on it as on a validated model
    assert built.model_copy(update={}) == validated


@pytest.mark.parametrize("cls", [Assessment, PatternResult, TriageReason, RedFlag, InstrumentScore])
def test_the_trusted_models_have_nothing_trusted_would_skip(cls: type[BaseModel]):
    assert not cls.__pydantic_post_init__
    assert not cls.__private_attributes__
    assert cls.model_config.get("extra") != "allow"


def test_every_part_equals_the_validated_model():
    parts = 0
    for answers in _vignettes():
        result = assess(answers)
        _same(result, _validated(result))
        built = [
            *result.patterns,
            *result.triage_reasons,
            *result.red_flags,
            *result.instruments.values(),
        ]
        for part in built:
            _same(part, _validated(part))
            parts += 1
    assert parts > 48 * 14
