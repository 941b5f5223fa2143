"""The questionnaire session: answers kept only in an encrypted, signed cookie.

No answer is stored on the server.  The cookie holds the interview's
:class:`~nervetjek.interview.progress.SessionData` (the answers, the screens shown so far
and a few flags), compressed and encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under
a key derived by HKDF from the site secret.  Fernet's timestamp gives the inactivity
limit: every response re-issues the cookie, and a cookie older than
``settings.session_minutes`` is ignored.

:class:`SessionMiddleware` reads the cookie once per request; handlers take the result
with :func:`current`.  Public interface for other areas (the clinic's "send to clinic" flow):

* :func:`read_answers` ``(request) -> dict``: the validated answers, ``{}`` if none or expired.
* :func:`clear` ``(response)``: delete the session cookie.

With cookies blocked, the question forms carry the same token in a hidden field
(:func:`token`, :func:`load_token`), so the warning signs still reach the emergency page.
"""

from __future__ import annotations

import base64
import zlib
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from fastapi import Request, Response
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Receive, Scope, Send

from nervetjek.intake import IntakeError
from nervetjek.interview.progress import SessionData

COOKIE_NAME = "nervetjek_svar"
# Browsers keep at least 4096 bytes per cookie (name, value and attributes together).
MAX_COOKIE_BYTES = 4000
_HKDF_SALT = b"nervetjek session cookie"
_HKDF_INFO = b"nervetjek.web.session v1"


def derive_key(secret: str) -> bytes:
    """A Fernet key from the site secret, separate from any other use of that secret."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=_HKDF_SALT, info=_HKDF_INFO).derive(
        secret.encode("utf-8")
    )
    return base64.urlsafe_b64encode(raw)


def _fernet(request: Request) -> Fernet:
    return _app_fernet(request.app.state)


def _app_fernet(state: Any) -> Fernet:
    fernet = getattr(state, "patient_session_fernet", None)
    if fernet is None:
        fernet = Fernet(derive_key(state.settings.resolved_secret_key()))
        state.patient_session_fernet = fernet
    return fernet


def encode(fernet: Fernet, data: SessionData) -> str:
    return fernet.encrypt(zlib.compress(data.to_json(), 9)).decode("ascii")


def decode(fernet: Fernet, token: str, ttl_seconds: int) -> SessionData | None:
    """The session in a cookie value, or None if it is forged, expired or unreadable."""
    try:
        raw = zlib.decompress(fernet.decrypt(token.encode("ascii"), ttl=ttl_seconds))
        return SessionData.from_json(raw)
    except (InvalidToken, ValueError, KeyError, TypeError, zlib.error, IntakeError):
        return None


def cookie_size(token: str) -> int:
    return len(COOKIE_NAME) + 1 + len(token)


class SessionMiddleware:
    """Reads the answers cookie once per request into ``request.state.patient``.

    Pure ASGI, innermost: the cached public pages and /healthz are answered further out,
    and a request without the cookie costs one look at its headers.
    """

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            # Stylesheets and scripts carry the cookie too, and never need it.
            static = scope["path"].startswith("/static/")
            scope.setdefault("state", {})["patient"] = None if static else cookie_session(scope)
        await self.app(scope, receive, send)


def cookie_session(scope: Scope) -> SessionData | None:
    """The live session in the request's answers cookie, if any."""
    name = COOKIE_NAME.encode()
    for key, value in scope["headers"]:
        if key == b"cookie" and name in value:
            cookie = cookie_parser(value.decode("latin-1")).get(COOKIE_NAME)
            if cookie:
                state = scope["app"].state
                return decode(_app_fernet(state), cookie, state.settings.session_minutes * 60)
    return None


def current(request: Request) -> SessionData | None:
    """This request's session from its cookie (read once, by SessionMiddleware)."""
    return request.state.patient


def load_token(request: Request, token: str) -> SessionData | None:
    """The session in a token (the cookie, or its copy in a form when cookies are blocked)."""
    if not token:
        return None
    ttl = request.app.state.settings.session_minutes * 60
    return decode(_fernet(request), token, ttl)


def token(request: Request, data: SessionData) -> str:
    """The session as the encrypted token the cookie holds."""
    return encode(_fernet(request), data)


def fits(request: Request, data: SessionData) -> bool:
    """Whether the session still fits in one cookie."""
    return cookie_size(encode(_fernet(request), data)) <= MAX_COOKIE_BYTES


def save(request: Request, response: Response, data: SessionData) -> None:
    """Store the session in the response (and restart the inactivity clock)."""
    settings = request.app.state.settings
    response.set_cookie(
        COOKIE_NAME,
        encode(_fernet(request), data),
        max_age=settings.session_minutes * 60,
        path="/",
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
    )


def read_answers(request: Request) -> dict[str, Any]:
    """The person's validated answers, or ``{}`` when there is no live session."""
    data = current(request)
    return dict(data.answers) if data else {}


def clear(response: Response) -> None:
    """Delete the session cookie (the answers are gone: nothing is kept on the server)."""
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="lax")
