"""`nervetjek content check`: every rule of the article format, with file, line and reason.

The rules (docs: the article format in docs/content.md):

- front matter: title, metaTitle (at most 60 characters), description (70-160 characters),
  datePublished, lastUpdated and lastReviewed as real "DD/MM/YYYY" dates, not in the
  future, the last two not before datePublished, reviewedBy, references (a list of sources);
- headings: no H1 in the body (the title is the H1), no H3 before the first H2, no jump of
  more than one level, every H2/H3 has an explicit, valid anchor, no anchor twice;
- pattern articles (slugs from intake/outcomes.yaml): `pattern` names the engine pattern,
  all required H2 anchors are there, the FAQ has H3 questions (`faq-...`) with answers;
- links: every `/viden/<slug>#<anchor>` and `#anchor` resolves, every image under /static
  exists and has alt text; every `see:` in knowledge/advice.yaml resolves;
- languages: every article exists in Danish and English with the same anchors, and every
  engine pattern has an article;
- readability: LIX of each Danish article (a warning above 45).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from nervetjek.content.loader import (
    CONDITION,
    FAQ_ANCHOR,
    GUIDE,
    KINDS,
    LANGUAGES,
    Article,
    Library,
    Problem,
    load_library,
)
from nervetjek.datafiles import parse_yaml
from nervetjek.readability import lix

REQUIRED_META = (
    "title",
    "metaTitle",
    "description",
    "datePublished",
    "lastUpdated",
    "lastReviewed",
    "reviewedBy",
    "kind",
    "references",
)
MAX_META_TITLE = 60
DESCRIPTION_LENGTH = (70, 160)
PATTERN_ANCHORS = (
    "symptomer",
    "aarsager",
    "undersoegelse",
    "behandling",
    "selvhjaelp",
    "soeg-hjaelp",
    "prognose",
    FAQ_ANCHOR,
)
OVERVIEW_SLUG = "nervesmerter-i-benene"
EXERCISES_SLUG = "oevelser"
OWN_SLUGS = (OVERVIEW_SLUG, EXERCISES_SLUG)
LIX_WARNING = 45.0

STATIC_DIR = Path(__file__).resolve().parents[1] / "web" / "static"
ADVICE_FILE = Path(__file__).resolve().parents[1] / "knowledge" / "advice.yaml"
_ARTICLE_LINK = re.compile(r"^/viden/([^#?/]+)/?(?:\?[^#]*)?(?:#(.*))?$")


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    lix: dict[str, float] = field(default_factory=dict)  # Danish slug -> LIX
    articles: int = 0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


def pattern_articles() -> dict[str, str]:
    """Engine pattern id -> article slug, from the outcome vocabulary."""
    from nervetjek.intake.outcomes import load_outcomes

    return {p.id: p.article for p in load_outcomes().patterns.values()}


# ------------------------------------------------------------------------- one article
def _check_kind(article: Article) -> Iterable[Problem]:
    """`kind` says where /viden lists the article; a guide's `order` says in which place."""
    kind = article.meta.get("kind")
    if kind is not None and kind not in KINDS:
        yield Problem(
            article.path,
            article.line_of("kind"),
            f"kind {kind!r} is not one of: {', '.join(KINDS)}",
        )
    if kind == GUIDE and article.order is None:
        line = article.line_of("order") if "order" in article.meta else article.line_of("kind")
        yield Problem(article.path, line, "a guide needs `order`: a whole number (1 is first)")
    if kind == CONDITION and "order" in article.meta:
        yield Problem(
            article.path,
            article.line_of("order"),
            "a condition article has no `order`: /viden lists conditions in the engine's "
            "order (most urgent first)",
        )


