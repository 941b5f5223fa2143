"""The clinical summary at the top of the clinic's detail page (and in its journal text),
the leading patterns with the model's reasons, the triage reasons and the examination plan.

Pure functions over the typed assessment (with the answers it was made from): what a
clinician reads first (who, where, since when, how bad, warning signs and their
negatives, risk factors, questionnaire scores, the person's own words) in clinician
language, never addressing the patient.  The wording of each finding lives in terms.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from nervetjek.datafiles import package_yaml
from nervetjek.engine import Assessment, Evidence
from nervetjek.engine.result import shown_percent
from nervetjek.freetext import marked
from nervetjek.intake import load_item_bank
from nervetjek.intake.bank import Item, Text
from nervetjek.knowledge.examination import ExaminationStep, load_examination
from nervetjek.report import answers as given

# Questionnaire pages whose yes/no answers say what makes it worse or better.
PROVOCATION_PAGES = ("course", "triggers")


# ------------------------------------------------------------------------ terms


@dataclass(frozen=True)
class Term:
    text: Text
    finding_on: bool  # the answer that means the finding is present


@dataclass(frozen=True)
class ClinicTerms:
    items: Mapping[str, Term]
    features: Mapping[str, Mapping[str, Text]]  # feature -> "yes"/"no" -> text
    categories: Mapping[str, Mapping[str, Text]]  # category -> value -> text
    patterns: Mapping[str, Text]
    levels: Mapping[str, Text]
    values: Mapping[str, Text]  # short names of the answers that are not yes/no
    rules: Mapping[str, Text]  # triage rule id -> why it set the level, as an indication


@cache
def clinic_terms() -> ClinicTerms:
    raw = package_yaml("nervetjek.report", "terms.yaml")
    return ClinicTerms(
        items={
            key: Term(Text(spec["da"], spec["en"]), spec.get("finding_on", True))
            for key, spec in raw["items"].items()
        },
        features={
            name: {value: Text.of(text) for value, text in forms.items()}
            for name, forms in raw["features"].items()
        },
        categories={
            name: {str(value): Text.of(text) for value, text in forms.items()}
            for name, forms in raw["categories"].items()
        },
        patterns={name: Text.of(text) for name, text in raw["patterns"].items()},
        levels={name: Text.of(text) for name, text in raw["levels"].items()},
        values={name: Text.of(text) for name, text in raw["values"].items()},
        rules={name: Text.of(text) for name, text in raw["rules"].items()},
    )


def finding_present(key: str, value: Any) -> bool:
    """True when this yes/no answer means the clinical finding is there."""
    return value is clinic_terms().items[key].finding_on


def term(key: str, lang: str) -> str:
    return clinic_terms().items[key].text(lang)


@dataclass(frozen=True)
class MarkedWords:
    """A piece of the person's own words; ``labels`` says what was read from it."""

    text: str
    labels: tuple[str, ...]


def _fact_label(key: str, value: Any, lang: str) -> str:
    # A region is read one at a time; the answer is a list of them.
    is_regions = load_item_bank()[key].type == "regions" and not isinstance(value, list)
    return answer_text(key, [value] if is_regions else value, lang)


def marked_own_words(text: str | None, lang: str) -> tuple[MarkedWords, ...]:
    """The own words with the parts the text reader understood marked, for the clinic."""
    return tuple(
        MarkedWords(part.text, tuple(_fact_label(k, v, lang) for k, v in part.facts))
        for part in marked(text or "")
    )


def pattern_name(pattern: str | None, lang: str) -> str:
    if pattern is None:
        return given.pattern_name(None, lang)
    return clinic_terms().patterns[pattern](lang)


def level_instruction(level: str, lang: str) -> str:
    return clinic_terms().levels[level](lang)


def rule_reason(rule: str, lang: str) -> str:
    """Why a triage rule set its level, in clinician words (the rule's own why speaks to
    the patient)."""
    return clinic_terms().rules[rule](lang)


