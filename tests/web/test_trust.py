"""Trust pages: /om and /privatliv answer with one H1, name the publisher and the data
controller from the clinic settings, are linked from the footer of every page, are plain
Danish, and /om's measured accuracy is what the engine scores today."""

from __future__ import annotations

import importlib.util
import re

import pytest
from fastapi.testclient import TestClient
from tests.conftest import make_settings
from tests.store.helpers import SCIATICA
from tests.store.webapp import with_answers

from nervetjek.engine import assess
from nervetjek.paths import shared_dir
from nervetjek.readability import lix
from nervetjek.web.app import create_app
from nervetjek.web.content_routes import about_facts

CLINIC = {
    "clinic_name": "Fysio Nord",
    "clinic_address": "Storegade 1, 9000 Aalborg",
    "clinic_phone": "98 12 34 56",
    "clinic_email": "kontakt@fysionord.dk",
    "clinical_lead": "Anne Holm, fysioterapeut",
}
# Every kind of page a person or clinician can land on.
PAGES = ["/", "/om", "/privatliv", "/viden", "/viden/iskias", "/soeg?q=iskias", "/akut",
         "/samme-dag", "/ny", "/tjek", "/resultat", "/send", "/send/kvittering",
         "/klinik/login", "/viden/findes-ikke"]  # fmt: skip


def main_text(html: str) -> str:
    main = re.search(r"<main.*?</main>", html, re.S).group(0)
    return " ".join(re.sub(r"<[^>]+>", " ", main).split())


@pytest.fixture
def clinic_client(tmp_path):
    settings = make_settings(tmp_path, **CLINIC)
    with TestClient(create_app(settings)) as client:
        yield client, settings


@pytest.mark.parametrize("path", ["/om", "/privatliv"])
@pytest.mark.parametrize("lang", ["da", "en"])
def test_trust_page_answers_with_one_h1(clinic_client, path, lang):
    client, _ = clinic_client
    page = client.get(f"{path}?lang={lang}")
    assert page.status_code == 200
    assert len(re.findall(r"<h1[\s>]", page.text)) == 1


def test_about_names_publisher_responsibility_method_accuracy_version_and_review(clinic_client):
    client, _ = clinic_client
    text = main_text(client.get("/om").text)
    assert "Nervetjek udgives af Fysio Nord." in text
    assert "Anne Holm, fysioterapeut har det faglige ansvar" in text
    assert "Storegade 1, 9000 Aalborg" in text
    assert "aldrig mindre akut" in text
    assert "Samme råd som behandlerne: 48 af 48." in text
    assert "Sidst gennemgået" in text and "30. november 2026" in text
    assert "Motor " in text and "regler " in text
    assert "vejledning, ikke en diagnose" in text


def test_privacy_notice_covers_article_9_what_where_how_long_rights_and_controller(
    clinic_client,
):
    client, settings = clinic_client
    text = main_text(client.get("/privatliv").text)
    assert "Fysio Nord er dataansvarlig" in text
    assert "kontakt@fysionord.dk" in text
    assert "artikel 9" in text and "samtykke" in text
    assert "krypteret cookie" in text and "klinikkens database" in text
    assert f"efter {settings.retention_days} dage" in text
    for right in (
        "se, hvad vi har gemt",
        "rettet",
        "slettet",
        "trække dit samtykke",
        "Datatilsynet",
    ):
        assert right in text, right


@pytest.mark.parametrize("path", PAGES)
def test_every_page_links_the_trust_pages_in_its_footer(clinic_client, path):
    client, settings = clinic_client
    with_answers(client, settings, SCIATICA)
    html = client.get(path).text
    footer = re.search(r'<footer class="site-footer">.*?</footer>', html, re.S)
    assert footer, path
    assert 'href="/om"' in footer.group(0) and 'href="/privatliv"' in footer.group(0)


@pytest.mark.parametrize("path", ["/om", "/privatliv"])
def test_trust_pages_are_plain_danish(clinic_client, path):
    client, _ = clinic_client
    assert lix(main_text(client.get(path).text)) < 40


def test_published_accuracy_is_what_the_engine_scores_today():
    """Change web/about.yaml together with the engine: /om must not claim old numbers."""
    shared = shared_dir()
    spec = importlib.util.spec_from_file_location(
        "score_vignettes", shared / "tools" / "score_vignettes.py"
    )
    scorer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(scorer)
    vignettes = scorer.load(shared / "vignettes" / "dev.jsonl")
    results = [
        {"id": v["id"], "triage": r.triage, "patterns": r.pattern_ids}
        for v in vignettes
        for r in [assess(v["answers"])]
    ]
    report = scorer.score(vignettes, results)
    published = about_facts()["accuracy"]
    cases = published["cases"]
    emergencies = sum(1 for v in vignettes if v["expect"]["triage"] == "emergency")
    assert cases == report["cases"] == len(vignettes)
    assert round(100 * published["triage_exact"] / cases, 1) == report["triage_exact_pct"]
    assert round(100 * published["under_triage"] / cases, 1) == report["under_triage_pct"]
    assert round(100 * published["pattern_top1"] / cases, 1) == report["pattern_top1_pct"]
    assert published["emergencies"] == emergencies
    found_pct = round(100 * published["emergencies_found"] / emergencies, 1)
    assert found_pct == report["emergency_sensitivity_pct"]


def test_the_old_ischaemia_address_moves_to_the_new_article(client):
    response = client.get("/viden/kritisk-iskaemi?lang=en", follow_redirects=False)
    assert response.status_code == 301
    assert response.headers["location"] == "/viden/akut-iskaemi-i-benet?lang=en"
    page = client.get("/viden/akut-iskaemi-i-benet?lang=da")
    assert page.status_code == 200 and "Akut iskæmi i benet" in page.text
