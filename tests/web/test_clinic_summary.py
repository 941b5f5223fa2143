"""The clinic's clinical summary, examination plan and journal text (pure functions)."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from clinic_answers import CAUDA_EQUINA, POLYNEUROPATHY

from nervetjek.engine import assess
from nervetjek.intake import load_item_bank, load_outcomes
from nervetjek.knowledge import load_knowledge
from nervetjek.knowledge.examination import load_examination, parse_examination
from nervetjek.knowledge.loader import KnowledgeError
from nervetjek.web import clinic_summary as clinical
from nervetjek.web import clinic_view as view

CASES = Path(__file__).resolve().parents[1] / "cases"


def case_answers() -> list[dict]:
    """Every clinical case's answers (tests/cases), written from the literature."""
    found = []
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text("utf-8")) or []:
            if isinstance(case, dict) and isinstance(case.get("answers"), dict):
                found.append(case["answers"])
    return found


def summary_of(answers, lang="da"):
    assessment = assess(answers)
    return assessment, clinical.clinical_summary(assessment, lang)


# ---------------------------------------------------------------------- summary


def test_polyneuropathy_summary_reads_like_a_clinician_wrote_it():
    _assessment, s = summary_of(POLYNEUROPATHY)
    assert (s.age, s.sex, s.pain, s.duration_days) == (67, "female", 5, 400)
    assert s.distribution.side == "both"
    assert s.distribution.left == ("fodsål", "tæer") == s.distribution.right
    assert "følelsesløshed" in s.symptoms and "brændende smerte" in s.symptoms
    assert "kan ikke skelne varmt og koldt med fødderne" in s.symptoms
    assert "kan ikke mærke fødderne ved gang" not in s.symptoms  # answered "yes, I can"
    assert {"diabetes", "metforminbehandling"} <= set(s.risk_factors)
    assert "værst om natten" in s.provocation
    assert s.warning_signs == ()
    assert {"svaghed i benet", "dropfod", "aktuelt fodsår"} <= set(s.denied_warning_signs)
    assert [row.id for row in s.instruments] == ["DN4", "MNSI", "S-LANSS"]
    mnsi = next(row for row in s.instruments if row.id == "MNSI")
    assert not mnsi.complete and mnsi.missing_items and mnsi.missing == len(mnsi.missing_items)
    assert s.patterns[0].id == "polyneuropathy"
    assert s.free_text == "Det brænder under fødderne om aftenen."


def test_cauda_equina_summary_leads_with_the_warning_signs():
    _assessment, s = summary_of(CAUDA_EQUINA)
    assert s.level == "emergency"
    assert s.warning_signs == ("nyopståede blære- eller tarmforstyrrelser", "ridebukseanæstesi")
    assert any("seksuel dysfunktion" in t for t in s.denied_warning_signs)
    assert s.distribution.midline == ("lænden",)
    assert s.patterns[0].id == "cauda_equina"


def test_patterns_under_five_percent_are_never_shown_and_never_100():
    cut = load_examination().shown.min_probability
    for answers in case_answers():
        assessment, s = summary_of(answers)
        shown = {p.id for p in s.patterns}
        for pattern in assessment.patterns:
            if pattern.probability < cut:
                assert pattern.id not in shown
        assert all((p.percent_kind, p.percent) != ("about", 100) for p in s.patterns)
        assert [p.id for p in s.patterns] == [p.id for p in assessment.patterns][: len(shown)]
        assert len(s.patterns) <= load_examination().shown.max_patterns
        rows = clinical.pattern_rows(assessment, "da")
        assert [r.pattern for r in rows] == list(s.patterns)


@pytest.mark.parametrize("lang", ["da", "en"])
def test_every_finding_has_the_polarity_that_was_answered(lang):
    """A yes is never listed as denied, a no never as present (all clinical cases)."""
    terms = clinical.clinic_terms().items
    by_text = {term.text(lang): key for key, term in terms.items()}
    for answers in case_answers():
        _assessment, s = summary_of(answers, lang)
        present = s.warning_signs + s.symptoms + s.provocation + s.risk_factors
        for text in present:
            key = by_text[text]
            assert answers[key] is terms[key].finding_on, (key, answers[key])
        for text in s.denied_warning_signs:
            key = by_text[text]
            assert answers[key] is (not terms[key].finding_on), (key, answers[key])


