"""The public JSON API under /api."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

import jsonschema
import orjson
import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings
from tests.fhir.helpers import vignettes

from nervetjek.engine import assess
from nervetjek.intake import build_intake_schema
from nervetjek.web.middleware import HEADERS, SecurityHeadersMiddleware


@pytest.mark.parametrize("vignette", vignettes()[:10], ids=lambda v: v["id"])
def test_assess_returns_the_engine_result(client, vignette):
    response = client.post("/api/assess", json=vignette["answers"])
    assert response.status_code == 200
    assert response.json() == assess(vignette["answers"]).as_dict()


def test_result_keeps_the_public_field_names(client):
    body = client.post("/api/assess", json={"back_pain": True, "age": 40}).json()
    score = body["pattern_scores"][0]
    assert set(score) == {"id", "probability", "for", "against"}
    assert set(body["disclaimer"]) == {"da", "en"}


@pytest.mark.parametrize(
    ("payload", "key", "words"),
    [
        ({"age": 200}, "age", "must be from 0 to 120, got 200"),
        ({"age": "40"}, "age", "whole number"),
        ({"sex": "woman"}, "sex", '"female", "male", "other"'),
        ({"locations": ["calf"]}, "locations", "needs a side"),
        ({"leg_numb": True}, "leg_numb", "unknown key"),
        ({"back_pain": None}, "back_pain", "null is not an answer"),
        ({"weakness_sudden": True, "leg_weakness": False}, "weakness_sudden", "leg_weakness"),
    ],
)
def test_invalid_answers_name_the_key(client, payload, key, words):
    response = client.post("/api/assess", json=payload)
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_intake"
    assert any(p["key"] == key and words in p["message"] for p in body["problems"]), body


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"{not json", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object of answers, got an array"),
        (b'"age"', "got a string"),
        (b"", "the body is missing"),
    ],
)
def test_malformed_bodies_are_named_not_500(client, content, words):
    response = client.post(
        "/api/assess", content=content, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_request"
    assert any(words in p["message"] for p in body["problems"]), body


def test_intake_schema_is_the_generated_one_and_validates_a_vignette(client):
    schema = client.get("/api/schema/intake").json()
    assert schema == build_intake_schema()
    jsonschema.Draft202012Validator(schema).validate(vignettes()[0]["answers"])


def test_version(client):
    body = client.get("/api/version").json()
    assert body["fhir"] == "4.0.1"
    assert body["intake_schema"] == "intake-v1"
    assert body["version"] and body["ruleset"]


def test_openapi_documents_the_routes_and_the_intake_body(client):
    spec = client.get("/api/openapi.json").json()
    paths = spec["paths"]
    for path in (
        "/api/assess",
        "/api/schema/intake",
        "/api/version",
        "/fhir/metadata",
        "/fhir/Questionnaire",
        "/fhir/Questionnaire/{questionnaire_id}",
        "/fhir/QuestionnaireResponse/$assess",
    ):
        assert path in paths, path
    assess_op = paths["/api/assess"]["post"]
    body_schema = assess_op["requestBody"]["content"]["application/json"]["schema"]
    assert body_schema["additionalProperties"] is False
    assert "$ref" not in str(body_schema)  # self-contained, no dangling #/$defs
    assert body_schema["properties"]["locations"]["items"]["enum"][0] == "lower_back"
    error = assess_op["responses"]["422"]["content"]["application/json"]["schema"]
    assert error["$ref"].endswith("/ErrorOut")


def test_body_that_is_not_utf8_is_named(client):
    response = client.post(
        "/api/assess", content=b"\xff\xfe{", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["problems"][0]["key"] == "(body)"


def test_summary_detail_is_the_level_its_reasons_and_the_top_patterns(client):
    answers = vignettes()[0]["answers"]
    full = client.post("/api/assess", json=answers).json()
    summary = client.post("/api/assess?detail=summary", json=answers).json()
    assert summary["triage"] == full["triage"]
    assert [p["id"] for p in summary["patterns"]] == full["patterns"][:3]
    assert summary["triage_reasons"] == [
        r for r in full["triage_reasons"] if r["level"] == full["triage"]
    ]
    assert summary["disclaimer"] == full["disclaimer"]
    assert "pattern_scores" not in summary and "next_steps" not in summary


def test_unknown_detail_is_a_named_problem(client):
    response = client.post("/api/assess?detail=everything", json={})
    assert response.status_code == 422
    assert response.json()["problems"][0]["key"] == "query.detail"


@pytest.mark.parametrize(
    "content",
    [
        *(orjson.dumps(v["answers"]) for v in vignettes()[:3]),
        b'{"age": 200}',
        b'{"age": 123456789012345678901234567890}',  # orjson would read a float
        b'{"age": 18446744073709551616}',
        b'{"age": 40.0}',
        b"[1, 2]",
        b"{not json",
        b'{"age": NaN}',
    ],
)
@pytest.mark.parametrize("query", ["", "?detail=summary", "?detail=full"])
def test_usual_requests_are_answered_as_fastapi_answers_them(client, content, query):
    """Plain ``application/json`` is answered before routing (AssessMiddleware); with a
    charset parameter the same body goes through FastAPI's validation: the answers match."""
    plain, charset = (
        client.post("/api/assess" + query, content=content, headers={"content-type": content_type})
        for content_type in ("application/json", "application/json; charset=utf-8")
    )
    assert (plain.status_code, plain.content) == (charset.status_code, charset.content)


