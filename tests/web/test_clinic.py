"""The clinician portal: access control, worklist, detail, notes, export, audit, deletion,
the journal text and the JSON API."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from clinic_answers import CAUDA_EQUINA, POLYNEUROPATHY
from fastapi.routing import APIRoute
from tests.report.test_summary import case_answers, summary_of
from tests.store.helpers import EMERGENCY, MILD, SCIATICA
from tests.store.webapp import audit_actions, form_token, login, make_user, store_intake

from nervetjek.store.models import utcnow
from nervetjek.web.clinic import journal_text, tel_href

PUBLIC_CLINIC_ROUTES = {("GET", "/klinik/login"), ("POST", "/klinik/login")}


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


def all_routes(routes, prefix: str = ""):
    """(path, methods) of every route, also inside included routers (FastAPI >= 0.16x)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route.methods
        elif hasattr(route, "original_router"):
            inner = prefix + (getattr(route.include_context, "prefix", "") or "")
            yield from all_routes(route.original_router.routes, inner)
        elif hasattr(route, "routes") and hasattr(route, "path"):
            yield from all_routes(route.routes, prefix + route.path)
        elif getattr(route, "methods", None):
            yield prefix + route.path, route.methods


def test_every_clinic_route_needs_a_session(app, client, settings):
    """Walks the route table, so a new /klinik or /api/klinik route cannot be forgotten."""
    store_intake(settings, SCIATICA)
    checked = set()
    for path, methods in all_routes(app.routes):
        if not (path.startswith("/klinik") or path.startswith("/api/klinik")):
            continue
        for method in methods - {"HEAD"}:
            if (method, path) in PUBLIC_CLINIC_ROUTES:
                continue
            response = client.request(method, _concrete(path), follow_redirects=False)
            checked.add((method, path))
            if path.startswith("/api/"):
                assert response.status_code == 401, (method, path)
                body = response.json()
                assert body["detail"]["error"] == "not_authenticated"
                assert "log in" in body["detail"]["message"]
            else:
                assert response.status_code in (302, 303, 401), (method, path)
                if response.status_code != 401:
                    assert response.headers["location"].startswith("/klinik/login")
    assert len(checked) >= 10
    assert ("GET", "/klinik") in checked
    assert "intake.view" not in audit_actions(settings)


@pytest.fixture
def clinician_client(client, settings):
    make_user(settings, "c@example.dk", "clinician")
    assert login(client, "c@example.dk").status_code == 303
    return client


@pytest.fixture
def admin_client(app, settings):
    from fastapi.testclient import TestClient

    make_user(settings, "a@example.dk", "admin")
    with TestClient(app) as client:
        assert login(client, "a@example.dk").status_code == 303
        yield client


def test_worklist_is_sorted_by_urgency_then_oldest(clinician_client, settings):
    now = utcnow()
    mild = store_intake(settings, MILD, name="Mild Old", created_at=now - timedelta(days=3))
    new = store_intake(settings, EMERGENCY, name="Akut Ny", created_at=now - timedelta(hours=1))
    old = store_intake(settings, EMERGENCY, name="Akut Gammel", created_at=now - timedelta(days=1))
    mid = store_intake(settings, SCIATICA, name="Iskias", created_at=now - timedelta(days=9))
    page = clinician_client.get("/klinik")
    assert page.status_code == 200
    order = [int(i) for i in re.findall(r'href="/klinik/henvendelse/(\d+)">', page.text)]
    assert order == [old, new, mid, mild]
    assert "Ring 112 nu" in page.text
    assert "worklist.view" in audit_actions(settings)


def test_worklist_filters(clinician_client, settings):
    store_intake(settings, EMERGENCY, name="Ærlige Ørn")
    store_intake(settings, MILD, name="Bente")

    def names(query: str) -> list[str]:
        text = clinician_client.get("/klinik?" + query).text
        return re.findall(r'href="/klinik/henvendelse/\d+">([^<]+)<', text)

    assert names("level=emergency") == ["Ærlige Ørn"]
    assert names("navn=ørn") == ["Ærlige Ørn"]
    assert names("navn=bent") == ["Bente"]
    assert names("unread=1") == ["Ærlige Ørn", "Bente"]
    assert names("fra=2000-01-01&til=2000-01-31") == []
    assert names("level=nonsense") == ["Ærlige Ørn", "Bente"]


