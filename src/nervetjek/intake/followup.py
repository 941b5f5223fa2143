"""The follow-up questionnaire: which of the item bank's questions a follow-up asks."""

from __future__ import annotations

from typing import Any

from nervetjek.conditions import Facts
from nervetjek.intake.bank import Item, load_item_bank


def followup_items(baseline: dict[str, Any]) -> dict[str, list[Item]]:
    """The follow-up questionnaire: warning signs, pain and trend, DN4, MNSI if relevant."""
    bank = load_item_bank()
    facts = Facts.of(baseline)
    warning = [
        item for item in bank.items.values() if item.page == "warning" and item.ask_if is None
    ]
    dn4 = [item for item, _use in bank.instrument_items("DN4").values()]
    feet = [item for item in bank.items.values() if item.page == "feet"]
    relevant = any(item.key in baseline for item in feet) or any(
        item.ask_if is not None and item.ask_if.evaluate(facts) is True for item in feet
    )
    mnsi = []
    if relevant:
        seen = {item.key for item in dn4}
        for item, _use in bank.instrument_items("MNSI").values():
            if item.key not in seen:
                mnsi.append(item)
                seen.add(item.key)
    return {
        "warning": warning,
        "course": [bank["pain_intensity"], bank["trend"]],
        "dn4": dn4,
        "mnsi": mnsi,
    }


def weakness_followups() -> list[Item]:
    """The questions that only follow a yes to leg weakness (their ``ask_if``)."""
    return load_item_bank().follow_ups("leg_weakness")
