"""Patient-information articles: loading, checking, rendering and search.

`quote(see, lang)` lets other parts of the product (the result page) show a short quote
of an article section instead of keeping a second copy of the advice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nervetjek.content.loader import Article, Library, Problem, Section, library, load_library

# The loader (Markdown, front matter) is imported on first use, so the command line
# starts without it (PEP 562).
_LOADER = ("Article", "Library", "Problem", "Section", "library", "load_library")


def __getattr__(name: str) -> Any:
    if name in _LOADER:
        from nervetjek.content import loader

        return getattr(loader, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Quote:
    title: str  # the section heading
    text: str  # the section's first paragraph as plain text
    url: str  # /viden/<slug>#<anchor>
    article_title: str


def article_url(slug: str, anchor: str | None = None) -> str:
    return f"/viden/{slug}" + (f"#{anchor}" if anchor else "")


def quote(see: str, lang: str) -> Quote | None:
    """The section named by `slug#anchor` in `lang`; None when it does not exist."""
    from nervetjek.content.loader import library

    slug, _, anchor = see.partition("#")
    article = library().get(slug, lang)
    if article is None:
        return None
    if not anchor:
        section = article.sections[0]
    else:
        section = article.section(anchor)
        if section is None:
            return None
    text = section.first_paragraph or section.text.split("\n\n", 1)[0]
    title = section.title if anchor else article.title
    return Quote(
        title=title, text=text, url=article_url(slug, anchor or None), article_title=article.title
    )


__all__ = [
    "Article",
    "Library",
    "Problem",
    "Quote",
    "Section",
    "article_url",
    "library",
    "load_library",
    "quote",
]
