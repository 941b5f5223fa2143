"""The public JSON API under /api: assess intake-v1 answers, the intake schema, versions.

Described in the OpenAPI document at /api/openapi.json.  Bad input is a 422 with
``{"error": ..., "problems": [{"key", "message"}]}`` naming each problem, whether the
intake validator or FastAPI's own body parsing found it; never a 500.  The usual
assess request takes a shorter way than FastAPI's parameter solving (:class:`AssessRoute`).
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Body, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from nervetjek import __version__
from nervetjek.engine import Assessment, AssessmentSummary, assess
from nervetjek.fhir.codes import FHIR_VERSION
from nervetjek.intake import IntakeError, build_intake_schema, load_item_bank
from nervetjek.knowledge import load_knowledge

# ------------------------------------------------------------------ models


class ProblemOut(BaseModel):
    key: str = Field(description="The answer key (or request part) with the problem")
    message: str = Field(description="What is wrong and what is allowed")


class ErrorOut(BaseModel):
    error: str = Field(description="invalid_intake (the answers) or invalid_request (the body)")
    problems: list[ProblemOut] = Field(min_length=1)


class VersionOut(BaseModel):
    version: str = Field(description="Nervetjek software version")
    ruleset: str = Field(description="Version of the clinical rules and tables")
    item_bank: int = Field(description="Version of the item bank (intake questions)")
    intake_schema: str = Field(description="The intake contract")
    fhir: str = Field(description="FHIR version of /fhir")


# ------------------------------------------------------------------ errors


_JSON_KIND = {
    "list": "an array",
    "str": "a string",
    "int": "a number",
    "float": "a number",
    "bool": "true/false",
    "NoneType": "null",
    "bytes": "bytes",
}


def request_problems(exc: RequestValidationError) -> dict[str, Any]:
    """FastAPI's validation errors in our error shape, each naming where and what."""
    problems = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ()) if part != "body"]
        message = error.get("msg", "invalid")
        if error.get("type") == "json_invalid":
            detail = (error.get("ctx") or {}).get("error")
            message = "the body is not valid JSON" + (f": {detail}" if detail else "")
            loc = []
        elif error.get("type") == "dict_type" and not loc:
            given = type(error.get("input")).__name__
            message = (
                f"the body must be a JSON object of answers, got {_JSON_KIND.get(given, given)}"
            )
        elif error.get("type") == "missing" and not loc:
            message = "the body is missing; send the answers as a JSON object"
        problems.append({"key": ".".join(loc) or "(body)", "message": message})
    return {"error": "invalid_request", "problems": problems}


