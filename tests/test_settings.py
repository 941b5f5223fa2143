from pathlib import Path

import pytest
from pydantic import ValidationError

from nervetjek.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def test_every_setting_is_documented():
    text = DOCS.read_text("utf-8")
    missing = [name for name in Settings.model_fields if f"`NERVETJEK_{name.upper()}`" not in text]
    assert missing == []


def test_every_setting_has_a_description():
    assert [n for n, f in Settings.model_fields.items() if not f.description] == []


def test_production_refuses_missing_secret(tmp_path):
    with pytest.raises(ValidationError, match="SECRET_KEY"):
        Settings(environment="production", data_dir=tmp_path)


def test_production_refuses_short_secret(tmp_path):
    with pytest.raises(ValidationError):
        Settings(environment="production", data_dir=tmp_path, secret_key="short")


def test_production_refuses_insecure_cookies(tmp_path):
    with pytest.raises(ValidationError, match="COOKIE_SECURE"):
        Settings(
            environment="production", data_dir=tmp_path, secret_key="x" * 40, cookie_secure=False
        )


def test_production_defaults_to_secure_cookies(tmp_path):
    settings = Settings(
        environment="production",
        data_dir=tmp_path,
        secret_key="x" * 40,
        base_url="https://nervetjek.klinik.dk",
    )
    assert settings.secure_cookies is True


@pytest.mark.parametrize("base_url", [None, "http://127.0.0.1:8000", "http://localhost"])
def test_production_refuses_a_missing_or_local_base_url(tmp_path, base_url):
    given = {} if base_url is None else {"base_url": base_url}
    with pytest.raises(ValidationError, match="NERVETJEK_BASE_URL must be set in production"):
        Settings(environment="production", data_dir=tmp_path, secret_key="x" * 40, **given)


def test_development_generates_and_keeps_a_secret(tmp_path):
    settings = Settings(data_dir=tmp_path)
    first = settings.resolved_secret_key()
    assert len(first) >= 32
    assert Settings(data_dir=tmp_path).resolved_secret_key() == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_in_data_dir(tmp_path):
    assert Settings(data_dir=tmp_path).resolved_database_url == f"sqlite:///{tmp_path}/nervetjek.db"
