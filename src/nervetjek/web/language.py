"""The page language, chosen once per request by a pure ASGI middleware.

``?lang=`` beats the language cookie beats the browser's Accept-Language; Danish
otherwise.  A ``?lang=`` that differs from the cookie is remembered in the cookie.
Handlers read the choice as ``request.state.lang``.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from urllib.parse import parse_qsl

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nervetjek.web.i18n import pick_language

LANG_COOKIE = "nervetjek_lang"
LANG_COOKIE_SECONDS = 365 * 24 * 3600


def _query_language(scope: Scope) -> str | None:
    query = scope.get("query_string", b"")
    if b"lang=" not in query:
        return None
    return dict(parse_qsl(query.decode("latin-1"))).get("lang")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _cookie_language(cookie_header: str | None) -> str | None:
    if not cookie_header or LANG_COOKIE not in cookie_header:
        return None
    cookie = SimpleCookie()
    cookie.load(cookie_header)
    morsel = cookie.get(LANG_COOKIE)
    return morsel.value if morsel else None


class LanguageMiddleware:
    def __init__(self, app: ASGIApp, secure_cookie: bool):
        self.app = app
        self.cookie_flags = "; HttpOnly; SameSite=lax" + ("; Secure" if secure_cookie else "")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        query = _query_language(scope)
        cookie = _cookie_language(_header(scope, b"cookie"))
        lang = pick_language(query, cookie, _header(scope, b"accept-language"))
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
