"""Play a whole interview against known answers (a case, a test patient)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from nervetjek.engine import Assessment, assess_valid
from nervetjek.interview.flow import next_screen
from nervetjek.interview.screen import Screen


@dataclass(frozen=True)
class Dialogue:
    """One interview: the screens in order, what was asked and the result."""

    screens: tuple[Screen, ...]  # the question screens, then the done screen
    asked: tuple[str, ...]  # item keys in the order asked
    answers: dict[str, Any]  # the answers given (a "don't know" is left out)
    result: Assessment

    @property
    def done(self) -> Screen:
        return self.screens[-1]


def play(
    known: Mapping[str, Any], *, complete_instruments: bool = False, limit: int = 200
) -> Dialogue:
    """Ask as the interview asks; reply from `known`; a key it lacks replies "don't know".

    The result is the engine's assessment of the answers given, nothing else: the same
    as `assess` on the known answers cut down to the asked keys.
    """
    answers: dict[str, Any] = {}
    asked: list[str] = []
    screens: list[Screen] = []
    for _ in range(limit):
        screen = next_screen(answers, asked, complete_instruments=complete_instruments)
        screens.append(screen)
        if screen.done:
            break
        for key in screen.keys:
            asked.append(key)
            if known.get(key) is not None:
                answers[key] = known[key]
    else:  # pragma: no cover - the cap in interview.yaml ends every interview first
        raise RuntimeError("the interview did not end")
    return Dialogue(tuple(screens), tuple(asked), answers, assess_valid(dict(answers)))
