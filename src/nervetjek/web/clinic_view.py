"""What the clinic's pages show, built from stored rows: pure functions, no I/O.

The stored assessment is shown as it was computed when the person sent it (with the
engine and rule-set versions), never recomputed behind the clinician's back.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from typing import Any

from nervetjek.conditions import Facts
from nervetjek.engine import Assessment
from nervetjek.instruments import load_instruments, score_all
from nervetjek.intake import load_item_bank, load_outcomes
from nervetjek.intake.bank import Item
from nervetjek.store.export import INSTRUMENT_ORDER

YES_NO = {"da": ("Ja", "Nej"), "en": ("Yes", "No")}


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
    for instrument_id in INSTRUMENT_ORDER:
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


def tel_href(phone: str) -> str:
    """A tel: link for a Danish phone number as the person wrote it."""
    digits = "".join(c for c in phone if c.isdigit())
    if phone.strip().startswith("+"):
        return f"tel:+{digits}"
    if phone.strip().startswith("00"):
        return f"tel:+{digits[2:]}"
    return f"tel:+45{digits}" if len(digits) == 8 else f"tel:{digits}"


@dataclass(frozen=True)
class ReasonRow:
    level: str
    level_label: str
    why: str
    answers: tuple[str, ...]
    source: str


def reason_rows(
    assessment: Assessment,
    lang: str,
    describe: Callable[[str, Any, str], str],
    explain: Callable[[str, str], str],
) -> list[ReasonRow]:
    """The triage reasons: each rule's why put in words by `explain` (its rule id), each
    answer behind it by `describe`."""
    answers = assessment.answers
    return [
        ReasonRow(
            level=r.level,
            level_label=level_label(r.level, lang),
            why=explain(r.rule, lang),
            answers=tuple(describe(k, answers[k], lang) for k in r.answers if k in answers),
            source=r.source,
        )
        for r in assessment.triage_reasons
    ]


# ------------------------------------------------------------------ follow-up questions


def followup_items(baseline: dict[str, Any]) -> dict[str, list[Item]]:
    """The follow-up questionnaire: warning signs, pain and trend, DN4, MNSI if relevant."""
    bank = load_item_bank()
    facts = Facts.of(baseline)
    warning = [
        item for item in bank.items.values() if item.page == "warning" and item.ask_if is None
    ]
    dn4 = [item for item, _use in bank.instrument_items("DN4").values()]
    feet = [item for item in bank.items.values() if item.page == "feet"]
    relevant = any(item.key in baseline for item in feet) or any(
        item.ask_if is not None and item.ask_if.evaluate(facts) is True for item in feet
    )
    mnsi = []
    if relevant:
        seen = {item.key for item in dn4}
        for item, _use in bank.instrument_items("MNSI").values():
            if item.key not in seen:
                mnsi.append(item)
                seen.add(item.key)
    return {
        "warning": warning,
        "course": [bank["pain_intensity"], bank["trend"]],
        "dn4": dn4,
        "mnsi": mnsi,
    }


def weakness_followups() -> list[Item]:
    """The questions that only follow a yes to leg weakness (their ``ask_if``)."""
    return load_item_bank().follow_ups("leg_weakness")


# ------------------------------------------------------------------ trend chart


@dataclass(frozen=True)
class Measure:
    id: str
    label: dict[str, str]
    maximum: int
    cutoff: int | None  # drawn as a dashed line


@cache
def measures() -> tuple[Measure, ...]:
    """Pain and each instrument, with maxima and cut-offs from the item bank and
    instruments.yaml (the published numbers live there, with their sources)."""
    pain = load_item_bank()["pain_intensity"]
    found = [
        Measure(
            "pain",
            {"da": f"Smerte (0-{pain.maximum})", "en": f"Pain (0-{pain.maximum})"},
            pain.maximum,
            None,
        )
    ]
    definitions = load_instruments()
    for instrument_id in INSTRUMENT_ORDER:
        definition = definitions[instrument_id]
        label = f"{instrument_id} (0-{definition.max_score})"
        cutoff = definition.cutoffs[0].at_least if definition.cutoffs else None
        found.append(
            Measure(instrument_id, {"da": label, "en": label}, definition.max_score, cutoff)
        )
    return tuple(found)


@dataclass(frozen=True)
class TrendPoint:
    at: datetime
    label: str  # "Første svar" or "Opfølgning 1" ...
    values: dict[str, int | None]


def trend_points(
    baseline_at: datetime,
    baseline_answers: dict[str, Any],
    followups: Sequence[tuple[datetime, dict[str, Any]]],
    lang: str,
) -> list[TrendPoint]:
    """Pain and the complete instrument scores at each answer (incomplete ones are gaps)."""

    def values(answers: dict[str, Any]) -> dict[str, int | None]:
        scores = score_all(answers)
        found: dict[str, int | None] = {"pain": answers.get("pain_intensity")}
        for measure in measures()[1:]:
            found[measure.id] = scores[measure.id].score
        return found

    first = {"da": "Første svar", "en": "First answers"}[lang]
    later = {"da": "Opfølgning", "en": "Follow-up"}[lang]
    points = [TrendPoint(baseline_at, first, values(baseline_answers))]
    for number, (at, answers) in enumerate(followups, start=1):
        points.append(TrendPoint(at, f"{later} {number}", values(answers)))
    return points


@dataclass
class Panel:
    measure: Measure
    label: str
    top: float
    height: float
    cutoff_y: float | None
    points: list[tuple[float, float, int, str]] = field(default_factory=list)  # x, y, value
    path: str = ""


@dataclass
class TrendChart:
    width: int
    height: int
    left: int
    right: int
    panels: list[Panel]
    ticks: list[tuple[float, str]]  # x, date label


def trend_chart(points: Sequence[TrendPoint], lang: str) -> TrendChart | None:
    """Coordinates for a small-multiples SVG: one panel per measure with any value."""
    shown = [m for m in measures() if any(p.values.get(m.id) is not None for p in points)]
    if not shown or not points:
        return None
    width, left, right, panel_height, gap, top_pad = 640, 120, 620, 70, 26, 10
    start, end = points[0].at, points[-1].at
    span = (end - start).total_seconds()

    def x_of(at: datetime) -> float:
        if span <= 0:
            return (left + right) / 2
        return left + (right - left) * (at - start).total_seconds() / span

    panels = []
    for index, measure in enumerate(shown):
        top = top_pad + index * (panel_height + gap)

        def y_of(value: float, top=top, measure=measure) -> float:
            return top + panel_height - panel_height * value / measure.maximum

        panel = Panel(
            measure=measure,
            label=measure.label[lang],
            top=top,
            height=panel_height,
            cutoff_y=round(y_of(measure.cutoff), 1) if measure.cutoff is not None else None,
        )
        segments: list[str] = []
        pen_down = False
        for point in points:
            value = point.values.get(measure.id)
            if value is None:
                pen_down = False  # an incomplete score is a gap, never guessed
                continue
            x, y = round(x_of(point.at), 1), round(y_of(value), 1)
            panel.points.append((x, y, value, point.label))
            segments.append(f"{'L' if pen_down else 'M'}{x},{y}")
            pen_down = True
        panel.path = " ".join(segments)
        panels.append(panel)
    height = top_pad + len(panels) * (panel_height + gap) + 10
    ticks = [(round(x_of(p.at), 1), p.at.strftime("%d.%m")) for p in points]
    return TrendChart(width, height, left, right, panels, ticks)


# ------------------------------------------------------------------ worklist


DUPLICATE_WINDOW = timedelta(hours=24)  # "sent twice": same person, same answers, one day


@dataclass(frozen=True)
class Sent:
    """What the duplicate check needs to know about one stored intake."""

    id: int
    at: datetime
    phone: str | None
    email: str | None
    answers: dict[str, Any]


def contact_keys(phone: str | None, email: str | None) -> set[str]:
    """Ways to recognise the same person: the phone's last 8 digits, the e-mail casefolded."""
    keys = set()
    digits = "".join(c for c in phone or "" if c.isdigit())
    if len(digits) >= 8:
        keys.add("tel:" + digits[-8:])
    if email and email.strip():
        keys.add("mail:" + email.strip().casefold())
    return keys


