"""What the server logs: access lines without personal data, as text or JSON.

uvicorn's access line holds the full path with its query string.  Portal searches
(`/klinik?navn=...`) and follow-up links (`/opfoelgning/<token>`) would put names and
working secrets in the log, so both are cut out before any handler sees the record.
"""

from __future__ import annotations

import copy
import logging
import re
from typing import Any

from nervetjek.settings import Settings

ACCESS_LOGGER = "uvicorn.access"
REDACTED = "[skjult]"
_FOLLOWUP_TOKEN = re.compile(r"(/opfoelgning/)[^/?#\s]+")
_QUERY = re.compile(r"\?[^\s]*")


def redact_path(text: str) -> str:
    """A request target without follow-up tokens and without any query string."""
    text = _FOLLOWUP_TOKEN.sub(r"\1" + REDACTED, text)
    return _QUERY.sub("?" + REDACTED, text)


class RedactAccessLog(logging.Filter):
    """Rewrites the arguments of uvicorn's access line (client, method, path, ...)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(redact_path(a) if isinstance(a, str) else a for a in record.args)
        return True


def install_access_log_redaction() -> None:
    """Idempotent: one filter on uvicorn's access logger, whoever starts the server."""
    logger = logging.getLogger(ACCESS_LOGGER)
    if not any(isinstance(f, RedactAccessLog) for f in logger.filters):
        logger.addFilter(RedactAccessLog())


def uvicorn_log_config(settings: Settings) -> dict[str, Any]:
    """uvicorn's own logging set-up plus the redaction filter, and JSON when asked for."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config["filters"] = {"redact": {"()": RedactAccessLog}}
    config["handlers"]["access"]["filters"] = ["redact"]
    if settings.log_format == "json":
        formatter = {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        }
        config["formatters"] = {"default": formatter, "access": formatter}
    # The service's own loggers (nervetjek.*) go through the same handler and format.
    config["loggers"]["nervetjek"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config
