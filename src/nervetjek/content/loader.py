"""Patient-information articles: Markdown files with YAML front matter, one per language.

    content/articles/da/<slug>.md
    content/articles/en/<slug>.md

The loader is lenient: it reads whatever is there and keeps line numbers, so that
``check.py`` can say exactly what is wrong and where.  Only a file whose front matter
cannot be read at all is reported as a load problem.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any

import frontmatter
import yaml
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin

from nervetjek.languages import LANGUAGES

ARTICLES_DIR = Path(__file__).resolve().parent / "articles"
# Front matter `kind`: our own guides, or the article of one engine pattern.
GUIDE = "guide"
CONDITION = "condition"
KINDS = (GUIDE, CONDITION)
DATE_FORMAT = "%d/%m/%Y"
FAQ_ANCHOR = "ofte-stillede-spoergsmaal"

# `## Heading text {#anchor}`: the explicit anchor at the end of a heading line.
_HEADING_ANCHOR = re.compile(r"\s*\{#([^}]*)\}\s*$")
_TRANSLITERATE = str.maketrans({"æ": "ae", "ø": "oe", "å": "aa", "é": "e", "ü": "u"})


@dataclass(frozen=True)
class Problem:
    """Something wrong (or worth a warning) in a content file."""

    path: Path
    line: int
    message: str
    level: str = "error"  # error | warning

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"


@dataclass(frozen=True)
class Heading:
    level: int
    text: str  # plain text, without the {#anchor}
    anchor: str | None  # the explicit anchor, None when missing
    line: int  # 1-based line in the file
    raw_anchor: str | None = None  # as written, even when not a valid anchor


@dataclass(frozen=True)
class Link:
    href: str
    line: int
    image: bool = False
    alt: str = ""


@dataclass(frozen=True)
class Section:
    """The text under one heading, up to the next heading (the intro has no anchor)."""

    anchor: str | None
    title: str
    level: int  # 1 for the intro
    parent: str | None  # for an H3: the anchor of the H2 above it
    text: str  # plain text of the body, blocks separated by blank lines
    first_paragraph: str
    faq: bool  # a question in the FAQ section


@dataclass(frozen=True)
class Article:
    slug: str
    lang: str
    path: Path
    meta: dict[str, Any]
    meta_lines: dict[str, int]  # front matter key -> 1-based line
    body: str
    body_line: int  # 1-based file line of the body's first line
    headings: tuple[Heading, ...]
    links: tuple[Link, ...]
    sections: tuple[Section, ...]
    tokens: list[Token] = field(repr=False, compare=False, hash=False)

    # ---------------------------------------------------------------- front matter
    def text(self, key: str) -> str:
        value = self.meta.get(key)
        return value.strip() if isinstance(value, str) else ""

    @property
    def title(self) -> str:
        return self.text("title")

    @property
    def meta_title(self) -> str:
        return self.text("metaTitle") or self.title

    @property
    def description(self) -> str:
        return self.text("description")

    @property
    def reviewed_by(self) -> str:
        return self.text("reviewedBy")

    @property
    def pattern(self) -> str | None:
        return self.text("pattern") or None

    @property
    def kind(self) -> str:
        """ "guide" (our own, listed first on /viden) or "condition" (one engine pattern)."""
        return self.text("kind")

    @property
    def order(self) -> int | None:
        """A guide's place among the guides on /viden (1 first)."""
        value = self.meta.get("order")
        return value if isinstance(value, int) and not isinstance(value, bool) else None

    @property
    def references(self) -> list[str]:
        raw = self.meta.get("references")
        return [str(r).strip() for r in raw] if isinstance(raw, list) else []

    @property
    def date_published(self) -> date | None:
        return parse_date(self.meta.get("datePublished"))

    @property
    def last_updated(self) -> date | None:
        return parse_date(self.meta.get("lastUpdated"))

    @property
    def last_reviewed(self) -> date | None:
        """When a clinician last went through the article (shown as "Sidst gennemgået")."""
        return parse_date(self.meta.get("lastReviewed"))

    def line_of(self, key: str) -> int:
        return self.meta_lines.get(key, 1)

    # ---------------------------------------------------------------- body
    @property
    def anchors(self) -> list[str]:
        return [h.anchor for h in self.headings if h.anchor]

    def section(self, anchor: str) -> Section | None:
        return next((s for s in self.sections if s.anchor == anchor), None)

    def plain_text(self) -> str:
        """The readable text (headings and body) without markup, for LIX."""
        parts = []
        for section in self.sections:
            if section.level > 1:
                parts.append(section.title)
            if section.text:
                parts.append(section.text)
        return "\n\n".join(parts)