def test_detail_page_shows_everything_and_is_audited(clinician_client, settings):
    answers = {**EMERGENCY, "pain_intensity": 7, "burning": True, "free_text": "Ondt om natten"}
    intake_id = store_intake(settings, answers, name="Detalje Person", phone="11223344")
    page = clinician_client.get(f"/klinik/henvendelse/{intake_id}")
    assert page.status_code == 200
    text = page.text
    assert "Detalje Person" in text and "11223344" in text
    assert "Advarselstegn" in text and "nyopståede blære- eller tarmforstyrrelser" in text
    assert "Hvorfor denne hastegrad" in text
    assert "DN4" in text and "3 eller mere" in text
    assert "Lænden" in text  # body map
    assert "Ondt om natten" in text
    assert "Hvor stærke er dine smerter" in text or "Smerte" in text
    assert 'class="warning-row"' in text
    assert len(page.content) < 60_000
    assert audit_actions(settings)[-1] == "intake.view"


def test_note_and_mark_as_seen(clinician_client, settings):
    intake_id = store_intake(settings, SCIATICA)
    page = clinician_client.get(f"/klinik/henvendelse/{intake_id}")
    token = form_token(page.text)
    clinician_client.post(
        f"/klinik/henvendelse/{intake_id}/note", data={"note": "Ring i morgen", "csrf_token": token}
    )
    clinician_client.post(f"/klinik/henvendelse/{intake_id}/set", data={"csrf_token": token})
    page = clinician_client.get(f"/klinik/henvendelse/{intake_id}")
    assert "Ring i morgen" in page.text
    assert "Markér som set" not in page.text
    assert "Kun ulæste" in clinician_client.get("/klinik?unread=1").text
    assert f"/klinik/henvendelse/{intake_id}" not in clinician_client.get("/klinik?unread=1").text
    actions = audit_actions(settings)
    assert "intake.note" in actions and "intake.mark_seen" in actions


def test_unknown_intake_is_404(clinician_client):
    assert clinician_client.get("/klinik/henvendelse/999999").status_code == 404


def test_csv_export_has_no_contact_data_for_clinicians(clinician_client, settings):
    store_intake(settings, SCIATICA, name="Hemmelig Hansen", phone="55554444")
    store_intake(settings, EMERGENCY, name="=cmd|evil", phone="12121212")
    response = clinician_client.get("/klinik/eksport.csv?level=emergency")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][:3] == ["id", "sent_at", "triage"]
    assert len(rows) == 2 and rows[1][2] == "emergency"
    assert "Hemmelig" not in response.text and "55554444" not in response.text
    assert "name" not in rows[0]
    assert clinician_client.get("/klinik/eksport.csv?kontakt=1").status_code == 403
    assert "export.csv" in audit_actions(settings)


def test_admin_csv_export_with_contact_data_defuses_formulas(admin_client, settings):
    store_intake(settings, EMERGENCY, name="=cmd|evil", phone="12121212")
    response = admin_client.get("/klinik/eksport.csv?kontakt=1")
    rows = list(csv.reader(io.StringIO(response.text.lstrip("\ufeff"))))
    assert rows[0][-3:] == ["name", "phone", "email"]
    assert rows[1][-3] == "'=cmd|evil"


def test_clinician_cannot_reach_admin_pages(clinician_client, settings):
    intake_id = store_intake(settings, SCIATICA)
    assert clinician_client.get("/klinik/audit").status_code == 403
    token = form_token(clinician_client.get("/klinik").text)
    response = clinician_client.post(
        f"/klinik/henvendelse/{intake_id}/slet", data={"csrf_token": token, "confirm": "ja"}
    )
    assert response.status_code == 403
    assert clinician_client.get(f"/klinik/henvendelse/{intake_id}").status_code == 200


