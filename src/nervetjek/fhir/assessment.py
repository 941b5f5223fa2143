"""An engine Assessment as FHIR resources, and the ``$assess`` operation's Bundle.

- ``RiskAssessment``: the urgency level first (as outcome and qualitativeRisk, with the
  reasons as rationale), then every pattern ranked most likely first with its
  probability; ``basis`` points at the QuestionnaireResponse and the score Observations.
- one ``Observation`` per instrument: the score with interpretation POS/NEG against the
  cut-off, or, when items are missing, no score (dataAbsentReason) and a note listing
  the missing items.  A score is never guessed.
- a ``Condition`` (verificationStatus provisional) with the SNOMED CT and ICD-10 codes of
  the top pattern, only when the answers point to one.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from nervetjek.engine import DISCLAIMER, Assessment, assess_valid
from nervetjek.fhir.codes import (
    CANONICAL,
    SYSTEM_ASSESSMENT,
    SYSTEM_CONDITION_VERIFICATION,
    SYSTEM_DATA_ABSENT,
    SYSTEM_INSTRUMENT,
    SYSTEM_INTERPRETATION,
    SYSTEM_OBSERVATION_CATEGORY,
    SYSTEM_PATTERN,
    SYSTEM_TRIAGE_LEVEL,
    load_terminology,
)
from nervetjek.fhir.mapping import response_to_answers
from nervetjek.fhir.questionnaire import INTAKE, QUESTIONNAIRE_IDS
from nervetjek.instruments import InstrumentScore, load_instruments
from nervetjek.intake import Text, load_outcomes

ANONYMOUS = Text(
    da="Personen, der besvarede spørgeskemaet",
    en="The person who answered the questionnaire",
)


def urn(seed: str, name: str) -> str:
    """A stable urn:uuid for one resource of one bundle (same input, same ids)."""
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{CANONICAL}/{seed}/{name}"))


def content_seed(resource: Mapping[str, Any]) -> str:
    text = json.dumps(resource, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _both(text: Text) -> list[dict[str, str]]:
    """An annotation in Danish and one in English."""
    return [{"text": text.da}, {"text": text.en}]


def _dt(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("a FHIR dateTime with a time needs a time zone; got a naive datetime")
    return moment.isoformat()


# ------------------------------------------------------------------ pieces


def pattern_concept(pattern_id: str) -> dict[str, Any]:
    """Our pattern code plus the standard codes we are sure of, with the Danish name."""
    outcomes = load_outcomes()
    name = outcomes.patterns[pattern_id].name
    codings = [{"system": SYSTEM_PATTERN, "code": pattern_id, "display": name.en}]
    codings += [c.as_fhir() for c in load_terminology().patterns.get(pattern_id, ())]
    return {"coding": codings, "text": name.da}


def level_concept(level: str) -> dict[str, Any]:
    label = load_outcomes().levels[level].label
    return {
        "coding": [{"system": SYSTEM_TRIAGE_LEVEL, "code": level, "display": label.en}],
        "text": label.da,
    }


def _interpretation(score: InstrumentScore) -> list[dict[str, Any]] | None:
    first = score.cutoffs[0] if score.cutoffs else None
    if first is None or first.met is None:
        return None
    code, display = ("POS", "Positive") if first.met else ("NEG", "Negative")
    label = score.interpretation
    concept: dict[str, Any] = {
        "coding": [{"system": SYSTEM_INTERPRETATION, "code": code, "display": display}]
    }
    if label is not None:
        concept["text"] = label.da
    return [concept]


def instrument_observation(
    score: InstrumentScore, *, subject: Mapping[str, Any], response_ref: str, effective: datetime
) -> dict[str, Any]:
    definition = load_instruments()[score.id]
    cutoff_text = Text(
        da="; ".join(f"{c.at_least} point eller mere: {c.label.da}" for c in definition.cutoffs),
        en="; ".join(f"{c.at_least} points or more: {c.label.en}" for c in definition.cutoffs),
    )
    observation: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [
            {
                "coding": [
                    {"system": SYSTEM_OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}
                ]
            }
        ],
        "code": {
            "coding": [
                {"system": SYSTEM_INSTRUMENT, "code": score.id, "display": definition.name.en}
            ],
            "text": definition.name.da,
        },
        "subject": dict(subject),
        "effectiveDateTime": _dt(effective),
        "derivedFrom": [{"reference": response_ref}],
    }
    if score.complete:
        observation["valueInteger"] = score.score
    else:
        observation["dataAbsentReason"] = {
            "coding": [{"system": SYSTEM_DATA_ABSENT, "code": "unknown", "display": "Unknown"}],
            "text": "Ikke alle spørgsmål er besvaret",
        }
    interpretation = _interpretation(score)
    if interpretation:
        observation["interpretation"] = interpretation
    notes = _both(
        Text(
            da=f"Højst {score.max_score} point. {cutoff_text.da}. Kilde: {definition.citation}",
            en=f"At most {score.max_score} points. {cutoff_text.en}. Source: {definition.citation}",
        )
    )
    if not score.complete:
        missing = ", ".join(f"{m.item} ({m.key})" for m in score.missing)
        decided = score.cutoffs and score.cutoffs[0].met is not None
        tail_da = (
            " Grænsen er afgjort uanset de manglende svar."
            if decided
            else " De manglende svar afgør, om grænsen er nået."
        )
        tail_en = (
            " The cut-off is decided whatever the missing answers are."
            if decided
            else " The missing answers decide whether the cut-off is reached."
        )
        notes = (
            _both(
                Text(
                    da=f"Ufuldstændig: mangler spørgsmål {missing}. Point fra de besvarede "
                    f"spørgsmål: {score.points}; højst muligt: {score.max_possible}.{tail_da}",
                    en=f"Incomplete: missing items {missing}. Points from the answered items: "
                    f"{score.points}; highest possible: {score.max_possible}.{tail_en}",
                )
            )
            + notes
        )
    observation["note"] = notes
    return observation


def _pattern_rationale(assessment: Assessment, index: int) -> str:
    pattern = assessment.patterns[index]
    supporting = [e.label.da for e in pattern.supporting[:3]]
    opposing = [e.label.da for e in pattern.opposing[:3]]
    parts = []
    if supporting:
        parts.append("For: " + "; ".join(supporting))
    if opposing:
        parts.append("Imod: " + "; ".join(opposing))
    return ". ".join(parts)


def risk_assessment(
    assessment: Assessment,
    *,
    subject: Mapping[str, Any],
    response_ref: str,
    observation_refs: list[str],
    occurrence: datetime,
) -> dict[str, Any]:
    outcomes = load_outcomes()
    level = outcomes.levels[assessment.triage]
    reasons = " ".join(reason.why.da for reason in assessment.triage_reasons)
    predictions: list[dict[str, Any]] = [
        {
            "outcome": level_concept(assessment.triage),
            "qualitativeRisk": level_concept(assessment.triage),
            "rationale": reasons or level.action.da,
        }
    ]
    for index, pattern in enumerate(assessment.patterns):
        prediction: dict[str, Any] = {
            "outcome": pattern_concept(pattern.id),
            "probabilityDecimal": round(pattern.probability, 4),
        }
        rationale = _pattern_rationale(assessment, index)
        if rationale:
            prediction["rationale"] = rationale
        predictions.append(prediction)
    notes = _both(DISCLAIMER)
    if not assessment.recognised:
        notes.insert(
            0,
            {
                "text": "Svarene peger ikke tydeligt på én årsag; sandsynlighederne "
                "er kun vejledende."
            },
        )
    if assessment.red_flags:
        flags = "; ".join(flag.statement.da for flag in assessment.red_flags)
        notes.insert(0, {"text": f"Advarselstegn i svarene: {flags}."})
    return {
        "resourceType": "RiskAssessment",
        "status": "final",
        "method": {
            "coding": [
                {
                    "system": SYSTEM_ASSESSMENT,
                    "code": "nervetjek-engine",
                    "version": assessment.engine_version,
                    "display": "Nervetjek engine",
                }
            ],
            "text": f"Nervetjek {assessment.engine_version}, regelsæt {assessment.ruleset_version}",
        },
        "code": {
            "coding": [
                {
                    "system": SYSTEM_ASSESSMENT,
                    "code": "leg-nerve-symptom-triage",
                    "display": "Triage of leg nerve symptoms",
                }
            ],
            "text": "Vurdering af gener i benet fra nerverne",
        },
        "subject": dict(subject),
        "occurrenceDateTime": _dt(occurrence),
        "basis": [{"reference": response_ref}] + [{"reference": r} for r in observation_refs],
        "prediction": predictions,
        "mitigation": level.action.da,
        "note": notes,
    }


def condition_candidate(
    assessment: Assessment, *, subject: Mapping[str, Any], evidence_ref: str, recorded: datetime
) -> dict[str, Any] | None:
    """The top pattern as a provisional Condition, or None when none is recognised."""
    top = assessment.top_pattern
    if top is None:
        return None
    return {
        "resourceType": "Condition",
        "verificationStatus": {
            "coding": [
                {
                    "system": SYSTEM_CONDITION_VERIFICATION,
                    "code": "provisional",
                    "display": "Provisional",
                }
            ]
        },
        "code": pattern_concept(top.id),
        "subject": dict(subject),
        "recordedDate": _dt(recorded),
        "evidence": [{"detail": [{"reference": evidence_ref}]}],
        "note": _both(
            Text(
                da="Mulig årsag ud fra personens egne svar i Nervetjek. Det er ikke en diagnose; "
                "den skal stilles ved en undersøgelse.",
                en="Possible cause from the person's own answers in Nervetjek. It is not a "
                "diagnosis; that needs an examination.",
            )
        ),
    }


def assessment_resources(
    assessment: Assessment,
    *,
    seed: str,
    subject: Mapping[str, Any],
    response_ref: str,
    when: datetime,
    with_condition: bool = True,
) -> list[tuple[str, dict[str, Any]]]:
    """(fullUrl, resource) for the Observations, the RiskAssessment and the Condition."""
    observations = [
        (
            urn(seed, f"observation/{score_id}"),
            instrument_observation(
                score, subject=subject, response_ref=response_ref, effective=when
            ),
        )
        for score_id, score in assessment.instruments.items()
    ]
    risk_url = urn(seed, "risk-assessment")
    entries = [
        *observations,
        (
            risk_url,
            risk_assessment(
                assessment,
                subject=subject,
                response_ref=response_ref,
                observation_refs=[url for url, _ in observations],
                occurrence=when,
            ),
        ),
    ]
    if with_condition:
        condition = condition_candidate(
            assessment, subject=subject, evidence_ref=risk_url, recorded=when
        )
        if condition is not None:
            entries.append((urn(seed, "condition"), condition))
    return entries


def anonymous_subject() -> dict[str, Any]:
    return {"display": ANONYMOUS.da}


def assess_response(
    response: Mapping[str, Any], *, now: datetime | None = None
) -> tuple[Assessment, dict[str, Any]]:
    """The ``$assess`` operation: a QuestionnaireResponse in, (Assessment, Bundle) out.

    The Bundle (type collection) holds the response itself, the score Observations, the
    RiskAssessment and, when a pattern is recognised, the Condition candidate.  Raises
    FhirMappingError when the response does not fit (an OperationOutcome for the caller).
    """
    answers = response_to_answers(response, accept=QUESTIONNAIRE_IDS)
    assessment = assess_valid(answers)
    now = now or datetime.now(UTC)
    seed = content_seed(response)
    response_url = urn(seed, "questionnaire-response")
    subject = response.get("subject") or anonymous_subject()
    when = _authored(response) or now
    entries = [(response_url, dict(response))]
    entries += assessment_resources(
        assessment, seed=seed, subject=subject, response_ref=response_url, when=when
    )
    bundle = {
        "resourceType": "Bundle",
        "id": seed,
        "type": "collection",
        "timestamp": _dt(now),
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }
    return assessment, bundle


def _authored(response: Mapping[str, Any]) -> datetime | None:
    """The response's authored time when it has a time zone (else None: use now)."""
    authored = response.get("authored")
    if not isinstance(authored, str):
        return None
    try:
        moment = datetime.fromisoformat(authored.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


__all__ = [
    "INTAKE",
    "assess_response",
    "assessment_resources",
    "condition_candidate",
    "instrument_observation",
    "risk_assessment",
]
