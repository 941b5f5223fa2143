"""Jinja2 templates with gettext, shared by every page, and the cache of public pages.

:class:`PageCache` keeps pages that are the same for everyone who asks in the same
language (the start page without answers, the articles) per path, query and language,
and answers with ETag and 304: rendering them once per process instead of per request
is most of their cost.  It is bounded; the least recently used page goes first.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import Response

from nervetjek.web.i18n import translations


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("nervetjek.web", "templates"),
        autoescape=select_autoescape(["html", "xml", "svg"]),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_null_translations(newstyle=True)
    return env


@cache
def templates() -> Jinja2Templates:
    return Jinja2Templates(env=environment())


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
):
    """Render a page in the request's language."""
    lang = getattr(request.state, "lang", "da")
    trans = translations(lang)
    ctx = {
        "lang": lang,
        "_": trans.gettext,
        "gettext": trans.gettext,
        "ngettext": trans.ngettext,
        **(context or {}),
    }
    return templates().TemplateResponse(
        request, name, ctx, status_code=status_code, headers=headers
    )


MAX_PAGES = 256
# The language comes from ?lang=, the cookie or Accept-Language (LanguageMiddleware in web/i18n.py).
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
