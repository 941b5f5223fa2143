"""Translations: gettext catalogues (Babel) compiled in memory from the shipped .po files.

Danish is the source language of the templates; English comes from
``nervetjek/locale/en/LC_MESSAGES/messages.po``.  Translators edit .po files only.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"


@cache
def translations(lang: str) -> NullTranslations:
    if lang == DEFAULT_LANGUAGE:
        return NullTranslations()
    po = resources.files("nervetjek").joinpath(f"locale/{lang}/LC_MESSAGES/messages.po")
    if not po.is_file():
        return NullTranslations()
    with po.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer)


def pick_language(query: str | None, cookie: str | None, accept: str | None) -> str:
    """Query (?lang=) beats the cookie beats the browser; Danish otherwise."""
    for candidate in (query, cookie):
        if candidate in LANGUAGES:
            return candidate
    if accept and accept.lower().startswith("en"):
        return "en"
    return DEFAULT_LANGUAGE
