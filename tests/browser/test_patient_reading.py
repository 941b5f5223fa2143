"""What patients read and touch (issue 10), in the system Chromium: the body map at
375 px (every region big enough and hit where it is drawn), chips and the list toggle,
the urgent banner on /send and the receipt, the trust pages; axe on each; screenshots."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from tests.browser.conftest import assert_accessible, screenshot
from tests.browser.test_patient_flow import advance_to
from tests.store.helpers import EMERGENCY
from tests.store.webapp import patient_cookie

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
MIN_TARGET_PX = 44


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "da-DK", "viewport": PHONE}


def region_boxes(page) -> list[dict]:
    """Every clickable region: its code, its box on screen and what is under its centre."""
    return page.evaluate(
        """() => Array.from(document.querySelectorAll('.bodymap--input g[data-region]')).map(g => {
            g.scrollIntoView({block: 'center'});
            const r = g.getBoundingClientRect();
            const x = r.left + r.width / 2, y = r.top + r.height / 2;
            const hit = document.elementFromPoint(x, y);
            const owner = hit && hit.closest('g[data-region]');
            return {code: g.dataset.region, width: r.width, height: r.height,
                    hit: owner ? owner.dataset.region : (hit ? hit.tagName : null)};
        })"""
    )


def test_body_map_hit_test_at_375_px(page, live_server):
    advance_to(page, live_server.url, "locations")
    boxes = region_boxes(page)
    assert len(boxes) == 31
    too_small = [b for b in boxes if min(b["width"], b["height"]) < MIN_TARGET_PX]
    assert too_small == []
    missed = [(b["code"], b["hit"]) for b in boxes if b["hit"] != b["code"]]
    assert missed == []
    # A real tap on the centre of "Tæer" chooses the toes, not the space between them.
    toes = page.locator("g[data-region='right.toes']")
    toes.scroll_into_view_if_needed()
    box = toes.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    assert page.is_checked("#f-locations-right-toes")
    assert not page.is_checked("#f-locations-right-between_toes")
    screenshot(page, "patient-bodymap-375")


def test_body_map_labels_chips_and_list_behind_a_toggle(page, live_server):
    advance_to(page, live_server.url, "locations")
    labels = page.locator(".bodymap--input text.bm-label")
    assert labels.count() == 31
    assert "Tæer" in page.locator(".bodymap--input").inner_text()
    # With JavaScript the list is folded away and the tap hint is shown.
    expect(page.locator("#f-locations-right-calf")).to_be_hidden()
    expect(page.locator("[data-js-only]")).to_be_visible()
    expect(page.locator("[data-chips]")).to_have_text("Ingen steder endnu.")
    page.locator("g[data-region='left.calf']").click()
    page.locator("g[data-region='lower_back']").click()
    chips = page.locator("[data-chips] li").all_inner_texts()
    assert chips == ["Lænden", "Læg (venstre)"]
    page.click("text=Brug en liste i stedet")
    assert page.is_checked("#f-locations-left-calf")
    page.uncheck("#f-locations-left-calf")
    assert page.locator("[data-chips] li").all_inner_texts() == ["Lænden"]
    assert_accessible(page)
    screenshot(page, "patient-bodymap-chips")


def test_body_map_without_javascript_has_the_list_open_and_no_tap_hint(browser, live_server):
    context = browser.new_context(java_script_enabled=False, locale="da-DK", viewport=PHONE)
    page = context.new_page()
    advance_to(page, live_server.url, "locations")
    assert page.locator("#f-locations-right-calf").is_visible()
    assert not page.locator("[data-js-only]").is_visible()
    assert "Tryk på" not in page.locator("main").inner_text()
    screenshot(page, "patient-bodymap-nojs")
    context.close()


def test_emergency_banner_on_send_and_receipt(page, live_server):
    cookie = patient_cookie(live_server.settings, EMERGENCY)
    page.context.add_cookies([{"name": "nervetjek_svar", "value": cookie, "url": live_server.url}])
    page.goto(live_server.url + "/send")
    banner = page.locator(".urgent-now")
    assert banner.is_visible()
    assert "Ring 112 nu" in banner.inner_text()
    assert banner.locator("a[href='tel:112']").is_visible()
    # The banner is above the form, red, and readable (axe checks the contrast).
    assert banner.bounding_box()["y"] < page.locator("form.stack").bounding_box()["y"]
    colour = banner.evaluate("el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(177, 14, 30)"
    assert_accessible(page)
    screenshot(page, "send-emergency-banner")
    # E-mail only is refused: the clinic must be able to phone.
    page.fill("#name", "Browser Akut")
    page.fill("#email", "akut@example.dk")
    page.check("#consent")
    page.click("form.stack button[type=submit]")
    assert "Skriv dit telefonnummer" in page.locator(".error-summary").inner_text()
    page.fill("#phone", "20 30 40 50")
    page.check("#consent")
    page.click("form.stack button[type=submit]")
    page.wait_for_url(re.compile(r"/send/kvittering$"))
    assert "Ring 112 nu" in page.locator(".urgent-now").inner_text()
    assert_accessible(page)
    screenshot(page, "send-emergency-receipt")


@pytest.mark.parametrize("path", ["/om", "/privatliv"])
def test_trust_pages_are_accessible_and_linked_from_the_footer(page, live_server, path):
    page.goto(live_server.url + "/")
    page.click(f"footer a[href='{path}']")
    assert page.url.endswith(path)
    assert page.locator("h1").count() == 1
    assert_accessible(page)
    screenshot(page, f"trust{path.replace('/', '-')}")
