"""Helpers for the clinic's web tests: users, intakes and logins in the app's database."""

from __future__ import annotations

import re
from typing import Any

from nervetjek.settings import Settings
from nervetjek.store import repo
from nervetjek.store.db import get_database

from .helpers import add_intake

PASSWORD = "a long test password 42"


def app_db(settings: Settings):
    database = get_database(settings.resolved_database_url)
    database.ensure_migrated()
    return database


def make_user(settings: Settings, email: str, role: str = "clinician") -> None:
    with app_db(settings).session() as session:
        repo.create_user(session, email, PASSWORD, role)


def store_intake(settings: Settings, answers: dict[str, Any], **kwargs) -> int:
    with app_db(settings).session() as session:
        return add_intake(session, answers, **kwargs).id


def form_token(html: str, name: str = "csrf_token") -> str:
    found = re.search(rf'name="{name}" value="([^"]+)"', html)
    assert found, f"no {name} in the page"
    return found.group(1)


def login(client, email: str, password: str = PASSWORD):
    page = client.get("/klinik/login")
    return client.post(
        "/klinik/login",
        data={"email": email, "password": password, "csrf_token": form_token(page.text)},
        follow_redirects=False,
    )


def audit_actions(settings: Settings) -> list[str]:
    with app_db(settings).session() as session:
        return [e.action for e in reversed(repo.audit_entries(session, limit=1000))]


def patient_cookie(settings: Settings, answers: dict[str, Any]) -> str:
    """The questionnaire's own encrypted cookie holding these answers."""
    from cryptography.fernet import Fernet

    from nervetjek.interview.progress import SessionData
    from nervetjek.web import session as patient_session

    fernet = Fernet(patient_session.derive_key(settings.resolved_secret_key()))
    return patient_session.encode(fernet, SessionData(answers=dict(answers)))


def with_answers(client, settings: Settings, answers: dict[str, Any]) -> None:
    from nervetjek.web.session import COOKIE_NAME

    client.cookies.set(COOKIE_NAME, patient_cookie(settings, answers))


def send_fields(html: str, **fields: str) -> dict[str, str]:
    data = {"csrf_token": form_token(html), "key": form_token(html, "key")}
    data.update(fields)
    return data


def make_followup(settings: Settings, intake_id: int, days: int = 30, **kwargs) -> str:
    from datetime import timedelta

    with app_db(settings).session() as session:
        intake = repo.get_intake(session, intake_id)
        _row, token = repo.create_followup(
            session, intake, timedelta(days=days), repo.SYSTEM, **kwargs
        )
    return token
