"""The content pages: /viden, /viden/<slug>, /soeg, sitemap.xml, robots.txt."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from nervetjek.content import library, quote
from nervetjek.content.check import advice_links
from nervetjek.content.render import script_json
from tests.conftest import make_settings

STATIC = Path(__file__).resolve().parents[2] / "src" / "nervetjek" / "web" / "static"
BASE = "https://nervetjek.example"
SLUGS = library().slugs("da")
MAX_PAGE_BYTES = 60 * 1024


class Page(HTMLParser):
    """What the tests need from one HTML page."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.h1: list[str] = []
        self.title = ""
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._in: str | None = None
        self._text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attributes = {k: v or "" for k, v in attrs}
        self.tags.append((tag, attributes))
        if tag in ("h1", "title", "script"):
            self._in, self._text = tag, []
            self._attrs = attributes

    def handle_data(self, data):
        if self._in:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == self._in:
            text = "".join(self._text)
            if tag == "h1":
                self.h1.append(text.strip())
            elif tag == "title":
                self.title = text.strip()
            else:
                self.scripts.append((self._attrs, text))
            self._in = None

    def meta(self, **match) -> list[str]:
        return [
            a.get("content", "")
            for t, a in self.tags
            if t == "meta" and all(a.get(k) == v for k, v in match.items())
        ]

    def links(self, rel: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == "link" and a.get("rel") == rel]

    def json_ld(self) -> list[dict]:
        blocks = [text for a, text in self.scripts if a.get("type") == "application/ld+json"]
        assert len(blocks) == 1
        data = json.loads(blocks[0])
        return data if isinstance(data, list) else [data]


@pytest.fixture
def site(tmp_path):
    from fastapi.testclient import TestClient

    from nervetjek.web.app import create_app

    with TestClient(create_app(make_settings(tmp_path, base_url=BASE + "/"))) as client:
        yield client


def get(site, url: str, lang: str = "da"):
    separator = "&" if "?" in url else "?"
    response = site.get(f"{url}{separator}lang={lang}")
    return response, Page(response.text)


def content_pages() -> list[str]:
    return ["/viden", "/soeg", "/soeg?q=iskias", "/viden/findes-ikke"] + [
        f"/viden/{slug}" for slug in SLUGS
    ]


# ------------------------------------------------------------------- every page
@pytest.mark.parametrize("lang", ["da", "en"])
@pytest.mark.parametrize("url", content_pages())
def test_one_h1_title_and_description(site, url, lang):
    response, page = get(site, url, lang)
    assert response.status_code == (404 if "findes-ikke" in url else 200)
    assert len(page.h1) == 1 and page.h1[0], page.h1
    assert page.title and "Nervetjek" in page.title
    descriptions = page.meta(name="description")
    assert len(descriptions) == 1 and len(descriptions[0]) >= 40
    assert ("lang", lang) in page.tags[0][1].items()  # <html lang=...>


@pytest.mark.parametrize("url", content_pages())
def test_strict_csp_markup_and_weight(site, url):
    response, page = get(site, url)
    for tag, attributes in page.tags:
        assert "style" not in attributes, tag
        assert not [a for a in attributes if a.startswith("on")], (tag, attributes)
        if tag == "script":
            assert attributes.get("type") == "application/ld+json" or attributes.get(
                "src", ""
            ).startswith("/static/")
        if tag in ("link", "img", "script") and (attributes.get("href") or attributes.get("src")):
            target = attributes.get("href") or attributes.get("src")
            if attributes.get("rel") not in ("canonical", "alternate"):
                assert target.startswith(("/", "data:")), target  # nothing from other hosts
    css = [a["href"] for t, a in page.tags if t == "link" and a.get("rel") == "stylesheet"]
    js = [a["src"] for t, a in page.tags if t == "script" and a.get("src")]
    weight = len(response.content) + sum(
        (STATIC / path.removeprefix("/static/")).stat().st_size for path in css + js
    )
    assert weight < MAX_PAGE_BYTES, f"{url}: {weight} bytes"


