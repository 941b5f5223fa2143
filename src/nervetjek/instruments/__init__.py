"""Validated instruments: DN4 interview, MNSI questionnaire, S-LANSS."""

from nervetjek.instruments.scoring import (
    InstrumentDefinition,
    InstrumentScore,
    load_instruments,
    score_all,
    score_dn4,
    score_instrument,
    score_mnsi,
    score_slanss,
)

__all__ = [
    "InstrumentDefinition",
    "InstrumentScore",
    "load_instruments",
    "score_all",
    "score_dn4",
    "score_instrument",
    "score_mnsi",
    "score_slanss",
]
