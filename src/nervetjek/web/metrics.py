"""Prometheus metrics at /metrics: request latency by route, submissions, logins refused.

No personal data: labels are route templates (``/klinik/henvendelse/{intake_id}``, never
the id), methods, status codes, triage levels and refusal reasons.  Served only when
``settings.metrics_enabled`` and only to ``settings.metrics_allowed`` addresses; others
get 404 as if the route did not exist.

With several worker processes, set PROMETHEUS_MULTIPROC_DIR (``nervetjek serve`` does
this itself) so that every worker's numbers are summed on each scrape.
"""

from __future__ import annotations

import ipaddress
import os
import time
from functools import cache

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

router = APIRouter()

REQUEST_SECONDS = Histogram(
    "nervetjek_request_seconds",
    "Time from request to response start, by route template.",
    ["method", "route", "status"],
)
SUBMISSIONS = Counter(
    "nervetjek_submissions_total", "Intakes sent to the clinic, by triage level.", ["level"]
)
LOGIN_REFUSALS = Counter(
    "nervetjek_login_refusals_total",
    "Logins refused before the password was checked: throttled (too many failures) or "
    "busy (password checks at their cap).",
    ["reason"],
)
LOGIN_FAILURES = Counter("nervetjek_login_failures_total", "Logins with a wrong password.")
# Requests that match no route are counted under this label, not their path.
UNMATCHED = "(unmatched)"


class MetricsMiddleware:
    """Times each request and labels it with its route template."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def timed_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, timed_send)
        finally:
            route = getattr(scope.get("route"), "path", UNMATCHED)
            REQUEST_SECONDS.labels(scope["method"], route, str(status)).observe(
                time.perf_counter() - start
            )


@cache
def _networks(allowed: str) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(
        ipaddress.ip_network(part.strip(), strict=False) for part in allowed.split(",") if part
    )


def address_allowed(address: str | None, allowed: str) -> bool:
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(ip in network for network in _networks(allowed))


def _registry() -> CollectorRegistry:
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        return REGISTRY
    registry = CollectorRegistry()
    multiprocess.MultiProcessCollector(registry)
    return registry


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    settings = request.app.state.settings
    client = request.client.host if request.client else None
    if not settings.metrics_enabled or not address_allowed(client, settings.metrics_allowed):
        return Response("Not Found", status_code=404, media_type="text/plain")
    body = generate_latest(_registry())
    return Response(body, media_type=CONTENT_TYPE_LATEST, headers={"cache-control": "no-store"})
