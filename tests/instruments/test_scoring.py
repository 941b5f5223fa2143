"""Instrument scoring against hand-worked examples from the published scoring rules."""

from nervetjek.instruments import load_instruments, score_dn4, score_mnsi, score_slanss

DN4_KEYS = [
    "burning",
    "painful_cold",
    "electric_shocks",
    "tingling",
    "pins_and_needles",
    "numbness",
    "itching",
]
MNSI_SCORED_YES = [
    "numbness",
    "burning",
    "touch_sensitive",
    "pins_and_needles",
    "bedcovers_hurt",
    "foot_sore_ever",
    "diagnosed_diabetic_neuropathy",
    "worse_at_night",
    "hurts_when_walking",
    "dry_cracked_skin",
    "amputation",
]
MNSI_SCORED_NO = ["can_tell_hot_cold", "can_feel_feet_walking"]
SLANSS_KEYS = [
    "pins_and_needles",
    "skin_looks_different",
    "touch_sensitive",
    "electric_shocks",
    "burning",
    "rub_test_painful",
    "press_test_abnormal",
]


def all_no(keys):
    return dict.fromkeys(keys, False)


def test_dn4_three_of_seven_is_positive():
    # Bouhassira 2005: burning + electric shocks + tingling = 3/7, at the cut-off.
    answers = {**all_no(DN4_KEYS), "burning": True, "electric_shocks": True, "tingling": True}
    result = score_dn4(answers)
    assert (result.complete, result.score) == (True, 3)
    assert result.cutoffs[0].met is True


def test_dn4_two_of_seven_is_negative():
    answers = {**all_no(DN4_KEYS), "numbness": True, "itching": True}
    result = score_dn4(answers)
    assert result.score == 2
    assert result.cutoffs[0].met is False
    assert result.interpretation.en == "does not suggest neuropathic pain"


def test_dn4_missing_items_are_not_guessed():
    result = score_dn4({"burning": True, "tingling": False})
    assert result.complete is False
    assert result.score is None
    assert [m.key for m in result.missing] == [
        k for k in DN4_KEYS if k not in ("burning", "tingling")
    ]
    assert (result.points, result.max_possible) == (1, 6)
    assert result.cutoffs[0].met is None  # the missing items decide
    assert result.interpretation is None


def test_dn4_incomplete_but_already_positive_is_reported_as_such():
    result = score_dn4({"burning": True, "tingling": True, "numbness": True})
    assert result.complete is False
    assert result.cutoffs[0].met is True


def test_mnsi_items_7_and_13_score_on_no_and_4_and_10_never_score():
    # Feldman 1994: numbness, burning, prickling, worse at night, pain on walking (5 yes)
    # and cannot tell hot from cold (item 7 answered no) = 6.  Cramps (4) and general
    # weakness (10) are asked but not counted.
    answers = {
        **all_no(MNSI_SCORED_YES),
        "can_tell_hot_cold": False,
        "can_feel_feet_walking": True,
        "cramps": True,
        "weak_all_over": True,
        "numbness": True,
        "burning": True,
        "pins_and_needles": True,
        "worse_at_night": True,
        "hurts_when_walking": True,
    }
    result = score_mnsi(answers)
    assert (result.complete, result.score) == (True, 6)
    met = {c.id: c.met for c in result.cutoffs}
    assert met == {"screening": True, "abnormal": False}


def test_mnsi_maximum_is_13():
    answers = {**dict.fromkeys(MNSI_SCORED_YES, True), **all_no(MNSI_SCORED_NO)}
    assert score_mnsi(answers).score == 13


def test_mnsi_complete_without_unscored_items():
    answers = {**all_no(MNSI_SCORED_YES), "can_tell_hot_cold": True, "can_feel_feet_walking": True}
    result = score_mnsi(answers)
    assert (result.complete, result.score) == (True, 0)


def test_slanss_weights():
    # Bennett 2005: pins and needles 5, skin change 5, rub test 5 = 15 >= 12.
    answers = {
        **all_no(SLANSS_KEYS),
        "pins_and_needles": True,
        "skin_looks_different": True,
        "rub_test_painful": True,
    }
    result = score_slanss(answers)
    assert (result.score, result.cutoffs[0].met) == (15, True)


def test_slanss_below_cutoff():
    # burning 1 + shocks 2 + touch 3 + press 3 = 9 < 12.
    answers = {
        **all_no(SLANSS_KEYS),
        "burning": True,
        "electric_shocks": True,
        "touch_sensitive": True,
        "press_test_abnormal": True,
    }
    result = score_slanss(answers)
    assert (result.score, result.cutoffs[0].met) == (9, False)


def test_slanss_all_yes_is_24():
    assert score_slanss(dict.fromkeys(SLANSS_KEYS, True)).score == 24


def test_every_instrument_has_a_citation_and_sourced_cutoffs():
    for definition in load_instruments().values():
        assert "doi" in definition.citation
        for cutoff in definition.cutoffs:
            assert cutoff.source
