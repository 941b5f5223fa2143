"""The clinic's view models read their numbers from the data, not from copies."""

from __future__ import annotations

from nervetjek.instruments import load_instruments
from nervetjek.intake import load_item_bank
from nervetjek.web.clinic_view import measures, weakness_followups


def test_the_trend_chart_uses_the_published_maxima_and_cut_offs():
    chart = {m.id: (m.maximum, m.cutoff) for m in measures()}
    # DN4 interview 3/7 (Bouhassira 2005), MNSI questionnaire 4/13 (Herman 2012),
    # S-LANSS 12/24 (Bennett 2005): as instruments.yaml gives them, with their sources.
    assert chart == {"pain": (10, None), "DN4": (7, 3), "MNSI": (13, 4), "S-LANSS": (24, 12)}
    for instrument_id, definition in load_instruments().items():
        assert chart[instrument_id] == (definition.max_score, definition.cutoffs[0].at_least)


def test_the_weakness_follow_ups_are_the_items_asked_after_a_yes_to_weakness():
    keys = [item.key for item in weakness_followups()]
    assert keys == ["weakness_sudden", "weakness_worsening"]
    bank = load_item_bank()
    assert all(bank[key].ask_if.yes_key == "leg_weakness" for key in keys)
