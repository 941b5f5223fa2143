"""What the FHIR endpoint (web/fhir_routes.py) answers, without the HTTP: its
CapabilityStatement, the questionnaire search, and a posted body read as a resource
(every problem an OperationOutcome issue with the 4xx status that names it)."""

from __future__ import annotations

import json
from typing import Any

from nervetjek import __version__
from nervetjek.bounds import OutOfBounds, load_json
from nervetjek.fhir.codes import CANONICAL, FHIR_VERSION, PROFILE_SDC_QUESTIONNAIRE
from nervetjek.fhir.outcome import FhirInputError, Issue
from nervetjek.fhir.questionnaire import (
    QUESTIONNAIRE_IDS,
    build_questionnaire,
    find_questionnaire,
)

FHIR_JSON = "application/fhir+json"
# The date this CapabilityStatement last changed in meaning (a required element).
CAPABILITY_DATE = "2026-11-26"
ASSESS_DEFINITION = f"{CANONICAL}/OperationDefinition/QuestionnaireResponse-assess"
# A response to our intake is a few kilobytes; anything far bigger is not one.
MAX_BODY_BYTES = 512 * 1024


def capability_statement(base: str) -> dict[str, Any]:
    """The CapabilityStatement of the FHIR R4 endpoint at ``base``."""
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": CAPABILITY_DATE,
        "publisher": "Nervetjek",
        "kind": "instance",
        "software": {"name": "Nervetjek", "version": __version__},
        "implementation": {
            "description": "Nervetjek: questionnaires for leg nerve symptoms and their "
            "assessment (guidance, not a diagnosis)",
            "url": base,
        },
        "fhirVersion": FHIR_VERSION,
        "format": [FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "resource": [
                    {
                        "type": "Questionnaire",
                        "supportedProfile": [PROFILE_SDC_QUESTIONNAIRE],
                        "interaction": [{"code": "read"}, {"code": "search-type"}],
                        "searchParam": [
                            {"name": "_id", "type": "token"},
                            {"name": "url", "type": "uri"},
                        ],
                    },
                    {
                        "type": "QuestionnaireResponse",
                        "operation": [{"name": "assess", "definition": ASSESS_DEFINITION}],
                    },
                ],
            }
        ],
    }


def questionnaire_search(
    base: str, self_url: str, url: str | None, id_: str | None
) -> dict[str, Any]:
    """A searchset Bundle of our questionnaires matching a canonical URL and/or an id."""
    found = list(QUESTIONNAIRE_IDS)
    if url is not None:
        match = find_questionnaire(url)
        found = [q for q in found if q == match and url.startswith(CANONICAL)]
    if id_ is not None:
        found = [q for q in found if q == id_]
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": len(found),
        "link": [{"relation": "self", "url": self_url}],
        "entry": [
            {
                "fullUrl": f"{base}/Questionnaire/{questionnaire_id}",
                "resource": build_questionnaire(questionnaire_id),
                "search": {"mode": "match"},
            }
            for questionnaire_id in found
        ],
    }


def _refuse(issue: Issue, status: int = 400) -> FhirInputError:
    return FhirInputError([issue], status=status)


def read_body(body: bytes) -> Any:
    """A posted body as a resource; a Parameters resource with a 'response' parameter
    stands for that response.  Raises FhirInputError (400, or 413 when too large)."""
    if len(body) > MAX_BODY_BYTES:
        raise _refuse(Issue("too-long", f"the body is larger than {MAX_BODY_BYTES} bytes"), 413)
    if not body.strip():
        raise _refuse(Issue("required", "the body is empty; send a QuestionnaireResponse as JSON"))
    try:
        resource = load_json(body)
    except UnicodeDecodeError as exc:
        raise _refuse(Issue("invalid", "the body is not UTF-8 text")) from exc
    except json.JSONDecodeError as exc:
        raise _refuse(
            Issue(
                "invalid",
                f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
            )
        ) from exc
    except RecursionError as exc:
        raise _refuse(Issue("invalid", "the body is nested too deeply")) from exc
    except OutOfBounds as exc:
        raise _refuse(Issue("invalid", str(exc))) from exc
    if not isinstance(resource, dict) or resource.get("resourceType") != "Parameters":
        return resource
    parameters = resource.get("parameter")
    if isinstance(parameters, list):
        for parameter in parameters:
            if isinstance(parameter, dict) and parameter.get("name") == "response":
                return parameter.get("resource")
    return resource
