"""Plain-text explanation of an assessment, in Danish or English."""

from __future__ import annotations

from nervetjek.engine.result import DISCLAIMER, Assessment, TriageReason
from nervetjek.instruments import InstrumentScore
from nervetjek.intake import load_item_bank, load_outcomes

HEADINGS = {
    "da": {
        "why": "Derfor",
        "maybe": "Det kan være",
        "unrecognised": "Dine svar peger ikke tydeligt på én årsag.",
        "because": "fordi du svarede",
        "against": "taler imod",
        "scores": "Spørgeskemaer",
        "steps": "Næste skridt",
        "examination": "Undersøgelse",
        "treatment": "Behandling",
        "self_care": "Det kan du selv gøre",
        "sleep": "Søvn",
        "watch_for": "Søg hjælp, hvis",
        "read": "Læs mere",
        "flags": "Advarselstegn i dine svar",
        "versions": "Version",
        "of": "af",
        "incomplete": "ikke udfyldt helt: mangler",
        "questions": "spørgsmål",
        "so_far": "indtil nu",
    },
    "en": {
        "why": "Why",
        "maybe": "It may be",
        "unrecognised": "Your answers do not clearly point to one cause.",
        "because": "because you answered",
        "against": "against",
        "scores": "Questionnaires",
        "steps": "Next steps",
        "examination": "Examination",
        "treatment": "Treatment",
        "self_care": "What you can do yourself",
        "sleep": "Sleep",
        "watch_for": "Seek help if",
        "read": "Read more",
        "flags": "Warning signs in your answers",
        "versions": "Version",
        "of": "of",
        "incomplete": "not complete: missing",
        "questions": "questions",
        "so_far": "so far",
    },
}

STEP_KINDS = ("examination", "treatment", "self_care", "sleep", "watch_for")


def reason_answers(reason: TriageReason, assessment: Assessment, lang: str) -> list[str]:
    """The answers behind a triage reason, as short statements."""
    bank = load_item_bank()
    return [
        bank.answer_statement(key, assessment.answers[key], lang)
        for key in reason.answers
        if key in assessment.answers and key in bank.items
    ]


def score_line(score: InstrumentScore, lang: str) -> str:
    h = HEADINGS[lang]
    name = score.name(lang)
    if score.complete:
        text = f"{name}: {score.score} {h['of']} {score.max_score}"
    else:
        text = (
            f"{name}: {h['incomplete']} {len(score.missing)} {h['questions']} "
            f"({score.points} {h['of']} {score.max_score} {h['so_far']})"
        )
    meaning = score.interpretation
    return f"{text} - {meaning(lang)}" if meaning else text


def summary(assessment: Assessment, lang: str = "da", top: int = 3) -> str:
    """A readable summary for the terminal or a plain-text e-mail."""
    h = HEADINGS[lang]
    outcomes = load_outcomes()
    level = outcomes.levels[assessment.triage]
    lines = [f"{level.label(lang).upper()}", level.action(lang), "", f"{h['why']}:"]
    for reason in assessment.triage_reasons:
        if reason.level != assessment.triage:
            continue
        answers = reason_answers(reason, assessment, lang)
        suffix = f" ({h['because']}: {', '.join(answers)})" if answers else ""
        lines.append(f"  - {reason.why(lang)}{suffix}")
    if assessment.red_flags:
        lines += ["", f"{h['flags']}:"]
        lines += [f"  - {flag.statement(lang)}" for flag in assessment.red_flags]
    lines += ["", f"{h['maybe']}:"]
    if not assessment.recognised:
        lines.append(f"  {h['unrecognised']}")
    for rank, pattern in enumerate(assessment.patterns[:top], start=1):
        info = outcomes.patterns[pattern.id]
        lines.append(f"  {rank}. {info.name(lang)} ({pattern.probability:.0%})")
        lines.append(f"     {info.plain(lang)}")
        if pattern.supporting:
            lines.append(
                f"     {h['because']}: " + "; ".join(e.label(lang) for e in pattern.supporting)
            )
        if pattern.opposing:
            lines.append(
                f"     {h['against']}: " + "; ".join(e.label(lang) for e in pattern.opposing)
            )
    lines += ["", f"{h['scores']}:"]
    lines += [f"  - {score_line(score, lang)}" for score in assessment.instruments.values()]
    lines += ["", f"{h['steps']}:"]
    for kind in STEP_KINDS:
        steps = assessment.steps(kind)
        if steps:
            lines.append(f"  {h[kind]}:")
            lines += [f"    - {step.text(lang)} ({h['read']}: /viden/{step.see})" for step in steps]
    lines += [
        "",
        DISCLAIMER(lang),
        f"{h['versions']}: engine {assessment.engine_version}, "
        f"ruleset {assessment.ruleset_version}",
    ]
    return "\n".join(lines)
