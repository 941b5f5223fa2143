"""The ASGI application: one factory, routers from one module per area."""

from __future__ import annotations

import importlib

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles
from starlette.middleware.base import BaseHTTPMiddleware

from nervetjek import __version__
from nervetjek.settings import Settings, get_settings
from nervetjek.web.i18n import LANGUAGES, pick_language
from nervetjek.web.security import SecurityHeadersMiddleware

# Each module exposes `router` (an APIRouter).  Add a line here for a new area.
ROUTER_MODULES = [
    "nervetjek.web.pages",
    "nervetjek.web.patient",
    "nervetjek.web.auth",
    "nervetjek.web.clinic",
    "nervetjek.web.clinic_api",
    "nervetjek.web.send",
    "nervetjek.web.followup",
    "nervetjek.web.content_routes",
    "nervetjek.web.api",
    "nervetjek.web.fhir_routes",
]

LANG_COOKIE = "nervetjek_lang"


async def _language(request: Request, call_next):
    query = request.query_params.get("lang")
    request.state.lang = pick_language(
        query, request.cookies.get(LANG_COOKIE), request.headers.get("accept-language")
    )
    response = await call_next(request)
    if query in LANGUAGES and request.cookies.get(LANG_COOKIE) != query:
        response.set_cookie(
            LANG_COOKIE,
            query,
            max_age=365 * 24 * 3600,
            httponly=True,
            samesite="lax",
            secure=request.app.state.settings.secure_cookies,
        )
    return response


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Nervetjek",
        version=__version__,
        description="Nervetjek API: triage of leg nerve symptoms. Guidance, not a diagnosis.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    app.add_middleware(BaseHTTPMiddleware, dispatch=_language)
    app.add_middleware(SecurityHeadersMiddleware)
    app.mount("/static", StaticFiles(packages=[("nervetjek.web", "static")]), name="static")
    for module in ROUTER_MODULES:
        app.include_router(importlib.import_module(module).router)
    return app