def test_admin_sees_the_audit_log_and_can_delete(admin_client, settings):
    intake_id = store_intake(settings, SCIATICA, name="Slet Mig")
    admin_client.get(f"/klinik/henvendelse/{intake_id}")
    audit_page = admin_client.get("/klinik/audit")
    assert audit_page.status_code == 200
    assert "intake.view" in audit_page.text and "a@example.dk" in audit_page.text
    assert "Slet Mig" not in audit_page.text
    token = form_token(audit_page.text)
    not_confirmed = admin_client.post(
        f"/klinik/henvendelse/{intake_id}/slet", data={"csrf_token": token}
    )
    assert not_confirmed.status_code == 200
    assert admin_client.get(f"/klinik/henvendelse/{intake_id}").status_code == 200
    admin_client.post(
        f"/klinik/henvendelse/{intake_id}/slet", data={"csrf_token": token, "confirm": "ja"}
    )
    assert admin_client.get(f"/klinik/henvendelse/{intake_id}").status_code == 404
    assert "intake.delete" in audit_actions(settings)


def test_followup_link_is_shown_once_and_audited(clinician_client, settings):
    intake_id = store_intake(settings, SCIATICA)
    token = form_token(clinician_client.get(f"/klinik/henvendelse/{intake_id}").text)
    page = clinician_client.post(
        f"/klinik/henvendelse/{intake_id}/opfoelgning", data={"csrf_token": token}
    )
    assert page.status_code == 200
    link = re.search(r"<code>(http[^<]+/opfoelgning/[A-Za-z0-9_-]{40,})</code>", page.text)
    assert link, page.text
    assert page.headers["cache-control"] == "no-store"
    assert "followup.create" in audit_actions(settings)
    detail = clinician_client.get(f"/klinik/henvendelse/{intake_id}").text
    assert link.group(1).rsplit("/", 1)[1] not in detail
    assert "1 link til opfølgning er ikke brugt endnu" in detail


def test_fhir_download_is_a_transaction_bundle_and_audited(clinician_client, settings):
    intake_id = store_intake(settings, SCIATICA, name="Fhir Person", phone="33445566")
    detail = clinician_client.get(f"/klinik/henvendelse/{intake_id}")
    assert f'href="/klinik/henvendelse/{intake_id}/fhir"' in detail.text
    response = clinician_client.get(f"/klinik/henvendelse/{intake_id}/fhir")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/fhir+json")
    bundle = response.json()
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "transaction"
    kinds = [entry["resource"]["resourceType"] for entry in bundle["entry"]]
    assert "Patient" in kinds and "QuestionnaireResponse" in kinds
    assert "Fhir Person" in response.text
    assert "export.fhir" in audit_actions(settings)


def test_detail_page_leads_with_a_clinical_summary(clinician_client, settings):
    answers = {**SCIATICA, "bladder_bowel_change": False, "diabetes": True, "free_text": "Jag"}
    intake_id = store_intake(
        settings, answers, name="Resumé Person", phone="20 30 40 50", email="r@example.dk"
    )
    text = clinician_client.get(f"/klinik/henvendelse/{intake_id}").text
    summary = text[text.index('id="h-summary"') : text.index('id="h-exam"')]
    assert "45 år" in summary and "venstre ben" in summary
    assert "NRS 6/10" in summary and "Benægter" in summary and "diabetes" in summary
    assert "Jag" in summary
    assert 'href="tel:+4520304050"' in text and 'href="mailto:r@example.dk"' in text
    assert "Straight leg raise" in text and "Devillé WL" in text  # examination with source
    why = text[text.index('id="h-why"') : text.index('id="h-patterns"')]
    assert "Hvor har du gener?" not in why  # the reasons' answers in clinician words
    assert '<textarea id="journal-text"' in text and "S: 45 år" in text
    assert 'class="answer-yes"' in text and 'class="answer-no"' in text
    assert f'href="/klinik/henvendelse/{intake_id}/udskrift"' in text
    # Clinician language and the portal's own navigation.
    for patient_words in ("Bestil tid hos din egen læge", "Tjek dine gener", "fordi du svarede"):
        assert patient_words not in text