def red_flag_findings(assessment: Assessment, lang: str) -> list[str]:
    """The warning signs answered yes, as findings ("ridebukseanæstesi"), not as the
    patient's statement ("følelsesløshed i skridtet")."""
    return [term(flag.key, lang) for flag in assessment.red_flags]


def evidence_text(evidence: Evidence, answers: Mapping[str, Any], lang: str) -> str:
    """One piece of the model's evidence in clinician words, with the polarity answered.

    A single-question feature is named by its question's term and the answer actually
    given (so a yes is never shown as a no); other features by their own clinician term.
    """
    terms = clinic_terms()
    feature, value = evidence.feature, evidence.value
    if feature in terms.categories and value in terms.categories[feature]:
        return terms.categories[feature][value](lang)
    if feature in terms.features:
        return terms.features[feature][value](lang)
    keys = evidence.answers
    if len(keys) == 1 and keys[0] in terms.items and isinstance(answers.get(keys[0]), bool):
        return answer_text(keys[0], answers[keys[0]], lang)
    return evidence.label(lang)


def answer_text(key: str, value: Any, lang: str) -> str:
    """One answer in clinician words: a yes/no by its finding, anything else with its value."""
    item = load_item_bank()[key]
    if isinstance(value, bool) and key in clinic_terms().items:
        text = term(key, lang)
        if finding_present(key, value):
            return text
        return {"da": f"{text}: nej", "en": f"{text}: no"}[lang]
    name = clinic_terms().values.get(key, item.text)(lang)
    return f"{name}: {given.format_answer(item, value, lang).lower()}"


@dataclass(frozen=True)
class ReasonRow:
    level: str
    level_label: str
    why: str
    answers: tuple[str, ...]
    source: str


def reason_rows(assessment: Assessment, lang: str) -> list[ReasonRow]:
    """The triage reasons in clinician words: why each rule set its level, and the
    answers behind it."""
    answers = assessment.answers
    return [
        ReasonRow(
            level=r.level,
            level_label=given.level_label(r.level, lang),
            why=rule_reason(r.rule, lang),
            answers=tuple(answer_text(k, answers[k], lang) for k in r.answers if k in answers),
            source=r.source,
        )
        for r in assessment.triage_reasons
    ]


# ---------------------------------------------------------------------- summary


@dataclass(frozen=True)
class Distribution:
    side: str | None  # "left", "right", "both" or None (no leg region marked)
    left: tuple[str, ...]
    right: tuple[str, ...]
    midline: tuple[str, ...]  # regions without a side (the lower back)


@dataclass(frozen=True)
class LeadingPattern:
    id: str
    name: str
    percent_kind: str  # about | over | under: the one rounding of the result pages
    percent: int


@dataclass(frozen=True)
class ClinicalSummary:
    level: str
    age: int | None
    sex: str | None
    pregnant: bool | None
    distribution: Distribution
    onset: str | None
    duration_days: int | None
    trend: str | None
    pattern_in_time: str | None
    pain: int | None
    warning_signs: tuple[str, ...]  # warning signs answered present
    denied_warning_signs: tuple[str, ...]  # warning signs answered absent
    symptoms: tuple[str, ...]
    provocation: tuple[str, ...]
    risk_factors: tuple[str, ...]
    instruments: tuple[given.InstrumentRow, ...]
    recognised: bool
    patterns: tuple[LeadingPattern, ...]
    free_text: str | None
    marked_words: tuple[MarkedWords, ...] = ()  # free_text with the understood parts marked


def distribution(locations: Sequence[str] | None, lang: str) -> Distribution:
    """The marked body-map regions by side, in the body map's order (top to bottom)."""
    bank = load_item_bank()
    chosen = set(locations or ())
    by_side: dict[str, list[str]] = {"left": [], "right": [], "": []}
    for name, label in bank.base_region_labels.items():
        if name in chosen:
            by_side[""].append(label(lang).lower())
        for side in ("left", "right"):
            if f"{side}.{name}" in chosen:
                by_side[side].append(label(lang).lower())
    sides = [s for s in ("left", "right") if by_side[s]]
    side = "both" if len(sides) == 2 else (sides[0] if sides else None)
    return Distribution(side, tuple(by_side["left"]), tuple(by_side["right"]), tuple(by_side[""]))