def _check_front_matter(article: Article, today: date) -> Iterable[Problem]:
    def problem(key: str, message: str) -> Problem:
        return Problem(article.path, article.line_of(key), message)

    for key in REQUIRED_META:
        value = article.meta.get(key)
        if value is None or (isinstance(value, str | list) and not value):
            yield Problem(article.path, 1, f"front matter: `{key}` is missing")
    for key in ("title", "metaTitle", "description", "reviewedBy", "pattern", "kind"):
        if key in article.meta and not isinstance(article.meta[key], str):
            yield problem(key, f"front matter: `{key}` must be text")
    yield from _check_kind(article)
    meta_title = article.text("metaTitle")
    if len(meta_title) > MAX_META_TITLE:
        yield problem(
            "metaTitle",
            f"metaTitle is {len(meta_title)} characters; at most {MAX_META_TITLE}",
        )
    description = article.description
    low, high = DESCRIPTION_LENGTH
    if description and not low <= len(description) <= high:
        yield problem(
            "description",
            f"description is {len(description)} characters; it must be {low}-{high}",
        )
    dates = {}
    parsed_dates = {
        "datePublished": article.date_published,
        "lastUpdated": article.last_updated,
        "lastReviewed": article.last_reviewed,
    }
    for key, parsed in parsed_dates.items():
        raw = article.meta.get(key)
        if raw is None:
            continue
        if parsed is None:
            yield problem(key, f"{key} {raw!r} is not a real date written DD/MM/YYYY")
        elif parsed > today:
            yield problem(key, f"{key} {raw} is in the future")
        else:
            dates[key] = parsed
    for key in ("lastUpdated", "lastReviewed"):
        if key in dates and "datePublished" in dates and dates[key] < dates["datePublished"]:
            yield problem(
                key,
                f"{key} {article.meta[key]} is before datePublished "
                f"{article.meta['datePublished']}",
            )
    references = article.meta.get("references")
    if references is not None and (
        not isinstance(references, list)
        or not all(isinstance(r, str) and r.strip() for r in references)
    ):
        yield problem("references", "references must be a list of sources written as text")


def _check_headings(article: Article) -> Iterable[Problem]:
    previous = 1  # the title is the page's H1
    seen: dict[str, int] = {}
    for heading in article.headings:
        where = article.path, heading.line
        if heading.level == 1:
            yield Problem(*where, "an H1 in the body: the title is the page's only H1; use ##")
        elif heading.level > previous + 1:
            if previous == 1:
                yield Problem(*where, f"H{heading.level} before the first H2")
            else:
                yield Problem(
                    *where, f"heading jumps from H{previous} to H{heading.level}; go one level down"
                )
        previous = heading.level
        if heading.raw_anchor is None:
            yield Problem(
                *where,
                f"heading {heading.text!r} has no explicit anchor: end the line with {{#id}}",
            )
        elif heading.anchor is None:
            yield Problem(
                *where,
                f"anchor {heading.raw_anchor!r} must be lowercase ASCII letters, digits and "
                "hyphens (æ->ae, ø->oe, å->aa)",
            )
        if heading.anchor:
            if heading.anchor in seen:
                yield Problem(
                    *where,
                    f"anchor {heading.anchor!r} is used twice (first on line "
                    f"{seen[heading.anchor]})",
                )
            else:
                seen[heading.anchor] = heading.line


def _check_pattern_article(article: Article, pattern_id: str) -> Iterable[Problem]:
    if article.pattern != pattern_id:
        line = article.line_of("pattern")
        if article.pattern is None:
            yield Problem(
                article.path, 1, f"front matter: `pattern` is missing (want {pattern_id})"
            )
        else:
            yield Problem(
                article.path,
                line,
                f"pattern {article.pattern!r} does not match outcomes.yaml, which gives this "
                f"article to {pattern_id!r}",
            )
    h2 = [h.anchor for h in article.headings if h.level == 2]
    missing = [anchor for anchor in PATTERN_ANCHORS if anchor not in h2]
    if missing:
        yield Problem(
            article.path,
            article.body_line,
            "pattern article lacks the required H2 section(s): "
            + ", ".join(f"#{anchor}" for anchor in missing),
        )
    yield from _check_faq(article, required=True)


