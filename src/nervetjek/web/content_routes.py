"""Public information: /viden (articles), /soeg (search), sitemap.xml, robots.txt, and
the trust pages /om and /privatliv.

Thin handlers over nervetjek.content: the articles are loaded, rendered and indexed once
per process (at start-up, through this router's lifespan).  /om says who publishes
Nervetjek, who is clinically responsible, how the assessment works and how accurate it
measured; /privatliv is the GDPR article 9 privacy notice.  Publisher and data controller
come from the clinic settings.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date
from functools import cache
from typing import Any
from urllib.parse import urlencode

from babel.dates import format_date
from fastapi import APIRouter, FastAPI, Query, Request
from fastapi.responses import PlainTextResponse, RedirectResponse, Response

from nervetjek import __version__
from nervetjek.content import library
from nervetjek.content.loader import LANGUAGES, Article
from nervetjek.content.render import json_ld, render, script_json
from nervetjek.content.search import search_index
from nervetjek.datafiles import package_yaml
from nervetjek.intake import load_outcomes
from nervetjek.knowledge import load_knowledge
from nervetjek.web.templating import render as render_page
from nervetjek.web.templating import templates

MAX_QUERY_LENGTH = 200
OG_LOCALES = {"da": "da_DK", "en": "en_GB"}
BABEL_LOCALES = {"da": "da_DK", "en": "en_GB"}
# Articles that moved to a new address: old links (bookmarks, printed results, search
# engines) keep working.  "Kritisk iskæmi" named the chronic condition; the article is
# about the acute one.
MOVED_ARTICLES = {"kritisk-iskaemi": "akut-iskaemi-i-benet"}


@asynccontextmanager
async def _warm(_app: FastAPI) -> AsyncIterator[None]:
    """Load, render and index every article before the first request."""
    shipped = library()
    for article in shipped:
        render(article)
    for lang in LANGUAGES:
        search_index(lang)
    yield


router = APIRouter(lifespan=_warm)


def _base_url(request: Request) -> str:
    return request.app.state.settings.base_url.rstrip("/")


def language_urls(url: str) -> dict[str, str]:
    """A page's URL in each language; Danish is the default."""
    return {"da": url, "en": f"{url}?{urlencode({'lang': 'en'})}"}


def _long_date(value: date | None, lang: str) -> str:
    return format_date(value, format="long", locale=BABEL_LOCALES[lang]) if value else ""


def _ordered(lang: str) -> tuple[list[Article], list[Article]]:
    """(our own guides in their front matter's order, then the conditions in the
    engine's order: urgent first)."""
    shipped = library()
    guides = shipped.guides(lang)
    conditions = [shipped.get(p.article, lang) for p in load_outcomes().patterns.values()]
    return guides, [a for a in conditions if a]


@router.get("/viden", name="content_index", include_in_schema=False)
def article_index(request: Request):
    lang = request.state.lang
    guides, conditions = _ordered(lang)
    urls = language_urls(f"{_base_url(request)}/viden")
    return render_page(
        request,
        "content/index.html",
        {"guides": guides, "conditions": conditions, "canonical": urls[lang], "alternates": urls},
    )


@router.get("/viden/{slug}", name="content_article", include_in_schema=False)
async def article_page(request: Request, slug: str):
    if slug in MOVED_ARTICLES:
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/viden/{MOVED_ARTICLES[slug]}{query}", status_code=301)
    return request.app.state.page_cache.respond(request, lambda: _article(request, slug))


