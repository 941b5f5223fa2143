"""The languages Nervetjek speaks: Danish first, English second, and their catalogues.

Defined once, below every other package, so that the item bank, the articles, the
web layer and the command line agree on the list.  A new language needs its texts in
the item bank, the articles and a gettext catalogue; the checks of each fail until
they are there.

Danish is the source language of the templates; English comes from the catalogues in
``nervetjek/locale/en/LC_MESSAGES/`` (one .po file per area of the site, merged at load),
compiled in memory.  Translators edit .po files only.
"""

from __future__ import annotations

import io
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from babel.support import NullTranslations

LANGUAGES = ("da", "en")
DEFAULT_LANGUAGE = "da"


@cache
def translations(lang: str) -> NullTranslations:
    """The gettext catalogues of one language, merged (none for Danish)."""
    # Babel loads here, not at import: every package imports this module.
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po
    from babel.support import NullTranslations, Translations

    folder = resources.files("nervetjek").joinpath(f"locale/{lang}/LC_MESSAGES")
    if lang == DEFAULT_LANGUAGE or not folder.is_dir():
        return NullTranslations()
    merged: Translations | None = None
    for po_file in sorted(folder.iterdir(), key=lambda f: f.name):
        if po_file.name.endswith(".po"):
            with po_file.open("rb") as handle:
                compiled = io.BytesIO()
                write_mo(compiled, read_po(handle, locale=lang))
            compiled.seek(0)
            catalog = Translations(compiled)
            merged = catalog if merged is None else merged.merge(catalog)
    return merged or NullTranslations()
