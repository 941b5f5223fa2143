"""The questionnaire as pure functions: which pages and questions to ask, and form parsing.

Nothing here knows about HTTP.  The item bank decides what is asked (each item's
``ask_if``); this module adds the web rules on top:

* A page's follow-up questions (items with an ``ask_if``) are judged by the answers on
  other pages plus the page's own lead questions (items without an ``ask_if``).  A
  follow-up never switches off itself or another follow-up on the same page, so an answer
  cannot make the page it stands on disappear under the person's feet.
* "Ved ikke" (don't know) leaves a question unanswered: unanswered is never guessed.
* After every change, answers to questions that are no longer asked are dropped
  (:func:`prune`), so a "no" to a lead question removes its follow-ups, with or without
  JavaScript.

Error messages are Danish gettext message ids (translated by the templates through
``patient.po``) with ``%(name)s`` parameters.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from nervetjek.conditions import Facts
from nervetjek.intake.bank import Item, ItemBank, Page, load_item_bank

YES, NO, UNKNOWN = "yes", "no", "unknown"
# Days per unit for "how long": a month is 30 days and a year 365, which is exact
# enough for every duration rule in the triage policy (28 and 42 days).
DURATION_UNITS: dict[str, int] = {"days": 1, "weeks": 7, "months": 30, "years": 365}
UNIT_FIELD_SUFFIX = "__unit"
LIST_SEPARATOR = ","


def N_(message: str) -> str:
    """Mark a message for translation without translating it here (gettext convention)."""
    return message


MESSAGE_STALE_FORM = N_("Siden var for gammel. Send dine svar igen.")
MESSAGE_TOO_BIG = N_("Dine svar fylder for meget. Gør teksten kortere.")

# Every message this module can produce, so a test can check each has an English text.
MESSAGES = (
    N_("Vælg et af svarene."),
    N_("Skriv din alder som et helt tal, for eksempel 47."),
    N_("Skriv en alder fra %(min)s til %(max)s år."),
    N_("Skriv et helt tal, for eksempel 3."),
    N_("Skriv et tal fra %(min)s til %(max)s."),
    N_("Skriv hvor længe med et tal, for eksempel 3."),
    N_("Vælg dage, uger, måneder eller år."),
    N_("Det er for lang tid. Skriv højst 100 år."),
    N_("Teksten er for lang. Skriv højst %(max)s tegn. Du har skrevet %(count)s."),
    N_("Vælg kun steder fra listen."),
    MESSAGE_STALE_FORM,
    MESSAGE_TOO_BIG,
)


@dataclass(frozen=True)
class FieldError:
    """One invalid answer: the item, the form control to jump to, and the message."""

    key: str
    field: str  # id of the HTML control the error summary links to
    message: str  # Danish gettext message id
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass
class Submission:
    """The result of parsing one page's form."""

    answers: dict[str, Any]  # every answer, with this page's applied and pruned
    unknown: set[str]  # keys answered "ved ikke"
    errors: list[FieldError]
    values: dict[str, Any]  # what the person entered, to show again with the errors


# ----------------------------------------------------------------------------- flow


def widget(item: Item) -> str:
    """The form control for an item."""
    if item.type == "boolean":
        return "yesno"
    if item.type == "choice":
        return "radios"
    if item.type == "regions":
        return "bodymap"
    if item.type == "text":
        return "textarea"
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


