"""No personal data in application logs, at any log level (GDPR art. 9)."""

from __future__ import annotations

import logging
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from tests.conftest import TEST_SECRET
from tests.store.helpers import SCIATICA
from tests.store.webapp import (
    form_token,
    login,
    make_user,
    patient_cookie,
    send_fields,
    with_answers,
)

NAME = "Xylofon Quetzalcoatl"
PHONE = "+4571829364"
EMAIL = "zebra.quokka@example.org"
FREE_TEXT = "Hemmeligtekst Pingvinsko"
NOTE = "Notat Flamingoblomst"
SECRETS = [NAME, "Xylofon", "Quetzalcoatl", "71829364", EMAIL, "zebra.quokka", FREE_TEXT, NOTE]
ANSWERS = {**SCIATICA, "free_text": FREE_TEXT}


def _flow(client, settings) -> None:
    """Send with consent, then a clinician reads, notes, exports; then a follow-up."""
    with_answers(client, settings, ANSWERS)
    page = client.get("/send")
    receipt = client.post(
        "/send", data=send_fields(page.text, name=NAME, phone=PHONE, email=EMAIL, consent="ja")
    )
    assert receipt.status_code == 200
    link = client.post(
        "/send/kvittering/opfoelgning", data={"csrf_token": form_token(receipt.text)}
    )
    token = re.search(r"/opfoelgning/([A-Za-z0-9_-]{40,})", link.text).group(1)
    form = client.get(f"/opfoelgning/{token}")
    done = client.post(
        f"/opfoelgning/{token}",
        data={"csrf_token": form_token(form.text), "pain_intensity": "4", "burning": "yes"},
    )
    assert done.status_code == 200
    assert login(client, "log@example.dk").status_code == 303
    worklist = client.get(f"/klinik?navn={NAME[:6]}")
    intake_id = re.search(r"/klinik/henvendelse/(\d+)", worklist.text).group(1)
    detail = client.get(f"/klinik/henvendelse/{intake_id}")
    assert NAME in detail.text and FREE_TEXT in detail.text
    client.post(
        f"/klinik/henvendelse/{intake_id}/note",
        data={"note": NOTE, "csrf_token": form_token(detail.text)},
    )
    assert client.get("/klinik/eksport.csv").status_code == 200


def test_no_personal_data_in_logs_at_debug(client, settings, caplog):
    make_user(settings, "log@example.dk")
    loggers = ["", "sqlalchemy", "sqlalchemy.engine", "uvicorn", "uvicorn.access", "httpx"]
    for name in loggers:
        logging.getLogger(name).setLevel(logging.DEBUG)
    try:
        with caplog.at_level(logging.DEBUG):
            _flow(client, settings)
    finally:
        for name in loggers:
            logging.getLogger(name).setLevel(logging.NOTSET if name else logging.WARNING)
    text = caplog.text
    assert len(caplog.records) > 0  # the capture worked: there was something to check
    leaked = [s for s in SECRETS if s in text]
    assert leaked == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_no_personal_data_in_a_real_servers_debug_log(tmp_path):
    """The real server under uvicorn at log level debug: everything it prints is checked."""
    from tests.conftest import make_settings

    settings = make_settings(tmp_path)
    make_user(settings, "log@example.dk")
    port = _free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "NERVETJEK_ENVIRONMENT": "test",
        "NERVETJEK_DATA_DIR": str(tmp_path),
        "NERVETJEK_SECRET_KEY": TEST_SECRET,
    }
    env.pop("NERVETJEK_DATABASE_URL", None)
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "nervetjek.web.app:create_app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "debug",
    ]
    with log.open("wb") as handle:
        server = subprocess.Popen(command, env=env, stdout=handle, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 120  # importing the app is slow on a busy host
        while True:
            try:
                httpx.get(base + "/healthz", timeout=1)
                break
            except httpx.HTTPError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        with httpx.Client(base_url=base, timeout=30) as client:
            client.cookies.set("nervetjek_svar", patient_cookie(settings, ANSWERS))
            _flow(_Adapter(client), settings)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=15)
    text = Path(log).read_text("utf-8", errors="replace")
    assert "GET /send" in text  # the access log was on
    assert [s for s in SECRETS if s in text] == []
    assert not re.search(r"/opfoelgning/[A-Za-z0-9_-]{40,}", text)


class _Adapter:
    """httpx.Client with the TestClient's defaults (follow redirects) for _flow."""

    def __init__(self, client: httpx.Client):
        self.client = client
        self.cookies = client.cookies

    def get(self, url, **kwargs):
        return self.client.get(url, follow_redirects=kwargs.pop("follow_redirects", True), **kwargs)

    def post(self, url, **kwargs):
        return self.client.post(
            url, follow_redirects=kwargs.pop("follow_redirects", True), **kwargs
        )
