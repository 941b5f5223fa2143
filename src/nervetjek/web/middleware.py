"""What every response and its log line get: security headers, and no personal data.

* :class:`SecurityHeadersMiddleware`: a strict Content-Security-Policy and friends on
  every response (HSTS too in production).
* :class:`RedactAccessLog`: uvicorn's access line holds the full path with its query
  string.  Portal searches (`/klinik?navn=...`) and follow-up links
  (`/opfoelgning/<token>`) would put names and working secrets in the log, so both are
  cut out before any handler sees the record.
"""

from __future__ import annotations

import logging
import re

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style, nothing from other hosts.  JSON-LD data blocks are not
# executed by browsers, so they need no script-src exception.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    ]
)

HEADERS = {
    "content-security-policy": CONTENT_SECURITY_POLICY,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "cross-origin-opener-policy": "same-origin",
}


# Production runs behind HTTPS and browsers ignore HSTS on plain HTTP, so production sends
# it on every response.  Two years, the value preload lists ask for (one year at least).
HSTS = {"strict-transport-security": "max-age=63072000; includeSubDomains"}


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp, extra: dict[str, str] | None = None):
        self.app = app
        self.headers = [(k.encode(), v.encode()) for k, v in {**HEADERS, **(extra or {})}.items()]
        self.names = frozenset(k for k, _ in self.headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", ()))
                existing = {k.lower() for k, _ in headers}
                # Usually the response sets none of them: all are added, in one step.
                if self.names.isdisjoint(existing):
                    headers += self.headers
                else:
                    headers += [(k, v) for k, v in self.headers if k not in existing]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
