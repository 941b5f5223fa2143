"""Languages: the page language of each request, and the gettext catalogues (Babel).

The language is chosen once per request by :class:`LanguageMiddleware` (pure ASGI):
``?lang=`` beats the language cookie beats the browser's Accept-Language; Danish
otherwise.  A ``?lang=`` that differs from the cookie is remembered in the cookie.
Handlers read the choice as ``request.state.lang``.

Danish is the source language of the templates; English comes from the catalogues in
``nervetjek/locale/en/LC_MESSAGES/`` (one .po file per area of the site, merged at load),
compiled in memory.  Translators edit .po files only.
"""

from __future__ import annotations

import io
from functools import cache
from http.cookies import SimpleCookie
from importlib import resources
from urllib.parse import parse_qsl

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nervetjek.languages import DEFAULT_LANGUAGE, LANGUAGES


def _compile(po_file, lang: str) -> Translations:
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


@cache
def translations(lang: str) -> NullTranslations:
    if lang == DEFAULT_LANGUAGE:
        return NullTranslations()
    folder = resources.files("nervetjek").joinpath(f"locale/{lang}/LC_MESSAGES")
    merged: Translations | None = None
    if folder.is_dir():
        for po_file in sorted(folder.iterdir(), key=lambda f: f.name):
            if po_file.name.endswith(".po"):
                catalog = _compile(po_file, lang)
                merged = catalog if merged is None else merged.merge(catalog) or merged
    return merged or NullTranslations()


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
