"""Clinician login, sessions, CSRF protection and login throttling.

* Passwords: argon2id (argon2-cffi), see ``nervetjek.store.repo``.
* Sessions: a random id in a Secure (outside development), HttpOnly, SameSite=Strict
  cookie; the database keeps only its SHA-256.  Web processes keep no state, so several
  of them can serve one PostgreSQL.
* CSRF: every form carries a token.  For a logged-in clinician it is an HMAC of the
  session id; before login (and on the patient's forms) it is an HMAC of a random value
  in its own SameSite=Strict cookie (double submit).
* Throttling: failed logins are counted per account and address in the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from nervetjek.store import repo
from nervetjek.store.db import Database, get_database
from nervetjek.web.deps import NoStoreRoute
from nervetjek.web.templating import render

router = APIRouter(route_class=NoStoreRoute)

SESSION_COOKIE = "nervetjek_klinik"
CSRF_COOKIE = "nervetjek_csrf"
LOGIN_PATH = "/klinik/login"


def database(request: Request) -> Database:
    """The app's database, migrated on first use."""
    db = get_database(request.app.state.settings.resolved_database_url)
    db.ensure_migrated()
    return db


# ------------------------------------------------------------------ CSRF


def _mac(request: Request, purpose: str, value: str) -> str:
    key = request.app.state.settings.resolved_secret_key().encode("utf-8")
    return hmac.new(key, f"{purpose}:{value}".encode(), hashlib.sha256).hexdigest()


@dataclass
class CsrfSeed:
    """The random value behind a pre-login form token; set as a cookie when new."""

    value: str
    new: bool

    def set_on(self, request: Request, response: Response) -> None:
        if self.new:
            response.set_cookie(
                CSRF_COOKIE,
                self.value,
                httponly=True,
                samesite="strict",
                secure=request.app.state.settings.secure_cookies,
                path="/",
            )


def csrf_seed(request: Request) -> CsrfSeed:
    value = request.cookies.get(CSRF_COOKIE)
    if value and 20 <= len(value) <= 100:
        return CsrfSeed(value, False)
    return CsrfSeed(secrets.token_urlsafe(24), True)


def anonymous_csrf_token(request: Request, seed: CsrfSeed) -> str:
    return _mac(request, "anon-csrf", seed.value)


def check_anonymous_csrf(request: Request, token: str | None) -> bool:
    seed = request.cookies.get(CSRF_COOKIE)
    if not seed or not token:
        return False
    return hmac.compare_digest(anonymous_csrf_token(request, CsrfSeed(seed, False)), token)


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


def csrf_token(request: Request, clinician: Clinician) -> str:
    return _mac(request, "session-csrf", clinician.session_token)


def _current(request: Request) -> Clinician | None:
    cached = getattr(request.state, "clinician", None)
    if cached is not None:
        return cached
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    settings = request.app.state.settings
    with database(request).session() as session:
        row = repo.active_session(
            session, token, timedelta(minutes=settings.clinician_session_minutes)
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
    clinician = _current(request)
    if clinician is None:
        raise login_redirect(request)
    return clinician


def clinician_api(request: Request) -> Clinician:
    """Dependency for the clinician API: the clinician, or 401 with a JSON reason."""
    clinician = _current(request)
    if clinician is None:
        raise HTTPException(
            status_code=401,
            detail={
                "error": "not_authenticated",
                "message": "A clinician session is required: log in at /klinik/login.",
            },
        )
    return clinician


def require_csrf(request: Request, clinician: Clinician, token: str | None) -> None:
    if not token or not hmac.compare_digest(csrf_token(request, clinician), token):
        raise HTTPException(
            status_code=403,
            detail={
                "error": "csrf_failed",
                "message": "The form's security token is missing or wrong. Reload the page.",
            },
        )


def forbidden_page(request: Request, clinician: Clinician):
    return render(
        request,
        "clinic/forbidden.html",
        {"clinician": clinician, "csrf": csrf_token(request, clinician), "local_time": str},
        status_code=403,
    )


# ------------------------------------------------------------------ login and logout


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/klinik") and not target.startswith("//"):
        return target
    return "/klinik"


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login_page(request: Request, next_url: str, error: str | None, status: int = 200):
    seed = csrf_seed(request)
    response = render(
        request,
        "clinic/login.html",
        {
            "csrf": anonymous_csrf_token(request, seed),
            "next": _safe_next(next_url),
            "error": error,
            "minutes": request.app.state.settings.login_window_minutes,
        },
        status_code=status,
    )
    seed.set_on(request, response)
    return response


@router.get(LOGIN_PATH, name="clinic_login")
def login_form(request: Request, next: str | None = None):
    if _current(request) is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, next or "/klinik", None)


@router.post(LOGIN_PATH)
def login(
    request: Request,
    email: str = Form("", max_length=254),
    password: str = Form("", max_length=1000),
    csrf_token: str = Form("", max_length=200),
    next: str = Form("/klinik", max_length=2000),
):
    if not check_anonymous_csrf(request, csrf_token):
        return _login_page(request, next, "csrf", status=403)
    settings = request.app.state.settings
    window = timedelta(minutes=settings.login_window_minutes)
    address = _address(request)
    db = database(request)
    with db.session() as session:
        if repo.recent_failures(session, email, address, window) >= settings.login_attempts:
            repo.audit(session, repo.SYSTEM, "login.throttled", detail={"address": address})
            throttled = True
        else:
            throttled = False
            user = repo.authenticate(session, email, password)
            if user is None:
                repo.record_failure(session, email, address)
            else:
                repo.clear_failures(session, email, address, window)
                token = repo.start_session(session, user)
                repo.audit(session, repo.Actor.of_user(user), "login")
    if throttled:
        return _login_page(request, next, "throttled", status=429)
    if user is None:
        return _login_page(request, next, "wrong", status=401)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        httponly=True,
        samesite="strict",
        secure=settings.secure_cookies,
        path="/",
    )
    return response


def _logged_out(request: Request) -> Response:
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(
        SESSION_COOKIE,
        path="/",
        httponly=True,
        samesite="strict",
        secure=request.app.state.settings.secure_cookies,
    )
    return response


@router.post("/klinik/logout", name="clinic_logout")
def logout(
    request: Request,
    clinician: Clinician = Depends(clinician_page),
    csrf_token: str = Form("", max_length=200),
):
    require_csrf(request, clinician, csrf_token)
    with database(request).session() as session:
        repo.end_session(session, clinician.session_token)
        repo.audit(session, clinician.actor, "logout")
    return _logged_out(request)


@router.post("/klinik/logout-alle", name="clinic_logout_everywhere")
def logout_everywhere(
    request: Request,
    clinician: Clinician = Depends(clinician_page),
    csrf_token: str = Form("", max_length=200),
):
    require_csrf(request, clinician, csrf_token)
    with database(request).session() as session:
        count = repo.end_all_sessions(session, clinician.id)
        repo.audit(session, clinician.actor, "logout.everywhere", detail={"sessions": count})
    return _logged_out(request)
