"""Patient-information pages in a real browser: axe-core, no sideways scrolling at 320 px,
the FAQ opens without JavaScript, no requests to other hosts, screenshots."""

from __future__ import annotations

import pytest

from conftest import assert_accessible, screenshot

NARROW_VIEWPORT = {"width": 320, "height": 640}
DESKTOP_VIEWPORT = {"width": 1280, "height": 900}


def no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


@pytest.mark.parametrize(
    ("path", "name"),
    [
        ("/viden/nervesmerter-i-benene?lang=da", "content-article-overview-da"),
        ("/viden/oevelser?lang=da", "content-article-exercises-da"),
        ("/viden/iskias?lang=en", "content-article-sciatica-en"),
        ("/viden?lang=da", "content-index-da"),
        ("/soeg?q=hvorfor+g%C3%B8r+det+mere+ondt+om+natten&lang=da", "content-search-da"),
        ("/soeg?q=xyzzy&lang=da", "content-search-empty-da"),
        ("/viden/findes-ikke?lang=da", "content-not-found-da"),
    ],
)
def test_content_pages_are_accessible(page, base_url, external_requests, path, name):
    page.set_viewport_size(DESKTOP_VIEWPORT)
    response = page.goto(base_url + path)
    assert response is not None and response.status in (200, 404)
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    page.set_viewport_size(NARROW_VIEWPORT)
    assert no_sideways_scroll(page), path
    assert_accessible(page)
    screenshot(page, name)
    assert external_requests == []


@pytest.mark.parametrize("javascript", [False, True])
def test_faq_opens_without_javascript(browser, base_url, javascript):
    context = browser.new_context(java_script_enabled=javascript)
    page = context.new_page()
    page.goto(base_url + "/viden/nervesmerter-i-benene?lang=da")
    answer = page.locator("#faq-natten .faq-answer")
    assert not answer.is_visible()
    page.locator("#faq-natten summary").click()
    assert answer.is_visible()
    assert page.locator("#faq-natten").evaluate("(el) => el.open")
    context.close()


def test_search_form_works_without_javascript(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "/soeg?lang=da")
    page.get_by_label("Søg i artiklerne").fill("isjias i begge ben")
    page.locator("form.search-form button").click()
    page.wait_for_url("**/soeg?q=*")
    first = page.locator(".search-results li").first
    assert first.locator("mark").count() >= 1
    first.locator("a").click()
    assert "/viden/" in page.url
    context.close()


def test_no_csp_violations(page, base_url):
    messages = []
    page.on("console", lambda message: messages.append(message.text))
    page.goto(base_url + "/viden/oevelser?lang=da")
    page.wait_for_load_state("networkidle")
    assert not [m for m in messages if "Content Security Policy" in m], messages
    for image in page.locator(".article-body img").all():
        assert image.evaluate("(img) => img.complete && img.naturalWidth > 0")
