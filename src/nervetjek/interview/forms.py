"""A screen's form as pure functions: its controls, their values, and reading what was
sent into intake answers (the interview's screens, the own-words confirmation and the
follow-up questionnaire all read answers here).

Nothing here knows about HTTP or about which question comes next (that is
:mod:`nervetjek.interview.progress`).  The rules added here:

* "Ved ikke" (don't know) leaves a question unanswered: unanswered is never guessed.
* A required question (a warning sign) must get Ja, Nej or Ved ikke; an empty one is an
  error, never a silent "no".
* A number box takes what people write: "45 år gammel" for an age, "3 uger" or "et halvt
  år" for how long (a unit typed in the box wins over the unit chosen beside it).  The
  words and units are the free-text reader's (:mod:`nervetjek.freetext.amounts`).
* An impossible answer is refused with a message that says what to write: an age outside
  the item's range, or a duration longer than the person has lived.

Error messages are Danish gettext message ids (translated by the templates through
``patient.po``) with ``%(name)s`` parameters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from nervetjek.bounds import MAX_DIGITS
from nervetjek.freetext.amounts import TypedAmount, age_words, days_per_unit, read_amount
from nervetjek.intake.bank import Item, load_item_bank
from nervetjek.intake.wording import DURATION_UNITS, duration_parts

YES, NO, UNKNOWN = "yes", "no", "unknown"
UNIT_FIELD_SUFFIX = "__unit"
LIST_SEPARATOR = ","


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (gettext convention)."""
    return message


# One wording for a refused (stale) form everywhere: the portal, /send and the interview.
MESSAGE_STALE_FORM = N_("Siden var for gammel. Prøv igen.")
MESSAGE_TOO_BIG = N_("Dine svar fylder for meget. Gør teksten kortere.")
MESSAGE_REQUIRED = N_("Svar ja, nej eller ved ikke.")
MESSAGE_DURATION = N_("Skriv hvor længe, for eksempel 3 uger.")
MESSAGE_AGE = N_("Skriv din alder som et helt tal, for eksempel 47.")
MESSAGE_AGE_RANGE = N_("Skriv en alder fra %(min)s til %(max)s år.")
MESSAGE_DURATION_OVER_AGE = N_(
    "Det er længere end din alder. Skriv hvor længe du har haft generne, for eksempel 3 uger."
)
MESSAGE_AGE_UNDER_DURATION = N_(
    "Du har skrevet, at du har haft generne i længere tid, end du har levet. Tjek din alder."
)

# Every message this module can produce, so a test can check each has an English text.
MESSAGES = (
    N_("Vælg et af svarene."),
    MESSAGE_AGE,
    MESSAGE_AGE_RANGE,
    N_("Skriv et helt tal, for eksempel 3."),
    N_("Skriv et tal fra %(min)s til %(max)s."),
    MESSAGE_DURATION,
    N_("Vælg dage, uger, måneder eller år."),
    N_("Skriv hele dage. Er det under et døgn, så skriv 0 dage."),
    N_("Det er for lang tid. Skriv højst 100 år."),
    MESSAGE_DURATION_OVER_AGE,
    MESSAGE_AGE_UNDER_DURATION,
    N_("Teksten er for lang. Skriv højst %(max)s tegn. Du har skrevet %(count)s."),
    N_("Vælg kun steder fra listen."),
    MESSAGE_STALE_FORM,
    MESSAGE_TOO_BIG,
    MESSAGE_REQUIRED,
)


@dataclass(frozen=True)
class FieldError:
    """One invalid answer: the item, the form control to jump to, and the message."""

    key: str
    field: str  # id of the HTML control the error summary links to
    message: str  # Danish gettext message id
    params: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def on(cls, item: Item, message: str, **params: Any) -> FieldError:
        """An error on ``item``, linked from the error summary to its (first) control."""
        return cls(item.key, field_id(item), message, params)


@dataclass
class Submission:
    """The result of parsing one page's form."""

    answers: dict[str, Any]  # every answer, with this screen's applied
    errors: list[FieldError]
    values: dict[str, Any]  # what the person entered, to show again with the errors


# ------------------------------------------------------------------------- controls


# The form control of each item type; a number is a duration, a scale or a number box.
WIDGETS = {"boolean": "yesno", "choice": "radios", "regions": "bodymap", "text": "textarea"}


def widget(item: Item) -> str:
    """The form control for an item."""
    if item.type in WIDGETS:
        return WIDGETS[item.type]
    if item.key == "duration_days":
        return "duration"
    if item.maximum is not None and item.minimum is not None and item.maximum - item.minimum <= 10:
        return "scale"
    return "number"


