"""The interview's rules, on hand-made answers (the vignettes are checked in bench/)."""

from __future__ import annotations

from nervetjek.interview import next_screen, play
from nervetjek.interview.plan import load_plan

WARNING = load_plan().warning_keys
NO_WARNINGS = {key: False for key in WARNING if key not in ("age", "duration_days")}


def test_first_screen_asks_warning_signs_and_nothing_is_done():
    screen = next_screen({}, [])
    assert not screen.done and not screen.emergency
    assert screen.kind == "warning"
    assert set(screen.keys) <= set(WARNING)
    assert 1 <= len(screen.keys) <= 3
    assert screen.remaining > 0


def test_a_yes_that_sets_emergency_ends_the_interview_at_once():
    screen = next_screen({"saddle_numbness": True, "back_pain": True}, ["saddle_numbness"])
    assert screen.done and screen.emergency and screen.keys == ()


def test_dont_know_is_not_asked_again_and_not_read_as_no():
    first = next_screen({}, [])
    asked = list(first.keys)
    second = next_screen({}, asked)
    assert not set(second.keys) & set(asked)
    # Unknown warning answers do not end the interview as if they were "no".
    assert not second.done


def test_weakness_follow_ups_come_when_the_leg_is_weak():
    answers = {**NO_WARNINGS, "leg_weakness": True}
    screen = next_screen(answers, list(answers))
    assert set(screen.keys) == {"weakness_sudden", "weakness_worsening"}


def test_foot_wound_brings_diabetes_and_numbness():
    answers = {**NO_WARNINGS, "foot_wound_now": True}
    screen = next_screen(answers, list(answers))
    assert set(screen.keys) == {"diabetes", "numbness"}


def test_cancer_brings_the_back_pain_question():
    answers = {**NO_WARNINGS, "cancer_history": True}
    screen = next_screen(answers, list(answers))
    assert screen.keys == ("back_pain",)


def test_screens_are_stable_and_deterministic():
    answers = {**NO_WARNINGS, "age": 44, "duration_days": 10}
    assert next_screen(answers, list(answers)) == next_screen(dict(answers), list(answers))


def test_every_screen_question_can_say_why_it_is_asked():
    screen = next_screen({}, [])
    for key in screen.keys:
        assert screen.why(key, "da")
        assert screen.why(key, "en")


def test_a_whole_interview_asks_every_warning_question_and_stops():
    known = {
        **NO_WARNINGS,
        "age": 42,
        "duration_days": 14,
        "sex": "male",
        "locations": ["lower_back", "right.buttock", "right.thigh_outer", "right.shin_outer"],
        "back_pain": True,
        "leg_pain_worse_than_back": True,
        "electric_shocks": True,
        "worse_cough_sneeze": True,
        "pain_intensity": 7,
        "trend": "same",
    }
    dialogue = play(known)
    assert dialogue.done.done and not dialogue.done.emergency
    assert set(WARNING) <= set(dialogue.asked)
    assert len(dialogue.asked) <= load_plan().max_questions
    assert dialogue.result.pattern_ids[0] == "lumbar_radiculopathy"
