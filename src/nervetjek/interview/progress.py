"""The person's way through the interview: what is remembered between screens, and what
comes next.  Pure functions; the web keeps :class:`SessionData` in an encrypted cookie
(:mod:`nervetjek.web.session`) and gives each step its page.

The interview engine (:func:`nervetjek.interview.next_screen`) chooses the questions; this
module adds the rules around it:

* The screens the person has sent are kept (question keys per screen), so Back, reload
  and "Ændre" show the same screen again with its answers.
* After a change, answers to questions that are no longer asked are dropped
  (:func:`prune`), so a "no" to a lead question removes its follow-ups.
* An urgent level's page comes the first time the answers reach it
  (:func:`urgent_page_due`); a same-day page only when an answer sets the level.
* The flow is a sequence of steps (:data:`FLOW`).  Each step says where the person goes
  next (a :data:`Step`), or ``None`` when it has nothing left to ask; the first step with
  somewhere to go wins, and when none has, the person checks their answers.  A new
  step, for example a free-text box after the warning signs, is one more entry in the
  tuple.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, Literal

from nervetjek.conditions import Facts
from nervetjek.engine import Assessment, assess_valid
from nervetjek.intake import load_item_bank, validate_answers
from nervetjek.intake.bank import Item, Text
from nervetjek.interview.flow import next_screen
from nervetjek.interview.plan import load_plan
from nervetjek.interview.screen import Screen
from nervetjek.knowledge import load_knowledge

# Where the person goes next: the next new question screen, the own-words text box, the
# page that confirms what the text box understood, or the check of the answers.
Step = Literal["question", "own_words", "confirm", "check"]
# 2: the interview (screens of question keys) replaced the pages of the full form.
FORMAT_VERSION = 2
# The own-words step: "" not reached yet, "read" the text waits for its confirm page,
# "done" written (or skipped) and confirmed.
OWN_WORDS_STATES = ("", "read", "done")


@dataclass
class SessionData:
    """What the interview remembers between screens.

    A question on a screen that has no answer was answered "Ved ikke" (or left empty
    where that is allowed): it was asked, and it stays unknown.
    """

    answers: dict[str, Any] = field(default_factory=dict)
    screens: list[list[str]] = field(default_factory=list)  # question keys per screen sent
    emergency_shown: bool = False
    same_day_shown: bool = False
    # The random value this session's form tokens are bound to (web.deps.csrf_binding).
    csrf: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    own_words: str = ""  # one of OWN_WORDS_STATES

    @property
    def asked(self) -> list[str]:
        """Every question asked so far, in the order asked."""
        return [key for keys in self.screens for key in keys]

    @property
    def unknown(self) -> set[str]:
        """Questions asked but without an answer ("Ved ikke")."""
        return {key for key in self.asked if key not in self.answers}

    @property
    def started(self) -> bool:
        return bool(self.screens)

    def to_json(self) -> bytes:
        payload = {
            "v": FORMAT_VERSION,
            "a": self.answers,
            "q": self.screens,
            "e": int(self.emergency_shown),
            "s": int(self.same_day_shown),
            "t": self.csrf,
            "w": self.own_words,
        }
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> SessionData:
        """The session in ``raw``; ValueError (or IntakeError) if it is not one."""
        payload = json.loads(raw)
        if not isinstance(payload, dict) or payload.get("v") != FORMAT_VERSION:
            raise ValueError("unknown session format")
        # Sessions from before the own-words step have no "w": they reach it next.
        own_words = payload.get("w", "")
        if own_words not in OWN_WORDS_STATES:
            raise ValueError("unknown own-words state")
        bank = load_item_bank()
        screens = [[str(k) for k in keys if k in bank.items] for keys in payload["q"]]
        return cls(
            answers=validate_answers(payload["a"]),
            screens=[keys for keys in screens if keys],
            emergency_shown=bool(payload["e"]),
            same_day_shown=bool(payload["s"]),
            csrf=str(payload["t"]),
            own_words=own_words,
        )


@dataclass(frozen=True)
class ShownScreen:
    """One screen as the person sees it: its place in the history and its questions."""

    number: int  # 1-based place among the screens sent; len(screens) + 1 for a new one
    items: tuple[Item, ...]
    remaining: int  # the engine's estimate of questions left after this screen
    new: bool  # not sent before

    @property
    def keys(self) -> list[str]:
        return [item.key for item in self.items]


def screen_title(screen: ShownScreen) -> Text:
    """The heading of a screen of several questions: its warning group, else its page."""
    first = screen.keys[0]
    for warning in load_plan().warning_screens:
        if first in warning.keys:
            return warning.title
    return load_item_bank().page(screen.items[0].page).title


def prune(answers: Mapping[str, Any], screens: Iterable[Iterable[str]]) -> tuple[dict, list]:
    """Drop answers to, and screen places of, questions that no longer apply.

    Repeated until nothing changes: dropping one answer can switch off a question that
    depended on it.
    """
    bank = load_item_bank()
    kept = dict(answers)
    kept_screens = [list(keys) for keys in screens]
    while True:
        facts = Facts.of(kept)
        considered = set(kept) | {key for keys in kept_screens for key in keys}
        gone = {
            key
            for key in considered
            if bank[key].ask_if is not None and bank[key].ask_if.evaluate(facts) is False
        }
        if not gone:
            break
        for key in gone:
            kept.pop(key, None)
        kept_screens = [[k for k in keys if k not in gone] for keys in kept_screens]
    return kept, [keys for keys in kept_screens if keys]


@lru_cache(maxsize=512)
def _cached_screen(answers_json: str, asked: tuple[str, ...], complete: bool) -> Screen:
    return next_screen(json.loads(answers_json), list(asked), complete_instruments=complete)


def _engine_screen(data: SessionData, complete_instruments: bool) -> Screen:
    """The engine's next screen.  Deterministic and costly (it weighs every question), and
    asked several times per answer (the steps, the POST and the page after the redirect),
    so it is remembered for the latest sessions."""
    answers_json = json.dumps(data.answers, sort_keys=True, separators=(",", ":"))
    return _cached_screen(answers_json, tuple(data.asked), complete_instruments)


def screen_at(data: SessionData, number: int, complete_instruments: bool) -> ShownScreen | None:
    """The screen at ``number``: one sent before, or the next new one; None if neither."""
    bank = load_item_bank()
    upcoming = _engine_screen(data, complete_instruments)
    if 1 <= number <= len(data.screens):
        keys, new = data.screens[number - 1], False
    elif number == len(data.screens) + 1 and not upcoming.done:
        keys, new = list(upcoming.keys), True
    else:
        return None
    return ShownScreen(
        number=number,
        items=tuple(bank[key] for key in keys),
        remaining=upcoming.remaining,
        new=new,
    )


def record(data: SessionData, screen: ShownScreen, answers: Mapping[str, Any]) -> SessionData:
    """The session after the person sent ``screen`` with these (merged) answers."""
    screens = [list(keys) for keys in data.screens]
    if screen.new:
        screens.append(screen.keys)
    else:
        screens[screen.number - 1] = screen.keys
    kept, kept_screens = prune(answers, screens)
    return replace(data, answers=kept, screens=kept_screens)


def screen_of(data: SessionData, key: str) -> int | None:
    """The number of the screen that asked ``key``."""
    for number, keys in enumerate(data.screens, start=1):
        if key in keys:
            return number
    return None


# Reasons set by the person's own warning-sign answers.  They stay true as more answers
# come in, unlike a pattern's default level, which can move while questions are still
# open.
ANSWER_DRIVEN_KINDS = ("escalation", "safety_floor")


def _answer_driven(assessment: Assessment) -> bool:
    """Whether the current level rests on an answer rather than on a guessed pattern."""
    return any(
        r.level == assessment.triage and r.kind in ANSWER_DRIVEN_KINDS
        for r in assessment.triage_reasons
    )


def urgent_page_due(data: SessionData) -> Literal["emergency", "same_day"] | None:
    """The urgent level whose page comes now, the first time it applies (marked as shown
    in ``data``); a same-day page only when an answer, not a guessed pattern, sets it."""
    assessment = assess_valid(data.answers)
    if assessment.triage == "emergency" and not data.emergency_shown:
        data.emergency_shown = True
        return "emergency"
    if (
        assessment.triage == "same_day"
        and _answer_driven(assessment)
        and not (data.same_day_shown or data.emergency_shown)
    ):
        data.same_day_shown = True
        return "same_day"
    return None


# ----------------------------------------------------------------------------- steps


@dataclass(frozen=True)
class FlowStep:
    """One part of the flow: where the person goes next, or None when it is finished."""

    name: str
    next: Callable[[SessionData, bool], Step | None]


def required_keys() -> frozenset[str]:
    """The warning-sign questions: the person must answer them (Ja, Nej or Ved ikke)."""
    return load_knowledge().warning_keys


def warnings_pending(data: SessionData, complete_instruments: bool = False) -> bool:
    """Whether the engine's next screen is one of the warning-sign screens."""
    screen = _engine_screen(data, complete_instruments)
    return not screen.done and screen.kind == "warning"


