"""Rendered public pages kept per path, query and language, answered with ETag and 304.

For pages that are the same for everyone who asks in the same language (the start page
without answers, the articles): rendering them once per process instead of per request
is most of their cost.  The cache is bounded; the least recently used page goes first.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from starlette.requests import Request
from starlette.responses import Response

MAX_PAGES = 256
# The language comes from ?lang=, the cookie or Accept-Language (web/language.py).
VARY = "Cookie, Accept-Language"


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    status_code: int
    media_type: str | None
    headers: tuple[tuple[str, str], ...]
    etag: str


def _cached(response: Response) -> CachedPage:
    body = bytes(response.body)
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    headers = tuple(
        (k, v) for k, v in response.headers.items() if k not in ("content-length", "vary")
    )
    return CachedPage(body, response.status_code, response.media_type, headers, etag)


class PageCache:
    def __init__(self, max_pages: int = MAX_PAGES):
        self.max_pages = max_pages
        self.pages: OrderedDict[tuple[str, bytes, str], CachedPage] = OrderedDict()

    def respond(self, request: Request, build: Callable[[], Response]) -> Response:
        """The page for this request from the cache, built by ``build`` on a miss."""
        scope = request.scope
        key = (scope["path"], scope["query_string"], request.state.lang)
        page = self.pages.get(key)
        if page is None:
            page = self.pages[key] = _cached(build())
            if len(self.pages) > self.max_pages:
                self.pages.popitem(last=False)
        else:
            self.pages.move_to_end(key)
        headers = {**dict(page.headers), "etag": page.etag, "vary": VARY}
        if request.headers.get("if-none-match") == page.etag:
            return Response(status_code=304, headers={"etag": page.etag, "vary": VARY})
        return Response(page.body, page.status_code, headers, page.media_type)
