"""The triage policy's individual rules, each on a small hand-made case."""

from nervetjek.engine import assess
from nervetjek.intake import load_item_bank

SCIATICA = {
    "back_pain": True,
    "leg_pain_worse_than_back": True,
    "electric_shocks": True,
    "tingling": True,
    "worse_cough_sneeze": True,
    "worse_sitting_bending": True,
    "locations": ["lower_back", "left.buttock", "left.thigh_back", "left.calf"],
    "onset": "sudden",
    "age": 40,
}


def rules(result):
    return {r.rule for r in result.triage_reasons}


def test_sciatica_defaults_to_physio_or_doctor():
    result = assess({**SCIATICA, "pain_intensity": 6, "duration_days": 14, "trend": "same"})
    assert result.patterns[0].id == "lumbar_radiculopathy"
    assert result.triage == "gp_or_physio"


def test_mild_improving_recent_sciatica_is_self_care():
    result = assess({**SCIATICA, "pain_intensity": 4, "duration_days": 41, "trend": "better"})
    assert result.triage == "self_care"
    assert "self_care" in rules(result)


def test_self_care_needs_all_three_answers():
    result = assess({**SCIATICA, "pain_intensity": 3, "trend": "better"})
    assert result.triage == "gp_or_physio"


def test_self_care_edges_pain_5_or_six_weeks_keep_the_default():
    assert (
        assess({**SCIATICA, "pain_intensity": 5, "duration_days": 10, "trend": "better"}).triage
        == "gp_or_physio"
    )
    assert (
        assess({**SCIATICA, "pain_intensity": 3, "duration_days": 42, "trend": "better"}).triage
        == "gp_or_physio"
    )


def test_six_weeks_not_better_is_gp_soon_and_missing_trend_counts_as_not_better():
    assert assess({**SCIATICA, "duration_days": 42, "trend": "same"}).triage == "gp_soon"
    assert assess({**SCIATICA, "duration_days": 42}).triage == "gp_soon"
    assert assess({**SCIATICA, "duration_days": 42, "trend": "better"}).triage == "gp_or_physio"


def test_under_18_is_gp_soon_and_blocks_self_care():
    result = assess(
        {**SCIATICA, "age": 17, "pain_intensity": 2, "duration_days": 7, "trend": "better"}
    )
    assert result.triage == "gp_soon"
    assert "under_18" in rules(result)


def test_cauda_equina_signs_are_an_emergency_with_the_answer_named():
    result = assess({**SCIATICA, "saddle_numbness": True})
    assert result.triage == "emergency"
    reason = next(r for r in result.triage_reasons if r.rule == "cauda_equina_signs")
    assert "saddle_numbness" in reason.answers


def test_bladder_change_alone_counts_as_emergency_when_in_doubt():
    # Asked on the first page, before the body map: unknown symptoms count as present.
    assert assess({"bladder_bowel_change": True}).triage == "emergency"
    # But a person who has said no to back pain and every symptom is not escalated.
    symptoms = [
        k
        for k, item in load_item_bank().items.items()
        if item.type == "boolean" and item.section == "symptoms"
    ]
    denied = {
        **dict.fromkeys(symptoms, False),
        "can_tell_hot_cold": True,
        "can_feel_feet_walking": True,
        "leg_weakness": False,
        "foot_drop": False,
        "marked_sensory_loss": False,
        "calf_swollen_red_warm": False,
        "whole_leg_swollen": False,
        "leg_cold_pale": False,
        "bladder_bowel_change": True,
        "locations": [],
        "pain_intensity": 0,
    }
    assert "cauda_equina_signs" not in rules(assess(denied))


def test_cancer_needs_back_pain_to_escalate():
    assert "cancer_and_back_pain" not in rules(assess({"cancer_history": True, "back_pain": False}))
    assert assess({"cancer_history": True, "back_pain": True}).triage == "same_day"


def test_foot_wound_needs_diabetes_or_numbness():
    assert "foot_wound_with_numbness" not in rules(assess({"foot_wound_now": True}))
    assert assess({"foot_wound_now": True, "numbness": True}).triage == "same_day"


SHINGLES = {
    "burning": True,
    "itching": True,
    "touch_sensitive": True,
    "bedcovers_hurt": True,
    "electric_shocks": True,
    "locations": ["right.thigh_front", "right.groin"],
    "age": 70,
    "onset": "sudden",
    "pain_intensity": 7,
}


def test_shingles_with_rash_is_same_day():
    result = assess({**SHINGLES, "band_rash": True, "duration_days": 3})
    assert result.patterns[0].id == "herpes_zoster"
    assert result.triage == "same_day"


def test_pain_after_shingles_without_rash_after_four_weeks_is_gp_soon():
    base = {
        **SHINGLES,
        "skin_looks_different": True,
        "rub_test_painful": True,
        "band_rash": False,
        "trend": "same",
    }
    result = assess({**base, "duration_days": 28})
    if result.patterns[0].id == "herpes_zoster":
        assert result.triage == "gp_soon"
        assert "post_herpetic_pain" in rules(result)


def test_too_few_answers_are_not_recognised_and_go_to_physio_or_doctor():
    result = assess({"age": 50, "sex": "female"})
    assert result.recognised is False
    assert result.triage == "gp_or_physio"
    assert "unrecognised" in rules(result)


def test_too_few_answers_still_escalate():
    result = assess({"recent_trauma": True})
    assert result.recognised is False
    assert result.triage == "same_day"


def test_a_warning_sign_never_lowers_the_level_it_found_without_it():
    # Sudden bilateral weakness after an infection: Guillain-Barré (emergency default).
    gbs = {
        "leg_weakness": True,
        "weakness_worsening": True,
        "recent_infection": True,
        "tingling": True,
        "pins_and_needles": True,
        "unsteady": True,
        "weak_all_over": True,
        "locations": ["left.foot_sole", "right.foot_sole", "left.calf", "right.calf"],
        "onset": "sudden",
        "duration_days": 5,
        "trend": "worse",
    }
    before = assess(gbs)
    after = assess({**gbs, "foot_drop": True})
    levels = ["emergency", "same_day", "gp_soon", "gp_or_physio", "self_care"]
    assert levels.index(after.triage) <= levels.index(before.triage)


def test_red_flags_list_the_rules_they_raised():
    result = assess(
        {**SCIATICA, "foot_drop": True, "leg_weakness": True, "weakness_worsening": True}
    )
    flags = {f.key: f.rules for f in result.red_flags}
    assert "foot_drop" in flags["foot_drop"]
    assert "worsening_weakness" in flags["weakness_worsening"]


def test_next_steps_are_tailored_and_link_to_articles():
    result = assess(
        {
            **SCIATICA,
            "pain_intensity": 6,
            "duration_days": 14,
            "trend": "same",
            "diabetes": True,
            "metformin": True,
            "worse_at_night": True,
        }
    )
    ids = {s.id for s in result.next_steps}
    assert {"treat_radiculopathy", "exam_b12", "sleep_night_pain", "watch_ces"} <= ids
    assert "treat_dvt" not in ids
    assert all(step.see.count("#") == 1 for step in result.next_steps)


def test_emergency_gets_no_home_remedies():
    result = assess({**SCIATICA, "bladder_bowel_change": True})
    kinds = {s.kind for s in result.next_steps}
    assert "self_care" not in kinds and "sleep" not in kinds
