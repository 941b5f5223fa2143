"""Clinician login, logout and login throttling (the session and CSRF dependencies the
portal's routes use are in :mod:`nervetjek.web.deps`).

* Passwords: argon2id (argon2-cffi), see ``nervetjek.store.repo``.
* Sessions: a random id in a Secure (outside development), HttpOnly, SameSite=Strict
  cookie; the database keeps only its SHA-256.  Web processes keep no state, so several
  of them can serve one PostgreSQL.
* Throttling: failed logins are counted per account (from any address) and per address
  in the database; count-and-record is atomic (see ``repo.reserve_login_attempt``).  The
  password is checked outside any transaction, and at most
  ``settings.login_hash_concurrency`` checks run at once per process: the excess gets 429
  with Retry-After at once, so a flood of guesses cannot stall the portal.
* The address is the connecting one, or the forwarded one only from a proxy listed in
  ``settings.trusted_proxies``.
"""

from __future__ import annotations

import asyncio
import contextlib
import enum
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from nervetjek.store import repo
from nervetjek.store.models import User
from nervetjek.web.deps import (
    LOGIN_PATH,
    SESSION_COOKIE,
    NoStoreRoute,
    PostingClinician,
    csrf_binding,
    current_clinician,
    database,
    strict_cookie,
)
from nervetjek.web.metrics import LOGIN_FAILURES, LOGIN_REFUSALS
from nervetjek.web.templating import render

router = APIRouter(route_class=NoStoreRoute)

# ------------------------------------------------------------------ login and logout


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/klinik") and not target.startswith("//"):
        return target
    return "/klinik"


def _address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _login_page(request: Request, next_url: str, error: str | None, status: int = 200):
    csrf = csrf_binding(request)
    response = render(
        request,
        "clinic/login.html",
        {
            "csrf": csrf.token(),
            "next": _safe_next(next_url),
            "error": error,
            "minutes": request.app.state.settings.login_window_minutes,
        },
        status_code=status,
    )
    csrf.set_seed(request, response)
    return response


@router.get(LOGIN_PATH, name="clinic_login")
async def login_form(request: Request, next: str | None = None):
    # Async, and the database only with a session cookie: a flood of login pages must
    # not occupy the worker threads that logged-in clinicians need.
    if request.cookies.get(SESSION_COOKIE) and await run_in_threadpool(current_clinician, request):
        return RedirectResponse(_safe_next(next), status_code=303)
    return _login_page(request, next or "/klinik", None)


# Tell a client refused for lack of hashing capacity when to try again (seconds).
BUSY_RETRY_AFTER = 2
# Password-check threads run at this niceness (Linux: per thread), so a flood of guesses
# yields the CPU to logged-in clinicians' requests.
PASSWORD_CHECK_NICENESS = 10


def _lower_thread_priority() -> None:
    with contextlib.suppress(OSError, AttributeError):  # not Linux, or not allowed
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), PASSWORD_CHECK_NICENESS)


class PasswordChecks:
    """At most ``size`` password checks at once in this process, in low-priority threads.

    A request that finds no free slot is refused at once (429) instead of queueing:
    argon2 is slow and memory-hungry by design, and a queue would let a flood of fake
    logins hold memory and delay everyone.
    """

    def __init__(self, size: int):
        self._slots = threading.BoundedSemaphore(size)
        self._pool = ThreadPoolExecutor(
            size, thread_name_prefix="password-check", initializer=_lower_thread_priority
        )

    def try_acquire(self) -> bool:
        return self._slots.acquire(blocking=False)

    def release(self) -> None:
        self._slots.release()

    async def verify(self, stored_hash: str | None, password: str) -> bool:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, repo.verify_password, stored_hash, password)


