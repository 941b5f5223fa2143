"""Follow-up: the patient answers again through an unguessable, expiring, one-time link."""

from __future__ import annotations

import logging
import re
from datetime import timedelta

from tests.store.helpers import SCIATICA
from tests.store.webapp import (
    audit_actions,
    form_token,
    login,
    make_followup,
    make_user,
    store_intake,
)

from nervetjek.store.models import utcnow
from nervetjek.web.middleware import RedactAccessLog

DN4_KEYS = ["burning", "painful_cold", "electric_shocks", "tingling", "pins_and_needles"]
DN4_ALL = [*DN4_KEYS, "numbness", "itching"]


def _answers(page_text: str, **fields: str) -> dict[str, str]:
    data = {"csrf_token": form_token(page_text)}
    data.update(fields)
    return data


def test_followup_form_asks_warning_signs_first_then_pain_and_dn4(client, settings):
    token = make_followup(settings, store_intake(settings, SCIATICA))
    page = client.get(f"/opfoelgning/{token}")
    assert page.status_code == 200
    text = page.text
    positions = [text.index(f'name="{key}"') for key in ("bladder_bowel_change", "pain_intensity")]
    assert positions == sorted(positions)
    for key in [*DN4_ALL, "trend", "leg_weakness", "weakness_sudden"]:
        assert f'name="{key}"' in text, key
    assert 'name="can_tell_hot_cold"' not in text  # MNSI only when relevant
    assert page.headers["cache-control"] == "no-store"
    assert len(page.content) < 60_000


def test_mnsi_questions_when_relevant(client, settings):
    baseline = {**SCIATICA, "diabetes": True}
    token = make_followup(settings, store_intake(settings, baseline))
    assert 'name="can_tell_hot_cold"' in client.get(f"/opfoelgning/{token}").text


def test_answering_stores_once_and_the_detail_page_draws_the_trend(client, settings):
    intake_id = store_intake(settings, {**SCIATICA, **dict.fromkeys(DN4_ALL, True)})
    token = make_followup(settings, intake_id)
    page = client.get(f"/opfoelgning/{token}")
    fields = {key: "no" for key in DN4_ALL} | {"burning": "yes", "pain_intensity": "3"}
    fields |= {"trend": "better", "bladder_bowel_change": "no"}
    done = client.post(f"/opfoelgning/{token}", data=_answers(page.text, **fields))
    assert done.status_code == 200
    assert "Dine svar er sendt" in done.text
    assert 'class="urgent-box"' not in done.text
    assert "followup.answer" in audit_actions(settings)
    # One time only.
    again = client.post(f"/opfoelgning/{token}", data=_answers(page.text, **fields))
    assert again.status_code == 404
    assert client.get(f"/opfoelgning/{token}").status_code == 404

    make_user(settings, "t@example.dk")
    login(client, "t@example.dk")
    detail = client.get(f"/klinik/henvendelse/{intake_id}").text
    svg = re.search(r"<svg[^>]*trend-svg.*?</svg>", detail, re.S).group(0)
    assert "Smerte (0-10)" in svg and "DN4 (0-7)" in svg
    # Pain 6 then 3, DN4 7 then 1: two points each, joined by a line.
    assert re.search(r'<path d="M[\d.]+,[\d.]+ L[\d.]+,[\d.]+" class="line">', svg)
    assert svg.count('class="dot"') >= 4
    table = re.search(r'<table class="trend-table">.*?</table>', detail, re.S).group(0)
    rows = re.findall(r"<tr>\s*<th scope=\"row\">([^<]+)</th>((?:\s*<td>[^<]*</td>)+)", table)
    values = [re.findall(r"<td>([^<]*)</td>", cells) for _label, cells in rows]
    assert values[0][:2] == ["6", "7"] and values[1][:2] == ["3", "1"]


def test_a_warning_sign_shows_the_urgent_advice_at_once(client, settings):
    token = make_followup(settings, store_intake(settings, SCIATICA))
    page = client.get(f"/opfoelgning/{token}")
    done = client.post(
        f"/opfoelgning/{token}",
        data=_answers(page.text, bladder_bowel_change="yes", pain_intensity="8"),
    )
    assert done.status_code == 200
    assert 'class="urgent-box"' in done.text
    assert "Ring 112 nu" in done.text
    assert done.text.index("urgent-box") < done.text.index("Dine svar er sendt")


def test_the_portal_names_a_follow_up_warning_sign_as_a_finding(client, settings):
    intake_id = store_intake(settings, SCIATICA)
    token = make_followup(settings, intake_id)
    page = client.get(f"/opfoelgning/{token}")
    fields = {"bladder_bowel_change": "yes", "saddle_numbness": "yes", "pain_intensity": "8"}
    client.post(f"/opfoelgning/{token}", data=_answers(page.text, **fields))
    make_user(settings, "w@example.dk")
    login(client, "w@example.dk")
    detail = client.get(f"/klinik/henvendelse/{intake_id}").text
    warning = re.search(r'<strong class="warning-text">([^<]*)</strong>', detail).group(1)
    assert "nyopståede blære- eller tarmforstyrrelser" in warning
    assert "ridebukseanæstesi" in warning
    assert "følelsesløshed i skridtet" not in detail  # the patient's statement


def test_weakness_followup_needs_weakness(client, settings):
    token = make_followup(settings, store_intake(settings, SCIATICA))
    page = client.get(f"/opfoelgning/{token}")
    bad = client.post(
        f"/opfoelgning/{token}",
        data=_answers(page.text, leg_weakness="no", weakness_sudden="yes"),
    )
    assert bad.status_code == 422
    assert client.get(f"/opfoelgning/{token}").status_code == 200  # still open


def test_expired_unknown_and_forged_links_are_closed(client, settings):
    intake_id = store_intake(settings, SCIATICA)
    expired = make_followup(settings, intake_id, days=1, now=utcnow() - timedelta(days=2))
    for token in (expired, "x" * 43, "short"):
        response = client.get(f"/opfoelgning/{token}")
        assert response.status_code == 404
        assert "virker ikke" in response.text


def test_followup_without_csrf_token_is_refused(client, settings):
    token = make_followup(settings, store_intake(settings, SCIATICA))
    client.get(f"/opfoelgning/{token}")
    refused = client.post(f"/opfoelgning/{token}", data={"pain_intensity": "2"})
    assert refused.status_code == 403
    assert "followup.answer" not in audit_actions(settings)


def test_access_log_lines_do_not_keep_the_token():
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/opfoelgning/AbC_def-123456789", "1.1", 200),
        None,
    )
    RedactAccessLog().filter(record)
    assert "AbC_def" not in record.getMessage()
    assert "/opfoelgning/[skjult]" in record.getMessage()


def test_a_value_that_is_not_an_answer_is_refused_and_the_link_stays_open(client, settings):
    token = make_followup(settings, store_intake(settings, SCIATICA))
    page = client.get(f"/opfoelgning/{token}")
    for field, value in (("burning", "ja"), ("pain_intensity", "²"), ("trend", "maybe")):
        bad = client.post(f"/opfoelgning/{token}", data=_answers(page.text, **{field: value}))
        assert bad.status_code == 422
        assert "Vælg et af svarene ved hvert spørgsmål" in bad.text
    assert client.get(f"/opfoelgning/{token}").status_code == 200
