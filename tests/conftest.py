"""Fixtures shared by the whole suite: settings, an app client and a live server."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from nervetjek.settings import Settings

# CI runs the same generated examples every time (derandomize), so a CI result can be
# reproduced and the safety report's recorded outcomes are CI's.  Local runs draw new
# examples and keep failures in .hypothesis: that is how the interview's counterexamples
# were found, and each became a named test.
hypothesis_settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def make_settings(data_dir: Path, **overrides) -> Settings:
    return Settings(environment="test", data_dir=data_dir, secret_key=TEST_SECRET, **overrides)


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory) -> Path:
    """One SQLite database migrated to head per test session (and per xdist worker).

    Running the migrations takes most of a second; copying the file takes milliseconds,
    so each test gets a copy instead of migrating its own."""
    from nervetjek.store.db import Database

    path = tmp_path_factory.mktemp("template") / "nervetjek.db"
    database = Database(f"sqlite:///{path.as_posix()}")
    database.migrate()
    database.dispose()
    return path


def copy_template(template: Path, destination: Path) -> Path:
    shutil.copyfile(template, destination)
    return destination


@pytest.fixture
def settings(tmp_path: Path, migrated_template: Path) -> Settings:
    copy_template(migrated_template, tmp_path / "nervetjek.db")
    return make_settings(tmp_path)


@pytest.fixture
def app(settings: Settings):
    from nervetjek.web.app import create_app

    return create_app(settings)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as test_client:
        yield test_client


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """The real app under uvicorn in a thread, on a free loopback port."""

    def __init__(self, settings: Settings):
        import uvicorn

        from nervetjek.web.app import create_app

        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.settings = settings
        self.app = create_app(settings)
        config = uvicorn.Config(
            self.app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline:
                raise RuntimeError("live server did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory) -> Iterator[LiveServer]:
    data_dir = tmp_path_factory.mktemp("live-data")
    server = LiveServer(make_settings(data_dir, base_url="http://127.0.0.1"))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def cli_database(tmp_path, monkeypatch, migrated_template):
    """The database the CLI would use: a fresh SQLite file, migrated, via the settings."""
    copy_template(migrated_template, tmp_path / "nervetjek.db")
    monkeypatch.setenv("NERVETJEK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("NERVETJEK_ENVIRONMENT", "test")
    monkeypatch.delenv("NERVETJEK_DATABASE_URL", raising=False)
    from nervetjek.settings import get_settings
    from nervetjek.store.db import get_database

    get_settings.cache_clear()
    database = get_database(get_settings().resolved_database_url)
    database.ensure_migrated()
    yield database
    get_settings.cache_clear()
