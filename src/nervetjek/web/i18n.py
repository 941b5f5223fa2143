"""The page language of each request (its catalogues: ``nervetjek.languages``).

The language is chosen once per request by :class:`LanguageMiddleware` (pure ASGI):
``?lang=`` beats the language cookie beats the browser's Accept-Language; Danish
otherwise.  A ``?lang=`` that differs from the cookie is remembered in the cookie.
Handlers read the choice as ``request.state.lang``.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import MutableHeaders
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nervetjek.languages import DEFAULT_LANGUAGE, LANGUAGES


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    """Query (?lang=) beats the cookie beats the browser; Danish otherwise."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    if accept and accept.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE


LANG_COOKIE = "nervetjek_lang"
LANG_COOKIE_SECONDS = 365 * 24 * 3600


def _query_language(scope: Scope) -> str | None:
    query = scope.get("query_string", b"")
    if b"lang=" not in query:
        return None
    return dict(parse_qsl(query.decode("latin-1"))).get("lang")


def header(scope: Scope, name: bytes) -> bytes | None:
    """A request header's raw value, read from the ASGI scope without building Headers."""
    for key, value in scope["headers"]:
        if key == name:
            return value
    return None


def _cookie_language(cookies: bytes | None) -> str | None:
    if not cookies or LANG_COOKIE.encode() not in cookies:
        return None
    return cookie_parser(cookies.decode("latin-1")).get(LANG_COOKIE)


class LanguageMiddleware:
    def __init__(self, app: ASGIApp, secure_cookie: bool):
        self.app = app
        self.cookie_flags = "; HttpOnly; SameSite=lax" + ("; Secure" if secure_cookie else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = _query_language(scope)
        cookie = _cookie_language(header(scope, b"cookie"))
        accept = header(scope, b"accept-language")
        lang = pick_language(query, cookie, accept.decode("latin-1") if accept else None)
        scope.setdefault("state", {})["lang"] = lang
        if query != lang or cookie == query:
            await self.app(scope, receive, send)
            return
        set_cookie = (
            f"{LANG_COOKIE}={lang}; Max-Age={LANG_COOKIE_SECONDS}; Path=/{self.cookie_flags}"
        )

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).append("set-cookie", set_cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)
