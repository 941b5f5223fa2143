"""Jinja2 templates with gettext, shared by every page, and the cache of public pages.

:class:`PageCache` keeps pages that are the same for everyone who asks in the same
language (the start page without answers, the articles) per path, query and language,
and answers with ETag and 304: rendering them once per process instead of per request
is most of their cost.  It is bounded; the least recently used page goes first.

A handler decides what is cached (:meth:`PageCache.respond`).  Once a page is in the
cache, :class:`CachedPagesMiddleware` answers the next request for it before routing,
dependency injection and the handler run, which otherwise cost more than sending the
bytes.  Requests that carry the patient's answers cookie always go to the handler.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, PackageLoader, select_autoescape
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from nervetjek.languages import translations
from nervetjek.web.i18n import header


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
    ctx = _in_language(getattr(request.state, "lang", "da"), context or {})
    return templates().TemplateResponse(
        request, name, ctx, status_code=status_code, headers=headers
    )


def render_text(name: str, lang: str, **context: Any) -> str:
    """Render a template to text in a language (the clinic's journal text)."""
    return environment().get_template(name).render(_in_language(lang, context))


def _in_language(lang: str, context: dict[str, Any]) -> dict[str, Any]:
    trans = translations(lang)
    return {
        "lang": lang,
        "_": trans.gettext,
        "gettext": trans.gettext,
        "ngettext": trans.ngettext,
        **context,
    }


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
    # The route that made the page, for the metrics' route label on cache hits.
    route: BaseRoute | None = None

    @cached_property
    def raw_headers(self) -> list[tuple[bytes, bytes]]:
        """The full response's headers as ASGI sends them, encoded once."""
        return [
            *((k.encode("latin-1"), v.encode("latin-1")) for k, v in self.headers),
            (b"content-length", str(len(self.body)).encode()),
            (b"etag", self.etag.encode()),
            (b"vary", VARY.encode()),
        ]

    @cached_property
    def raw_not_modified_headers(self) -> list[tuple[bytes, bytes]]:
        return [(b"etag", self.etag.encode()), (b"vary", VARY.encode())]


def _cached(response: Response, route: BaseRoute | None) -> CachedPage:
    body = bytes(response.body)
    etag = '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    headers = tuple(
        (k, v) for k, v in response.headers.items() if k not in ("content-length", "vary")
    )
    return CachedPage(body, response.status_code, response.media_type, headers, etag, route)


def _key(scope: Scope) -> tuple[str, bytes, str]:
    return scope["path"], scope["query_string"], scope["state"]["lang"]


class PageCache:
    def __init__(self, max_pages: int = MAX_PAGES):
        self.max_pages = max_pages
        self.pages: OrderedDict[tuple[str, bytes, str], CachedPage] = OrderedDict()

    def get(self, scope: Scope) -> CachedPage | None:
        """The cached page for this request's path, query and language, if there is one."""
        key = _key(scope)
        page = self.pages.get(key)
        if page is not None:
            self.pages.move_to_end(key)
        return page

    def respond(self, request: Request, build: Callable[[], Response]) -> Response:
        """The page for this request from the cache, built by ``build`` on a miss."""
        page = self.get(request.scope)
        if page is None:
            key = _key(request.scope)
            page = self.pages[key] = _cached(build(), request.scope.get("route"))
            if len(self.pages) > self.max_pages:
                self.pages.popitem(last=False)
        headers = {**dict(page.headers), "etag": page.etag, "vary": VARY}
        if request.headers.get("if-none-match") == page.etag:
            return Response(status_code=304, headers={"etag": page.etag, "vary": VARY})
        return Response(page.body, page.status_code, headers, page.media_type)


class CachedPagesMiddleware:
    """Answers GET requests for pages already in the cache, as :meth:`PageCache.respond`
    would, without routing.  Runs inside LanguageMiddleware (the key needs the language)
    and inside the security headers and metrics, so cached answers carry and count the
    same as any other."""

    def __init__(self, app: ASGIApp, cache: PageCache, private_cookie: str):
        self.app = app
        self.cache = cache
        # A request with this cookie may hold the patient's answers, which change the
        # start page: the handler decides for it.
        self.private_cookie = private_cookie.encode("latin-1") + b"="

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not self.cache.pages:
            await self.app(scope, receive, send)
            return
        cookies = header(scope, b"cookie")
        page = None if cookies and self.private_cookie in cookies else self.cache.get(scope)
        if page is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = page.route
        if header(scope, b"if-none-match") == page.etag.encode():
            await send(
                {
                    "type": "http.response.start",
                    "status": 304,
                    "headers": list(page.raw_not_modified_headers),
                }
            )
            await send({"type": "http.response.body", "body": b""})
            return
        await send(
            {
                "type": "http.response.start",
                "status": page.status_code,
                # A copy: outer middleware may add headers to the list it is given.
                "headers": list(page.raw_headers),
            }
        )
        await send({"type": "http.response.body", "body": page.body})
