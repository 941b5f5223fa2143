"""Policies every HTML page of the site keeps, checked on every page the app serves.

The pages are found, not listed: every GET route without path parameters in the app's
route table, plus every same-site link those pages lead to (so pages with parameters,
such as articles or questionnaire pages, are reached the way a person reaches them).
The crawl runs twice: with no session, and after a full questionnaire, so pages that
need answers are checked too.  New areas are covered as soon as their router is in
``ROUTERS`` (web/app.py).

Each page must have: a strict Content-Security-Policy header, no inline script (JSON-LD
data blocks are allowed: they are not executed), no style elements or attributes, no
on* event attributes, nothing loaded from other hosts, HTML + CSS + JS under 60 KB,
exactly one <h1>, a <title>, a meta description and a lang attribute.

Also here: every message a template translates with ``_('...')`` has a non-empty
English text in some catalogue.
"""

from __future__ import annotations

import json
import re
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from babel.messages.pofile import read_po
from fastapi.routing import APIRoute
from starlette.routing import Route

from nervetjek.paths import shared_dir

BUDGET_BYTES = 60 * 1024
MAX_PAGES = 250
SKIP_PREFIXES = ("/static/", "/api/", "/fhir/")
SRC = Path(__file__).resolve().parents[2] / "src" / "nervetjek"
TEMPLATES = SRC / "web" / "templates"
CATALOGUES = SRC / "locale" / "en" / "LC_MESSAGES"
EXECUTABLE_SCRIPT_TYPES = ("", "text/javascript", "module", "application/javascript")


@dataclass
class PageFacts:
    """What the policy needs from one HTML document."""

    lang: str | None = None
    titles: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    h1: int = 0
    inline_scripts: int = 0
    style_elements: int = 0
    style_attributes: list[str] = field(default_factory=list)
    event_attributes: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    stylesheets: list[str] = field(default_factory=list)
    resources: list[str] = field(default_factory=list)  # img/src, source, iframe, ...
    links: list[str] = field(default_factory=list)


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.facts = PageFacts()
        self._in_title = False
        self._script_type: str | None = None
        self._script_has_src = False
        self._script_body = ""
        self._svg_depth = 0  # <title> inside SVG names a shape, not the page

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        facts = self.facts
        for name in a:
            if name.startswith("on"):
                facts.event_attributes.append(f"<{tag} {name}>")
            if name == "style":
                facts.style_attributes.append(f"<{tag} style>")
        if tag == "svg":
            self._svg_depth += 1
        if tag == "html":
            facts.lang = a.get("lang")
        elif tag == "title" and not self._svg_depth:
            self._in_title = True
            facts.titles.append("")
        elif tag == "meta" and a.get("name", "").lower() == "description":
            facts.descriptions.append(a.get("content", ""))
        elif tag == "h1":
            facts.h1 += 1
        elif tag == "style":
            facts.style_elements += 1
        elif tag == "script":
            self._script_type = a.get("type", "").lower()
            self._script_has_src = "src" in a
            self._script_body = ""
            if "src" in a:
                facts.scripts.append(a["src"])
        elif tag == "link" and "stylesheet" in a.get("rel", "").lower().split():
            facts.stylesheets.append(a.get("href", ""))
        elif tag == "link" and a.get("rel", "").lower() in ("preload", "icon", "modulepreload"):
            facts.resources.append(a.get("href", ""))
        elif tag in ("img", "iframe", "source", "audio", "video", "embed", "track"):
            if "src" in a:
                facts.resources.append(a["src"])
        elif tag == "object" and "data" in a:
            facts.resources.append(a["data"])
        if tag in ("a", "area") and "href" in a:
            facts.links.append(a["href"])
        if tag == "form" and a.get("action"):
            facts.resources.append(a["action"])

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.facts.titles[-1] += data
        if self._script_type is not None:
            self._script_body += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._svg_depth = max(0, self._svg_depth - 1)
        if tag == "title":
            self._in_title = False
        elif tag == "script" and self._script_type is not None:
            executable = self._script_type in EXECUTABLE_SCRIPT_TYPES
            if executable and (self._script_body.strip() or not self._script_has_src):
                self.facts.inline_scripts += 1
            self._script_type = None


def page_facts(html: str) -> PageFacts:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.facts


