"""What the patient's pages show: pure view models, no HTTP (the clinic's are in report/).

The handlers in :mod:`nervetjek.web.patient` pass these to the templates: the question
fields, the answers by section on the check page, and the result page's reasons,
patterns, questionnaire scores and next steps.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from pydantic import BaseModel, ConfigDict

from nervetjek.content import quote as content_quote
from nervetjek.datafiles import check_schema, package_yaml
from nervetjek.engine import DISCLAIMER, Assessment, assess_valid
from nervetjek.engine.explain import STEP_KINDS, reason_answers
from nervetjek.engine.result import Evidence
from nervetjek.instruments import InstrumentScore, load_instruments
from nervetjek.intake import bodymap, load_item_bank, load_outcomes
from nervetjek.intake.bank import Item
from nervetjek.interview import forms, progress
from nervetjek.interview.forms import FieldError
from nervetjek.interview.progress import SessionData

RETURN_TO_CHECK = "tjek"
# Patterns under this probability are left out of "Det kan være" (the first is always shown).
MIN_SHOWN_PROBABILITY = 0.10
SHOWN_PATTERNS = 3
MAX_REASONS_PER_PATTERN = 5
MAX_AGAINST_PER_PATTERN = 3


class _OutOfHoursLine(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    region: str
    phone: str


class _OutOfHoursFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    checked: date
    sources: list[str]
    regions: list[_OutOfHoursLine]


def screen_url(number: int) -> str:
    """The page of the interview's screen ``number`` (1 is the first)."""
    return f"/spoergsmaal/{number}"


@cache
def out_of_hours() -> tuple[tuple[str, str], ...]:
    """(region, phone) of each region's out-of-hours doctor, from out_of_hours.yaml."""
    name = "out_of_hours.yaml"
    raw = package_yaml("nervetjek.web", name)
    check_schema(_OutOfHoursFile, raw, f"web/{name}")
    return tuple((line.region, line.phone) for line in _OutOfHoursFile.model_validate(raw).regions)


def statements(assessment: Assessment, level: str, lang: str) -> list[dict[str, Any]]:
    """The reasons that set ``level``, each with the answers behind it."""
    return [
        {"why": reason.why(lang), "answers": reason_answers(reason, assessment, lang)}
        for reason in assessment.triage_reasons
        if reason.level == level
    ]


@cache
def interview_minutes() -> tuple[int, int]:
    """(typical, most people) minutes the interview takes, from bench/interview.py."""
    measured = package_yaml("nervetjek.web", "interview_time.yaml")
    seconds = measured["seconds_per_question"]
    return (
        math.ceil(measured["median_questions"] * seconds / 60),
        math.ceil(measured["p90_questions"] * seconds / 60),
    )


@dataclass(frozen=True)
class QuestionField:
    """One question as the template shows it."""

    item: Item
    kind: str  # yesno | radios | scale | number | duration | bodymap | textarea
    text: str
    help: str | None
    why: str | None  # why the interview asks it
    value: Any
    error: FieldError | None
    field_id: str
    options: tuple[tuple[str, str], ...]  # (value, label) for radios
    unit: str | None
    required: bool


def question_fields(
    items: Iterable[Item], values: dict[str, Any], errors: list[FieldError], lang: str
) -> list[QuestionField]:
    by_key = {e.key: e for e in errors}
    required = progress.required_keys()
    return [
        QuestionField(
            item=item,
            kind=forms.widget(item),
            text=item.text(lang),
            help=item.help(lang) if item.help else None,
            why=item.why(lang) if item.why else None,
            value=values.get(item.key),
            error=by_key.get(item.key),
            field_id=forms.field_id(item),
            options=tuple((value, label(lang)) for value, label in item.options.items()),
            unit=item.unit(lang) if item.unit else None,
            required=item.key in required,
        )
        for item in items
    ]


def answer_rows(keys: list[str], data: SessionData, lang: str) -> list[dict[str, Any]]:
    bank = load_item_bank()
    rows = []
    for key in keys:
        item = bank[key]
        value = data.answers.get(key)
        if value is None:
            shown, state = None, "unknown"
        elif item.type == "boolean":
            shown, state = None, "yes" if value else "no"
        elif item.type == "choice":
            shown, state = item.options[value](lang), "value"
        elif item.type == "regions":
            shown, state = ", ".join(bank.region_label(c, lang) for c in value), "value"
        elif key == "duration_days":
            number, unit = forms.duration_parts(value)
            shown, state = (number, unit), "duration"
        elif item.unit is not None:
            shown, state = f"{value} {item.unit(lang)}", "value"
        else:
            shown, state = str(value), "value"
        number = progress.screen_of(data, key)
        change = screen_url(number) + f"?retur={RETURN_TO_CHECK}"
        rows.append(
            {
                "key": key,
                "question": item.text(lang),
                "state": state,
                "shown": shown,
                "change_url": change + f"#{forms.field_id(item)}",
            }
        )
    return rows


