"""The knowledge files are consistent, sourced and cover every pattern."""

from nervetjek.intake import load_outcomes
from nervetjek.knowledge import load_knowledge


def test_every_row_has_reason_and_source():
    for row in load_knowledge().rows:
        assert row.reason.strip() and row.source.strip(), row.feature


def test_every_pattern_has_a_column_and_a_default_level():
    knowledge, outcomes = load_knowledge(), load_outcomes()
    assert list(knowledge.patterns) == outcomes.pattern_ids
    assert set(knowledge.policy.defaults) == set(outcomes.pattern_ids)


def test_priors_add_up_to_one():
    assert abs(sum(load_knowledge().prior) - 1) < 1e-9


def test_category_values_add_up_to_one_for_every_pattern():
    for category in load_knowledge().categories:
        for i in range(14):
            total = sum(row.probabilities[i] for row in category.rows.values())
            assert abs(total - 1) < 0.011, (category.id, i)


def test_screening_questions_count_only_a_yes_and_pattern_signs_count_both_ways():
    flags = {flag.id: flag for flag in load_knowledge().flags}
    for screening in ("cancer_history", "recent_trauma", "fever_or_unwell", "recent_infection"):
        assert flags[screening].log_no is None, screening
    for defining in ("cauda_equina_signs", "calf_swollen_red_warm", "leg_cold_pale", "band_rash"):
        assert flags[defining].log_no is not None, defining


def test_warning_keys_are_the_warning_sign_questions():
    keys = load_knowledge().warning_keys
    assert {"bladder_bowel_change", "saddle_numbness", "leg_cold_pale", "foot_drop"} <= keys
    assert "burning" not in keys


def test_ruleset_version_names_the_policy_and_the_data():
    version = load_knowledge().version
    assert version.startswith("1.1+") and len(version) == len("1.1+") + 12


def test_triage_rules_follow_the_policy_table():
    # triage-policy.md version 1.1, section (b): every escalation row at its level.
    expected = {
        "cauda_equina_signs": "emergency",
        "ascending_weakness": "emergency",
        "cold_pale_leg": "emergency",
        "sudden_weakness": "emergency",
        "foot_drop": "same_day",
        "worsening_weakness": "same_day",
        "marked_sensory_loss": "same_day",
        "infection_signs": "same_day",
        "cancer_and_back_pain": "same_day",
        "recent_trauma": "same_day",
        "swollen_calf": "same_day",
        "band_rash": "same_day",
        "foot_wound_with_numbness": "same_day",
        "unexplained_weight_loss": "gp_soon",
        "long_lasting": "gp_soon",
        "under_18": "gp_soon",
    }
    assert {r.id: r.level for r in load_knowledge().policy.escalations} == expected


def test_advice_covers_every_kind_and_links_to_sections():
    steps = load_knowledge().advice
    assert {s.kind for s in steps} == {
        "examination",
        "treatment",
        "self_care",
        "sleep",
        "watch_for",
    }
    assert all("#" in s.see for s in steps)