def csp_problems(header: str | None) -> list[str]:
    if not header:
        return ["no Content-Security-Policy header"]
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    problems = []
    for name in ("default-src", "script-src", "style-src"):
        sources = directives.get(name) or directives.get("default-src")
        if sources is None:
            problems.append(f"CSP has no {name}")
            continue
        bad = [s for s in sources if s not in ("'self'", "'none'") and not s.startswith("'sha")]
        if name != "default-src" and bad:
            problems.append(f"CSP {name} allows {bad}")
        if any(s in ("'unsafe-inline'", "'unsafe-eval'", "*") for s in sources):
            problems.append(f"CSP {name} is not strict: {sources}")
    return problems


def _same_site(url: str) -> bool:
    parts = urlsplit(url)
    if not parts.scheme and not parts.netloc:
        return True
    return parts.scheme in ("http", "https") and parts.netloc == "testserver"


def policy_problems(html: str, headers, asset_size) -> list[str]:
    """Everything wrong with one page; ``asset_size(path)`` gives a CSS/JS file's size."""
    facts = page_facts(html)
    problems = csp_problems(headers.get("content-security-policy"))
    if facts.lang not in ("da", "en"):
        problems.append(f"<html lang> is {facts.lang!r}")
    if len(facts.titles) != 1 or not facts.titles[0].strip():
        problems.append(f"needs one non-empty <title>, found {facts.titles}")
    if len(facts.descriptions) != 1 or not facts.descriptions[0].strip():
        problems.append(f"needs one non-empty meta description, found {facts.descriptions}")
    if facts.h1 != 1:
        problems.append(f"needs exactly one <h1>, found {facts.h1}")
    if facts.inline_scripts:
        problems.append(f"{facts.inline_scripts} inline script(s)")
    if facts.style_elements:
        problems.append(f"{facts.style_elements} <style> element(s)")
    if facts.style_attributes:
        problems.append(f"style attributes: {facts.style_attributes[:5]}")
    if facts.event_attributes:
        problems.append(f"event-handler attributes: {facts.event_attributes[:5]}")
    external = [
        u
        for u in facts.scripts + facts.stylesheets + facts.resources
        if not _same_site(u) and not u.startswith("data:")
    ]
    if external:
        problems.append(f"loads from other hosts: {external}")
    total = len(html.encode("utf-8")) + sum(
        asset_size(u) for u in facts.scripts + facts.stylesheets if _same_site(u)
    )
    if total >= BUDGET_BYTES:
        problems.append(f"HTML + CSS + JS is {total} bytes (budget {BUDGET_BYTES})")
    return problems