@dataclass(frozen=True)
class Library:
    """Every article found under one root, by (lang, slug)."""

    root: Path
    articles: dict[tuple[str, str], Article]
    problems: tuple[Problem, ...] = ()

    def get(self, slug: str, lang: str) -> Article | None:
        return self.articles.get((lang, slug))

    def slugs(self, lang: str) -> list[str]:
        return sorted(slug for (article_lang, slug) in self.articles if article_lang == lang)

    def in_language(self, lang: str) -> list[Article]:
        return [self.articles[(lang, slug)] for slug in self.slugs(lang)]

    def guides(self, lang: str) -> list[Article]:
        """Our own guides in their front matter's `order`: a new guide needs no code."""
        found = [a for a in self.in_language(lang) if a.kind == GUIDE]
        return sorted(found, key=lambda a: (a.order is None, a.order or 0, a.slug))

    def __iter__(self) -> Iterator[Article]:
        return iter(self.articles.values())


def parse_date(value: Any) -> date | None:
    """A "DD/MM/YYYY" date; None when missing or not a real date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not re.fullmatch(r"\d{2}/\d{2}/\d{4}", value.strip()):
        return None
    try:
        return datetime.strptime(value.strip(), DATE_FORMAT).date()
    except ValueError:
        return None


def anchor_from_text(text: str) -> str:
    """The anchor our format would give a heading text (æ->ae, ø->oe, å->aa)."""
    ascii_text = text.lower().translate(_TRANSLITERATE)
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")


def _heading_anchors(state: StateCore) -> None:
    """Core rule: move a trailing `{#id}` on a heading line into the heading's id."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        inline = tokens[index + 1]
        match = _HEADING_ANCHOR.search(inline.content)
        if match:
            inline.content = inline.content[: match.start()]
            token.meta["raw_anchor"] = match.group(1)
            if is_valid_anchor(match.group(1)):
                token.attrSet("id", match.group(1))


def is_valid_anchor(anchor: str) -> bool:
    return re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", anchor) is not None


@cache
def markdown() -> MarkdownIt:
    """CommonMark with tables, no raw HTML, explicit heading anchors.

    Headings without an explicit anchor get one from their text (mdit anchors plugin),
    so a page still works while `content check` reports the missing anchor.
    """
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable("table")
    md.core.ruler.after("block", "heading_anchors", _heading_anchors)
    anchors_plugin(md, min_level=2, max_level=4, slug_func=anchor_from_text)
    return md


def inline_text(token: Token) -> str:
    """The plain text of an inline token (link text kept, images left out)."""
    parts = []
    for child in token.children or []:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()


def _front_matter_lines(text: str) -> tuple[dict[str, int], int]:
    """Line numbers of the top-level front matter keys, and the body's first line."""
    lines = text.splitlines()
    key_lines: dict[str, int] = {}
    if not lines or lines[0].strip() != "---":
        return key_lines, 1
    for number, line in enumerate(lines[1:], start=2):
        if line.strip() in ("---", "..."):
            return key_lines, number + 1
        match = re.match(r"([A-Za-z_][\w-]*)\s*:", line)
        if match:
            key_lines.setdefault(match.group(1), number)
    return key_lines, 1


