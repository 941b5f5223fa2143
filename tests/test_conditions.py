import pytest

from nervetjek.conditions import ConditionError, ConditionSet, Facts, Vocabulary

VOCAB = Vocabulary(
    keys=frozenset({"a", "b", "age", "trend", "locations"}),
    regions=frozenset({"calf", "foot_sole", "toes", "lower_back"}),
)


def evaluate(spec, answers, named=None):
    return ConditionSet(VOCAB, named).compile(spec).evaluate(Facts.of(answers))


@pytest.mark.parametrize(
    ("answers", "expected"), [({"a": True}, True), ({"a": False}, False), ({}, None)]
)
def test_yes_is_three_valued(answers, expected):
    assert evaluate({"yes": "a"}, answers) is expected


def test_no_is_true_only_for_an_answered_false():
    assert evaluate({"no": "a"}, {"a": False}) is True
    assert evaluate({"no": "a"}, {}) is None


def test_all_is_false_if_any_part_is_false_even_with_unknowns():
    assert evaluate({"all": [{"yes": "a"}, {"yes": "b"}]}, {"a": False}) is False
    assert evaluate({"all": [{"yes": "a"}, {"yes": "b"}]}, {"a": True}) is None
    assert evaluate({"all": [{"yes": "a"}, {"yes": "b"}]}, {"a": True, "b": True}) is True


def test_any_is_true_if_any_part_is_true_even_with_unknowns():
    assert evaluate({"any": [{"yes": "a"}, {"yes": "b"}]}, {"b": True}) is True
    assert evaluate({"any": [{"yes": "a"}, {"yes": "b"}]}, {"b": False}) is None
    assert evaluate({"any": [{"yes": "a"}, {"yes": "b"}]}, {"a": False, "b": False}) is False


def test_differs_counts_a_missing_answer_as_different():
    assert evaluate({"differs": ["trend", "better"]}, {}) is True
    assert evaluate({"differs": ["trend", "better"]}, {"trend": "same"}) is True
    assert evaluate({"differs": ["trend", "better"]}, {"trend": "better"}) is False


def test_or_unknown_is_only_false_when_known_false():
    assert evaluate({"or_unknown": {"yes": "a"}}, {}) is True
    assert evaluate({"or_unknown": {"yes": "a"}}, {"a": False}) is False


def test_comparisons_and_between():
    assert evaluate({"cmp": ["age", "<", 18]}, {"age": 17}) is True
    assert evaluate({"cmp": ["age", "<", 18]}, {"age": 18}) is False
    assert evaluate({"between": ["age", 18, 39]}, {"age": 39}) is True
    assert evaluate({"between": ["age", 18, 39]}, {}) is None


def test_regions_are_side_free_and_both_sides_needs_both():
    answers = {"locations": ["left.calf", "right.toes", "lower_back"]}
    assert evaluate({"region": ["calf"]}, answers) is True
    assert evaluate({"both_sides": ["calf", "toes"]}, answers) is True
    assert evaluate({"both_sides": ["calf"]}, answers) is False
    assert evaluate({"only_regions": ["calf", "toes"]}, answers) is False
    assert evaluate({"region": ["calf"]}, {}) is None
    assert evaluate({"only_regions": ["calf"]}, {"locations": []}) is False


def test_at_least_counts_yes_and_knows_when_unknowns_cannot_reach():
    assert evaluate({"at_least": [2, ["a", "b"]]}, {"a": True, "b": True}) is True
    assert evaluate({"at_least": [2, ["a", "b"]]}, {"a": True}) is None
    assert evaluate({"at_least": [2, ["a", "b"]]}, {"a": False}) is False


def test_named_conditions_and_evidence():
    named = {"both": {"all": [{"yes": "a"}, {"yes": "b"}]}}
    condition = ConditionSet(VOCAB, named).compile({"ref": "both"})
    facts = Facts.of({"a": True, "b": True})
    assert condition.evaluate(facts) is True
    assert condition.evidence(facts) == ["a", "b"]


@pytest.mark.parametrize(
    "spec",
    [
        {"yes": "unknown_key"},
        {"region": ["elbow"]},
        {"cmp": ["age", "~", 3]},
        {"ref": "nowhere"},
        {"nonsense": 1},
        {"yes": "a", "no": "b"},
        {"level": ["emergency"]},
    ],
)
def test_malformed_conditions_fail_at_load_time(spec):
    with pytest.raises(ConditionError):
        ConditionSet(VOCAB).compile(spec)


def test_self_reference_is_reported():
    conditions = ConditionSet(VOCAB, {"loop": {"ref": "loop"}})
    with pytest.raises(ConditionError, match="itself"):
        conditions.compile_all()