def test_model_reasons_name_the_answer_actually_given():
    """A one-question reason with 'nej' is a no (or a missing finding) in the answers."""
    terms = clinical.clinic_terms().items
    for answers in case_answers():
        assessment = assess(answers)
        valid = assessment.answers
        for pattern in assessment.patterns:
            for evidence in pattern.supporting + pattern.opposing:
                keys = evidence.answers
                text = clinical.evidence_text(evidence, valid, "da")
                if len(keys) == 1 and keys[0] == evidence.feature and keys[0] in terms:
                    finding = valid[keys[0]] is terms[keys[0]].finding_on
                    assert text.endswith(": nej") is (not finding), (keys, text)


def test_every_question_feature_and_category_has_clinician_words():
    terms = clinical.clinic_terms()
    booleans = {k for k, item in load_item_bank().items.items() if item.type == "boolean"}
    assert booleans <= set(terms.items)
    others = {k for k, item in load_item_bank().items.items() if item.type != "boolean"}
    assert others <= set(terms.values)
    knowledge = load_knowledge()
    bank_keys = set(load_item_bank().items)
    for flag in knowledge.flags:
        if flag.id not in bank_keys:
            assert set(terms.features[flag.id]) == {"yes", "no"}, flag.id
    for category in knowledge.categories:
        assert {value for value, _c, _l in category.values} <= set(terms.categories[category.id])
    outcomes = load_outcomes()
    assert set(terms.patterns) == set(outcomes.pattern_ids)
    assert set(terms.levels) == set(outcomes.level_ids)


PATIENT_ADDRESS = re.compile(r"\b(du|dig|din|dit|dine|you|your)\b", re.IGNORECASE)


def test_every_triage_rule_has_a_clinician_reason_that_never_addresses_the_patient():
    policy = load_knowledge().policy
    rules = {
        *(rule.id for rule in policy.escalations),
        *(f"default:{pattern}" for pattern in policy.defaults),
        *(exception.id for default in policy.defaults.values() for exception in default.exceptions),
        policy.self_care.id,
        "unrecognised",  # engine/triage.py: too few answers
        "warning_sign_never_lowers",  # engine/assess.py: the safety floor
    }
    terms = clinical.clinic_terms().rules
    assert set(terms) == rules
    for rule, text in terms.items():
        for lang in ("da", "en"):
            assert text(lang) and not PATIENT_ADDRESS.search(text(lang)), (rule, text(lang))


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_portals_triage_reasons_are_the_clinician_ones_never_the_patients(lang):
    seen = 0
    for answers in [*case_answers(), CAUDA_EQUINA, POLYNEUROPATHY]:
        assessment = assess(answers)
        rows = view.reason_rows(assessment, lang, clinical.answer_text, clinical.rule_reason)
        for row, reason in zip(rows, assessment.triage_reasons, strict=True):
            assert row.why == clinical.clinic_terms().rules[reason.rule](lang)
            assert row.why != reason.why(lang)
            assert not PATIENT_ADDRESS.search(row.why)
            seen += 1
    assert seen > 50


# ------------------------------------------------------------------ examination


def test_examination_covers_every_pattern_with_sourced_steps():
    plan = load_examination()
    assert set(plan.patterns) == set(load_outcomes().pattern_ids)
    for steps in plan.patterns.values():
        for step in steps:
            assert step.text.da and step.text.en and step.reason and step.source