def _findings(items: Sequence[Item], answers: Mapping[str, Any], lang: str, present: bool):
    return tuple(
        term(item.key, lang)
        for item in items
        if isinstance(answers.get(item.key), bool)
        and finding_present(item.key, answers[item.key]) is present
    )


def _leading(assessment: Assessment):
    """The most likely patterns, none under the display cut-off, most likely first."""
    shown = load_examination().shown.select([(p.id, p.probability) for p in assessment.patterns])
    by_id = {p.id: p for p in assessment.patterns}
    return [by_id[pattern] for pattern, _probability in shown]


def leading_patterns(assessment: Assessment, lang: str) -> tuple[LeadingPattern, ...]:
    """The patterns a clinician sees, each with the rounding the result pages use."""
    return tuple(
        LeadingPattern(p.id, pattern_name(p.id, lang), *shown_percent(p.probability))
        for p in _leading(assessment)
    )


@dataclass(frozen=True)
class PatternRow:
    pattern: LeadingPattern
    supporting: tuple[str, ...]
    opposing: tuple[str, ...]


def pattern_rows(assessment: Assessment, lang: str) -> list[PatternRow]:
    """The leading patterns with the model's reasons for and against, in clinician words."""
    answers = assessment.answers
    return [
        PatternRow(
            shown,
            tuple(dict.fromkeys(evidence_text(e, answers, lang) for e in pattern.supporting)),
            tuple(dict.fromkeys(evidence_text(e, answers, lang) for e in pattern.opposing)),
        )
        for shown, pattern in zip(
            leading_patterns(assessment, lang), _leading(assessment), strict=True
        )
    ]


def clinical_summary(assessment: Assessment, lang: str) -> ClinicalSummary:
    """What a clinician reads first, from the assessment and the answers behind it."""
    answers = assessment.answers
    booleans = [item for item in load_item_bank().items.values() if item.type == "boolean"]
    warning = [item for item in booleans if item.section == "red_flags"]
    symptoms = [
        item
        for item in booleans
        if item.section == "symptoms" and item.page not in PROVOCATION_PAGES
    ]
    provocation = [item for item in booleans if item.page in PROVOCATION_PAGES]
    history = [item for item in booleans if item.section == "history"]
    free_text = (answers.get("free_text") or "").strip() or None
    return ClinicalSummary(
        level=assessment.triage,
        age=answers.get("age"),
        sex=answers.get("sex"),
        pregnant=answers.get("pregnant"),
        distribution=distribution(answers.get("locations"), lang),
        onset=answers.get("onset"),
        duration_days=answers.get("duration_days"),
        trend=answers.get("trend"),
        pattern_in_time=answers.get("pattern_in_time"),
        pain=answers.get("pain_intensity"),
        warning_signs=_findings(warning, answers, lang, present=True),
        denied_warning_signs=_findings(warning, answers, lang, present=False),
        symptoms=_findings(symptoms, answers, lang, present=True),
        provocation=_findings(provocation, answers, lang, present=True),
        risk_factors=_findings(history, answers, lang, present=True),
        instruments=tuple(given.instrument_rows(assessment, lang)),
        recognised=assessment.recognised,
        patterns=leading_patterns(assessment, lang),
        free_text=free_text,
        marked_words=marked_own_words(free_text, lang),
    )


# ------------------------------------------------------------------ examination


@dataclass(frozen=True)
class ExaminationGroup:
    pattern: LeadingPattern
    steps: tuple[ExaminationStep, ...]


def examination_plan(summary: ClinicalSummary) -> tuple[ExaminationGroup, ...]:
    """The suggested examination for each leading pattern, most likely first."""
    plan = load_examination()
    return tuple(ExaminationGroup(p, plan.steps(p.id)) for p in summary.patterns)
