"""The follow-up questionnaire takes its questions from the item bank."""

from __future__ import annotations

from nervetjek.intake import load_item_bank
from nervetjek.intake.followup import weakness_followups


def test_the_weakness_follow_ups_are_the_items_asked_after_a_yes_to_weakness():
    keys = [item.key for item in weakness_followups()]
    assert keys == ["weakness_sudden", "weakness_worsening"]
    bank = load_item_bank()
    assert all(bank[key].ask_if.yes_key == "leg_weakness" for key in keys)
