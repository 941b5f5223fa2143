"""What routers share: the no-store route class for personal pages."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from fastapi import Request, Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

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
            except HTTPException as exc:
                exc.headers = {**(exc.headers or {}), **NO_STORE}
                raise
            response.headers.update(NO_STORE)
            return response

        return route
