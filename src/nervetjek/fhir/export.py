"""One stored intake as a FHIR R4 transaction Bundle, for a clinic's patient record."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from nervetjek import __version__
from nervetjek.engine import Assessment, assess_valid
from nervetjek.fhir.assessment import anonymous_subject, assessment_resources, urn
from nervetjek.fhir.codes import (
    SYSTEM_DATA_OPERATION,
    SYSTEM_INTAKE_ID,
    SYSTEM_PROVENANCE_PARTICIPANT,
)
from nervetjek.fhir.mapping import answers_to_response
from nervetjek.intake import validate_answers

# What a person may consent to send along with the answers.  Nothing else about them
# (no CPR number, no address, no birth date) ever enters the bundle.
PATIENT_FIELDS = ("name", "phone", "email")


def _patient(patient: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if patient is None:
        return None
    unknown = set(patient) - set(PATIENT_FIELDS)
    if unknown:
        raise ValueError(
            f"patient may only hold {', '.join(PATIENT_FIELDS)}; got {', '.join(sorted(unknown))}"
        )
    given = {
        field: value.strip()
        for field, value in patient.items()
        if isinstance(value, str) and value.strip()
    }
    if not given:
        return None
    resource: dict[str, Any] = {"resourceType": "Patient"}
    if "name" in given:
        resource["name"] = [{"text": given["name"]}]
    telecom = [
        {"system": system, "value": given[field]}
        for field, system in (("phone", "phone"), ("email", "email"))
        if field in given
    ]
    if telecom:
        resource["telecom"] = telecom
    return resource


def _post(url: str, resource: dict[str, Any], **request: str) -> dict[str, Any]:
    return {
        "fullUrl": url,
        "resource": resource,
        "request": {"method": "POST", "url": resource["resourceType"], **request},
    }


def intake_bundle(
    intake_id: str | int,
    answers: Mapping[str, Any],
    submitted_at: datetime,
    patient: Mapping[str, Any] | None = None,
    *,
    assessment: Assessment | None = None,
) -> dict[str, Any]:
    """A FHIR R4 transaction Bundle (a plain JSON-ready dict) for one sent intake.

    Arguments:
        intake_id: the clinic's id of the stored intake.  It becomes the
            QuestionnaireResponse identifier (system ``SYSTEM_INTAKE_ID``), and that entry
            is a conditional create (``ifNoneExist``), so sending the same intake twice
            does not store the answers twice.
        answers: the intake-v1 answers as stored (validated again; IntakeError if they
            do not fit).
        submitted_at: when the person sent the answers; must carry a time zone
            (ValueError otherwise).  Used for authored, occurrence and Provenance times,
            so the bundle is the same every time it is made.
        patient: only what the person consented to send: any of ``name``, ``phone``,
            ``email`` (None or blank values are left out).  Any other key is a ValueError.
            With nothing to send, no Patient is included and the resources name the
            subject by description only.
        assessment: the engine result to send; by default the answers are assessed
            now (the engine and ruleset versions are in RiskAssessment.method).

    Entries, all ``POST`` with ``urn:uuid`` fullUrls that reference each other:
    Patient (if any consented field), QuestionnaireResponse (to the ``intake``
    Questionnaire), one Observation per instrument score, the RiskAssessment, and a
    Provenance naming the person as author and Nervetjek as assembler of them all.  No
    Condition is sent: a provisional diagnosis is for the clinician to record.

    Pure: no database, clock or network; the same arguments give the same bundle.
    """
    if submitted_at.tzinfo is None:
        raise ValueError("submitted_at needs a time zone (store and pass aware datetimes)")
    valid = validate_answers(answers)
    assessment = assessment or assess_valid(valid)
    seed = f"intake/{intake_id}"
    entries: list[dict[str, Any]] = []
    patient_resource = _patient(patient)
    if patient_resource is not None:
        patient_url = urn(seed, "patient")
        entries.append(_post(patient_url, patient_resource))
        subject: dict[str, Any] = {"reference": patient_url}
    else:
        subject = anonymous_subject()
    response = answers_to_response(valid, authored=submitted_at, subject=subject)
    response["identifier"] = {"system": SYSTEM_INTAKE_ID, "value": str(intake_id)}
    response_url = urn(seed, "questionnaire-response")
    entries.append(
        _post(response_url, response, ifNoneExist=f"identifier={SYSTEM_INTAKE_ID}|{intake_id}")
    )
    for url, resource in assessment_resources(
        assessment,
        seed=seed,
        subject=subject,
        response_ref=response_url,
        when=submitted_at,
        with_condition=False,
    ):
        entries.append(_post(url, resource))
    provenance = {
        "resourceType": "Provenance",
        "target": [{"reference": entry["fullUrl"]} for entry in entries],
        "occurredDateTime": submitted_at.isoformat(),
        "recorded": submitted_at.isoformat(),
        "activity": {
            "coding": [{"system": SYSTEM_DATA_OPERATION, "code": "CREATE", "display": "create"}]
        },
        "agent": [
            {
                "type": {
                    "coding": [
                        {
                            "system": SYSTEM_PROVENANCE_PARTICIPANT,
                            "code": "author",
                            "display": "Author",
                        }
                    ]
                },
                "who": subject,
            },
            {
                "type": {
                    "coding": [
                        {
                            "system": SYSTEM_PROVENANCE_PARTICIPANT,
                            "code": "assembler",
                            "display": "Assembler",
                        }
                    ]
                },
                "who": {"display": f"Nervetjek {__version__}"},
            },
        ],
    }
    entries.append(_post(urn(seed, "provenance"), provenance))
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}
