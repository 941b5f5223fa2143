"""The public JSON API under /api: assess intake-v1 answers, the intake schema, versions.

Described in the OpenAPI document at /api/openapi.json.  Bad input is a 422 with
``{"error": ..., "problems": [{"key", "message"}]}`` naming each problem, whether the
intake validator or FastAPI's own body parsing found it; never a 500.  The usual
assess request is answered before routing (:class:`AssessMiddleware`).
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
from starlette.exceptions import HTTPException
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nervetjek import __version__
from nervetjek.engine import Assessment, AssessmentSummary, assess
from nervetjek.fhir.codes import FHIR_VERSION
from nervetjek.intake import IntakeError, build_intake_schema, load_item_bank
from nervetjek.knowledge import load_knowledge
from nervetjek.web.i18n import header

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


@router.post(
    "/assess",
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


# ------------------------------------------------------------------ the usual assess request

ASSESS_ROUTE = next(r for r in router.routes if getattr(r, "endpoint", None) is assess_answers)
# The query strings of the usual request, and the ``detail`` each asks for.
_USUAL_QUERIES = {b"": "full", b"detail=full": "full", b"detail=summary": "summary"}
# orjson reads an integer beyond 64 bits as a float, Python's json (FastAPI's) as an int.
# A run of 19 digits anywhere may be one: such bodies go to FastAPI.
_DIGITS_ONLY = bytes(48 if byte in b"0123456789" else 32 for byte in range(256))  # "0" or " "
_LONG_NUMBER = b"0" * 19


class AssessMiddleware:
    """Answers the usual ``POST /api/assess`` before routing, as the endpoint would.

    The usual request is ``Content-Type: application/json``, a JSON object, and no query
    but ``detail``: it is parsed with orjson and assessed at once.  Routing, FastAPI's
    parameter solving and its validation of ``dict[str, Any]`` would cost more than
    parsing the body.  Any other request goes on to the endpoint with its body, so what
    is refused, and the 422 that names why, stay FastAPI's.  Placed beside
    HealthCheckMiddleware, so it carries the security headers and is counted by the metrics.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["path"] != ASSESS_ROUTE.path
            or scope["method"] != "POST"
            or scope["query_string"] not in _USUAL_QUERIES
            or not _json_content(scope)
        ):
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        if body is None:  # the client left: no one to answer
            return
        answers = _json_object(body)
        if answers is None:
            await self.app(scope, _replay(body, receive), send)
            return
        scope["route"] = ASSESS_ROUTE
        response = _assessed(answers, _USUAL_QUERIES[scope["query_string"]])
        await response(scope, receive, send)


def _json_content(scope: Scope) -> bool:
    content_type = header(scope, b"content-type")
    return content_type is not None and content_type.lower() == b"application/json"


async def _read_body(receive: Receive) -> bytes | None:
    """The whole body, or None if the client left before sending it."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks)


def _json_object(body: bytes) -> dict[str, Any] | None:
    """The JSON object in the body, or None when FastAPI should read it."""
    if _LONG_NUMBER in body.translate(_DIGITS_ONLY):
        return None
    try:
        answers = orjson.loads(body)
    except orjson.JSONDecodeError:
        return None
    return answers if isinstance(answers, dict) else None


def _replay(body: bytes, receive: Receive) -> Receive:
    """``receive`` for the next app: the body already read, then the client's messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replay


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
