"""What the interview shows next: one question or a small group, or "done"."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from nervetjek.intake import load_item_bank
from nervetjek.intake.bank import Text

ScreenKind = Literal["warning", "follow_up", "question", "instrument", "done"]


class Screen(BaseModel):
    """One page of the interview.

    `keys` are the item keys asked on it (empty when `done`).  `emergency` is true when an
    answer already sets the emergency level: stop and show the emergency page at once.
    `remaining` is an honest estimate of the questions still to come after this screen.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    kind: ScreenKind
    keys: tuple[str, ...]
    done: bool
    emergency: bool
    remaining: int
    title: Text | None = None
    reason: str  # why this screen now, for developers and the simulate log

    def why(self, key: str, lang: str = "da") -> str:
        """Why a question is asked, in plain words (the item's `why` text)."""
        why = load_item_bank()[key].why
        return why(lang) if why else ""

    def questions(self, lang: str = "da") -> list[tuple[str, str]]:
        """(key, question text) for each key, in order."""
        bank = load_item_bank()
        return [(key, bank[key].text(lang)) for key in self.keys]
