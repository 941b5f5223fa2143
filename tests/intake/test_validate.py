import pytest

from nervetjek.intake import IntakeError, validate_answers


def problems(raw):
    with pytest.raises(IntakeError) as info:
        validate_answers(raw)
    return {p.key: p.message for p in info.value.problems}


def test_valid_answers_pass_unchanged():
    raw = {"age": 42, "back_pain": True, "locations": ["lower_back", "left.calf"], "trend": "same"}
    assert validate_answers(raw) == raw


def test_empty_answers_are_valid():
    assert validate_answers({}) == {}


def test_unknown_key_is_named():
    assert "unknown key" in problems({"agee": 40})["agee"]


@pytest.mark.parametrize(
    ("key", "value", "needle"),
    [
        ("back_pain", 0, "true or false"),
        ("back_pain", "yes", "true or false"),
        ("age", "3", "whole number"),
        ("age", False, "whole number"),
        ("age", 3.0, "whole number"),
        ("age", 121, "from 0 to 120"),
        ("pain_intensity", -1, "from 0 to 10"),
        ("trend", "improving", '"better", "same", "worse"'),
        ("free_text", 5, "text"),
        ("free_text", "x" * 2001, "at most 2000"),
        ("locations", "left.calf", "list"),
        ("back_pain", None, "null"),
    ],
)
def test_wrong_types_and_values_name_the_key_and_what_is_allowed(key, value, needle):
    assert needle in problems({key: value})[key]


def test_strict_false_is_not_zero_and_string_is_not_number():
    assert "true or false" in problems({"numbness": 0})["numbness"]
    assert "whole number" in problems({"duration_days": "14"})["duration_days"]


@pytest.mark.parametrize(
    ("code", "needle"),
    [
        ("calf", "needs a side: use 'left.calf' or 'right.calf'"),
        ("left.lower_back", "has no side"),
        ("middle.calf", "side must be 'left' or 'right'"),
        ("left.elbow", "unknown region"),
    ],
)
def test_region_problems_are_explained(code, needle):
    assert needle in problems({"locations": [code]})["locations"]


def test_duplicate_region_is_an_error():
    assert "twice" in problems({"locations": ["left.calf", "left.calf"]})["locations"]


def test_contradictory_follow_up_is_an_error():
    message = problems({"leg_weakness": False, "weakness_sudden": True})["weakness_sudden"]
    assert "leg_weakness is false" in message


def test_not_an_object():
    assert "(answers)" in problems([1, 2])


def test_every_problem_is_reported_at_once():
    assert set(problems({"age": "x", "trend": 1, "nope": True})) == {"age", "trend", "nope"}


def test_error_serialises_for_apis():
    with pytest.raises(IntakeError) as info:
        validate_answers({"age": "x"})
    body = info.value.as_dict()
    assert body["error"] == "invalid_intake"
    assert body["problems"][0]["key"] == "age"