# ------------------------------------------------------------------------ articles
@pytest.mark.parametrize("slug", SLUGS)
def test_article_json_ld(site, slug):
    for lang in ("da", "en"):
        _, page = get(site, f"/viden/{slug}", lang)
        blocks = {block["@type"]: block for block in page.json_ld()}
        web_page = blocks["MedicalWebPage"]
        article = library().get(slug, lang)
        assert web_page["@context"] == "https://schema.org"
        assert web_page["inLanguage"] == lang
        assert web_page["name"] == article.title
        assert web_page["lastReviewed"] == article.last_reviewed.isoformat()
        assert web_page["dateModified"] == article.last_updated.isoformat()
        assert web_page["reviewedBy"]["name"] == article.reviewed_by
        assert web_page["about"]["@type"] == "MedicalCondition" and web_page["about"]["name"]
        assert web_page["url"].startswith(f"{BASE}/viden/{slug}")
        if article.pattern:
            code = web_page["about"]["code"]
            assert code["codingSystem"] == "ICD-10"
            assert re.fullmatch(r"[A-Z]\d\d(\.\d)?", code["code"])
        faq = blocks["FAQPage"]
        assert faq["mainEntity"]
        for question in faq["mainEntity"]:
            assert question["@type"] == "Question" and question["name"].strip()
            assert question["acceptedAnswer"]["@type"] == "Answer"
            assert question["acceptedAnswer"]["text"].strip()


def test_json_ld_cannot_close_its_script():
    text = script_json({"name": "</script><script>alert(1)</script> & <!--"})
    assert "</" not in text and "<!--" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script> & <!--"


def test_article_page_parts(site):
    response, page = get(site, "/viden/nervesmerter-i-benene")
    html = response.text
    article = library().get("nervesmerter-i-benene", "da")
    assert page.h1 == [article.title]
    assert page.title.startswith(article.meta_title)
    assert page.meta(name="description") == [article.description]
    # table of contents: every H2, linked by anchor
    for heading in (h for h in article.headings if h.level == 2):
        assert f'<a href="#{heading.anchor}">' in html
        assert f'id="{heading.anchor}"' in html
    assert "<table>" in html and "<th>Kendetegn</th>" in html
    # FAQ as <details> that work without JavaScript
    assert html.count('<details class="faq"') == 6
    assert '<details class="faq" id="faq-natten">' in html
    assert "<summary>" in html
    assert 'Sidst opdateret <time datetime="2026-11-30">30. november 2026</time>' in html
    assert 'Sidst gennemgået: <time datetime="2026-11-26">26. november 2026</time>' in html
    assert "Fagligt gennemgået af Nervetjeks faglige redaktion" in html
    assert "NICE NG59" in html and '<h2 id="references-title">Kilder</h2>' in html
    assert response.headers["content-language"] == "da"


def test_article_seo_links(site):
    _, page = get(site, "/viden/iskias", "en")
    assert [link["href"] for link in page.links("canonical")] == [f"{BASE}/viden/iskias?lang=en"]
    alternates = {link["hreflang"]: link["href"] for link in page.links("alternate")}
    assert alternates == {
        "da": f"{BASE}/viden/iskias",
        "en": f"{BASE}/viden/iskias?lang=en",
        "x-default": f"{BASE}/viden/iskias",
    }
    assert page.meta(property="og:type") == ["article"]
    assert page.meta(property="og:url") == [f"{BASE}/viden/iskias?lang=en"]
    assert page.meta(property="og:locale") == ["en_GB"]
    assert page.meta(property="og:locale:alternate") == ["da_DK"]
    assert page.meta(property="og:title") == [library().get("iskias", "en").meta_title]


def test_english_article_and_chrome(site):
    response, page = get(site, "/viden/oevelser", "en")
    assert page.h1 == ["Exercises for nerve pain in the legs"]
    assert "Last updated" in response.text and "Sources" in response.text
    assert 'src="/static/img/exercises/iskiasnerven.svg"' in response.text