def duplicates(intakes: Sequence[Sent]) -> dict[int, int]:
    """Intake id -> the id of an earlier intake with the same contact and answers in 24 h."""
    found: dict[int, int] = {}
    ordered = sorted(intakes, key=lambda s: (s.at, s.id))
    for index, later in enumerate(ordered):
        keys = contact_keys(later.phone, later.email)
        for earlier in reversed(ordered[:index]):
            if later.at - earlier.at > DUPLICATE_WINDOW:
                break
            if earlier.answers == later.answers and keys & contact_keys(
                earlier.phone, earlier.email
            ):
                found[later.id] = earlier.id
                break
    return found


@dataclass(frozen=True)
class Activity:
    at: datetime
    kind: str  # note | seen | followup_link | followup_answered
    text: str = ""


NOTE_PREVIEW = 80


def latest_activity(
    note: str,
    note_at: datetime | None,
    seen_at: datetime | None,
    followups: Sequence[tuple[datetime, datetime | None]],  # (created, answered)
) -> Activity | None:
    """The clinic's latest note or action on an intake, for the worklist."""
    events = []
    if note.strip() and note_at is not None:
        preview = note.strip().splitlines()[0]
        if len(preview) > NOTE_PREVIEW:
            preview = preview[: NOTE_PREVIEW - 1].rstrip() + "…"
        events.append(Activity(note_at, "note", preview))
    if seen_at is not None:
        events.append(Activity(seen_at, "seen"))
    for created, answered in followups:
        events.append(Activity(created, "followup_link"))
        if answered is not None:
            events.append(Activity(answered, "followup_answered"))
    return max(events, key=lambda e: e.at, default=None)