def _article(request: Request, slug: str) -> Response:
    lang = request.state.lang
    article = library().get(slug, lang)
    if article is None:
        return render_page(request, "content/not_found.html", {"slug": slug}, status_code=404)
    rendered = render(article)
    urls = language_urls(f"{_base_url(request)}/viden/{slug}")
    return render_page(
        request,
        "content/article.html",
        {
            "article": article,
            "rendered": rendered,
            "canonical": urls[lang],
            "alternates": urls,
            "og_locale": OG_LOCALES[lang],
            "og_alternate": [OG_LOCALES[other] for other in LANGUAGES if other != lang],
            "json_ld": script_json(json_ld(rendered, urls[lang])),
            "last_updated": _long_date(article.last_updated, lang),
            "last_reviewed": _long_date(article.last_reviewed, lang),
            "date_published": _long_date(article.date_published, lang),
        },
        headers={"content-language": lang},
    )


@router.get("/soeg", name="content_search", include_in_schema=False)
def search_page(request: Request, q: str = Query("", max_length=MAX_QUERY_LENGTH)):
    lang = request.state.lang
    query = " ".join(q.split())
    hits = search_index(lang).search(query, limit=10) if query else []
    return render_page(
        request,
        "content/search.html",
        {"q": query, "hits": hits, "switch_query": urlencode({"q": query}) if query else ""},
        headers={"content-language": lang},
    )


@router.get("/sitemap.xml", name="sitemap", include_in_schema=False)
def sitemap(request: Request) -> Response:
    base = _base_url(request)
    shipped = library()
    entries = []
    for slug in shipped.slugs("da"):
        urls = language_urls(f"{base}/viden/{slug}")
        versions = {lang: shipped.get(slug, lang) for lang in LANGUAGES}
        for lang, article in versions.items():
            if article is None:
                continue
            entries.append(
                {
                    "loc": urls[lang],
                    "lastmod": article.last_updated.isoformat() if article.last_updated else None,
                    "alternates": {k: v for k, v in urls.items() if versions.get(k)},
                }
            )
    template = templates().get_template("content/sitemap.xml")
    body = template.render(base=base, index=language_urls(f"{base}/viden"), entries=entries)
    return Response(body, media_type="application/xml")


@router.get("/robots.txt", name="robots", include_in_schema=False)
def robots(request: Request) -> PlainTextResponse:
    lines = [
        "User-agent: *",
        # Personal pages: the questionnaire, the result, sending and the clinic portal.
        "Disallow: /spoergsmaal/",
        "Disallow: /tjek",
        "Disallow: /resultat",
        "Disallow: /send",
        "Disallow: /ny",
        "Disallow: /klinik",
        "Disallow: /api/",
        "Allow: /",
        "",
        f"Sitemap: {_base_url(request)}/sitemap.xml",
        "",
    ]
    return PlainTextResponse("\n".join(lines))


# ------------------------------------------------------------------ trust pages


@cache
def about_facts() -> dict[str, Any]:
    """The review date and the measured accuracy (web/about.yaml)."""
    return package_yaml("nervetjek.web", "about.yaml")


def _clinic(request: Request) -> dict[str, str]:
    settings = request.app.state.settings
    return {
        "name": settings.clinic_name,
        "address": settings.clinic_address,
        "phone": settings.clinic_phone,
        "email": settings.clinic_email,
        "lead": settings.clinical_lead,
    }


@router.get("/om", name="about", include_in_schema=False)
def about(request: Request):
    lang = request.state.lang
    facts = about_facts()
    return render_page(
        request,
        "trust/about.html",
        {
            "clinic": _clinic(request),
            "accuracy": facts["accuracy"],
            "measured": _long_date(facts["accuracy"]["measured"], lang),
            "reviewed": _long_date(facts["reviewed"], lang),
            "reviewed_iso": facts["reviewed"].isoformat(),
            "patterns": len(load_outcomes().patterns),
            "engine_version": __version__,
            "ruleset_version": load_knowledge().version,
        },
    )


@router.get("/privatliv", name="privacy", include_in_schema=False)
def privacy(request: Request):
    settings = request.app.state.settings
    return render_page(
        request,
        "trust/privacy.html",
        {
            "clinic": _clinic(request),
            "retention_days": settings.retention_days,
            "session_minutes": settings.session_minutes,
            "followup_days": settings.followup_days,
        },
    )