def test_detail_page_body_map_and_reasons_speak_to_the_clinician(clinician_client, settings):
    answers = {**SCIATICA, "locations": ["lower_back", "left.buttock", "left.calf"], "age": 16}
    text = clinician_client.get(f"/klinik/henvendelse/{store_intake(settings, answers)}").text
    body = text[text.index('id="h-body"') : text.index('id="h-trend"')]
    assert "Markerede områder:" in body and "Kropskort, markerede områder:" in body
    assert ">Højre</text>" in body and ">Venstre</text>" in body
    why = text[text.index('id="h-why"') : text.index('id="h-patterns"')]
    assert "Patienten er under 18 år" in why and "lumbal radikulopati" in why
    for patient_words in (
        "du har valgt",
        "Du har ikke valgt",
        "Din højre",
        "Din venstre",
        "Tryk på",
        "Du er under 18 år",
        "en læge bør se dig",
    ):
        assert patient_words not in text, patient_words
    empty = {key: value for key, value in SCIATICA.items() if key != "locations"}
    text = clinician_client.get(f"/klinik/henvendelse/{store_intake(settings, empty)}").text
    assert "Ingen områder markeret." in text and "Du har ikke valgt" not in text


def test_detail_page_hides_unlikely_patterns(clinician_client, settings):
    intake_id = store_intake(settings, SCIATICA)
    text = clinician_client.get(f"/klinik/henvendelse/{intake_id}").text
    table = text[text.index('id="h-patterns"') : text.index('id="h-scores"')]
    percents = re.findall(r"<td>(omkring|over|under) (\d+) %</td>", table)
    assert percents and ("omkring", "100") not in percents
    assert "Mønstre under 5 % er ikke vist." in table


def test_print_view_is_audited_and_has_no_forms(clinician_client, settings):
    intake_id = store_intake(settings, EMERGENCY, name="Print Person")
    page = clinician_client.get(f"/klinik/henvendelse/{intake_id}/udskrift")
    assert page.status_code == 200
    assert "Print Person" in page.text and "Klinisk resumé" in page.text
    assert '<pre class="journal-text">' in page.text and "Forslag til undersøgelse" in page.text
    assert "<textarea" not in page.text and 'name="note"' not in page.text
    assert audit_actions(settings)[-1] == "intake.print"


def test_worklist_flags_duplicates_and_shows_phone_and_latest_note(clinician_client, settings):
    now = utcnow()
    first = store_intake(settings, SCIATICA, name="Dobbelt", phone="11 22 33 44")
    second = store_intake(
        settings, SCIATICA, name="Dobbelt", phone="+4511223344", created_at=now + timedelta(hours=1)
    )
    other = store_intake(settings, MILD, name="Anden", phone="11223344")
    token = form_token(clinician_client.get(f"/klinik/henvendelse/{other}").text)
    clinician_client.post(
        f"/klinik/henvendelse/{other}/note",
        data={"note": "Ringet, ingen svar", "csrf_token": token},
    )
    text = clinician_client.get("/klinik").text
    rows = {
        int(m.group(1)): m.group(0)
        for m in re.finditer(
            r'<tr class="[^"]*" data-level="[^"]*">\s*<td>.*?'
            r'href="/klinik/henvendelse/(\d+)".*?</tr>',
            text,
            re.S,
        )
    }
    assert "Dobbelt:" in rows[second] and f'href="/klinik/henvendelse/{first}"' in rows[second]
    assert "Dobbelt:" not in rows[first] and "Dobbelt:" not in rows[other]
    assert 'href="tel:+4511223344"' in rows[first]
    email_intake = store_intake(settings, MILD, name="Mail", phone=None, email="m@example.dk")
    assert 'href="mailto:m@example.dk"' in clinician_client.get("/klinik?navn=Mail").text
    assert email_intake
    assert "Ringet, ingen svar" in rows[other]