def _walk_sections(tokens: list[Token], title: str) -> tuple[Section, ...]:
    sections: list[Section] = []
    current: dict[str, Any] = {
        "anchor": None,
        "title": title,
        "level": 1,
        "parent": None,
        "blocks": [],
        "first": "",
        "faq": False,
    }
    h2_anchor: str | None = None
    in_faq = False
    row: list[str] | None = None  # the cells of the table row being read

    def close() -> None:
        sections.append(
            Section(
                anchor=current["anchor"],
                title=current["title"],
                level=current["level"],
                parent=current["parent"],
                text="\n\n".join(b for b in current["blocks"] if b),
                first_paragraph=current["first"],
                faq=current["faq"],
            )
        )

    index = 0
    while index < len(tokens):
        token = tokens[index]
        if token.type == "heading_open" and token.tag in ("h2", "h3", "h4"):
            close()
            level = int(token.tag[1])
            anchor = token.attrGet("id")
            anchor = str(anchor) if anchor else None
            if level == 2:
                h2_anchor = anchor
                in_faq = anchor == FAQ_ANCHOR
            current = {
                "anchor": anchor,
                "title": inline_text(tokens[index + 1]),
                "level": level,
                "parent": h2_anchor if level > 2 else None,
                "blocks": [],
                "first": "",
                "faq": in_faq and level == 3,
            }
            index += 3
            continue
        if token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            current["blocks"].append(" ".join(cell for cell in row if cell))
            row = None
        elif token.type == "inline" and row is not None:
            row.append(inline_text(token))
        elif token.type == "inline" and tokens[index - 1].type != "heading_open":
            text = inline_text(token)
            current["blocks"].append(text)
            if not current["first"] and tokens[index - 1].type == "paragraph_open":
                current["first"] = text
        index += 1
    close()
    return tuple(sections)


def _links(tokens: list[Token], body_line: int) -> tuple[Link, ...]:
    links = []
    for token in tokens:
        if token.type != "inline":
            continue
        line = body_line + (token.map[0] if token.map else 0)
        for child in token.children or []:
            if child.type == "link_open":
                links.append(Link(str(child.attrGet("href") or ""), line))
            elif child.type == "image":
                links.append(
                    Link(str(child.attrGet("src") or ""), line, image=True, alt=child.content)
                )
    return tuple(links)


def _headings(tokens: list[Token], body_line: int) -> tuple[Heading, ...]:
    headings = []
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            raw = token.meta.get("raw_anchor")
            headings.append(
                Heading(
                    level=int(token.tag[1]),
                    text=inline_text(tokens[index + 1]),
                    anchor=raw if raw and is_valid_anchor(raw) else None,
                    line=body_line + (token.map[0] if token.map else 0),
                    raw_anchor=raw,
                )
            )
    return tuple(headings)


class ArticleLoadError(ValueError):
    def __init__(self, problem: Problem):
        super().__init__(str(problem))
        self.problem = problem


def load_article(path: Path, lang: str) -> Article:
    text = path.read_text("utf-8")
    try:
        post = frontmatter.loads(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        reason = getattr(exc, "problem", None) or str(exc)
        raise ArticleLoadError(
            Problem(path, line, f"front matter is not valid YAML: {reason}")
        ) from exc
    if not isinstance(post.metadata, dict):
        raise ArticleLoadError(Problem(path, 1, "front matter must be a mapping of keys"))
    meta_lines, body_line = _front_matter_lines(text)
    body = post.content
    # python-frontmatter strips the body; count the blank lines it removed.
    if body:
        offset = text.find(body, max(0, len("\n".join(text.splitlines()[: body_line - 1]))))
        if offset >= 0:
            body_line = text.count("\n", 0, offset) + 1
    tokens = markdown().parse(body)
    title = post.metadata.get("title") if isinstance(post.metadata.get("title"), str) else ""
    return Article(
        slug=path.stem,
        lang=lang,
        path=path,
        meta=dict(post.metadata),
        meta_lines=meta_lines,
        body=body,
        body_line=body_line,
        headings=_headings(tokens, body_line),
        links=_links(tokens, body_line),
        sections=_walk_sections(tokens, title.strip()),
        tokens=tokens,
    )


def _article_files(root: Path) -> Iterable[tuple[str, Path]]:
    for lang in LANGUAGES:
        folder = root / lang
        if folder.is_dir():
            for path in sorted(folder.glob("*.md")):
                yield lang, path


def load_library(root: Path | None = None) -> Library:
    root = root or ARTICLES_DIR
    articles: dict[tuple[str, str], Article] = {}
    problems: list[Problem] = []
    for lang, path in _article_files(root):
        try:
            article = load_article(path, lang)
        except ArticleLoadError as exc:
            problems.append(exc.problem)
            continue
        except (OSError, UnicodeDecodeError) as exc:
            problems.append(Problem(path, 1, f"cannot read the file: {exc}"))
            continue
        articles[(lang, article.slug)] = article
    return Library(root=root, articles=articles, problems=tuple(problems))


@cache
def library() -> Library:
    """The shipped articles, loaded once per process."""
    return load_library()
