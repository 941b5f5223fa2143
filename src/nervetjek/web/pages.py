"""Site-wide pages: health check and the favicon-free basics."""

from __future__ import annotations

from fastapi import APIRouter

from nervetjek import __version__
from nervetjek.knowledge import load_knowledge

router = APIRouter()


@router.get("/healthz", include_in_schema=False)
def health() -> dict[str, str]:
    return {"status": "ok", "version": __version__, "ruleset": load_knowledge().version}