def _context(page: Page, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers a page's follow-ups are judged by: all but the page's own follow-ups."""
    own_follow_ups = {item.key for item in page.items if item.ask_if is not None}
    return {k: v for k, v in answers.items() if k not in own_follow_ups}


def asked_items(page: Page, answers: Mapping[str, Any]) -> list[Item]:
    """The questions to show on a page, given the answers so far."""
    return page.asked_items(Facts.of(_context(page, answers)))


def applicable_pages(answers: Mapping[str, Any], bank: ItemBank | None = None) -> list[Page]:
    """The pages with at least one question to ask, in the item bank's order."""
    bank = bank or load_item_bank()
    return [page for page in bank.pages if asked_items(page, answers)]


def page_position(page_id: str, answers: Mapping[str, Any]) -> tuple[int, int]:
    """(step, total) for "Trin 3 af 10"; a page outside the flow counts where it stands."""
    bank = load_item_bank()
    pages = applicable_pages(answers, bank)
    ids = [p.id for p in pages]
    if page_id in ids:
        return ids.index(page_id) + 1, len(ids)
    order = [p.id for p in bank.pages]
    before = sum(1 for p in ids if order.index(p) < order.index(page_id))
    return before + 1, len(ids) + 1


def next_page(page_id: str | None, answers: Mapping[str, Any]) -> Page | None:
    """The next page to ask after ``page_id`` (None: the first), or None when done."""
    bank = load_item_bank()
    order = [p.id for p in bank.pages]
    start = -1 if page_id is None else order.index(page_id)
    for page in applicable_pages(answers, bank):
        if order.index(page.id) > start:
            return page
    return None


def previous_page(page_id: str, answers: Mapping[str, Any]) -> Page | None:
    bank = load_item_bank()
    order = [p.id for p in bank.pages]
    earlier = [
        p for p in applicable_pages(answers, bank) if order.index(p.id) < order.index(page_id)
    ]
    return earlier[-1] if earlier else None


def first_unseen_page(answers: Mapping[str, Any], seen: Iterable[str]) -> Page | None:
    """The first page to ask that the person has not been to yet."""
    seen = set(seen)
    for page in applicable_pages(answers):
        if page.id not in seen:
            return page
    return None


def prune(
    answers: Mapping[str, Any], unknown: Iterable[str] = ()
) -> tuple[dict[str, Any], set[str]]:
    """Drop answers (and "ved ikke" marks) to questions that are no longer asked.

    One pass in page order is enough: a question's condition refers to earlier pages or to
    lead questions on its own page, never to a later page.
    """
    bank = load_item_bank()
    kept = dict(answers)
    unknown_kept = set(unknown)
    for page in bank.pages:
        asked = {item.key for item in asked_items(page, kept)}
        for item in page.items:
            if item.key not in asked:
                kept.pop(item.key, None)
                unknown_kept.discard(item.key)
    return kept, unknown_kept


# ---------------------------------------------------------------------- form values


def duration_parts(days: int) -> tuple[int, str]:
    """Show a number of days in the largest unit that fits exactly (14 -> 2 weeks)."""
    for unit in ("years", "months", "weeks"):
        size = DURATION_UNITS[unit]
        if days >= size and days % size == 0:
            return days // size, unit
    return days, "days"


def form_values(page: Page, answers: Mapping[str, Any], unknown: Iterable[str]) -> dict[str, Any]:
    """What each control on a page shows, from the stored answers."""
    unknown = set(unknown)
    values: dict[str, Any] = {}
    for item in page.items:
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


_INTEGER = re.compile(r"^\d+$")
_DECIMAL = re.compile(r"^\d+(?:[.,]\d+)?$")


def _parse_item(item: Item, form: Mapping[str, Any]) -> tuple[Any, Any, FieldError | None]:
    """(answer or None for unanswered or UNKNOWN, value to redisplay, error)."""
    key = item.key
    kind = widget(item)
    fid = field_id(item)

    def error(message: str, **params: Any) -> FieldError:
        return FieldError(key, fid, message, params)

    if kind == "bodymap":
        chosen = [str(code) for code in _getlist(form, key)]
        bank = load_item_bank()
        if any(code not in bank.region_labels for code in chosen):
            return None, chosen, error(N_("Vælg kun steder fra listen."))
        picked = set(chosen)
        ordered = [code for code in bank.regions if code in picked]
        return (ordered or None), ordered, None

    raw = _get(form, key).strip()
    if kind == "yesno":
        if raw in ("", UNKNOWN):
            return (UNKNOWN if raw else None), raw, None
        if raw not in (YES, NO):
            return None, "", error(N_("Vælg et af svarene."))
        return raw == YES, raw, None
    if kind == "radios":
        if raw in ("", UNKNOWN):
            return (UNKNOWN if raw else None), raw, None
        if raw not in item.options:
            return None, "", error(N_("Vælg et af svarene."))
        return raw, raw, None
    if kind == "scale":
        if raw in ("", UNKNOWN):
            return (UNKNOWN if raw else None), raw, None
        if not _INTEGER.match(raw) or not item.minimum <= int(raw) <= item.maximum:
            return None, "", error(N_("Vælg et af svarene."))
        return int(raw), raw, None
    if kind == "number":
        if raw == "":
            return None, raw, None
        if not _INTEGER.match(raw):
            if key == "age":
                return None, raw, error(N_("Skriv din alder som et helt tal, for eksempel 47."))
            return None, raw, error(N_("Skriv et helt tal, for eksempel 3."))
        number = int(raw)
        if not item.minimum <= number <= item.maximum:
            if key == "age":
                return (
                    None,
                    raw,
                    error(
                        N_("Skriv en alder fra %(min)s til %(max)s år."),
                        min=item.minimum,
                        max=item.maximum,
                    ),
                )
            return (
                None,
                raw,
                error(
                    N_("Skriv et tal fra %(min)s til %(max)s."), min=item.minimum, max=item.maximum
                ),
            )
        return number, raw, None
    if kind == "duration":
        unit = _get(form, key + UNIT_FIELD_SUFFIX).strip()
        shown = (raw, unit)
        if raw == "":
            return None, ("", unit), None
        if not _DECIMAL.match(raw):
            return None, shown, error(N_("Skriv hvor længe med et tal, for eksempel 3."))
        if unit not in DURATION_UNITS:
            return (
                None,
                shown,
                FieldError(key, f"f-{key}-unit", N_("Vælg dage, uger, måneder eller år.")),
            )
        days = math.floor(float(raw.replace(",", ".")) * DURATION_UNITS[unit] + 0.5)
        if days > item.maximum:
            return None, shown, error(N_("Det er for lang tid. Skriv højst 100 år."))
        return days, shown, None
    # free text
    text = _get(form, key).replace("\r\n", "\n").strip()
    if item.max_length is not None and len(text) > item.max_length:
        return (
            None,
            text,
            error(
                N_("Teksten er for lang. Skriv højst %(max)s tegn. Du har skrevet %(count)s."),
                max=item.max_length,
                count=len(text),
            ),
        )
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


def preview_asked(page: Page, form: Mapping[str, Any], answers: Mapping[str, Any]) -> list[str]:
    """The questions the page would ask if its form were sent now (nothing is saved).

    Used to show and hide follow-up questions while the person answers; an invalid
    answer is simply left out here (the real submit reports it).
    """
    merged = dict(answers)
    for item in page.items:
        answer, _value, problem = _parse_item(item, form)
        if problem is not None:
            continue
        merged.pop(item.key, None)
        if answer is not None and answer != UNKNOWN:
            merged[item.key] = answer
    return [item.key for item in asked_items(page, merged)]


def parse_page(
    page: Page,
    form: Mapping[str, Any],
    answers: Mapping[str, Any],
    unknown: Iterable[str] = (),
    shown: Iterable[str] | None = None,
) -> Submission:
    """Apply one page's form to the answers so far.

    ``shown`` are the questions the form showed; only those are read, so a question that
    was hidden keeps its earlier answer.  On errors the stored answers are unchanged.
    """
    shown_keys = set(shown) if shown is not None else {i.key for i in asked_items(page, answers)}
    updated = dict(answers)
    unknown_updated = set(unknown)
    errors: list[FieldError] = []
    values = form_values(page, answers, unknown)
    for item in page.items:
        if item.key not in shown_keys:
            continue
        answer, value, problem = _parse_item(item, form)
        values[item.key] = value
        if problem is not None:
            errors.append(problem)
            continue
        unknown_updated.discard(item.key)
        updated.pop(item.key, None)
        if answer == UNKNOWN:
            unknown_updated.add(item.key)
        elif answer is not None:
            updated[item.key] = answer
    if errors:
        return Submission(dict(answers), set(unknown), errors, values)
    pruned, unknown_pruned = prune(updated, unknown_updated)
    return Submission(pruned, unknown_pruned, [], values)


def answers_from_intake(page: Page, answers: Mapping[str, Any], shown: Iterable[str]) -> dict:
    """The form a person would send on ``page`` to give these intake answers.

    The inverse of :func:`parse_page`, used by tests and by the clinic to prefill a form.
    Questions without an answer are left empty (not answered).
    """
    form: dict[str, Any] = {}
    for item in page.items:
        if item.key not in set(shown) or item.key not in answers:
            continue
        value = answers[item.key]
        kind = widget(item)
        if kind == "yesno":
            form[item.key] = YES if value else NO
        elif kind == "duration":
            number, unit = duration_parts(value)
            form[item.key] = str(number)
            form[item.key + UNIT_FIELD_SUFFIX] = unit
        elif kind == "bodymap":
            form[item.key] = list(value)
        else:
            form[item.key] = str(value)
    return form
