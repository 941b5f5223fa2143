"""Schemathesis against the OpenAPI document of /api and /fhir (whatever is in it now).

Valid and invalid requests are generated from the schema and sent to the ASGI app:
no 5xx, responses match what the schema documents (status, content type, body shape),
and every 4xx has a body that names the problem.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from tests.conftest import make_settings

from nervetjek.web.app import create_app

# Loaded at import: schemathesis makes one test per operation at collection time.
_DATA = tempfile.TemporaryDirectory(prefix="nervetjek-schemathesis-")
APP = create_app(make_settings(Path(_DATA.name)))
schema = schemathesis.openapi.from_asgi("/api/openapi.json", APP).include(
    path_regex=r"^/(api|fhir)/"
)
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])


def names_the_problem(ctx, response, case):
    """A 4xx body says what is wrong: an OperationOutcome with diagnostics, our
    {error, problems: [{key, message}]}, or a non-empty FastAPI ``detail``."""
    if not 400 <= response.status_code < 500:
        return None
    try:
        body = json.loads(response.content)
    except ValueError as exc:
        raise AssertionError(
            f"{response.status_code} body is not JSON: {response.content[:200]!r}"
        ) from exc
    if isinstance(body, dict) and body.get("resourceType") == "OperationOutcome":
        issues = body.get("issue") or []
        assert issues and all(i.get("diagnostics") for i in issues), body
    elif isinstance(body, dict) and "problems" in body:
        assert body.get("error") and body["problems"], body
        # key is the offending answer key as sent (it can be "" when that is the key)
        assert all(isinstance(p.get("key"), str) and p.get("message") for p in body["problems"]), (
            body
        )
    elif isinstance(body, dict) and body.get("detail"):
        detail = body["detail"]
        assert isinstance(detail, (str, dict, list)) and detail, body
    else:
        raise AssertionError(f"{response.status_code} body does not name the problem: {body}")
    return True


@schema.parametrize()
@settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.function_scoped_fixture,
    ],
)
def test_api_and_fhir_follow_their_openapi(case):
    case.call_and_validate(
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
            names_the_problem,
        ]
    )