def test_examination_names_the_key_tests():
    plan = load_examination()

    def text(pattern):
        return " ".join(step.text.da for step in plan.steps(pattern))

    assert "Straight leg raise" in text("lumbar_radiculopathy")
    assert "Krydset SLR" in text("lumbar_radiculopathy")
    assert "10 g monofilament" in text("polyneuropathy")
    assert "128 Hz" in text("polyneuropathy")
    assert "Achillesreflekser" in text("polyneuropathy")
    assert "Fodpulse" in text("polyneuropathy")
    assert "caput fibulae" in text("peroneal_neuropathy")
    assert "dorsalfleksion" in text("peroneal_neuropathy")
    assert "mediale malleol" in text("tarsal_tunnel")
    assert "Mulders klik" in text("morton_neuroma")
    assert "Pelvic compression" in text("meralgia_paraesthetica")
    assert "Ankel-brachial-indeks" in text("vascular_claudication")
    assert "Wells-score" in text("dvt")
    assert "Akut henvisning" in text("cauda_equina") and "ridebukseområdet" in text("cauda_equina")


def test_examination_plan_follows_the_leading_patterns():
    _assessment, s = summary_of(POLYNEUROPATHY)
    groups = clinical.examination_plan(s)
    assert [g.pattern for g in groups] == list(s.patterns)
    assert groups[0].steps[0].id == "pnp_monofilament"
    _assessment, s = summary_of(CAUDA_EQUINA)
    assert clinical.examination_plan(s)[0].steps[0].id == "ces_refer"


def test_examination_file_is_checked_against_its_schema():
    good = (Path(clinical.__file__).parents[1] / "knowledge" / "examination.yaml").read_text()
    patterns = load_outcomes().pattern_ids
    assert parse_examination(good, patterns).version == 1
    with pytest.raises(KnowledgeError, match="extra"):
        parse_examination(
            good.replace("    - id: rad_slr\n", "    - id: rad_slr\n      x: 1\n"), patterns
        )
    with pytest.raises(KnowledgeError, match="source"):
        parse_examination(
            re.sub(r"(- id: mor_mulder\n(?:.*\n){4})      source: .*\n", r"\1", good), patterns
        )
    with pytest.raises(KnowledgeError, match="without steps"):
        parse_examination(good, [*patterns, "new_pattern"])


# ---------------------------------------------------------------------- journal


def journal(answers, lang="da"):
    _assessment, s = summary_of(answers, lang)
    return clinical.journal_text(s, "30.11.2026 14:02", lang)


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


# ---------------------------------------------------------------------- worklist


def _sent(id_, hours, phone="12 34 56 78", email=None, answers=None):
    at = datetime(2026, 11, 30, 8, tzinfo=UTC) + timedelta(hours=hours)
    return view.Sent(id_, at, phone, email, answers or {"age": 40, "back_pain": True})


def test_duplicates_are_the_same_contact_and_answers_within_a_day():
    sent = [
        _sent(1, 0),
        _sent(2, 3, phone="+45 12345678"),  # same number, written differently
        _sent(3, 5, phone=None, email="A@B.DK"),
        _sent(4, 6, phone=None, email="a@b.dk"),  # same e-mail, other case
        _sent(5, 7, answers={"age": 41}),  # other answers
        _sent(6, 40),  # same again, but more than 24 hours after the last one
        _sent(7, 41, phone="87654321"),  # another person
    ]
    assert view.duplicates(sent) == {2: 1, 4: 3}
    assert view.duplicates(list(reversed(sent))) == {2: 1, 4: 3}  # order of input is free


def test_latest_activity_is_the_newest_note_or_action():
    t = datetime(2026, 11, 30, 8, tzinfo=UTC)
    assert view.latest_activity("", None, None, []) is None
    seen_later = view.latest_activity("Ring i morgen", t, t + timedelta(hours=1), [])
    assert seen_later.kind == "seen"
    note_later = view.latest_activity("Ring i morgen\nmere", t + timedelta(hours=2), t, [])
    assert (note_later.kind, note_later.text) == ("note", "Ring i morgen")
    answered = view.latest_activity("", None, t, [(t, t + timedelta(days=3))])
    assert answered.kind == "followup_answered"
    long_note = view.latest_activity("x" * 200, t, None, [])
    assert len(long_note.text) == view.NOTE_PREVIEW


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
    assert view.tel_href(phone) == href
