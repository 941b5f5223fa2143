"""Pain and the questionnaire scores over the first answers and the follow-ups, and the
coordinates of their small-multiples chart (one panel per measure) on the detail page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import Any

from nervetjek.instruments import load_instruments, score_all
from nervetjek.intake import load_item_bank


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
    for instrument_id, definition in load_instruments().items():
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
