"""One typed settings object, read from NERVETJEK_* environment variables.

Every setting is declared here with a description; ``docs/settings.md`` documents them
and a test fails when one is undocumented.  Unsafe combinations are refused at start-up
rather than silently accepted (a production server without a real secret, insecure
cookies in production).
"""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

MIN_SECRET_LENGTH = 32
DEVELOPMENT_BASE_URL = "http://127.0.0.1:8000"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "0.0.0.0", "[::1]")


class UnsafeSettingsError(ValueError):
    """The settings would run the service in an unsafe way."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NERVETJEK_", extra="ignore")

    environment: Literal["development", "test", "production"] = Field(
        "development",
        description="development (default), test, or production. Production refuses "
        "unsafe defaults.",
    )
    data_dir: Path = Field(
        Path("data"),
        description="Folder for the SQLite database and the development secret key.",
    )
    database_url: str | None = Field(
        None,
        description="SQLAlchemy URL. Default: SQLite file <data_dir>/nervetjek.db. "
        "Production: postgresql+psycopg://user@host/db.",
    )
    owner_database_url: str | None = Field(
        None,
        description="PostgreSQL: URL of the role that owns the tables. When set, migrations "
        "run as it and the app's role (database_url) gets only the rights it needs.",
    )
    secret_key: str | None = Field(
        None,
        description="Key for signing and encrypting cookies (at least 32 characters). "
        "Required in production; in development one is made and kept in <data_dir>.",
    )
    base_url: str = Field(
        DEVELOPMENT_BASE_URL,
        description="Public address of the site, used for canonical links, sitemap and "
        "follow-up links. Required in production.",
    )
    session_minutes: int = Field(
        60,
        ge=5,
        le=24 * 60,
        description="How long a questionnaire session lives without activity.",
    )
    clinician_session_minutes: int = Field(
        480,
        ge=5,
        le=24 * 60,
        description="How long a clinician stays logged in without activity.",
    )
    clinician_session_max_hours: int = Field(
        12,
        ge=1,
        le=7 * 24,
        description="How long a clinician login lasts at most, however active (absolute "
        "lifetime); then the clinician logs in again.",
    )
    cookie_secure: bool | None = Field(
        None,
        description="Send cookies only over HTTPS. Default: on in production, off "
        "otherwise. Cannot be turned off in production.",
    )
    retention_days: int = Field(
        180,
        ge=1,
        le=3650,
        description="Days a sent intake is kept before `nervetjek purge` deletes it.",
    )
    clinic_name: str = Field(
        "Klinikken",
        description="The clinic's name, shown in the consent text and the portal. It is "
        "also the publisher and data controller named on /om and /privatliv.",
    )
    clinic_address: str = Field(
        "",
        description="The clinic's postal address, shown on /om and /privatliv as the data "
        "controller's address.",
    )
    clinic_phone: str = Field(
        "",
        description="The clinic's phone number, shown on /om and /privatliv.",
    )
    clinic_email: str = Field(
        "",
        description="The clinic's e-mail for questions and data requests, shown on /om "
        "and /privatliv.",
    )
    clinical_lead: str = Field(
        "",
        description="Name and title of the clinician responsible for the service's "
        "clinical content, shown on /om (e.g. 'Anne Holm, fysioterapeut').",
    )
    login_attempts: int = Field(
        5,
        ge=1,
        le=100,
        description="Failed logins allowed for one account (from any address) within "
        "login_window_minutes before further attempts are refused.",
    )
    login_address_attempts: int = Field(
        20,
        ge=1,
        le=10_000,
        description="Failed logins allowed from one address (for any accounts) within "
        "login_window_minutes.",
    )
    login_window_minutes: int = Field(
        15,
        ge=1,
        le=24 * 60,
        description="Window for counting failed logins.",
    )
    login_hash_concurrency: int = Field(
        2,
        ge=1,
        le=64,
        description="Password checks (argon2, CPU- and memory-heavy) run at once per process; "
        "further logins get 429 with Retry-After at once instead of queueing.",
    )
    trusted_proxies: str = Field(
        "",
        description="Comma-separated addresses of reverse proxies whose X-Forwarded-For and "
        "X-Forwarded-Proto are believed. Default: none (the connecting address counts).",
    )
    metrics_enabled: bool = Field(
        False,
        description="Serve Prometheus metrics at /metrics.",
    )
    metrics_allowed: str = Field(
        "127.0.0.1,::1",
        description="Comma-separated addresses or networks (CIDR) allowed to read /metrics.",
    )
    log_format: Literal["text", "json"] = Field(
        "text",
        description="text (default) or json: one JSON object per log line, for log collectors.",
    )
    followup_days: int = Field(
        30,
        ge=1,
        le=365,
        description="Days a follow-up link stays valid.",
    )
    complete_instruments: bool = Field(
        False,
        description="Clinic setting: the interview asks the relevant validated "
        "questionnaires (DN4, MNSI, S-LANSS) in full instead of only the questions that "
        "change the result.",
    )

    @model_validator(mode="after")
    def _refuse_unsafe(self) -> Settings:
        if self.environment == "production":
            if not self.secret_key or len(self.secret_key) < MIN_SECRET_LENGTH:
                raise UnsafeSettingsError(
                    f"NERVETJEK_SECRET_KEY must be set to at least {MIN_SECRET_LENGTH} "
                    "characters in production"
                )
            if self.cookie_secure is False:
                raise UnsafeSettingsError("NERVETJEK_COOKIE_SECURE cannot be off in production")
            if "base_url" not in self.model_fields_set or any(
                host in self.base_url for host in LOCAL_HOSTS
            ):
                raise UnsafeSettingsError(
                    "NERVETJEK_BASE_URL must be set in production to the site's public "
                    "address, for example https://nervetjek.klinik.dk: follow-up links, "
                    f"canonical links and the sitemap use it (now {self.base_url})"
                )
        elif self.secret_key is not None and len(self.secret_key) < MIN_SECRET_LENGTH:
            raise UnsafeSettingsError(
                f"NERVETJEK_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters"
            )
        return self

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is None:
            return self.environment == "production"
        return self.cookie_secure

    @property
    def trusted_proxy_list(self) -> list[str]:
        return _split(self.trusted_proxies)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'nervetjek.db').as_posix()}"

    def resolved_secret_key(self) -> str:
        """The configured key, or (outside production) one kept in the data folder."""
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if path.exists():
            return path.read_text("utf-8").strip()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(48)
        path.write_text(key, "utf-8")
        path.chmod(0o600)
        return key


def _split(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


@cache
def get_settings() -> Settings:
    return Settings()