def _warning_signs(data: SessionData, complete_instruments: bool) -> Step | None:
    return "question" if warnings_pending(data, complete_instruments) else None


def _questions(data: SessionData, complete_instruments: bool) -> Step | None:
    new = screen_at(data, len(data.screens) + 1, complete_instruments)
    return None if new is None else "question"


def own_words_due(data: SessionData, complete_instruments: bool = False) -> bool:
    """Whether the text box comes now: after every warning-sign screen and the follow-ups
    their answers opened, once, and never once an answer calls for 112."""
    if data.own_words == "done":
        return False
    screen = _engine_screen(data, complete_instruments)
    if screen.done:
        return not screen.emergency
    return screen.kind not in ("warning", "follow_up")


def _own_words(data: SessionData, complete_instruments: bool) -> Step | None:
    if not own_words_due(data, complete_instruments):
        return None
    return "confirm" if data.own_words == "read" else "own_words"


FLOW: tuple[FlowStep, ...] = (
    FlowStep("warning_signs", _warning_signs),
    FlowStep("own_words", _own_words),
    FlowStep("questions", _questions),
)


def next_step(data: SessionData, complete_instruments: bool = False) -> Step:
    """Where the person goes next: the first step with something left, else the check.

    "question" is the next new screen, number ``len(data.screens) + 1``.
    """
    for step in FLOW:
        found = step.next(data, complete_instruments)
        if found is not None:
            return found
    return "check"
