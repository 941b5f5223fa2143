"""Safety properties of the interview, on generated patients (hypothesis).

A generated patient knows the answers drawn by the strategy; the interview asks, the
patient replies, and any key the patient lacks is "don't know".
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.strategies import WARNING_KEYS, answers, consistent

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
    interview at emergency."""
    raised = consistent({**known, key: True})
    if raised.get(key) is not True:
        return
    before, after = play(known), play(raised)
    assert RANK[after.result.triage] <= RANK[before.result.triage], (
        f"{key}: {before.result.triage} -> {after.result.triage}"
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


@SLOW
@given(answers())
def test_the_result_is_the_engines_result_for_the_asked_answers(known):
    from nervetjek.engine import assess

    dialogue = play(known)
    cut = {k: v for k, v in known.items() if k in set(dialogue.asked)}
    again = assess(cut)
    assert again.triage == dialogue.result.triage
    assert again.pattern_ids[:1] == dialogue.result.pattern_ids[:1]
    # "Don't know" is never turned into an answer.
    assert set(dialogue.answers) <= set(known)
