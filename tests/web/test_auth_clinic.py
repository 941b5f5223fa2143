"""Login, sessions, CSRF and throttling of the clinician portal."""

from __future__ import annotations

import pytest
from tests.conftest import make_settings
from tests.store.helpers import SCIATICA
from tests.store.webapp import PASSWORD, audit_actions, form_token, login, make_user, store_intake


@pytest.fixture
def clinician(settings):
    make_user(settings, "klinik@example.dk", "clinician")
    return "klinik@example.dk"


def test_login_sets_a_strict_httponly_cookie_and_keeps_only_a_hash(client, settings, clinician):
    response = login(client, clinician)
    assert response.status_code == 303
    assert response.headers["location"] == "/klinik"
    cookie = response.headers["set-cookie"]
    assert "nervetjek_klinik=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie or "SameSite=Strict" in cookie
    token = client.cookies.get("nervetjek_klinik")
    from tests.store.webapp import app_db

    with app_db(settings).engine.connect() as connection:
        dump = str(connection.exec_driver_sql("SELECT * FROM clinician_sessions").fetchall())
    assert token not in dump
    assert client.get("/klinik").status_code == 200


def test_secure_cookie_in_production_settings(tmp_path):
    from fastapi.testclient import TestClient

    from nervetjek.web.app import create_app

    settings = make_settings(tmp_path, cookie_secure=True)
    make_user(settings, "s@example.dk")
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        response = login(client, "s@example.dk")
        assert "Secure" in response.headers["set-cookie"]


def test_wrong_password_is_refused(client, clinician):
    response = login(client, clinician, "wrong password here")
    assert response.status_code == 401
    assert "forkert" in response.text
    assert client.get("/klinik", follow_redirects=False).status_code == 303


def test_login_without_csrf_token_is_refused(client, clinician):
    client.get("/klinik/login")
    response = client.post(
        "/klinik/login", data={"email": clinician, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 403
    assert "nervetjek_klinik" not in response.headers.get("set-cookie", "")


def test_login_is_throttled_per_account_and_address(tmp_path):
    from fastapi.testclient import TestClient

    from nervetjek.web.app import create_app

    settings = make_settings(tmp_path, login_attempts=3)
    make_user(settings, "t@example.dk")
    with TestClient(create_app(settings)) as client:
        for _ in range(3):
            assert login(client, "t@example.dk", "wrong password here").status_code == 401
        # Even the right password is refused now, without being checked.
        throttled = login(client, "t@example.dk")
        assert throttled.status_code == 429
        assert "For mange" in throttled.text
        assert "login.throttled" in audit_actions(settings)
    # Another account from the same address is not affected.
    make_user(settings, "u@example.dk")
    with TestClient(create_app(settings)) as client:
        assert login(client, "u@example.dk").status_code == 303


def test_post_without_csrf_token_is_rejected(client, settings, clinician):
    intake_id = store_intake(settings, SCIATICA)
    login(client, clinician)
    response = client.post(f"/klinik/henvendelse/{intake_id}/note", data={"note": "x"})
    assert response.status_code == 403
    assert response.json()["detail"]["error"] == "csrf_failed"
    wrong = client.post(
        f"/klinik/henvendelse/{intake_id}/note", data={"note": "x", "csrf_token": "f" * 64}
    )
    assert wrong.status_code == 403
    assert "intake.note" not in audit_actions(settings)


def test_logout_ends_the_session(client, clinician):
    login(client, clinician)
    token = client.cookies.get("nervetjek_klinik")
    page = client.get("/klinik")
    response = client.post(
        "/klinik/logout", data={"csrf_token": form_token(page.text)}, follow_redirects=False
    )
    assert response.status_code == 303
    client.cookies.set("nervetjek_klinik", token)
    assert client.get("/klinik", follow_redirects=False).status_code == 303


def test_log_out_everywhere_revokes_every_session(app, settings, clinician):
    from fastapi.testclient import TestClient

    with TestClient(app) as first, TestClient(app) as second:
        login(first, clinician)
        login(second, clinician)
        assert second.get("/klinik").status_code == 200
        page = first.get("/klinik")
        first.post("/klinik/logout-alle", data={"csrf_token": form_token(page.text)})
        assert second.get("/klinik", follow_redirects=False).status_code == 303
        assert first.get("/klinik", follow_redirects=False).status_code == 303
    assert "logout.everywhere" in audit_actions(settings)


def test_login_redirects_only_inside_the_portal(client, clinician):
    page = client.get("/klinik/login")
    response = client.post(
        "/klinik/login",
        data={
            "email": clinician,
            "password": PASSWORD,
            "csrf_token": form_token(page.text),
            "next": "https://evil.example/",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/klinik"


def test_idle_session_expires(tmp_path):
    from datetime import timedelta

    from fastapi.testclient import TestClient
    from sqlalchemy import update
    from tests.store.webapp import app_db

    from nervetjek.store.models import ClinicianSession, utcnow
    from nervetjek.web.app import create_app

    settings = make_settings(tmp_path, clinician_session_minutes=10)
    make_user(settings, "i@example.dk")
    with TestClient(create_app(settings)) as client:
        login(client, "i@example.dk")
        assert client.get("/klinik").status_code == 200
        with app_db(settings).session() as session:
            session.execute(
                update(ClinicianSession).values(last_seen_at=utcnow() - timedelta(minutes=11))
            )
        assert client.get("/klinik", follow_redirects=False).status_code == 303
