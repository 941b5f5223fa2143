"""The attacker's findings of 2026-11-30 (issue 11), each reproduced against the app.

Store-level findings (throttle race, REPLACE, WAL, sessions) live in
tests/store/test_security_store.py; the real-server ones in tests/web/test_security_server.py.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from tests.conftest import make_settings
from tests.store.helpers import SCIATICA
from tests.store.webapp import PASSWORD, form_token, login, make_user, store_intake
from werkzeug.datastructures import MultiDict

from nervetjek.bounds import MAX_ID, OutOfBounds, bounded_date, load_json, whole_number
from nervetjek.intake import load_item_bank
from nervetjek.interview import forms as q
from nervetjek.web.followup import parse_answers

NINES = "9" * 5000
HUGE_ID = "99999999999999999999"
HUGE_AGE = '{"age": ' + NINES + "}"


@pytest.fixture
def clinician(client, settings):
    make_user(settings, "sikker@example.dk", "admin")
    assert login(client, "sikker@example.dk").status_code == 303
    return client


# ------------------------------------------------------------- 2: X-Forwarded-For


def _wrong(client, email, headers=None):
    page = client.get("/klinik/login")
    return client.post(
        "/klinik/login",
        data={
            "email": email,
            "password": "wrong password here",
            "csrf_token": form_token(page.text),
        },
        headers=headers or {},
        follow_redirects=False,
    ).status_code


def test_forwarded_for_from_an_untrusted_client_does_not_escape_the_throttle(client, settings):
    make_user(settings, "t@example.dk")
    codes = [_wrong(client, "t@example.dk") for _ in range(settings.login_attempts)]
    assert codes == [401] * settings.login_attempts
    page = client.get("/klinik/login")
    right = client.post(
        "/klinik/login",
        data={"email": "t@example.dk", "password": PASSWORD, "csrf_token": form_token(page.text)},
        headers={"X-Forwarded-For": "10.9.9.9"},
        follow_redirects=False,
    )
    assert right.status_code == 429


def test_rotating_forwarded_addresses_are_still_one_address(client, settings):
    codes = [
        _wrong(client, f"u{i}@example.dk", {"X-Forwarded-For": f"10.0.0.{i}"}) for i in range(25)
    ]
    assert codes.count(401) == settings.login_address_attempts
    assert set(codes[settings.login_address_attempts :]) == {429}


def test_a_trusted_proxy_passes_on_the_real_address(tmp_path):
    """With the proxy named, each forwarded address has its own count."""
    from fastapi.testclient import TestClient

    from nervetjek.web.app import create_app

    settings = make_settings(tmp_path, trusted_proxies="testclient, 10.0.0.1")
    make_user(settings, "p@example.dk")
    with TestClient(create_app(settings)) as client:
        for i in range(25):
            assert _wrong(client, f"u{i}@example.dk", {"X-Forwarded-For": f"192.0.2.{i}"}) == 401


# ------------------------------------------------------------- 3: hashing cap


def test_logins_beyond_the_hashing_cap_get_429_with_retry_after(client, settings):
    make_user(settings, "cap@example.dk")
    page = client.get("/klinik/login")
    checks = client.app.state.password_checks
    taken = 0
    while checks.try_acquire():
        taken += 1
    try:
        refused = client.post(
            "/klinik/login",
            data={
                "email": "cap@example.dk",
                "password": PASSWORD,
                "csrf_token": form_token(page.text),
            },
            follow_redirects=False,
        )
    finally:
        for _ in range(taken):
            checks.release()
    assert taken == settings.login_hash_concurrency
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert "travlt" in refused.text
    assert login(client, "cap@example.dk").status_code == 303  # slots free again


# ------------------------------------------------------------- 4: huge numbers, far dates


@pytest.mark.parametrize(
    ("path", "body", "content_type"),
    [
        ("/api/assess", HUGE_AGE, "application/json"),
        ("/api/assess", '{"duration_days": 1e400}', "application/json"),
        ("/fhir/QuestionnaireResponse/$assess", HUGE_AGE, "application/fhir+json"),
        ("/fhir/QuestionnaireResponse/$assess", '{"age": 1e400}', "application/fhir+json"),
        ("/fhir/QuestionnaireResponse/$assess", '{"age": NaN}', "application/fhir+json"),
    ],
)
def test_huge_numbers_in_json_bodies_get_a_clear_4xx(client, path, body, content_type):
    response = client.post(path, content=body.encode(), headers={"content-type": content_type})
    assert 400 <= response.status_code < 500
    assert len(response.text) < 2000  # the message names the problem, not the number


@pytest.mark.parametrize(
    "path",
    [
        f"/klinik/henvendelse/{HUGE_ID}",
        f"/klinik/henvendelse/{HUGE_ID}/fhir",
        f"/api/klinik/henvendelser/{HUGE_ID}",
        "/klinik/henvendelse/0",
        "/klinik?til=9999-12-31",
        "/klinik?fra=0001-01-01",
        "/api/klinik/henvendelser?til=9999-12-31",
        "/klinik/eksport.csv?til=9999-12-31",
        "/klinik?til=not-a-date",
    ],
)
def test_huge_ids_and_far_dates_in_the_portal_get_a_clear_4xx(clinician, path):
    response = clinician.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)


def test_a_note_on_a_huge_id_gets_a_clear_4xx(clinician):
    detail_id = store_intake(clinician.app.state.settings, SCIATICA)
    page = clinician.get(f"/klinik/henvendelse/{detail_id}")
    response = clinician.post(
        f"/klinik/henvendelse/{HUGE_ID}/note",
        data={"note": "x", "csrf_token": form_token(page.text)},
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("form", "key"),
    [
        ({"age": "9" * 4301}, "age"),
        ({"age": "٤٢"}, "age"),  # Arabic-Indic digits: not our digits
        ({"pain_intensity": "9" * 4301}, "pain_intensity"),
        ({"duration_days": "9" * 309, "duration_days__unit": "years"}, "duration_days"),
        ({"duration_days": "1" + "0" * 400, "duration_days__unit": "days"}, "duration_days"),
    ],
)
def test_huge_numbers_in_the_questionnaire_form_are_field_errors(form, key):
    result = q.parse_screen([load_item_bank()[key]], MultiDict(form), {})
    assert [e.key for e in result.errors] == [key]


@pytest.mark.parametrize("raw", ["²", "9" * 5000, "-1", "٣"])
def test_odd_digits_in_the_follow_up_form_are_refused_not_a_crash(raw):
    items = [load_item_bank()["pain_intensity"]]
    answers, valid = parse_answers({"pain_intensity": raw}, items)
    assert answers == {} and not valid


@given(st.integers())
@hsettings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
def test_whole_numbers_are_bounded_or_refused(number):
    text = str(number)
    try:
        parsed = whole_number(text)
    except OutOfBounds:
        assert number < 0 or number > MAX_ID
    else:
        assert parsed == number and 0 <= parsed <= MAX_ID


@given(st.integers(min_value=-(10**400), max_value=10**400) | st.floats())
@hsettings(max_examples=200)
def test_json_numbers_load_finite_and_bounded_or_are_refused(number):
    import json
    import math

    text = json.dumps({"n": number})
    try:
        value = load_json(text)["n"]
    except OutOfBounds:
        assert not isinstance(number, float) or not math.isfinite(number) or abs(number) > 1e308
        return
    assert value == number
    assert not isinstance(value, float) or math.isfinite(value)


def test_dates_outside_the_range_are_refused():
    assert bounded_date("2026-11-30").year == 2026
    for text in ["9999-12-31", "0001-01-01", "1999-12-31", "2100-01-01", "30-11-2026"]:
        with pytest.raises(OutOfBounds):
            bounded_date(text)


# ------------------------------------------------------------- 7: headers


@pytest.mark.parametrize(
    "path", ["/klinik", "/klinik/audit", "/api/klinik/henvendelser", "/klinik/henvendelse/1"]
)
def test_portal_and_clinician_api_responses_are_never_stored(clinician, path):
    store_intake(clinician.app.state.settings, SCIATICA)
    response = clinician.get(path)
    assert response.status_code == 200
    assert "no-store" in response.headers["cache-control"]


def test_the_login_redirect_and_the_api_refusal_are_not_stored_either(client):
    assert "no-store" in client.get("/klinik", follow_redirects=False).headers["cache-control"]
    assert "no-store" in client.get("/api/klinik/henvendelser").headers["cache-control"]


def test_static_files_stay_cacheable(client):
    assert "no-store" not in client.get("/static/css/site.css").headers.get("cache-control", "")