def test_api_needs_a_session_and_says_so(client):
    for path in ("/api/klinik/henvendelser", "/api/klinik/henvendelser/1"):
        response = client.get(path)
        assert response.status_code == 401
        assert response.json()["detail"]["error"] == "not_authenticated"


def test_api_lists_and_shows_intakes(client, settings):
    mild = store_intake(settings, MILD, name="Api Mild")
    urgent = store_intake(settings, EMERGENCY, name="Api Akut")
    make_user(settings, "api@example.dk")
    login(client, "api@example.dk")
    rows = client.get("/api/klinik/henvendelser").json()
    assert [r["id"] for r in rows] == [urgent, mild]
    assert rows[0]["triage"] == "emergency"
    assert [r["id"] for r in client.get("/api/klinik/henvendelser?level=self_care").json()] == [
        mild
    ]
    detail = client.get(f"/api/klinik/henvendelser/{urgent}").json()
    assert detail["answers"] == EMERGENCY
    assert detail["assessment"]["triage"] == "emergency"
    missing = client.get("/api/klinik/henvendelser/999999")
    assert missing.status_code == 404 and missing.json()["detail"]["error"] == "not_found"
    bad = client.get("/api/klinik/henvendelser/not-a-number")
    assert bad.status_code == 422 and bad.json()["detail"]
    actions = audit_actions(settings)
    assert "api.worklist" in actions and "api.intake.view" in actions


# ---------------------------------------------------------------------- journal


def journal(answers, lang="da"):
    _assessment, s = summary_of(answers, lang)
    return journal_text(s, "30.11.2026 14:02", lang)


def test_journal_text_is_the_subjective_part_of_a_record():
    text = journal(POLYNEUROPATHY)
    lines = text.splitlines()
    assert (
        lines[0]
        == "Henvendelse via Nervetjek 30.11.2026 14:02. Patientens egne svar, ikke undersøgt."
    )
    assert lines[1] == "S: 67 år, kvinde. Gener i begge ben (V: fodsål, tæer; H: fodsål, tæer)."
    assert (
        "Forløb: gradvis debut, varighed 13 måneder, i forværring de seneste 2 uger, "
        "konstante gener." in lines
    )
    assert "Smerte: NRS 5/10 (værst den seneste uge)." in lines
    assert "Røde flag: ingen angivet." in lines
    assert any(line.startswith("Benægter: svaghed i benet; dropfod") for line in lines)
    assert any(
        line.startswith("Risikofaktorer og sygdomme: diabetes; metforminbehandling")
        for line in lines
    )
    assert any(line.startswith("MNSI ufuldstændigt:") and "mangler spm." in line for line in lines)
    assert 'Med egne ord: "Det brænder under fødderne om aftenen."' in lines
    assert lines[-1].startswith("Nervetjek (vejledning, ikke en diagnose): Egen læge")
    assert "Polyneuropati" in lines[-1] and "&" not in text and "<" not in text


def test_journal_text_of_an_emergency_names_the_red_flags():
    text = journal(CAUDA_EQUINA)
    assert "Røde flag: nyopståede blære- eller tarmforstyrrelser; ridebukseanæstesi." in text
    assert "Akut: 112 eller akutmodtagelse nu" in text
    assert "Cauda equina-syndrom" in text


def test_journal_text_never_addresses_the_patient():
    you = re.compile(r"\b(du|dig|din|dit|dine)\b", re.IGNORECASE)
    for answers in case_answers():
        without_own_words = {k: v for k, v in answers.items() if k != "free_text"}
        assert not you.search(journal(without_own_words)), answers


def test_journal_text_in_english_uses_the_catalogue():
    text = journal(CAUDA_EQUINA, "en")
    assert "Pain: NRS 8/10" in text and "Red flags: new bladder or bowel disturbance" in text


@pytest.mark.parametrize(
    ("phone", "href"),
    [
        ("12 34 56 78", "tel:+4512345678"),
        ("+45 12 34 56 78", "tel:+4512345678"),
        ("0046 70 123 45 67", "tel:+46701234567"),
        ("112", "tel:112"),
    ],
)
def test_phone_links(phone, href):
    assert tel_href(phone) == href