def test_exercise_drawings_are_served(site):
    for name in ("iskiasnerven", "underbenet", "bro", "muslingen", "firefod", "gang", "balance"):
        response = site.get(f"/static/img/exercises/{name}.svg")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("image/svg+xml")
        ET.fromstring(response.content)  # well-formed


def test_unknown_article_is_404(site):
    response, page = get(site, "/viden/findes-ikke")
    assert response.status_code == 404
    assert page.h1 == ["Siden findes ikke"]


def test_index_lists_every_article(site):
    response, _ = get(site, "/viden")
    for slug in SLUGS:
        assert f'href="/viden/{slug}"' in response.text
    # the overview comes first, the emergencies before the milder conditions
    text = response.text
    assert text.index("/viden/nervesmerter-i-benene") < text.index("/viden/cauda-equina-syndrom")
    assert text.index("/viden/cauda-equina-syndrom") < text.index("/viden/muskelsmerter")


# -------------------------------------------------------------------------- search
def test_search_page_links_to_sections_with_marks(site):
    response, _ = get(site, "/soeg?q=isjias+i+begge+ben")
    assert response.status_code == 200
    assert '<ol class="search-results">' in response.text
    assert re.search(r'href="/viden/[a-z-]+(#[a-z0-9-]+)?"', response.text)
    assert "<mark>" in response.text


def test_search_escapes_the_query(site):
    response, _ = get(site, "/soeg?q=%3Cscript%3Ealert(1)%3C/script%3E")
    assert "<script>alert" not in response.text
    assert "&lt;script&gt;" in response.text


def test_search_without_results_and_without_query(site):
    response, _ = get(site, "/soeg?q=xyzzyqwerty")
    assert "Vi fandt ingen afsnit" in response.text
    response, _ = get(site, "/soeg")
    assert '<ol class="search-results">' not in response.text
    assert site.get("/soeg?q=" + "a" * 500).status_code == 422


def test_search_language_switch_keeps_the_query(site):
    response, _ = get(site, "/soeg?q=sciatica", "en")
    assert 'href="?q=sciatica&amp;lang=da"' in response.text
    assert "sections match" in response.text


# -------------------------------------------------------------- sitemap and robots
def test_sitemap_lists_every_article_in_both_languages(site):
    response = site.get("/sitemap.xml")
    assert response.headers["content-type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    ns = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}
    locs = [u.find("s:loc", ns).text for u in root.findall("s:url", ns)]
    for slug in SLUGS:
        assert f"{BASE}/viden/{slug}" in locs
        assert f"{BASE}/viden/{slug}?lang=en" in locs
    first = next(
        u for u in root.findall("s:url", ns) if u.find("s:loc", ns).text.endswith("/iskias")
    )
    assert (
        first.find("s:lastmod", ns).text == library().get("iskias", "da").last_updated.isoformat()
    )
    assert {link.get("hreflang") for link in first.findall("x:link", ns)} == {"da", "en"}


def test_robots(site):
    response = site.get("/robots.txt")
    assert response.status_code == 200
    assert f"Sitemap: {BASE}/sitemap.xml" in response.text
    assert "Disallow: /klinik" in response.text
    assert "Disallow: /resultat" in response.text


# --------------------------------------------------------------------------- quote
def test_quote_a_section():
    found = quote("nervesmerter-i-benene#soevn", "da")
    assert found is not None
    assert found.title == "Hvordan sover jeg bedre med nervesmerter?"
    assert found.text.startswith("Nervesmerter er tit værst om natten.")
    assert "*" not in found.text and "[" not in found.text
    assert found.url == "/viden/nervesmerter-i-benene#soevn"
    english = quote("nervesmerter-i-benene#soevn", "en")
    assert english.title == "How can I sleep better with nerve pain?"


def test_quote_of_missing_section():
    assert quote("nervesmerter-i-benene#findes-ikke", "da") is None
    assert quote("findes-ikke#soevn", "da") is None


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_advice_link_can_be_quoted(lang):
    from nervetjek.content.check import ADVICE_FILE

    for see, line in advice_links(ADVICE_FILE):
        found = quote(see, lang)
        assert found is not None, f"advice.yaml:{line}: {see}"
        assert found.title and found.text, see