def iter_routes(routes, prefix: str = ""):
    """(path, route) for every route, also inside included routers (FastAPI nests them)."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            context = getattr(route, "include_context", None)
            yield from iter_routes(original.routes, prefix + getattr(context, "prefix", ""))
        elif isinstance(route, (APIRoute, Route)):
            yield prefix + route.path, route


def get_page_routes(app) -> list[str]:
    """Paths of every GET route without path parameters (the crawl's starting points)."""
    paths = []
    for path, route in iter_routes(app.routes):
        if "GET" not in (route.methods or ()):
            continue
        if "{" in path or path.startswith(SKIP_PREFIXES) or path in paths:
            continue
        paths.append(path)
    return paths


def crawl(client, starts: list[str], limit: int = MAX_PAGES) -> dict[str, object]:
    """GET every reachable same-site HTML page (following redirects); path -> response."""
    queue = deque(starts)
    seen: set[str] = set(starts)
    pages: dict[str, object] = {}
    while queue and len(pages) < limit:
        path = queue.popleft()
        response = client.get(path)
        if "text/html" not in response.headers.get("content-type", ""):
            continue
        pages[path] = response
        for href in page_facts(response.text).links:
            target = urljoin(f"http://testserver{path}", href)
            if not _same_site(target):
                continue
            parts = urlsplit(target)
            if parts.path.startswith(SKIP_PREFIXES) or "lang=" in parts.query:
                continue
            link = parts.path + (f"?{parts.query}" if parts.query else "")
            if link not in seen:
                seen.add(link)
                queue.append(link)
    return pages


def _asset_sizer(client):
    sizes: dict[str, int] = {}

    def size(url: str) -> int:
        path = urlsplit(url).path
        if path not in sizes:
            response = client.get(path)
            assert response.status_code == 200, f"{path}: {response.status_code}"
            sizes[path] = len(response.content)
        return sizes[path]

    return size


def _answer_a_case(client) -> None:
    """Fill the session with a full questionnaire, so result pages can be reached."""
    from patient_driver import run_questionnaire

    vignettes = (shared_dir() / "vignettes" / "dev.jsonl").read_text("utf-8").splitlines()
    answers = json.loads(vignettes[0])["answers"]
    run_questionnaire(client, answers)


def _check_site(client, app) -> dict[str, list[str]]:
    pages = crawl(client, get_page_routes(app))
    assert pages, "no HTML pages found"
    size = _asset_sizer(client)
    report = {path: policy_problems(r.text, r.headers, size) for path, r in pages.items()}
    return {path: problems for path, problems in report.items() if problems}, pages


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_page_keeps_the_policies_without_a_session(client, app, lang):
    client.cookies.set("nervetjek_lang", lang)
    failures, pages = _check_site(client, app)
    assert failures == {}
    assert "/" in pages


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_page_keeps_the_policies_with_answers(client, app, lang):
    _answer_a_case(client)
    client.cookies.set("nervetjek_lang", lang)
    failures, pages = _check_site(client, app)
    assert failures == {}
    assert {"/tjek", "/resultat", "/resultat/print"} <= set(pages)
    assert all(re.search(rf'<html lang="{lang}"', r.text) for r in pages.values())


# ------------------------------------------------------------ the checker can fail


def test_the_checker_finds_each_problem():
    bad = (
        "<html><head><style>p{}</style><script>alert(1)</script>"
        '<script src="https://cdn.example/x.js"></script></head>'
        '<body><h1>a</h1><h1>b</h1><p style="color:red" onclick="x()">x</p></body></html>'
    )
    problems = " | ".join(policy_problems(bad, {}, lambda url: 0))
    for expected in (
        "no Content-Security-Policy",
        "<html lang>",
        "<title>",
        "meta description",
        "exactly one <h1>",
        "inline script",
        "<style> element",
        "style attributes",
        "event-handler attributes",
        "other hosts",
    ):
        assert expected in problems


def test_the_checker_counts_the_budget_and_allows_json_ld():
    html = (
        '<html lang="da"><head><title>t</title><meta name="description" content="d">'
        '<link rel="stylesheet" href="/static/a.css">'
        '<script type="application/ld+json">{"@type": "Article"}</script></head>'
        "<body><h1>x</h1></body></html>"
    )
    headers = {"content-security-policy": "default-src 'self'; script-src 'self'"}
    assert policy_problems(html, headers, lambda url: 1000) == []
    assert "budget" in " ".join(policy_problems(html, headers, lambda url: BUDGET_BYTES))


def test_csp_with_unsafe_inline_is_refused():
    assert csp_problems("default-src 'self'; style-src 'self' 'unsafe-inline'")
    assert csp_problems("default-src *")


# ----------------------------------------------------------------- translations

_MSGID = re.compile(r"""\b_\(\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")\s*\)""")


def template_msgids() -> dict[str, list[str]]:
    """msgid -> templates using it, for every ``_('...')`` in every template."""
    found: dict[str, list[str]] = {}
    for path in sorted(TEMPLATES.rglob("*.html")):
        for match in _MSGID.finditer(path.read_text("utf-8")):
            text = match.group(1) if match.group(1) is not None else match.group(2)
            text = text.replace("\\'", "'").replace('\\"', '"')
            found.setdefault(text, []).append(str(path.relative_to(TEMPLATES)))
    return found


def english_texts() -> dict[str, str]:
    texts: dict[str, str] = {}
    for po_file in sorted(CATALOGUES.glob("*.po")):
        with po_file.open("rb") as handle:
            for message in read_po(handle, locale="en"):
                if message.id and isinstance(message.id, str) and message.string:
                    texts[message.id] = message.string
    return texts


def test_every_template_message_has_an_english_text():
    english = english_texts()
    missing = {msgid: where for msgid, where in template_msgids().items() if msgid not in english}
    assert missing == {}


def test_the_route_walk_finds_pages_of_every_router(app):
    paths = get_page_routes(app)
    assert {"/", "/tjek", "/resultat", "/readyz"} <= set(paths)


def test_the_template_scan_finds_messages():
    assert "Tjek dine svar" in template_msgids()