class NamedProblemsRoute(APIRoute):
    """Turns FastAPI's own 422 (a body that is not JSON, not an object...) into ErrorOut."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request):
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return JSONResponse(request_problems(exc), status_code=422)
            except HTTPException as exc:
                if exc.status_code != 400:
                    raise
                # FastAPI's "There was an error parsing the body" (e.g. not UTF-8)
                problem = {"key": "(body)", "message": f"the body could not be read: {exc.detail}"}
                return JSONResponse(
                    {"error": "invalid_request", "problems": [problem]}, status_code=422
                )

        return route


class AssessRoute(NamedProblemsRoute):
    """POST /api/assess with the usual request answered without FastAPI's body validation.

    The usual request (``Content-Type: application/json``, a JSON object, ``detail`` left
    out or known) is parsed with orjson and assessed at once: solving the endpoint's
    parameters and validating ``dict[str, Any]`` cost more than parsing the body.  Any
    other request goes to the endpoint as FastAPI runs it, so what is refused, and the
    422 that names why, stay FastAPI's.
    """

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            detail = _usual_detail(request.scope["query_string"])
            answers = await _usual_answers(request) if detail else None
            if answers is None:
                return await handler(request)  # the Request keeps the body it read
            return _assessed(answers, detail)

        return route


# orjson reads an integer beyond 64 bits as a float, Python's json (FastAPI's) as an int.
# A run of 19 digits anywhere may be one: such bodies go to FastAPI.
_DIGITS_ONLY = bytes(48 if byte in b"0123456789" else 32 for byte in range(256))  # "0" or " "
_LONG_NUMBER = b"0" * 19


async def _usual_answers(request: Request) -> dict[str, Any] | None:
    """The answers of a usual request, or None: FastAPI parses (and refuses) the rest."""
    for key, value in request.scope["headers"]:
        if key == b"content-type":
            if value.lower() != b"application/json":
                return None
            body = await request.body()
            if _LONG_NUMBER in body.translate(_DIGITS_ONLY):
                return None
            try:
                answers = orjson.loads(body)
            except orjson.JSONDecodeError:
                return None
            return answers if isinstance(answers, dict) else None
    return None


_DETAILS = ("full", "summary")


def _usual_detail(query: bytes) -> str | None:
    """``detail`` as FastAPI reads it (the last one given), or None when it is not known."""
    if not query:
        return "full"
    detail = QueryParams(query).get("detail", "full")
    return detail if detail in _DETAILS else None


class ProblemsResponse(JSONResponse):
    """A 422 that quotes the answers: JSON as JSONResponse writes it, except that text
    UTF-8 cannot carry (a lone surrogate, which JSON may send as ``"\\ud800"``) is
    written as a JSON escape instead of failing the request with a 500."""

    def render(self, content: Any) -> bytes:
        try:
            return super().render(content)
        except UnicodeEncodeError:
            return json.dumps(content, separators=(",", ":")).encode("ascii")


def _assessed(answers: dict[str, Any], detail: str) -> Response:
    try:
        assessment = assess(answers)
    except IntakeError as exc:
        return ProblemsResponse(exc.as_dict(), status_code=422)
    if detail == "summary":
        body = assessment.summary().model_dump_json(by_alias=True).encode()
    else:
        body = assessment.json_bytes()
    return Response(body, media_type="application/json")


router = APIRouter(prefix="/api", tags=["API"], route_class=NamedProblemsRoute)

_INVALID = {
    422: {
        "model": ErrorOut,
        "description": "The body or the answers do not fit; "
        "each problem names the key and what is allowed",
    }
}


@cache
def openapi_intake_schema() -> dict[str, Any]:
    """The intake JSON Schema made self-contained for the OpenAPI document."""
    schema = copy.deepcopy(build_intake_schema())
    region = schema["$defs"]["region"]
    for prop in schema["properties"].values():
        if prop.get("items", {}).get("$ref") == "#/$defs/region":
            prop["items"] = copy.deepcopy(region)
    for key in ("$schema", "$id", "$defs"):
        schema.pop(key, None)
    return schema


async def assess_answers(
    answers: dict[str, Any] = Body(...),
    detail: Literal["full", "summary"] = Query(
        "full", description="summary: the level, its reasons and the top patterns only"
    ),
) -> Response:
    """Assess intake-v1 answers: urgency level, likely patterns, instrument scores, next steps.

    Guidance, not a diagnosis.
    """
    return _assessed(answers, detail)


router.add_api_route(
    "/assess",
    assess_answers,
    methods=["POST"],
    route_class_override=AssessRoute,
    response_model=Assessment | AssessmentSummary,
    responses=_INVALID,
    openapi_extra={
        "requestBody": {
            "required": True,
            "description": "One person's answers (intake-v1). Every key is optional.",
            "content": {"application/json": {"schema": openapi_intake_schema()}},
        }
    },
)


@router.get("/schema/intake", response_model=dict[str, Any])
def intake_schema() -> dict[str, Any]:
    """The intake-v1 JSON Schema (2020-12), generated from the item bank."""
    return build_intake_schema()


@router.get("/version", response_model=VersionOut)
def version() -> VersionOut:
    """Versions of the software, the clinical rules, the item bank and the interfaces."""
    return VersionOut(
        version=__version__,
        ruleset=load_knowledge().version,
        item_bank=load_item_bank().version,
        intake_schema="intake-v1",
        fhir=FHIR_VERSION,
    )


# ------------------------------------------------------------------ health check

health_router = APIRouter()


@cache
def _health_body() -> bytes:
    return orjson.dumps(
        {"status": "ok", "version": __version__, "ruleset": load_knowledge().version}
    )


async def _health(_request: Request) -> Response:
    return Response(_health_body(), media_type="application/json")


# Not in the router: HealthCheckMiddleware dispatches GET and HEAD to it before routing.
HEALTH_ROUTE = Route("/healthz", _health, methods=["GET"], include_in_schema=False)


class HealthCheckMiddleware:
    """Answers ``/healthz`` (the process runs) before routing.

    Load balancers ask often, and the answer is the same bytes for the life of the
    process: matching it against every route and FastAPI's request handling would cost
    more than the answer.  Placed inside the security headers and the metrics
    (``create_app``), so it carries the one and is counted by the other.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["path"] == HEALTH_ROUTE.path
            and scope["method"] in HEALTH_ROUTE.methods
        ):
            scope["route"] = HEALTH_ROUTE
            await HEALTH_ROUTE.handle(scope, receive, send)
            return
        await self.app(scope, receive, send)


@health_router.get("/readyz", include_in_schema=False)
def ready(request: Request) -> JSONResponse:
    """Ready for traffic: the database answers and its schema is at the code's revision.

    /healthz says the process runs; a load balancer sends traffic only on /readyz 200.
    """
    from nervetjek.web.deps import database

    try:
        current, head = database(request).migration_state()
    except Exception as exc:  # any database failure means not ready; say which kind
        return JSONResponse(
            {"status": "unavailable", "database": type(exc).__name__}, status_code=503
        )
    status = 200 if current == head else 503
    body = {"status": "ok" if status == 200 else "migrating", "revision": current, "head": head}
    return JSONResponse(body, status_code=status, headers={"cache-control": "no-store"})