def answer_sections(data: SessionData, lang: str, keep=lambda key, value: True) -> list[dict]:
    """The asked questions by section (item bank order of sections), answers in rows."""
    bank = load_item_bank()
    sections = []
    for section_id, title in bank.sections.items():
        keys = [
            key
            for key in data.asked
            if bank[key].section == section_id and keep(key, data.answers.get(key))
        ]
        if keys:
            sections.append({"title": title(lang), "rows": answer_rows(keys, data, lang)})
    return sections


def sentence(phrase: str) -> str:
    """ "ømme muskler" -> "Ømme muskler." (a phrase from the data as a sentence)."""
    phrase = phrase.strip()
    return phrase[:1].upper() + phrase[1:] + ("" if phrase.endswith((".", "?", "!")) else ".")


def _evidence_sentences(evidence: Sequence[Evidence], lang: str) -> list[dict[str, str]]:
    """ "Det taler for / imod" lines: the observation's own words for the value answered
    (a yes uses the feature's yes label, a no its written no label), never question text."""
    return [
        {"text": sentence(e.label(lang)), "feature": e.feature, "value": e.value} for e in evidence
    ]


def patterns(assessment: Assessment, lang: str) -> list[dict[str, Any]]:
    outcomes = load_outcomes()
    shown = []
    for rank, pattern in enumerate(assessment.patterns[:SHOWN_PATTERNS]):
        if rank > 0 and pattern.probability < MIN_SHOWN_PROBABILITY:
            break
        info = outcomes.patterns[pattern.id]
        kind, number = pattern.percent
        shown.append(
            {
                "id": pattern.id,
                "rank": rank,
                "name": info.name(lang),
                "plain": info.plain(lang),
                "percent_kind": kind,
                "percent": number,
                "for": _evidence_sentences(pattern.supporting[:MAX_REASONS_PER_PATTERN], lang),
                "against": _evidence_sentences(pattern.opposing[:MAX_AGAINST_PER_PATTERN], lang),
                "article_url": f"/viden/{info.article}",
            }
        )
    return shown


def instruments(
    scores: dict[str, InstrumentScore], lang: str, patterns: Iterable[str] | None = None
) -> list[dict[str, Any]]:
    """The questionnaires shown.  On the result page (``patterns`` given) only complete
    ones, and only where they help with a pattern on the page (instruments.yaml
    `shown_to_patient_for`); the page printed for the clinician has them all."""
    definitions = load_instruments()
    shown_patterns = None if patterns is None else set(patterns)
    shown = []
    for key, score in scores.items():
        if shown_patterns is not None and (
            not score.complete or shown_patterns.isdisjoint(definitions[key].patient_patterns)
        ):
            continue
        meaning = score.interpretation
        shown.append(
            {
                "id": key,
                "name": score.name(lang),
                "purpose": definitions[key].purpose(lang),
                "complete": score.complete,
                "score": score.score,
                "points": score.points,
                "max_score": score.max_score,
                "missing": len(score.missing),
                "answered": len(definitions[key].scored_items) - len(score.missing),
                "meaning": meaning(lang) if meaning else None,
                "cutoffs": [(c.at_least, score.cutoff_label(c.id)(lang)) for c in score.cutoffs],
            }
        )
    return shown


def step_groups(assessment: Assessment, lang: str) -> list[dict[str, Any]]:
    groups = []
    for kind in STEP_KINDS:
        steps = []
        for step in assessment.steps(kind):
            slug, _, anchor = step.see.partition("#")
            try:
                found = content_quote(step.see, lang)
            except Exception:  # an article problem must never break the result page
                found = None
            steps.append(
                {
                    "text": step.text(lang),
                    "url": f"/viden/{slug}" + (f"#{anchor}" if anchor else ""),
                    "title": found.title if found else None,
                }
            )
        if steps:
            groups.append({"kind": kind, "steps": steps})
    return groups


def result(answers: dict[str, Any], lang: str) -> dict[str, Any]:
    """The result page: the level and why, the likely patterns, scores and next steps."""
    assessment = assess_valid(answers)
    level = load_outcomes().levels[assessment.triage]
    shown = patterns(assessment, lang)
    return {
        "assessment": assessment,
        "level": level,
        "reasons": statements(assessment, assessment.triage, lang),
        "recognised": assessment.recognised,
        "patterns": shown,
        "instruments": instruments(assessment.instruments, lang, (p["id"] for p in shown)),
        "step_groups": step_groups(assessment, lang),
        "signs": [flag.statement(lang) for flag in assessment.red_flags],
        "disclaimer": DISCLAIMER(lang),
        "bodymap": bodymap.view(answers.get("locations"), lang),
        "today": date.today().isoformat(),
    }