def test_a_lone_surrogate_in_an_answer_is_a_named_problem_not_500(client):
    response = client.post(
        "/api/assess", content=b'{"sex": "\\ud800"}', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    problem = response.json()["problems"][0]
    assert problem["key"] == "sex" and "\ud800" in problem["message"]


def _asgi_post(app, chunks, query=b""):
    """POST /api/assess straight to the ASGI app, the body in these chunks."""
    messages = [
        {"type": "http.request", "body": chunk, "more_body": i < len(chunks) - 1}
        for i, chunk in enumerate(chunks)
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/api/assess",
        "raw_path": b"/api/assess",
        "query_string": query,
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
        "app": app,
    }
    sent = []

    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    # In a thread of its own: a browser test earlier in the same worker leaves Playwright's
    # event loop running in this thread, and asyncio.run refuses to start inside it.
    with ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    return sent


def test_a_body_in_several_parts_is_read_whole(app):
    answers = vignettes()[0]["answers"]
    body = orjson.dumps(answers)
    sent = _asgi_post(app, [body[:10], body[10:20], body[20:]])
    assert sent[0]["status"] == 200
    assert sent[1]["body"] == assess(answers).json_bytes()


def test_a_client_that_leaves_before_its_body_gets_no_answer(app):
    assert _asgi_post(app, []) == []


def test_an_unusual_body_reaches_fastapi_whole(app):
    sent = _asgi_post(app, [b"[1, ", b"2]"])
    assert sent[0]["status"] == 422
    assert b"got an array" in sent[1]["body"]


def test_the_answered_request_is_counted_under_its_route(tmp_path):
    from fastapi.testclient import TestClient
    from prometheus_client import REGISTRY

    from nervetjek.web.app import create_app

    labels = {"method": "POST", "route": "/api/assess", "status": "200"}

    def count():
        return REGISTRY.get_sample_value("nervetjek_request_seconds_count", labels) or 0

    before = count()
    with TestClient(create_app(make_settings(tmp_path, metrics_enabled=True))) as client:
        assert client.post("/api/assess", json={"age": 40}).status_code == 200
    assert count() == before + 1


def test_the_answer_before_routing_has_the_security_headers(client):
    response = client.post("/api/assess", json={"age": 40})
    assert response.status_code == 200
    for name, value in HEADERS.items():
        assert response.headers.get_list(name) == [value], name


def test_a_security_header_the_response_sets_itself_is_not_sent_twice():
    from starlette.responses import PlainTextResponse

    inner = PlainTextResponse("ok", headers={"Referrer-Policy": "no-referrer"})
    client = TestClient(SecurityHeadersMiddleware(inner))
    response = client.get("/")
    assert response.headers.get_list("referrer-policy") == ["no-referrer"]
    assert response.headers["x-frame-options"] == HEADERS["x-frame-options"]
