"""Article HTML: body, table of contents, the FAQ as <details>, and schema.org JSON-LD."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from markdown_it.token import Token
from markupsafe import Markup, escape

from nervetjek.content.loader import FAQ_ANCHOR, Article, markdown
from nervetjek.datafiles import package_yaml


@dataclass(frozen=True)
class TocEntry:
    anchor: str
    title: str


@dataclass(frozen=True)
class FaqEntry:
    anchor: str
    question: str
    answer_html: Markup
    answer_text: str


@dataclass(frozen=True)
class RenderedArticle:
    article: Article
    html: Markup
    toc: tuple[TocEntry, ...]
    faq: tuple[FaqEntry, ...]


def _render_tokens(tokens: list[Token]) -> str:
    md = markdown()
    return md.renderer.render(tokens, md.options, {})


def _heading_id(token: Token) -> str | None:
    value = token.attrGet("id")
    return str(value) if value else None


def _split_faq(tokens: list[Token]) -> tuple[int, int] | None:
    """Token range [start, end) of the FAQ section, heading included."""
    start = next(
        (
            i
            for i, t in enumerate(tokens)
            if t.type == "heading_open" and t.tag == "h2" and _heading_id(t) == FAQ_ANCHOR
        ),
        None,
    )
    if start is None:
        return None
    end = next(
        (
            i
            for i in range(start + 3, len(tokens))
            if tokens[i].type == "heading_open" and tokens[i].tag in ("h1", "h2")
        ),
        len(tokens),
    )
    return start, end


def _faq_html(tokens: list[Token], article: Article) -> tuple[str, list[FaqEntry]]:
    """The FAQ heading, any intro, and one <details> per H3 question."""
    starts = [
        i for i, t in enumerate(tokens) if t.type == "heading_open" and t.tag == "h3" and i > 0
    ]
    parts = [_render_tokens(tokens[: starts[0] if starts else len(tokens)])]
    entries = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(tokens)
        anchor = _heading_id(tokens[start]) or f"faq-{n + 1}"
        inline = tokens[start + 1]
        question_html = markdown().renderer.render(inline.children or [], markdown().options, {})
        answer_html = Markup(_render_tokens(tokens[start + 3 : end]))
        section = article.section(anchor)
        entries.append(
            FaqEntry(
                anchor=anchor,
                question=section.title if section else inline.content,
                answer_html=answer_html,
                answer_text=section.text if section else "",
            )
        )
        parts.append(
            f'<details class="faq" id="{escape(anchor)}">\n'
            f'<summary><h3 class="faq-question">{question_html}</h3></summary>\n'
            f'<div class="faq-answer">\n{answer_html}</div>\n</details>\n'
        )
    return "".join(parts), entries


@cache
def _render_shipped(lang: str, slug: str) -> RenderedArticle:
    from nervetjek.content.loader import library

    article = library().get(slug, lang)
    if article is None:
        raise LookupError(slug)
    return _render(article)


def _render(article: Article) -> RenderedArticle:
    tokens = article.tokens
    faq_range = _split_faq(tokens)
    faq: list[FaqEntry] = []
    if faq_range is None:
        html = _render_tokens(tokens)
    else:
        start, end = faq_range
        faq_part, faq = _faq_html(tokens[start:end], article)
        html = _render_tokens(tokens[:start]) + faq_part + _render_tokens(tokens[end:])
    toc = tuple(TocEntry(h.anchor, h.text) for h in article.headings if h.level == 2 and h.anchor)
    return RenderedArticle(article=article, html=Markup(html), toc=toc, faq=tuple(faq))


def render(article: Article) -> RenderedArticle:
    """Render an article; the shipped ones are rendered once per process."""
    from nervetjek.content.loader import library

    if library().get(article.slug, article.lang) is article:
        return _render_shipped(article.lang, article.slug)
    return _render(article)


# ----------------------------------------------------------------------------- JSON-LD
@cache
def _conditions() -> dict[str, Any]:
    return package_yaml("nervetjek.content", "conditions.yaml")


def condition_of(article: Article) -> dict[str, Any]:
    """schema.org MedicalCondition for the article's subject."""
    entry = _conditions().get("articles", {}).get(article.slug, {})
    name = entry.get("name", {}).get(article.lang) if entry else None
    condition: dict[str, Any] = {"@type": "MedicalCondition", "name": name or article.title}
    if entry.get("icd10"):
        condition["code"] = {
            "@type": "MedicalCode",
            "code": entry["icd10"],
            "codingSystem": "ICD-10",
        }
    return condition


def json_ld(rendered: RenderedArticle, url: str, site_name: str = "Nervetjek") -> list[dict]:
    """MedicalWebPage (and FAQPage when there is an FAQ) for one article page."""
    article = rendered.article
    page: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "MedicalWebPage",
        "@id": url,
        "url": url,
        "name": article.title,
        "headline": article.meta_title,
        "description": article.description,
        "inLanguage": article.lang,
        "about": condition_of(article),
        "publisher": {"@type": "Organization", "name": site_name},
    }
    if article.date_published:
        page["datePublished"] = article.date_published.isoformat()
    if article.last_updated:
        page["dateModified"] = article.last_updated.isoformat()
    if article.last_reviewed:
        page["lastReviewed"] = article.last_reviewed.isoformat()
    if article.reviewed_by:
        page["reviewedBy"] = {"@type": "Organization", "name": article.reviewed_by}
    if article.references:
        page["citation"] = article.references
    blocks = [page]
    if rendered.faq:
        blocks.append(
            {
                "@context": "https://schema.org",
                "@type": "FAQPage",
                "@id": f"{url}#{FAQ_ANCHOR}",
                "url": url,
                "inLanguage": article.lang,
                "mainEntity": [
                    {
                        "@type": "Question",
                        "name": entry.question,
                        "acceptedAnswer": {"@type": "Answer", "text": entry.answer_text},
                    }
                    for entry in rendered.faq
                ],
            }
        )
    return blocks


def script_json(data: Any) -> Markup:
    """JSON safe inside <script type="application/ld+json">: no `</`, `<!--` or `]]>`."""
    text = json.dumps(data, ensure_ascii=False, indent=None, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)
