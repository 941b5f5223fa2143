"""The web flow end to end on PostgreSQL: send, portal, follow-up, audit trigger."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from tests.conftest import make_settings
from tests.store.conftest import fresh_postgres_schema
from tests.store.helpers import SCIATICA
from tests.store.webapp import app_db, form_token, login, make_user, send_fields, with_answers

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_settings(tmp_path):
    from nervetjek.store.db import forget_database

    url, drop = fresh_postgres_schema()
    yield make_settings(tmp_path, database_url=url)
    forget_database(url)
    drop()


def test_send_portal_and_followup_on_postgresql(pg_settings):
    from fastapi.testclient import TestClient

    from nervetjek.web.app import create_app

    settings = pg_settings
    make_user(settings, "pg@example.dk")
    with TestClient(create_app(settings)) as client:
        with_answers(client, settings, SCIATICA)
        page = client.get("/send")
        data = send_fields(page.text, name="Pg Person", phone="20304050", consent="ja")
        receipt = client.post("/send", data=data)
        assert re.search(r'class="receipt-code">[2-9A-Z-]{11}<', receipt.text)
        assert client.post("/send", data=data).status_code == 200  # replay: same receipt
        link = client.post(
            "/send/kvittering/opfoelgning", data={"csrf_token": form_token(receipt.text)}
        )
        token = re.search(r"/opfoelgning/([A-Za-z0-9_-]{40,})", link.text).group(1)
        form = client.get(f"/opfoelgning/{token}")
        client.post(
            f"/opfoelgning/{token}",
            data={"csrf_token": form_token(form.text), "pain_intensity": "2"},
        )
        login(client, "pg@example.dk")
        worklist = client.get("/klinik").text
        ids = re.findall(r"/klinik/henvendelse/(\d+)", worklist)
        assert len(ids) == 1
        detail = client.get(f"/klinik/henvendelse/{ids[0]}").text
        assert "Pg Person" in detail and "trend-svg" in detail
    with pytest.raises(DBAPIError, match="append-only"), app_db(settings).session() as session:
        session.execute(text("DELETE FROM audit_log"))
