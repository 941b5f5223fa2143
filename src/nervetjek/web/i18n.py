"""Translations: gettext catalogues (Babel) compiled in memory from the shipped .po files.

Danish is the source language of the templates; English comes from the catalogues in
``nervetjek/locale/en/LC_MESSAGES/`` (one .po file per area of the site, merged at load).
Translators edit .po files only.
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