def _check_faq(article: Article, required: bool) -> Iterable[Problem]:
    headings = list(article.headings)
    start = next(
        (i for i, h in enumerate(headings) if h.level == 2 and h.anchor == FAQ_ANCHOR), None
    )
    if start is None:
        return
    questions = []
    for heading in headings[start + 1 :]:
        if heading.level <= 2:
            break
        if heading.level == 3:
            questions.append(heading)
    if not questions and required:
        yield Problem(
            article.path, headings[start].line, "the FAQ has no questions: one ### per question"
        )
    for question in questions:
        if question.anchor and not question.anchor.startswith("faq-"):
            yield Problem(
                article.path,
                question.line,
                f"FAQ question anchor {question.anchor!r} must start with `faq-`",
            )
        section = article.section(question.anchor) if question.anchor else None
        if section is not None and not section.text:
            yield Problem(
                article.path, question.line, f"FAQ question {question.text!r} has no answer"
            )


def _check_links(article: Article, library: Library, static_dir: Path) -> Iterable[Problem]:
    for link in article.links:
        where = article.path, link.line
        href = link.href
        if link.image:
            if not link.alt.strip():
                yield Problem(*where, f"image {href} has no alt text")
            if href.startswith("/static/"):
                if not (static_dir / href.removeprefix("/static/")).is_file():
                    yield Problem(*where, f"image {href} does not exist under web/static/")
            elif not href.startswith(("http://", "https://")):
                yield Problem(*where, f"image {href} must be under /static/")
            continue
        if href.startswith("#"):
            if href[1:] not in article.anchors:
                yield Problem(*where, f"link {href}: no heading with this anchor in the article")
            continue
        if href.startswith("/static/"):
            if not (static_dir / href.removeprefix("/static/").split("#")[0]).is_file():
                yield Problem(*where, f"link {href}: no such file under web/static/")
            continue
        match = _ARTICLE_LINK.match(href)
        if href.startswith("/viden/") and not match:
            yield Problem(*where, f"link {href}: write article links as /viden/<slug>#<anchor>")
        elif match:
            message = _resolve(library, match.group(1), match.group(2), article.lang)
            if message:
                yield Problem(*where, f"link {href}: {message}")


def _resolve(library: Library, slug: str, anchor: str | None, lang: str) -> str | None:
    """Why slug#anchor does not resolve in `lang`, or None when it does."""
    target = library.get(slug, lang)
    if target is None:
        return f"no article {slug!r} in {lang}"
    if anchor and anchor not in target.anchors:
        return f"article {slug!r} ({lang}) has no heading with anchor #{anchor}"
    return None


# ------------------------------------------------------------------------ across files
def _check_languages(library: Library) -> Iterable[Problem]:
    slugs = {slug for (_lang, slug) in library.articles}
    for slug in sorted(slugs):
        versions = {lang: library.get(slug, lang) for lang in LANGUAGES}
        present = [a for a in versions.values() if a is not None]
        for lang, article in versions.items():
            if article is None:
                other = present[0]
                yield Problem(
                    other.path,
                    1,
                    f"there is no {lang} version: add {lang}/{slug}.md with the same anchors",
                )
        if len(present) == 2:
            da, en = versions["da"], versions["en"]
            missing = [a for a in da.anchors if a not in en.anchors]
            extra = [a for a in en.anchors if a not in da.anchors]
            if missing or extra:
                details = []
                if missing:
                    details.append("missing " + ", ".join(f"#{a}" for a in missing))
                if extra:
                    details.append("not in Danish " + ", ".join(f"#{a}" for a in extra))
                yield Problem(
                    en.path,
                    en.body_line,
                    f"anchors differ from da/{slug}.md: " + "; ".join(details),
                )
            if da.pattern != en.pattern:
                yield Problem(en.path, en.line_of("pattern"), f"pattern differs from da/{slug}.md")
            for key in ("kind", "order"):
                if da.meta.get(key) != en.meta.get(key):
                    yield Problem(en.path, en.line_of(key), f"{key} differs from da/{slug}.md")


