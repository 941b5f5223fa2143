"""Safety properties of the interview, on generated patients (hypothesis).

A generated patient knows the answers drawn by the strategy; the interview asks, the
patient replies, and any key the patient lacks is "don't know".
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import WARNING_KEYS, answers, consistent

from nervetjek.engine import assess
from nervetjek.intake import load_outcomes
from nervetjek.interview import play
from nervetjek.interview.plan import load_plan

RANK = {level.id: level.rank for level in load_outcomes().levels.values()}
WARNING = set(load_plan().warning_keys)
WEAKNESS_FOLLOW_UPS = {"weakness_sudden", "weakness_worsening", "weakness_ascending"}
# A whole interview per example: fewer examples than the engine's properties.
EXAMPLES = int(os.environ.get("NERVETJEK_HYPOTHESIS_EXAMPLES", "300")) // 10
SLOW = settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SLOW
@given(answers())
def test_the_interview_never_ends_without_the_warning_questions_unless_at_emergency(known):
    dialogue = play(known)
    asked = set(dialogue.asked)
    if dialogue.done.emergency:
        assert dialogue.result.triage == "emergency"
        return
    assert asked >= WARNING, f"skipped {sorted(WARNING - asked)}"
    if dialogue.answers.get("leg_weakness") is True:
        assert asked >= WEAKNESS_FOLLOW_UPS
    if dialogue.answers.get("diabetes") is True or dialogue.answers.get("numbness") is True:
        assert "foot_wound_now" in asked
    assert len(asked) == len(dialogue.asked), "a question was asked twice"


def _required(dialogue) -> set[str]:
    """The warning questions the interview owes this person: the warning screens, the
    weakness follow-ups after a weak leg, the foot wound after diabetes or numbness."""
    need = set(WARNING)
    if dialogue.answers.get("leg_weakness") is True:
        need |= WEAKNESS_FOLLOW_UPS
    if dialogue.answers.get("diabetes") is True or dialogue.answers.get("numbness") is True:
        need.add("foot_wound_now")
    return need


@SLOW
@given(answers(), st.sampled_from(WARNING_KEYS))
def test_a_warning_sign_yes_never_lowers_the_level_nor_removes_a_warning_question(known, key):
    """The same patient with one more warning-sign yes: the interview's level is at least
    as urgent, whatever set it (an escalation, a pattern's default, the fallback), and
    every warning question asked without the yes is asked with it, unless the yes ends the
    interview at emergency.

    One exception, where the yes does not lower anything: the two interviews ask different
    questions, and the one without the yes may have stopped on a level that what the other
    learned contradicts (hypothesis found one: Guillain-Barré recognised from a recent
    infection and a spread body map before numbness was asked; the engine gives same day
    on everything the two interviews learned, and on the whole patient).  The level with
    the yes must then still be at least the engine's on everything either learned.
    """
    raised = consistent({**known, key: True})
    if raised.get(key) is not True:
        return
    before, after = play(known), play(raised)
    if RANK[after.result.triage] > RANK[before.result.triage]:
        learned = assess({**before.answers, **after.answers})
        assert RANK[after.result.triage] <= RANK[learned.triage], (
            f"{key}: {before.result.triage} -> {after.result.triage}, "
            f"on everything learned {learned.triage}"
        )
    if after.done.emergency:
        return
    owed_before = _required(before) & set(before.asked)
    assert owed_before <= set(after.asked), f"dropped {sorted(owed_before - set(after.asked))}"


def test_past_the_cap_a_question_that_could_raise_the_level_is_still_asked():
    """Found by hypothesis: with a hard cap, a yes to immunosuppression changed the order
    of the questions, numbness was left past the cap and the level fell from a doctor to
    self care.  The cap now ends only the questions that cannot raise the level."""
    known = {
        "thyroid_disease": False,
        "worse_tight_shoes": False,
        "chemotherapy": False,
        "trend": "better",
        "touch_sensitive": False,
        "cramps": True,
        "numbness": True,
        "previous_blood_clot": False,
    }
    raised = consistent({**known, "immunosuppressed_or_iv_drugs": True})
    before, after = play(known), play(raised)
    assert RANK[after.result.triage] <= RANK[before.result.triage]
    assert "numbness" in after.asked


def test_a_warning_sign_yes_never_takes_away_a_question_that_could_make_it_an_emergency():
    """Found by hypothesis: a yes to a band rash made worsening weakness look unlikely
    (shingles explains the trouble), so the question went unasked and the level fell from
    emergency to same day.  The engine's safety floor is part of the level the interview
    expects, and an answer's chance counts with the warning sign taken back too."""
    known = {
        "duration_days": 0,
        "recent_trauma": False,
        "sexual_function_change": False,
        "weak_all_over": False,
        "locations": [],
        "touch_sensitive": False,
        "worse_tight_clothing": False,
        "fever_or_unwell": False,
        "weakness_worsening": True,
        "amputation": False,
        "can_feel_feet_walking": True,
        "kneeling_squatting_work": False,
        "previous_blood_clot": True,
        "smoker": False,
        "immunosuppressed_or_iv_drugs": True,
        "pressure_at_knee": False,
        "autoimmune_disease": True,
    }
    raised = consistent({**known, "band_rash": True})
    before, after = play(known), play(raised)
    assert before.result.triage == "emergency"
    assert after.result.triage == "emergency"
    assert "weakness_worsening" in after.asked


def test_past_the_cap_an_unrecognised_interview_still_asks_what_could_recognise_an_urgent_pattern():
    """Found by hypothesis: a yes to a recent injury added its own questions, the cap came
    before "can you feel your feet when walking", and with no pattern recognised the level
    fell from emergency (cauda equina, as the engine gives on the whole patient) to same
    day.  Past the cap, while no pattern is recognised and one would be more urgent, the
    interview still asks what could get a pattern recognised."""
    known = {
        "duration_days": 0,
        "recent_trauma": False,
        "sexual_function_change": False,
        "weak_all_over": False,
        "locations": ["left.calf", "right.thigh_outer", "lower_back"],
        "touch_sensitive": False,
        "worse_tight_clothing": False,
        "fever_or_unwell": True,
        "weakness_worsening": False,
        "amputation": False,
        "can_feel_feet_walking": False,
        "immunosuppressed_or_iv_drugs": False,
        "known_b12_deficiency": False,
        "pressure_at_knee": False,
        "recent_surgery_or_immobilisation": False,
        "stomach_bowel_surgery": False,
        "autoimmune_disease": False,
        "pins_and_needles": False,
        "worse_sitting_bending": False,
        "calf_swollen_red_warm": False,
        "recent_infection": False,
        "back_pain": False,
    }
    raised = consistent({**known, "recent_trauma": True})
    assert assess(raised).triage == "emergency"
    assert play(known).result.triage == "emergency"
    assert play(raised).result.triage == "emergency"


def test_past_the_cap_a_person_who_knows_almost_nothing_keeps_the_level_after_a_weak_leg():
    """Found by hypothesis: a person who answers "Ved ikke" to all but three of about 50
    questions.  A yes to a weak leg added the weakness follow-ups, the cap came before the
    questions that recognise spinal stenosis, and no single answer left could raise the
    level (it takes three together), so the interview ended unrecognised at a doctor or
    physiotherapist where the engine, on the whole patient, gives a doctor within days.
    Past the cap, while no pattern is recognised and one would be more urgent, every
    question the model reads is still asked."""
    known = {
        "kidney_disease": False,
        "worse_at_night": False,
        "hurts_when_walking": True,
        "amputation": False,
        "worse_tight_clothing": True,
        "autoimmune_disease": False,
    }
    raised = consistent({**known, "leg_weakness": True})
    assert assess(raised).triage == "gp_soon"
    assert RANK[play(raised).result.triage] <= RANK[play(known).result.triage]


@SLOW
@given(answers())
def test_the_result_is_the_engines_result_for_the_asked_answers(known):
    dialogue = play(known)
    cut = {k: v for k, v in known.items() if k in set(dialogue.asked)}
    again = assess(cut)
    assert again.triage == dialogue.result.triage
    assert again.pattern_ids[:1] == dialogue.result.pattern_ids[:1]
    # "Don't know" is never turned into an answer.
    assert set(dialogue.answers) <= set(known)