def field_id(item: Item) -> str:
    """The id of the control an error message links to (the first one of a group)."""
    kind = widget(item)
    if kind == "yesno":
        return f"f-{item.key}-{YES}"
    if kind == "radios":
        return f"f-{item.key}-{next(iter(item.options))}"
    if kind == "scale":
        return f"f-{item.key}-{item.minimum}"
    if kind == "bodymap":
        return region_field_id(item.key, load_item_bank().regions[0])
    return f"f-{item.key}"


def region_field_id(key: str, code: str) -> str:
    """The id of one body-map checkbox (dots are awkward in CSS selectors)."""
    return f"f-{key}-{code.replace('.', '-')}"


# ---------------------------------------------------------------------- form values


def form_values(
    items: Iterable[Item], answers: Mapping[str, Any], unknown: Iterable[str]
) -> dict[str, Any]:
    """What each control on a screen shows, from the stored answers."""
    unknown = set(unknown)
    values: dict[str, Any] = {}
    for item in items:
        key = item.key
        kind = widget(item)
        value = answers.get(key)
        if kind == "yesno":
            values[key] = UNKNOWN if key in unknown else {True: YES, False: NO}.get(value, "")
        elif kind in ("radios", "scale"):
            values[key] = UNKNOWN if key in unknown else ("" if value is None else str(value))
        elif kind == "duration":
            if value is None:
                values[key] = ("", "")
            else:
                number, unit = duration_parts(value)
                values[key] = (str(number), unit)
        elif kind == "bodymap":
            values[key] = list(value or [])
        else:
            values[key] = "" if value is None else str(value)
    return values


# ASCII digits only (\d also takes other scripts' digits and int() then fails on some),
# and few enough that int() stays cheap and finite.
_INTEGER = re.compile(rf"[0-9]{{1,{MAX_DIGITS}}}")


def typed_whole_number(item: Item, raw: str) -> int | None:
    """A whole number typed in a number box, with only the words that may follow it
    ("45 år", "45 år gammel" for the age; the item's unit for other numbers); else None."""
    typed = read_amount(raw)
    if typed is None or not typed.amount.is_integer():
        return None
    allowed = age_words() if item.key == "age" else _unit_words(item)
    if any(word not in allowed for word in typed.words):
        return None
    return int(typed.amount)


def _unit_words(item: Item) -> frozenset[str]:
    if item.unit is None:
        return frozenset()
    return frozenset({item.unit.da.casefold(), item.unit.en.casefold()})


def typed_duration_unit(typed: TypedAmount) -> int | None:
    """Days per unit when a unit is typed after the number ("3 uger"), on the Danish pages
    or the English ones ("3 weeks"); None for a word that is not a unit."""
    (word,) = typed.words
    days = days_per_unit(word)
    if days is None:
        days = DURATION_UNITS.get(word, DURATION_UNITS.get(word + "s"))
    return days


def _parse_item(item: Item, form: Mapping[str, Any]) -> tuple[Any, Any, FieldError | None]:
    """(answer or None for unanswered or UNKNOWN, value to redisplay, error)."""
    key = item.key
    kind = widget(item)
    error = partial(FieldError.on, item)
    if kind == "bodymap":
        chosen = [str(code) for code in _getlist(form, key)]
        bank = load_item_bank()
        if any(code not in bank.region_labels for code in chosen):
            return None, chosen, error(N_("Vælg kun steder fra listen."))
        picked = set(chosen)
        ordered = [code for code in bank.regions if code in picked]
        return (ordered or None), ordered, None

    raw = _get(form, key).strip()
    if kind in ("yesno", "radios", "scale"):
        if raw in ("", UNKNOWN):
            return (UNKNOWN if raw else None), raw, None
        if kind == "yesno" and raw in (YES, NO):
            return raw == YES, raw, None
        if kind == "radios" and raw in item.options:
            return raw, raw, None
        if kind == "scale" and _INTEGER.fullmatch(raw) and item.minimum <= int(raw) <= item.maximum:
            return int(raw), raw, None
        return None, "", error(N_("Vælg et af svarene."))
    if kind == "number":
        if raw == "":
            return None, raw, None
        number = typed_whole_number(item, raw)
        age = key == "age"
        if number is None:
            message = MESSAGE_AGE if age else N_("Skriv et helt tal, for eksempel 3.")
            return None, raw, error(message)
        if not item.minimum <= number <= item.maximum:
            message = MESSAGE_AGE_RANGE if age else N_("Skriv et tal fra %(min)s til %(max)s.")
            return None, raw, error(message, min=item.minimum, max=item.maximum)
        return number, raw, None
    if kind == "duration":
        unit = _get(form, key + UNIT_FIELD_SUFFIX).strip()
        shown = (raw, unit)
        if raw == "":
            return None, ("", unit), None
        typed = read_amount(raw)
        if typed is None or len(typed.words) > 1:
            return None, shown, error(MESSAGE_DURATION)
        if typed.words:
            per_unit = typed_duration_unit(typed)
            if per_unit is None:
                return None, shown, error(MESSAGE_DURATION)
            if per_unit == 0:  # hours or minutes: the answer is in whole days
                message = N_("Skriv hele dage. Er det under et døgn, så skriv 0 dage.")
                return None, shown, error(message)
        elif unit in DURATION_UNITS:
            per_unit = DURATION_UNITS[unit]
        else:
            message = N_("Vælg dage, uger, måneder eller år.")
            return None, shown, FieldError(key, f"f-{key}-unit", message)
        days = math.floor(typed.amount * per_unit + 0.5)
        if days > item.maximum:
            return None, shown, error(N_("Det er for lang tid. Skriv højst 100 år."))
        return days, shown, None
    # free text
    text = _get(form, key).replace("\r\n", "\n").strip()
    if item.max_length is not None and len(text) > item.max_length:
        message = N_("Teksten er for lang. Skriv højst %(max)s tegn. Du har skrevet %(count)s.")
        return None, text, error(message, max=item.max_length, count=len(text))
    return (text or None), text, None