def _check_required(library: Library, required: Mapping[str, str | None]) -> Iterable[Problem]:
    """`required`: slug -> engine pattern (None for our own articles)."""
    for slug, pattern_id in required.items():
        for lang in LANGUAGES:
            if library.get(slug, lang) is None and all(
                library.get(slug, other) is None for other in LANGUAGES
            ):
                what = f"engine pattern {pattern_id!r}" if pattern_id else "the site"
                yield Problem(
                    library.root / lang / f"{slug}.md",
                    1,
                    f"missing: {what} needs the article {lang}/{slug}.md",
                )


def advice_links(path: Path) -> list[tuple[str, int]]:
    """Every `see:` of an advice file with its line number, one per step."""
    text = path.read_text("utf-8")
    raw = parse_yaml(text) or {}
    wanted = [str(step.get("see", "")) for step in raw.get("steps", [])]
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = re.match(r"\s*see:\s*['\"]?([^'\"\s]+)", line)
        if match:
            found.append((match.group(1), number))
    if [see for see, _line in found] == wanted:
        return found
    return [(see, 1) for see in wanted]


def _check_advice(library: Library, path: Path) -> Iterable[Problem]:
    for see, line in advice_links(path):
        slug, _, anchor = see.partition("#")
        for lang in LANGUAGES:
            message = _resolve(library, slug, anchor or None, lang)
            if message:
                yield Problem(path, line, f"see: {see}: {message}")


# ----------------------------------------------------------------------------- entry
def check_library(
    library: Library,
    *,
    patterns: Mapping[str, str] | None = None,
    own: Iterable[str] = OWN_SLUGS,
    advice_file: Path | None = ADVICE_FILE,
    static_dir: Path = STATIC_DIR,
    today: date | None = None,
) -> Report:
    """Check every article of a library.

    patterns: engine pattern id -> article slug (default: intake/outcomes.yaml).
    own: further slugs the site needs (the overview and the exercises).
    advice_file: the advice table whose `see:` links must resolve (None: skip).
    """
    patterns = pattern_articles() if patterns is None else patterns
    today = today or date.today()
    by_slug = {slug: pattern_id for pattern_id, slug in patterns.items()}
    report = Report(problems=list(library.problems), articles=len(library.articles))
    for article in library:
        report.problems += _check_front_matter(article, today)
        report.problems += _check_headings(article)
        if article.slug in by_slug:
            report.problems += _check_pattern_article(article, by_slug[article.slug])
            if article.kind not in ("", CONDITION):
                report.problems.append(
                    Problem(
                        article.path,
                        article.line_of("kind"),
                        f"kind must be {CONDITION!r}: outcomes.yaml gives this article to "
                        f"{by_slug[article.slug]!r}",
                    )
                )
        else:
            if article.kind == CONDITION:
                report.problems.append(
                    Problem(
                        article.path,
                        article.line_of("kind"),
                        f"kind {CONDITION!r} is for the article of an engine pattern; "
                        f"use {GUIDE!r} for our own guides",
                    )
                )
            if article.pattern:
                report.problems.append(
                    Problem(
                        article.path,
                        article.line_of("pattern"),
                        f"pattern {article.pattern!r} is not an engine pattern with this "
                        "article slug in outcomes.yaml",
                    )
                )
            report.problems += _check_faq(article, required=False)
        report.problems += _check_links(article, library, static_dir)
        if article.lang == "da":
            score = lix(article.plain_text())
            report.lix[article.slug] = score
            if score > LIX_WARNING:
                report.problems.append(
                    Problem(
                        article.path,
                        1,
                        f"LIX {score:.0f} is above {LIX_WARNING:.0f}: use shorter sentences "
                        "and shorter words",
                        level="warning",
                    )
                )
    report.problems += _check_languages(library)
    required = {**by_slug, **{slug: None for slug in own}}
    report.problems += _check_required(library, required)
    if advice_file is not None:
        report.problems += _check_advice(library, advice_file)
    report.problems.sort(key=lambda p: (str(p.path), p.line, p.message))
    return report


def check(root: Path | None = None, **options) -> Report:
    return check_library(load_library(root), **options)
