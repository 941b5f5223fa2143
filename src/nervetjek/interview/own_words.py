"""The own-words step as pure functions: what the text box understood, and its confirmation.

After the warning signs the person may describe their trouble in their own words
("Beskriv dine gener med dine egne ord").  The Danish reader (:mod:`nervetjek.freetext`)
turns the text into intake facts; one confirm page shows each fact as an editable answer,
and only what the person confirms there becomes an answer.  The interview then skips what
is answered, as for any answer.

The safety rules (the text can only add or raise):

* a warning sign the text states as present is shown first, ticked "Ja", even over an
  earlier "Nej": the person confirms or changes it, and a confirmed yes raises the level
  as any yes does;
* a warning sign read as absent is never shown: it changes no answer and skips nothing;
* any other fact is shown only for a question not answered yet (answers are never
  overwritten), and the person can change or remove it;
* a removed fact stays unasked, so the interview asks it later.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from nervetjek.conditions import Facts
from nervetjek.freetext import read
from nervetjek.intake import load_item_bank
from nervetjek.intake.bank import Item
from nervetjek.interview import forms
from nervetjek.interview.forms import FieldError
from nervetjek.interview.progress import SessionData, prune, required_keys

TEXT_KEY = "free_text"
# The checkbox that takes a fact out ("Det passer ikke"); its values are the item keys.
REMOVE_FIELD = "fjern"


@dataclass(frozen=True)
class Understood:
    """One fact read from the text, as the confirm page offers it."""

    item: Item
    value: Any  # the answer the text gives, in intake form
    words: tuple[str, ...]  # the person's own words the fact was read from
    warning: bool  # a warning sign stated as present: must be answered, cannot be removed

    @property
    def key(self) -> str:
        return self.item.key

    def statement(self, lang: str) -> str:
        """The fact in plain words ("prikken og stikken"), as the result page words answers."""
        return load_item_bank().answer_statement(self.key, self.value, lang)


def own_text(answers: Mapping[str, Any]) -> str:
    return str(answers.get(TEXT_KEY) or "")


def understood(data: SessionData) -> list[Understood]:
    """The facts to confirm, warning signs first, then in the item bank's order."""
    text = own_text(data.answers)
    if not text:
        return []
    reading = read(text)
    bank = load_item_bank()
    warning_keys = required_keys()
    answers = data.answers
    merged = Facts.of({**reading.facts, **answers})
    words: dict[str, list[str]] = {}
    for span in reading.spans:
        words.setdefault(span.key, [])
        if span.text not in words[span.key]:
            words[span.key].append(span.text)
    found = []
    for key, value in reading.facts.items():
        item = bank.items.get(key)
        if item is None or item.type == "text" or not item.is_asked(merged):
            continue
        if key in warning_keys:
            # Only a stated warning sign counts, and only if it raises: never a "no".
            if value is not True or answers.get(key) is True:
                continue
        elif key in answers:
            continue
        found.append(Understood(item, value, tuple(words.get(key, ())), key in warning_keys))
    order = {key: place for place, key in enumerate(bank.items)}
    return sorted(found, key=lambda u: (not u.warning, order[u.key]))


def form_values(facts: list[Understood], data: SessionData) -> dict[str, Any]:
    """The confirm page's controls, each set to the fact read from the text."""
    read = {fact.key: fact.value for fact in facts}
    return forms.form_values([fact.item for fact in facts], {**data.answers, **read}, ())


@dataclass
class Confirmation:
    data: SessionData | None  # the session with the confirmed answers; None on errors
    errors: list[FieldError]
    values: dict[str, Any]  # what the person sent, to show again with the errors
    removed: frozenset[str]


def confirm(data: SessionData, facts: list[Understood], form: Any) -> Confirmation:
    """Apply the confirm page: kept facts become answers, removed ones stay unasked.

    A warning sign must be answered (Ja, Nej or Ved ikke), as on its own screen.  A fact
    kept is recorded on a screen of its own (so "Tjek dine svar" lists it and "Ændre"
    finds it), except one already on an earlier screen, whose answer is updated there.
    """
    chosen = set(form.getlist(REMOVE_FIELD)) if hasattr(form, "getlist") else set()
    removed = frozenset(f.key for f in facts if f.key in chosen and not f.warning)
    kept = [f for f in facts if f.key not in removed]
    required = {f.key for f in kept if f.warning}
    submission = forms.parse_screen([f.item for f in kept], form, data.answers, required)
    if submission.errors:
        return Confirmation(None, submission.errors, submission.values, removed)
    asked = set(data.asked)
    screens = [list(keys) for keys in data.screens]
    new_keys = [f.key for f in kept if f.key not in asked]
    if new_keys:
        screens.append(new_keys)
    answers, screens = prune(submission.answers, screens)
    confirmed = replace(data, answers=answers, screens=screens, own_words="done")
    return Confirmation(confirmed, [], submission.values, removed)


def with_text(data: SessionData, text: str | None) -> SessionData:
    """The session after the text box: the text kept as an answer (sent to the clinic
    only with the other answers), and the confirm page next if there is a text."""
    answers = {k: v for k, v in data.answers.items() if k != TEXT_KEY}
    if text:
        answers[TEXT_KEY] = text
    screens = [list(keys) for keys in data.screens]
    return replace(data, answers=answers, screens=screens, own_words="read" if text else "done")


def done(data: SessionData) -> SessionData:
    """The session when the confirm page has nothing to show."""
    screens = [list(keys) for keys in data.screens]
    return replace(data, answers=dict(data.answers), screens=screens, own_words="done")
