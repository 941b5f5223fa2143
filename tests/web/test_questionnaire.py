"""The questionnaire's pure functions: what to ask, parsing forms, pruning answers."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from nervetjek.intake import load_item_bank, validate_answers
from nervetjek.web import questionnaire as q

BANK = load_item_bank()


def page(page_id):
    return BANK.page(page_id)


def keys(items):
    return [item.key for item in items]


# ------------------------------------------------------------------- what is asked


def test_the_first_page_is_the_warning_page():
    assert q.next_page(None, {}).id == "warning"


def test_follow_ups_are_shown_until_the_lead_question_says_no():
    warning = page("warning")
    assert "weakness_sudden" in keys(q.asked_items(warning, {}))
    assert "weakness_sudden" in keys(q.asked_items(warning, {"leg_weakness": True}))
    assert "weakness_sudden" not in keys(q.asked_items(warning, {"leg_weakness": False}))


def test_a_follow_up_never_hides_itself():
    # The feet page is asked when both feet are affected or diabetes is present; its own
    # answers must not switch the page off once the person has answered it.
    answers = {"locations": ["left.toes", "right.toes"], "diabetes": False}
    feet = page("feet")
    shown = keys(q.asked_items(feet, answers))
    assert "diagnosed_diabetic_neuropathy" in shown
    answered = {**answers, "diagnosed_diabetic_neuropathy": False, "can_tell_hot_cold": True}
    assert keys(q.asked_items(feet, answered)) == shown


def test_the_feet_page_is_skipped_when_it_cannot_matter():
    answers = {"locations": ["right.calf"], "diabetes": False}
    assert "feet" not in [p.id for p in q.applicable_pages(answers)]
    assert "feet" in [p.id for p in q.applicable_pages({"locations": ["right.calf"]})]


def test_pages_come_in_item_bank_order_with_steps():
    pages = [p.id for p in q.applicable_pages({})]
    assert pages == [p.id for p in BANK.pages]
    assert q.page_position("warning", {}) == (1, len(pages))
    assert q.page_position("risk", {}) == (2, len(pages))
    assert q.previous_page("risk", {}).id == "warning"
    assert q.previous_page("warning", {}) is None
    assert q.next_page("feet", {}) is None


def test_first_unseen_page():
    assert q.first_unseen_page({}, ["warning", "risk"]).id == "about"
    assert q.first_unseen_page({}, [p.id for p in BANK.pages]) is None


def test_prune_drops_answers_to_questions_no_longer_asked():
    answers = {"leg_weakness": False, "weakness_sudden": True, "sex": "male", "pregnant": False}
    pruned, unknown = q.prune(answers, {"weakness_worsening", "age"})
    assert pruned == {"leg_weakness": False, "sex": "male"}
    assert unknown == {"age"}
    validate_answers(pruned)


# ------------------------------------------------------------------------ parsing


def test_yes_no_and_dont_know():
    warning = page("warning")
    form = MultiDict({"leg_weakness": "yes", "foot_drop": "no", "band_rash": "unknown"})
    result = q.parse_page(warning, form, {"band_rash": True})
    assert result.errors == []
    assert result.answers["leg_weakness"] is True
    assert result.answers["foot_drop"] is False
    # "Ved ikke" removes an earlier answer and is remembered as "don't know".
    assert "band_rash" not in result.answers
    assert result.unknown == {"band_rash"}
    # Questions left blank stay unanswered.
    assert "leg_cold_pale" not in result.answers


def test_a_no_to_the_lead_question_drops_its_follow_ups():
    warning = page("warning")
    form = MultiDict({"leg_weakness": "no", "weakness_sudden": "yes"})
    result = q.parse_page(warning, form, {})
    assert result.errors == []
    assert "weakness_sudden" not in result.answers


@pytest.mark.parametrize(
    ("number", "unit", "days"),
    [
        ("3", "days", 3),
        ("2", "weeks", 14),
        ("1,5", "weeks", 11),
        ("3", "months", 90),
        ("2", "years", 730),
    ],
)
def test_duration_is_converted_to_days(number, unit, days):
    form = MultiDict({"duration_days": number, "duration_days__unit": unit})
    result = q.parse_page(page("course"), form, {})
    assert result.errors == []
    assert result.answers["duration_days"] == days


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        ({"duration_days": "tre", "duration_days__unit": "days"}, "f-duration_days", "med et tal"),
        ({"duration_days": "3"}, "f-duration_days-unit", "Vælg dage"),
        ({"duration_days": "101", "duration_days__unit": "years"}, "f-duration_days", "100 år"),
    ],
)
def test_duration_errors(form, field, message):
    result = q.parse_page(page("course"), MultiDict(form), {"trend": "better"})
    assert [e.field for e in result.errors] == [field]
    assert message in result.errors[0].message
    assert result.answers == {"trend": "better"}  # nothing changes while there are errors


def test_duration_is_shown_in_the_largest_exact_unit():
    assert q.duration_parts(14) == (2, "weeks")
    assert q.duration_parts(90) == (3, "months")
    assert q.duration_parts(730) == (2, "years")
    assert q.duration_parts(10) == (10, "days")
    assert q.duration_parts(0) == (0, "days")


@pytest.mark.parametrize(
    ("value", "message", "params"),
    [
        ("fyrre", "Skriv din alder som et helt tal, for eksempel 47.", {}),
        ("42.5", "Skriv din alder som et helt tal, for eksempel 47.", {}),
        ("130", "Skriv en alder fra %(min)s til %(max)s år.", {"min": 0, "max": 120}),
    ],
)
def test_age_errors(value, message, params):
    result = q.parse_page(page("about"), MultiDict({"age": value}), {})
    (error,) = result.errors
    assert (error.key, error.field, error.message, dict(error.params)) == (
        "age",
        "f-age",
        message,
        params,
    )
    assert result.values["age"] == value  # shown again as typed


def test_age_and_choices():
    form = MultiDict({"age": " 47 ", "sex": "female", "pregnant": "no"})
    result = q.parse_page(page("about"), form, {})
    assert result.answers == {"age": 47, "sex": "female", "pregnant": False}


def test_tampered_choice_and_scale_values_are_errors():
    assert q.parse_page(page("about"), MultiDict({"sex": "robot"}), {}).errors[0].key == "sex"
    where = page("where")
    assert q.parse_page(where, MultiDict({"pain_intensity": "11"}), {}).errors[0].key == (
        "pain_intensity"
    )
    result = q.parse_page(where, MultiDict({"pain_intensity": "7"}), {})
    assert result.answers == {"pain_intensity": 7}


def test_body_map_regions_are_ordered_and_checked():
    where = page("where")
    form = MultiDict([("locations", "right.calf"), ("locations", "lower_back")])
    result = q.parse_page(where, form, {})
    assert result.answers["locations"] == ["lower_back", "right.calf"]
    bad = q.parse_page(where, MultiDict([("locations", "right.elbow")]), {})
    assert bad.errors[0].key == "locations"
    # Unticking everything leaves the question unanswered.
    cleared = q.parse_page(where, MultiDict(), {"locations": ["right.calf"]})
    assert "locations" not in cleared.answers


def test_free_text_length():
    health = page("health")
    ok = q.parse_page(health, MultiDict({"free_text": "  Det gør ondt.\r\nMest om natten. "}), {})
    assert ok.answers["free_text"] == "Det gør ondt.\nMest om natten."
    long = q.parse_page(health, MultiDict({"free_text": "x" * 2001}), {})
    assert long.errors[0].params == {"max": 2000, "count": 2001}


def test_only_shown_questions_are_read():
    warning = page("warning")
    result = q.parse_page(
        warning, MultiDict({"foot_drop": "yes"}), {"band_rash": True}, shown=["foot_drop"]
    )
    assert result.answers == {"band_rash": True, "foot_drop": True}


def test_form_values_round_trip():
    answers = {"duration_days": 21, "trend": "worse", "worse_at_night": True}
    values = q.form_values(page("course"), answers, {"onset"})
    assert values["duration_days"] == ("3", "weeks")
    assert values["trend"] == "worse"
    assert values["worse_at_night"] == "yes"
    assert values["onset"] == "unknown"
    form = q.answers_from_intake(page("course"), answers, answers)
    assert q.parse_page(page("course"), MultiDict(form), {}).answers == answers


def test_every_message_is_a_string_with_known_parameters():
    for message in q.MESSAGES:
        message % {"min": 0, "max": 1, "count": 2}
