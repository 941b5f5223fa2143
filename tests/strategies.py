"""Hypothesis strategies that draw valid intake answers from the item bank."""

from __future__ import annotations

from hypothesis import strategies as st

from nervetjek.intake import load_item_bank
from nervetjek.intake.validate import follow_ups

BANK = load_item_bank()
KEYS = sorted(BANK.items)
WARNING_KEYS = sorted(
    k for k, item in BANK.items.items() if item.section == "red_flags" and item.type == "boolean"
)


def value_for(key: str) -> st.SearchStrategy:
    item = BANK[key]
    match item.type:
        case "boolean":
            return st.booleans()
        case "integer":
            # Weight the clinically interesting edges (thresholds live near these).
            edges = [
                v
                for v in (0, 1, 3, 4, 5, 7, 17, 18, 27, 28, 41, 42, 60, 365)
                if item.minimum <= v <= item.maximum
            ]
            return st.one_of(
                st.sampled_from(edges), st.integers(min_value=item.minimum, max_value=item.maximum)
            )
        case "choice":
            return st.sampled_from(sorted(item.options))
        case "regions":
            return st.lists(st.sampled_from(BANK.regions), unique=True, max_size=8)
        case _:
            return st.text(max_size=40)


def consistent(answers: dict) -> dict:
    """Drop a follow-up 'yes' whose lead question was answered 'no' (invalid input)."""
    for follow_up, lead in follow_ups().items():
        if answers.get(follow_up) is True and answers.get(lead) is False:
            del answers[follow_up]
    return answers


@st.composite
def answers(draw, keys=KEYS, min_size=0, max_size=40) -> dict:
    chosen = draw(
        st.lists(st.sampled_from(keys), unique=True, min_size=min_size, max_size=max_size)
    )
    return consistent({key: draw(value_for(key)) for key in chosen})
