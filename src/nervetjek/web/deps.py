"""What routers share: the database, CSRF, the logged-in clinician (``PortalClinician``
for pages, ``ApiClinician`` for the JSON API, ``PostingClinician`` for form posts, CSRF
checked) and ``NoStoreRoute`` (personal pages are never cached)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Form, HTTPException, Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from nervetjek.interview.progress import SessionData
from nervetjek.store import repo
from nervetjek.store.db import Database, get_database

NO_STORE = {"cache-control": "no-store"}


class NoStoreRoute(APIRoute):
    """Every response of the router, errors included, says ``Cache-Control: no-store``.

    For routers whose pages hold personal or health data (the clinic portal, its API,
    login, sending and follow-up): no browser or proxy may keep a copy.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            try:
                response = await handler(request)
            except StarletteHTTPException as exc:
                exc.headers = {**(exc.headers or {}), **NO_STORE}
                raise
            response.headers.update(NO_STORE)
            return response

        return route


SESSION_COOKIE = "nervetjek_klinik"
CSRF_COOKIE = "nervetjek_csrf"
LOGIN_PATH = "/klinik/login"


def strict_cookie(request: Request) -> dict[str, Any]:
    """The flags of the clinician's session and CSRF cookies: never sent cross-site, never
    read by scripts, HTTPS only outside development."""
    secure = request.app.state.settings.secure_cookies
    return {"httponly": True, "samesite": "strict", "secure": secure, "path": "/"}


def database(request: Request) -> Database:
    """The app's database, migrated on first use."""
    db = get_database(
        request.app.state.settings.resolved_database_url,
        request.app.state.settings.owner_database_url,
    )
    db.ensure_migrated()
    return db


# ------------------------------------------------------------------ CSRF


@dataclass(frozen=True)
class CsrfBinding:
    """What ties a form to this browser.  The form's ``csrf_token`` is its HMAC."""

    value: str
    secret: str
    new_seed: bool = False  # a seed made now: the response must set its cookie

    def token(self) -> str:
        return hmac.new(self.secret.encode(), self.value.encode(), hashlib.sha256).hexdigest()

    def accepts(self, token: object) -> bool:
        """Whether a posted token is this binding's (in constant time)."""
        return isinstance(token, str) and hmac.compare_digest(self.token().encode(), token.encode())

    def set_seed(self, request: Request, response: Response) -> None:
        if self.new_seed:
            response.set_cookie(CSRF_COOKIE, self.value, **strict_cookie(request))


def csrf_binding(request: Request, patient: SessionData | None = None) -> CsrfBinding:
    """The binding of this request's forms: the clinician's session id when logged in,
    else the patient session's random value (it travels in the hidden ``tilstand`` field
    when cookies are blocked), else a random seed in its own cookie.

    Forms that must outlive the patient session (sending it clears the session, and a
    second click must still find the receipt) pass no ``patient``.
    """
    secret = request.app.state.settings.resolved_secret_key()
    if clinician := request.cookies.get(SESSION_COOKIE):
        return CsrfBinding(clinician, secret)
    if patient is not None:
        return CsrfBinding(patient.csrf, secret)
    seed = request.cookies.get(CSRF_COOKIE)
    if seed and 20 <= len(seed) <= 100:
        return CsrfBinding(seed, secret)
    return CsrfBinding(secrets.token_urlsafe(24), secret, new_seed=True)


# ------------------------------------------------------------------ the logged-in clinician


@dataclass(frozen=True)
class Clinician:
    id: int
    email: str
    role: str
    session_token: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def actor(self) -> repo.Actor:
        return repo.Actor("user", self.email, self.id)


def current_clinician(request: Request) -> Clinician | None:
    cached = getattr(request.state, "clinician", None)
    if cached is not None:
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    settings = request.app.state.settings
    with database(request).session() as session:
        row = repo.active_session(
            session,
            token,
            timedelta(minutes=settings.clinician_session_minutes),
            timedelta(hours=settings.clinician_session_max_hours),
        )
        if row is None:
            return None
        clinician = Clinician(row.user.id, row.user.email, row.user.role, token)
    request.state.clinician = clinician
    return clinician


def login_redirect(request: Request) -> HTTPException:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    location = (
        f"{LOGIN_PATH}?next={quote(target, safe='')}" if request.method == "GET" else LOGIN_PATH
    )
    return HTTPException(status_code=303, detail="login required", headers={"Location": location})


def clinician_page(request: Request) -> Clinician:
    """Dependency for portal pages: the clinician, or a redirect to the login page."""
    clinician = current_clinician(request)
    if clinician is None:
        raise login_redirect(request)
    return clinician


def clinician_api(request: Request) -> Clinician:
    """Dependency for the clinician API: the clinician, or 401 with a JSON reason."""
    clinician = current_clinician(request)
    if clinician is None:
        raise HTTPException(
            status_code=401,
            detail={
                "error": "not_authenticated",
                "message": "A clinician session is required: log in at /klinik/login.",
            },
        )
    return clinician


def clinician_form(
    request: Request,
    clinician: Clinician = Depends(clinician_page),
    csrf_token: str = Form("", max_length=200),
) -> Clinician:
    """Dependency for the portal's form posts: the clinician, CSRF token checked."""
    if not csrf_binding(request).accepts(csrf_token):
        raise HTTPException(
            status_code=403,
            detail={
                "error": "csrf_failed",
                "message": "The form's security token is missing or wrong. Reload the page.",
            },
        )
    return clinician


PortalClinician = Annotated[Clinician, Depends(clinician_page)]
ApiClinician = Annotated[Clinician, Depends(clinician_api)]
PostingClinician = Annotated[Clinician, Depends(clinician_form)]