@router.post(LOGIN_PATH)
async def login(
    request: Request,
    email: str = Form("", max_length=254),
    password: str = Form("", max_length=1000),
    csrf_token: str = Form("", max_length=200),
    next: str = Form("/klinik", max_length=2000),
):
    # Async: refused and throttled requests never take a worker thread that logged-in
    # clinicians need.
    if not csrf_binding(request).accepts(csrf_token):
        return _login_page(request, next, "csrf", status=403)
    checks: PasswordChecks = request.app.state.password_checks
    if not checks.try_acquire():
        LOGIN_REFUSALS.labels("busy").inc()
        response = _login_page(request, next, "busy", status=429)
        response.headers["retry-after"] = str(BUSY_RETRY_AFTER)
        return response
    try:
        outcome = await _check_login(request, checks, email, password)
    finally:
        checks.release()
    if outcome is LoginRefused.WRONG:
        LOGIN_FAILURES.inc()
        return _login_page(request, next, "wrong", status=401)
    if outcome is LoginRefused.THROTTLED:
        LOGIN_REFUSALS.labels("throttled").inc()
        return _login_page(request, next, "throttled", status=429)
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, outcome, **strict_cookie(request))
    return response


class LoginRefused(enum.Enum):
    WRONG = "wrong"
    THROTTLED = "throttled"


async def _check_login(
    request: Request, checks: PasswordChecks, email: str, password: str
) -> str | LoginRefused:
    """A new session token for a right password, else why the login is refused.

    Three steps: reserve the attempt (counted atomically), check the password with no
    transaction open, then start the session.
    """
    address = _address(request)
    found = await run_in_threadpool(_reserve_attempt, request, email, address)
    if found is LoginRefused.THROTTLED:
        return found
    if not await checks.verify(found[1] if found else None, password):
        return LoginRefused.WRONG
    return await run_in_threadpool(_start_session, request, email, address, found[0], password)


def _window(request: Request) -> timedelta:
    return timedelta(minutes=request.app.state.settings.login_window_minutes)


def _reserve_attempt(
    request: Request, email: str, address: str
) -> tuple[int, str] | LoginRefused | None:
    """The account's (id, hash) or None; THROTTLED when over the limits."""
    settings = request.app.state.settings
    with database(request).session() as session:
        attempt = repo.reserve_login_attempt(
            session,
            email,
            address,
            _window(request),
            settings.login_attempts,
            settings.login_address_attempts,
        )
        if attempt is None:
            if _throttle_reports.due(address):
                repo.audit(session, repo.SYSTEM, "login.throttled", detail={"address": address})
            return LoginRefused.THROTTLED
        return repo.password_hash_for(session, email)


def _start_session(request: Request, email: str, address: str, user_id: int, password: str) -> str:
    with database(request).session() as session:
        repo.clear_failures(session, email, address, _window(request))
        repo.rehash_if_needed(session, user_id, password)
        user = session.get(User, user_id)
        token = repo.start_session(session, user)
        repo.audit(session, repo.Actor.of_user(user), "login")
    return token


class OncePerInterval:
    """Says yes for a key at most once per interval (in this process).

    A guessing flood is refused hundreds of times a minute; one audit entry per address
    and minute records it without letting the attacker fill the audit log or queue
    every other request behind those writes.
    """

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._last: dict[str, float] = {}
        self._lock = threading.Lock()

    def due(self, key: str) -> bool:
        now = time.monotonic()
        with self._lock:
            if now - self._last.get(key, -self.seconds) < self.seconds:
                return False
            if len(self._last) > 10_000:  # a flood from many addresses: forget the old
                self._last.clear()
            self._last[key] = now
            return True


_throttle_reports = OncePerInterval(60)


def _logged_out(request: Request) -> Response:
    response = RedirectResponse(LOGIN_PATH, status_code=303)
    response.delete_cookie(SESSION_COOKIE, **strict_cookie(request))
    return response


@router.post("/klinik/logout", name="clinic_logout")
def logout(request: Request, clinician: PostingClinician):
    with database(request).session() as session:
        repo.end_session(session, clinician.session_token)
        repo.audit(session, clinician.actor, "logout")
    return _logged_out(request)


@router.post("/klinik/logout-alle", name="clinic_logout_everywhere")
def logout_everywhere(request: Request, clinician: PostingClinician):
    with database(request).session() as session:
        count = repo.end_all_sessions(session, clinician.id)
        repo.audit(session, clinician.actor, "logout.everywhere", detail={"sessions": count})
    return _logged_out(request)
