"""Finding 7 of issue 11: HSTS (at least a year) on every response in production."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from nervetjek.settings import Settings
from nervetjek.web.app import create_app


@pytest.mark.parametrize("path", ["/", "/klinik/login", "/api/version", "/static/css/site.css"])
def test_production_sends_hsts_of_at_least_a_year_on_every_response(tmp_path, path):
    settings = Settings(
        environment="production",
        data_dir=tmp_path,
        secret_key="x" * 40,
        base_url="https://klinik.example",
    )
    with TestClient(create_app(settings), base_url="https://testserver") as client:
        response = client.get(path, headers={"X-Forwarded-Proto": "https"})
    max_age = re.search(r"max-age=(\d+)", response.headers["strict-transport-security"])
    assert int(max_age.group(1)) >= 365 * 24 * 3600


def test_no_hsts_outside_production(client):
    assert "strict-transport-security" not in client.get("/").headers
