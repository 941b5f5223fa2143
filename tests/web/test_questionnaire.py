"""The question forms' pure functions: controls, values and parsing."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import MultiDict

from nervetjek.intake import load_item_bank
from nervetjek.web import questionnaire as q

BANK = load_item_bank()


def page(page_id):
    """The questions of one item-bank page, as one screen."""
    return BANK.page(page_id).items


# ------------------------------------------------------------------------ parsing


def test_yes_no_and_dont_know():
    warning = page("warning")
    form = MultiDict({"leg_weakness": "yes", "foot_drop": "no", "band_rash": "unknown"})
    result = q.parse_screen(warning, form, {"band_rash": True})
    assert result.errors == []
    assert result.answers["leg_weakness"] is True
    assert result.answers["foot_drop"] is False
    # "Ved ikke" removes an earlier answer: the question stays unknown, never "no".
    assert "band_rash" not in result.answers
    # Questions left blank stay unanswered.
    assert "leg_cold_pale" not in result.answers


def test_required_questions_need_an_answer_and_ved_ikke_is_one():
    keys = ("bladder_bowel_change", "saddle_numbness")
    screen = [BANK[k] for k in keys]
    blank = q.parse_screen(screen, MultiDict({"bladder_bowel_change": "no"}), {}, keys)
    assert [(e.key, e.field, e.message) for e in blank.errors] == [
        ("saddle_numbness", "f-saddle_numbness-yes", q.MESSAGE_REQUIRED)
    ]
    assert blank.answers == {}  # nothing changes while there are errors
    form = MultiDict({"bladder_bowel_change": "no", "saddle_numbness": "unknown"})
    answered = q.parse_screen(screen, form, {}, keys)
    assert answered.errors == [] and answered.answers == {"bladder_bowel_change": False}


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
    result = q.parse_screen(page("course"), form, {})
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
    result = q.parse_screen(page("course"), MultiDict(form), {"trend": "better"})
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
    result = q.parse_screen(page("about"), MultiDict({"age": value}), {})
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
    result = q.parse_screen(page("about"), form, {})
    assert result.answers == {"age": 47, "sex": "female", "pregnant": False}


def test_tampered_choice_and_scale_values_are_errors():
    assert q.parse_screen(page("about"), MultiDict({"sex": "robot"}), {}).errors[0].key == "sex"
    where = page("where")
    assert q.parse_screen(where, MultiDict({"pain_intensity": "11"}), {}).errors[0].key == (
        "pain_intensity"
    )
    result = q.parse_screen(where, MultiDict({"pain_intensity": "7"}), {})
    assert result.answers == {"pain_intensity": 7}


def test_body_map_regions_are_ordered_and_checked():
    where = page("where")
    form = MultiDict([("locations", "right.calf"), ("locations", "lower_back")])
    result = q.parse_screen(where, form, {})
    assert result.answers["locations"] == ["lower_back", "right.calf"]
    bad = q.parse_screen(where, MultiDict([("locations", "right.elbow")]), {})
    assert bad.errors[0].key == "locations"
    # Unticking everything leaves the question unanswered.
    cleared = q.parse_screen(where, MultiDict(), {"locations": ["right.calf"]})
    assert "locations" not in cleared.answers


def test_free_text_length():
    health = page("health")
    ok = q.parse_screen(health, MultiDict({"free_text": "  Det gør ondt.\r\nMest om natten. "}), {})
    assert ok.answers["free_text"] == "Det gør ondt.\nMest om natten."
    long = q.parse_screen(health, MultiDict({"free_text": "x" * 2001}), {})
    assert long.errors[0].params == {"max": 2000, "count": 2001}


def test_form_values_round_trip():
    answers = {"duration_days": 21, "trend": "worse", "worse_at_night": True}
    values = q.form_values(page("course"), answers, {"onset"})
    assert values["duration_days"] == ("3", "weeks")
    assert values["trend"] == "worse"
    assert values["worse_at_night"] == "yes"
    assert values["onset"] == "unknown"
    form = MultiDict(
        {
            "duration_days": values["duration_days"][0],
            "duration_days__unit": values["duration_days"][1],
            "trend": values["trend"],
            "worse_at_night": values["worse_at_night"],
            "onset": values["onset"],
        }
    )
    assert q.parse_screen(page("course"), form, {}).answers == answers


def test_every_message_is_a_string_with_known_parameters():
    for message in q.MESSAGES:
        message % {"min": 0, "max": 1, "count": 2}
