"""FHIR R4 endpoints under /fhir: questionnaires, the CapabilityStatement and $assess.

Thin handlers over ``nervetjek.fhir`` (what they answer is in ``fhir/server.py``).  Every
answer is ``application/fhir+json``; every problem is an OperationOutcome with a 4xx
status that names it (never a 500 for bad input).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute

from nervetjek.fhir.assessment import assess_response
from nervetjek.fhir.codes import CANONICAL
from nervetjek.fhir.outcome import OUTCOME_SCHEMA, FhirInputError, Issue, operation_outcome
from nervetjek.fhir.questionnaire import (
    QUESTIONNAIRE_IDS,
    UnknownQuestionnaireError,
    build_questionnaire,
)
from nervetjek.fhir.server import (
    FHIR_JSON,
    capability_statement,
    questionnaire_search,
    read_body,
)


class FhirJSONResponse(JSONResponse):
    media_type = FHIR_JSON


def outcome_response(status: int, *issues: Issue) -> FhirJSONResponse:
    return FhirJSONResponse(operation_outcome(issues), status_code=status)


class FhirRoute(APIRoute):
    """Request validation errors (bad query parameters) as an OperationOutcome too."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request):
            try:
                return await handler(request)
            except RequestValidationError as exc:
                issues = [
                    Issue(
                        "invalid",
                        error.get("msg", "invalid"),
                        ".".join(str(p) for p in error.get("loc", ())),
                    )
                    for error in exc.errors()
                ]
                return outcome_response(400, *issues)

        return route


router = APIRouter(prefix="/fhir", tags=["FHIR R4"], route_class=FhirRoute)

# OpenAPI: the shapes we answer with (FHIR resources are described loosely; the FHIR
# specification is their schema; OperationOutcomes exactly, beside the code that makes them).
_RESOURCE = {
    "type": "object",
    "required": ["resourceType"],
    "properties": {"resourceType": {"type": "string"}},
}


def _doc(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {FHIR_JSON: {"schema": schema}}}


def _ok(description: str) -> dict[int | str, dict[str, Any]]:
    return {200: _doc(description, _RESOURCE)}


def _fhir_base(request: Request) -> str:
    return str(request.base_url).rstrip("/") + "/fhir"


@router.get(
    "/metadata",
    response_class=FhirJSONResponse,
    responses=_ok("CapabilityStatement: what this FHIR endpoint supports"),
)
def metadata(request: Request) -> FhirJSONResponse:
    """The CapabilityStatement of this FHIR R4 endpoint."""
    return FhirJSONResponse(capability_statement(_fhir_base(request)))


@router.get(
    "/Questionnaire",
    response_class=FhirJSONResponse,
    responses=_ok("Bundle (searchset) of the questionnaires that match"),
)
def search_questionnaires(
    request: Request,
    url: str | None = Query(None, description="Canonical URL, optionally with |version"),
    id_: str | None = Query(None, alias="_id", description="Questionnaire id"),
) -> FhirJSONResponse:
    """Search our questionnaires (intake, dn4, mnsi, s-lanss) by id or canonical URL."""
    return FhirJSONResponse(questionnaire_search(_fhir_base(request), str(request.url), url, id_))


@router.get(
    "/Questionnaire/{questionnaire_id}",
    response_class=FhirJSONResponse,
    responses={**_ok("The Questionnaire"), 404: _doc("No such questionnaire", OUTCOME_SCHEMA)},
)
def read_questionnaire(questionnaire_id: str) -> FhirJSONResponse:
    """One Questionnaire: ``intake`` (the whole intake) or an instrument (``dn4``, ``mnsi``,
    ``s-lanss``)."""
    try:
        return FhirJSONResponse(build_questionnaire(questionnaire_id))
    except UnknownQuestionnaireError:
        known = ", ".join(QUESTIONNAIRE_IDS)
        return outcome_response(
            404, Issue("not-found", f"no Questionnaire {questionnaire_id!r}; known: {known}")
        )


_ASSESS_BODY = {
    "required": True,
    "description": "A QuestionnaireResponse to one of our questionnaires (normally "
    f"{CANONICAL}/Questionnaire/intake), or a Parameters resource with it as the "
    "parameter named 'response'.",
    "content": {media: {"schema": _RESOURCE} for media in (FHIR_JSON, "application/json")},
}


@router.post(
    "/QuestionnaireResponse/$assess",
    response_class=FhirJSONResponse,
    openapi_extra={"requestBody": _ASSESS_BODY},
    responses={
        **_ok(
            "Bundle (collection): the response, score Observations, RiskAssessment and, "
            "when a pattern is recognised, a provisional Condition"
        ),
        400: _doc("Not JSON, or not a well-formed QuestionnaireResponse", OUTCOME_SCHEMA),
        413: _doc("Body too large", OUTCOME_SCHEMA),
        422: _doc("The response does not fit its questionnaire or the intake", OUTCOME_SCHEMA),
    },
)
async def assess(request: Request) -> FhirJSONResponse:
    """Assess a QuestionnaireResponse: urgency, likely patterns and instrument scores.

    Guidance, not a diagnosis.  Problems come back as an OperationOutcome naming the
    item (linkId) and what is allowed.
    """
    try:
        _, bundle = assess_response(read_body(await request.body()))
    except FhirInputError as exc:
        return FhirJSONResponse(exc.operation_outcome(), status_code=exc.status)
    return FhirJSONResponse(bundle)