def _get(form: Mapping[str, Any], key: str) -> str:
    value = form.get(key, "")
    if isinstance(value, list):
        value = value[0] if value else ""
    return value if isinstance(value, str) else ""


def _getlist(form: Any, key: str) -> list[Any]:
    if hasattr(form, "getlist"):
        return list(form.getlist(key))
    value = form.get(key, [])
    return list(value) if isinstance(value, (list, tuple)) else [value]


def posted_answers(form: Mapping[str, Any]) -> tuple[list[str], dict[str, Any]]:
    """(the questions a form says it showed, their valid answers), without any session.

    Each question on its own: one unreadable answer must not hide a warning sign beside it.
    """
    bank = load_item_bank()
    posted = str(form.get("shown", "")).split(LIST_SEPARATOR)
    keys = [key for key in posted if key in bank.items]
    answers: dict[str, Any] = {}
    for key in keys:
        answers.update(parse_screen([bank[key]], form, {}).answers)
    return keys, answers


def parse_screen(
    items: Iterable[Item],
    form: Mapping[str, Any],
    answers: Mapping[str, Any],
    required: Iterable[str] = (),
) -> Submission:
    """Apply one screen's form to the answers so far.

    An answer of "Ved ikke", or an empty optional question, leaves the question without
    an answer.  ``required`` questions must be answered, "Ved ikke" included.  On errors
    the stored answers are unchanged.
    """
    required = set(required)
    items = list(items)
    updated = dict(answers)
    errors: list[FieldError] = []
    values = form_values(items, answers, ())
    for item in items:
        answer, value, problem = _parse_item(item, form)
        values[item.key] = value
        if problem is None and answer is None and item.key in required:
            problem = FieldError.on(item, MESSAGE_REQUIRED)
        if problem is not None:
            errors.append(problem)
            continue
        updated.pop(item.key, None)
        if answer is not None and answer != UNKNOWN:
            updated[item.key] = answer
    if not errors and (problem := _duration_longer_than_age(items, updated)) is not None:
        errors.append(problem)
    if errors:
        return Submission(dict(answers), errors, values)
    return Submission(updated, [], values)


AGE_KEY, DURATION_KEY = "age", "duration_days"


def _duration_longer_than_age(items: list[Item], answers: Mapping[str, Any]) -> FieldError | None:
    """A duration longer than the person's age (either may have been answered on an
    earlier screen) is refused on this screen's question of the two.

    Someone aged 45 may have had it for 45 years and some months, so the limit is the
    start of the next year of life.
    """
    age, days = answers.get(AGE_KEY), answers.get(DURATION_KEY)
    if age is None or days is None or days < (age + 1) * DURATION_UNITS["years"]:
        return None
    on_screen = {item.key: item for item in items}
    if DURATION_KEY in on_screen:
        return FieldError.on(on_screen[DURATION_KEY], MESSAGE_DURATION_OVER_AGE)
    if AGE_KEY in on_screen:
        return FieldError.on(on_screen[AGE_KEY], MESSAGE_AGE_UNDER_DURATION)
    return None
