"""The clinical summary, its reasons and the examination plan (pure functions)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from clinic_answers import CAUDA_EQUINA, POLYNEUROPATHY
from tests.web.test_own_words import SCIATICA, SCIATICA_TEXT

from nervetjek.engine import assess
from nervetjek.intake import load_item_bank, load_outcomes
from nervetjek.knowledge import load_knowledge
from nervetjek.knowledge.examination import load_examination, parse_examination
from nervetjek.knowledge.loader import KnowledgeError
from nervetjek.report import summary as clinical

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
        rows = clinical.reason_rows(assessment, lang)
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


@pytest.mark.parametrize("lang", ["da", "en"])
def test_the_clinic_summary_marks_the_understood_words(lang):
    answers = {**SCIATICA, "free_text": SCIATICA_TEXT}
    summary = clinical.clinical_summary(assess(answers), lang)
    assert "".join(p.text for p in summary.marked_words) == SCIATICA_TEXT
    labels = [label for p in summary.marked_words for label in p.labels]
    assert labels and not any(key in " ".join(labels) for key in ("back_pain", "locations"))
    print(lang, [(p.text, p.labels) for p in summary.marked_words if p.labels])
