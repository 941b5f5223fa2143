"""The one typed result: its JSON reads back into the same model, strictly."""

from __future__ import annotations

import pytest
from pydantic import ValidationError
from tests.fhir.helpers import vignettes

from nervetjek.engine import Assessment, assess
from nervetjek.engine.result import shown_percent


@pytest.mark.parametrize("vignette", vignettes(), ids=lambda v: v["id"])
def test_stored_json_reads_back_to_the_same_assessment(vignette):
    result = assess(vignette["answers"])
    stored = result.as_dict()
    again = Assessment.model_validate({**stored, "answers": result.answers})
    assert again.as_dict() == stored
    assert again.triage == result.triage
    assert [p.id for p in again.patterns] == stored["patterns"]
    assert again.top_pattern == (again.patterns[0] if again.recognised else None)


@pytest.mark.parametrize("vignette", vignettes(), ids=lambda v: v["id"])
def test_the_api_json_is_byte_for_byte_the_models_json(vignette):
    result = assess(vignette["answers"])
    assert result.json_bytes() == result.model_dump_json(by_alias=True).encode()
    # Read back from the store, none of its parts is shared: the same bytes still.
    again = Assessment.model_validate({**result.as_dict(), "answers": result.answers})
    assert again.json_bytes() == result.json_bytes()


def test_an_unknown_key_in_stored_json_is_refused():
    stored = assess({"back_pain": True, "age": 40}).as_dict()
    stored["triage_reasons"][0]["exeptions"] = []
    with pytest.raises(ValidationError, match="exeptions"):
        Assessment.model_validate(stored)


def test_the_result_is_frozen():
    result = assess({"back_pain": True})
    with pytest.raises(ValidationError):
        result.triage = "self_care"


@pytest.mark.parametrize(
    ("probability", "shown"),
    [
        (0.0, ("under", 10)),
        (0.074, ("under", 10)),
        (0.075, ("about", 10)),
        (0.424, ("about", 40)),
        (0.426, ("about", 45)),
        (0.924, ("about", 90)),
        (0.93, ("over", 90)),
        (1.0, ("over", 90)),
    ],
)
def test_probabilities_are_shown_rounded_to_5_and_never_0_or_100(probability, shown):
    assert shown_percent(probability) == shown
