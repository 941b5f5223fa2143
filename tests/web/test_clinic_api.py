"""The clinician JSON API."""

from __future__ import annotations

from tests.store.helpers import EMERGENCY, MILD
from tests.store.webapp import audit_actions, login, make_user, store_intake


def test_api_needs_a_session_and_says_so(client):
    for path in ("/api/klinik/henvendelser", "/api/klinik/henvendelser/1"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["detail"]["error"] == "not_authenticated"


def test_api_lists_and_shows_intakes(client, settings):
    mild = store_intake(settings, MILD, name="Api Mild")
    urgent = store_intake(settings, EMERGENCY, name="Api Akut")
    make_user(settings, "api@example.dk")
    login(client, "api@example.dk")
    rows = client.get("/api/klinik/henvendelser").json()
    assert [r["id"] for r in rows] == [urgent, mild]
    assert rows[0]["triage"] == "emergency"
    assert [r["id"] for r in client.get("/api/klinik/henvendelser?level=self_care").json()] == [
        mild
    ]
    detail = client.get(f"/api/klinik/henvendelser/{urgent}").json()
    assert detail["answers"] == EMERGENCY
    assert detail["assessment"]["triage"] == "emergency"
    missing = client.get("/api/klinik/henvendelser/999999")
    assert missing.status_code == 404 and missing.json()["detail"]["error"] == "not_found"
    bad = client.get("/api/klinik/henvendelser/not-a-number")
    assert bad.status_code == 422 and bad.json()["detail"]
    actions = audit_actions(settings)
    assert "api.worklist" in actions and "api.intake.view" in actions
