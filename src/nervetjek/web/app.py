"""The ASGI application: one factory, one router per area, pure ASGI middleware."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from nervetjek import __version__
from nervetjek.settings import Settings, get_settings
from nervetjek.web import (
    api,
    auth,
    clinic,
    content_routes,
    fhir_routes,
    followup,
    metrics,
    patient,
    send,
)
from nervetjek.web.i18n import LanguageMiddleware
from nervetjek.web.middleware import HSTS, SecurityHeadersMiddleware, install_access_log_redaction
from nervetjek.web.session import COOKIE_NAME as ANSWERS_COOKIE
from nervetjek.web.session import SessionMiddleware
from nervetjek.web.templating import CachedPagesMiddleware, PageCache

# A new area adds its router here.  A request is matched router by router in this
# order, so the busiest routes come first.  The health check and the cached public pages
# are mostly answered before routing (HealthCheckMiddleware, CachedPagesMiddleware), so
# the API leads.
ROUTERS = (
    api.router,
    api.health_router,
    patient.router,
    content_routes.router,
    send.router,
    followup.router,
    auth.router,
    clinic.router,
    clinic.api_router,
    fhir_routes.router,
    metrics.router,
)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    app = FastAPI(
        title="Nervetjek",
        version=__version__,
        description="Nervetjek API: triage of leg nerve symptoms. Guidance, not a diagnosis.",
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        # FastAPI's own OpenTelemetry hooks cost time on every request, and nothing here
        # collects them: the service's numbers are the Prometheus metrics (web/metrics.py).
        telemetry={"tracing": False, "metrics": False, "logs": False},
    )
    app.state.settings = settings
    app.state.page_cache = PageCache()
    app.state.password_checks = auth.PasswordChecks(settings.login_hash_concurrency)
    # Innermost: the patient's session, read only for requests that reach the routes.
    # Then the cached public pages, which need the language.  Cached pages and the health
    # check get the security headers and are counted by the metrics like any answer.
    app.add_middleware(SessionMiddleware)
    app.add_middleware(
        CachedPagesMiddleware, cache=app.state.page_cache, private_cookie=ANSWERS_COOKIE
    )
    app.add_middleware(LanguageMiddleware, secure_cookie=settings.secure_cookies)
    app.add_middleware(api.HealthCheckMiddleware)
    app.add_middleware(api.AssessMiddleware)
    app.add_middleware(
        SecurityHeadersMiddleware, extra=HSTS if settings.environment == "production" else None
    )
    if settings.metrics_enabled:
        app.add_middleware(metrics.MetricsMiddleware)
    if settings.trusted_proxy_list:
        # Outermost: the client address and scheme are settled before anything else runs.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    install_access_log_redaction()
    app.mount("/static", StaticFiles(packages=[("nervetjek.web", "static")]), name="static")
    for router in ROUTERS:
        app.include_router(router)
    return app
