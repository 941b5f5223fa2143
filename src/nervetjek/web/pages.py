"""Site-wide pages: the health check."""

from __future__ import annotations

from functools import cache

import orjson
from fastapi import APIRouter
from fastapi.responses import Response

from nervetjek import __version__
from nervetjek.knowledge import load_knowledge

router = APIRouter()


@cache
def _health_body() -> bytes:
    return orjson.dumps(
        {"status": "ok", "version": __version__, "ruleset": load_knowledge().version}
    )


@router.get("/healthz", include_in_schema=False)
async def health() -> Response:
    return Response(_health_body(), media_type="application/json")
