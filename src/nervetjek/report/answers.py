"""The answers as the person gave them, for the clinic: by section, on the body map, and
the questionnaire scores, with the outcome vocabulary's labels."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nervetjek.engine import Assessment
from nervetjek.instruments import load_instruments
from nervetjek.intake import load_item_bank, load_outcomes
from nervetjek.intake.bank import Item
from nervetjek.intake.wording import YES_NO


def level_label(level: str, lang: str) -> str:
    return load_outcomes().levels[level].label(lang)


def pattern_name(pattern: str | None, lang: str) -> str:
    if pattern is None:
        return {"da": "Intet tydeligt mønster", "en": "No clear pattern"}[lang]
    return load_outcomes().patterns[pattern].name(lang)


def format_answer(item: Item, value: Any, lang: str) -> str:
    bank = load_item_bank()
    match item.type:
        case "boolean":
            return YES_NO[lang][0 if value else 1]
        case "choice":
            return item.options[value](lang)
        case "regions":
            return ", ".join(bank.region_label(code, lang) for code in value) or "-"
        case "integer":
            return f"{value} {item.unit(lang)}" if item.unit else str(value)
    return str(value)


@dataclass(frozen=True)
class AnswerRow:
    key: str
    question: str
    answer: str
    warning: bool  # a warning sign answered yes
    yes: bool | None = None  # the yes/no answer, so the page can show Ja and Nej apart


@dataclass(frozen=True)
class AnswerSection:
    id: str
    title: str
    rows: tuple[AnswerRow, ...]


def answer_sections(answers: dict[str, Any], lang: str) -> list[AnswerSection]:
    """Answers grouped by the item bank's sections, in the bank's order."""
    bank = load_item_bank()
    sections = []
    for section_id, title in bank.sections.items():
        rows = tuple(
            AnswerRow(
                key=item.key,
                question=item.text(lang),
                answer=format_answer(item, answers[item.key], lang),
                warning=item.section == "red_flags" and answers[item.key] is True,
                yes=answers[item.key] if item.type == "boolean" else None,
            )
            for item in bank.items.values()
            if item.section == section_id and item.key in answers
        )
        if rows:
            sections.append(AnswerSection(section_id, title(lang), rows))
    return sections


@dataclass(frozen=True)
class BodyRegion:
    name: str
    label: str
    left: bool
    right: bool
    unsided: bool


def body_map(answers: dict[str, Any], lang: str) -> list[BodyRegion]:
    """Every body-map region with where the person marked it (left, right, or both)."""
    bank = load_item_bank()
    chosen = set(answers.get("locations") or ())
    rows = []
    for name, label in bank.base_region_labels.items():
        unsided = name in bank.region_labels
        rows.append(
            BodyRegion(
                name=name,
                label=label(lang),
                left=f"left.{name}" in chosen,
                right=f"right.{name}" in chosen,
                unsided=unsided and name in chosen,
            )
        )
    return rows


@dataclass(frozen=True)
class InstrumentRow:
    id: str
    name: str
    complete: bool
    score: int | None
    points: int
    max_possible: int
    max_score: int
    cutoffs: tuple[tuple[int, str, bool | None], ...]  # (at least, meaning, met)
    missing: int
    missing_items: tuple[int, ...]  # the instrument's item numbers not answered
    citation: str


def instrument_rows(assessment: Assessment, lang: str) -> list[InstrumentRow]:
    rows = []
    for instrument_id in load_instruments():  # in the order instruments.yaml lists them
        score = assessment.instruments.get(instrument_id)
        if score is None:
            continue
        rows.append(
            InstrumentRow(
                id=instrument_id,
                name=score.name(lang),
                complete=score.complete,
                score=score.score,
                points=score.points,
                max_possible=score.max_possible,
                max_score=score.max_score,
                cutoffs=tuple(
                    (c.at_least, score.cutoff_label(c.id)(lang), c.met) for c in score.cutoffs
                ),
                missing=len(score.missing),
                missing_items=tuple(number for number, _key in score.missing),
                citation=score.citation,
            )
        )
    return rows
