"""The trend chart reads its numbers from the data, not from copies."""

from __future__ import annotations

from nervetjek.instruments import load_instruments
from nervetjek.report.trend import measures


def test_the_trend_chart_uses_the_published_maxima_and_cut_offs():
    chart = {m.id: (m.maximum, m.cutoff) for m in measures()}
    # DN4 interview 3/7 (Bouhassira 2005), MNSI questionnaire 4/13 (Herman 2012),
    # S-LANSS 12/24 (Bennett 2005): as instruments.yaml gives them, with their sources.
    assert chart == {"pain": (10, None), "DN4": (7, 3), "MNSI": (13, 4), "S-LANSS": (24, 12)}
    for instrument_id, definition in load_instruments().items():
        assert chart[instrument_id] == (definition.max_score, definition.cutoffs[0].at_least)
