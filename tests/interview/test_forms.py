"""A screen's form as pure functions (nervetjek.interview.forms): controls, values, parsing."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from nervetjek.intake import load_item_bank
from nervetjek.interview import forms as q
from nervetjek.readability import lix

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
        ({"duration_days": "lidt", "duration_days__unit": "days"}, "f-duration_days", "3 uger"),
        ({"duration_days": "ca 3", "duration_days__unit": "days"}, "f-duration_days", "3 uger"),
        ({"duration_days": "3 uger og 2 dage"}, "f-duration_days", "3 uger"),
        ({"duration_days": "3 æbler"}, "f-duration_days", "3 uger"),
        ({"duration_days": "-3", "duration_days__unit": "days"}, "f-duration_days", "3 uger"),
        ({"duration_days": "5 timer"}, "f-duration_days", "skriv 0 dage"),
        ({"duration_days": "3"}, "f-duration_days-unit", "Vælg dage"),
        ({"duration_days": "101 år"}, "f-duration_days", "100 år"),
        ({"duration_days": "101", "duration_days__unit": "years"}, "f-duration_days", "100 år"),
    ],
)
def test_duration_errors(form, field, message):
    result = q.parse_screen(page("course"), MultiDict(form), {"trend": "better"})
    assert [e.field for e in result.errors] == [field]
    assert message in result.errors[0].message
    assert result.answers == {"trend": "better"}  # nothing changes while there are errors


@pytest.mark.parametrize(
    ("typed", "days"),
    [
        ("3 uger", 21),
        ("3uger", 21),
        ("2 mdr.", 60),
        ("2 mdr", 60),
        ("3 md", 90),
        ("1 år", 365),
        ("et halvt år", 183),
        ("½ år", 183),
        ("1½ år", 548),
        ("halvanden måned", 45),
        ("14 dage", 14),
        ("en uge", 7),
        ("et par uger", 14),
        ("1,5 uger", 11),
        ("3 Uger.", 21),
        ("3 weeks", 21),
    ],
)
@pytest.mark.parametrize("chosen", ["", "days", "years"])
def test_a_unit_typed_in_the_box_wins_over_the_chosen_one(typed, days, chosen):
    form = MultiDict({"duration_days": typed, "duration_days__unit": chosen})
    result = q.parse_screen(page("course"), form, {})
    assert result.errors == []
    assert result.answers["duration_days"] == days


@pytest.mark.parametrize(("typed", "unit", "days"), [("3", "weeks", 21), ("tre", "months", 90)])
def test_without_a_typed_unit_the_chosen_one_counts(typed, unit, days):
    form = MultiDict({"duration_days": typed, "duration_days__unit": unit})
    assert q.parse_screen(page("course"), form, {}).answers["duration_days"] == days


@pytest.mark.parametrize(
    ("answers", "form"),
    [
        # age answered on an earlier screen
        ({"age": 45}, {"duration_days": "100", "duration_days__unit": "years"}),
        ({"age": 45}, {"duration_days": "46 år"}),
        ({"age": 2}, {"duration_days": "3 år"}),
    ],
)
def test_a_duration_longer_than_the_age_is_refused_with_what_to_write(answers, form):
    result = q.parse_screen(page("course"), MultiDict(form), answers)
    (error,) = result.errors
    assert (error.key, error.field) == ("duration_days", "f-duration_days")
    assert error.message == q.MESSAGE_DURATION_OVER_AGE
    assert "for eksempel 3 uger" in error.message
    assert result.answers == answers  # nothing changes while there are errors
    assert result.values["duration_days"][0] == form["duration_days"]  # shown again as typed


@pytest.mark.parametrize(("age", "typed"), [(45, "45 år"), (45, "45,9 år"), (0, "11 mdr")])
def test_a_duration_within_the_age_is_kept(age, typed):
    result = q.parse_screen(page("course"), MultiDict({"duration_days": typed}), {"age": age})
    assert result.errors == [] and result.answers["duration_days"] > 0


def test_an_age_below_a_stored_duration_is_refused_on_the_age_screen():
    result = q.parse_screen(page("about"), MultiDict({"age": "20"}), {"duration_days": 30 * 365})
    (error,) = result.errors
    assert (error.key, error.message) == ("age", q.MESSAGE_AGE_UNDER_DURATION)


def test_duration_and_age_on_one_screen_are_checked_together():
    screen = [BANK["age"], BANK["duration_days"]]
    form = MultiDict({"age": "45 år", "duration_days": "50 år"})
    (error,) = q.parse_screen(screen, form, {}).errors
    assert error.key == "duration_days"
    form = MultiDict({"age": "45 år", "duration_days": "5 år"})
    assert q.parse_screen(screen, form, {}).answers == {"age": 45, "duration_days": 5 * 365}


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
        ("130 år", "Skriv en alder fra %(min)s til %(max)s år.", {"min": 0, "max": 120}),
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


@pytest.mark.parametrize(
    "typed",
    ["45", " 45 ", "45 år", "45 år gammel", "45 år.", "45 År", "45-årig", "45 gl.", "45 years old"],
)
def test_age_is_read_with_the_words_people_write_after_it(typed):
    result = q.parse_screen(page("about"), MultiDict({"age": typed}), {})
    assert result.errors == [] and result.answers["age"] == 45


@pytest.mark.parametrize("typed", ["45 uger", "45 år 3 mdr", "ca 45", "45 kg", "-45", "45 -"])
def test_age_with_other_words_is_refused_with_an_example(typed):
    (error,) = q.parse_screen(page("about"), MultiDict({"age": typed}), {}).errors
    assert error.message == "Skriv din alder som et helt tal, for eksempel 47."


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


def test_the_messages_are_plain_danish():
    assert lix("\n\n".join(q.MESSAGES)) < 40


def test_every_message_is_a_string_with_known_parameters():
    for message in q.MESSAGES:
        message % {"min": 0, "max": 1, "count": 2}


# ---------------------------------------------------------- any text in a number box

TYPED = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"\A ?(-|½|et |en )?[0-9]{1,25}([.,][0-9]{1,8})?½? ?[a-zæøå.]{0,8}\.? ?\Z"),
)
UNITS = st.sampled_from(["", "days", "weeks", "months", "years", "hours"])
AGES = st.one_of(st.none(), st.integers(min_value=0, max_value=120))


@given(typed=TYPED)
@hsettings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_as_an_age_is_an_age_in_range_or_an_error(typed):
    item = BANK["age"]
    result = q.parse_screen([item], MultiDict({"age": typed}), {})
    if result.errors:
        assert [e.key for e in result.errors] == ["age"] and result.answers == {}
    elif "age" in result.answers:
        assert item.minimum <= result.answers["age"] <= item.maximum


@given(typed=TYPED, unit=UNITS, age=AGES)
@hsettings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_as_a_duration_is_a_duration_in_range_or_an_error(typed, unit, age):
    item = BANK["duration_days"]
    before = {} if age is None else {"age": age}
    form = MultiDict({"duration_days": typed, "duration_days__unit": unit})
    result = q.parse_screen([item], form, before)
    if result.errors:
        assert [e.key for e in result.errors] == ["duration_days"] and result.answers == before
    elif "duration_days" in result.answers:
        days = result.answers["duration_days"]
        assert isinstance(days, int) and item.minimum <= days <= item.maximum
        if age is not None:
            assert days < (age + 1) * q.DURATION_UNITS["years"]


def test_posted_answers_are_read_each_on_its_own():
    """A tampered answer beside a warning sign must not hide the warning sign."""
    form = MultiDict(
        {"shown": "leg_weakness,band_rash,nonsense", "leg_weakness": "yes", "band_rash": "x"}
    )
    keys, answers = q.posted_answers(form)
    assert keys == ["leg_weakness", "band_rash"] and answers == {"leg_weakness": True}
