"""`content check`: one test per rule, each with a small broken article in a temp folder."""

from __future__ import annotations

from datetime import date

import pytest
from typer.testing import CliRunner

from nervetjek.cli import app
from nervetjek.content.check import check
from tests.content.fixtures import (
    GOOD_DA,
    GOOD_EN,
    english,
    line_of,
    make_root,
    messages,
    run_check,
)


def broken(tmp_path, old: str, new: str, both: bool = True, **options):
    """Check a root where `old` is replaced by `new` (in both languages by default)."""
    assert old in GOOD_DA, old
    da = GOOD_DA.replace(old, new)
    en = english(da) if both else GOOD_EN
    report = run_check(make_root(tmp_path, da=da, en=en), **options)
    return da, report


def only(report, fragment: str) -> str:
    """The single error, which must contain `fragment`."""
    errors = [
        m for m, p in zip(messages(report), report.problems, strict=True) if p.level == "error"
    ]
    matching = [m for m in errors if fragment in m]
    assert matching, errors
    return matching[0]


def test_good_article_passes(tmp_path):
    report = run_check(make_root(tmp_path), advice=True)
    assert report.problems == [], messages(report)
    assert report.ok
    assert set(report.lix) == {"iskias"}


# ------------------------------------------------------------------- front matter
@pytest.mark.parametrize(
    "key",
    [
        "title",
        "metaTitle",
        "description",
        "datePublished",
        "lastUpdated",
        "lastReviewed",
        "reviewedBy",
        "kind",
    ],
)
def test_missing_front_matter(tmp_path, key):
    line = next(line for line in GOOD_DA.splitlines() if line.startswith(f"{key}:"))
    _, report = broken(tmp_path, line + "\n", "")
    assert f"da/iskias.md:1: front matter: `{key}` is missing" in messages(report)


GUIDE_DA = (
    GOOD_DA.replace('pattern: "lumbar_radiculopathy"\n', "")
    .replace('kind: "condition"', 'kind: "guide"\norder: 3')
    .replace('title: "Iskias"', 'title: "Gode sko"')
)


def test_a_pattern_article_must_be_a_condition(tmp_path):
    da, report = broken(tmp_path, 'kind: "condition"', 'kind: "guide"\norder: 1')
    assert only(report, "kind must be") == (
        f"da/iskias.md:{line_of(da, 'kind:')}: kind must be 'condition': outcomes.yaml "
        "gives this article to 'lumbar_radiculopathy'"
    )


def test_an_unknown_kind_is_refused(tmp_path):
    da, report = broken(tmp_path, 'kind: "condition"', 'kind: "news"')
    assert f"da/iskias.md:{line_of(da, 'kind:')}: kind 'news' is not one of: guide, condition" in (
        messages(report)
    )


def test_a_guide_needs_a_whole_number_order(tmp_path):
    da = GUIDE_DA.replace("order: 3", 'order: "tre"')
    report = run_check(make_root(tmp_path, da=da, en=english(da), slug="sko"), patterns={})
    assert only(report, "needs `order`") == (
        f"da/sko.md:{line_of(da, 'order:')}: a guide needs `order`: a whole number (1 is first)"
    )


def test_a_condition_has_no_order(tmp_path):
    _, report = broken(tmp_path, 'kind: "condition"', 'kind: "condition"\norder: 2')
    assert "a condition article has no `order`" in only(report, "no `order`")


def test_only_an_engine_patterns_article_is_a_condition(tmp_path):
    da = GUIDE_DA.replace('kind: "guide"\norder: 3', 'kind: "condition"')
    report = run_check(make_root(tmp_path, da=da, en=english(da), slug="sko"), patterns={})
    assert "is for the article of an engine pattern" in only(report, "engine pattern;")


def test_kind_and_order_are_the_same_in_both_languages(tmp_path):
    en = english(GUIDE_DA).replace("order: 3", "order: 4")
    report = run_check(make_root(tmp_path, da=GUIDE_DA, en=en, slug="sko"), patterns={})
    assert only(report, "order differs") == (
        f"en/sko.md:{line_of(en, 'order:')}: order differs from da/sko.md"
    )


def test_a_new_guide_is_listed_in_its_order_without_code(tmp_path):
    from nervetjek.content.loader import load_library

    first = GUIDE_DA.replace("order: 3", "order: 1").replace("Gode sko", "Først")
    guides = {"sko": GUIDE_DA, "foerst": first}
    extra = {
        f"{lang}/{slug}.md": text if lang == "da" else english(text)
        for slug, text in guides.items()
        for lang in ("da", "en")
    }
    root = make_root(tmp_path, extra=extra)
    report = run_check(root)
    assert [p for p in report.problems if p.level == "error"] == [], messages(report)
    library = load_library(root)
    assert [a.slug for a in library.guides("da")] == ["foerst", "sko"]
    assert [a.slug for a in library.guides("en")] == ["foerst", "sko"]


def test_missing_references(tmp_path):
    _, report = broken(tmp_path, 'references:\n  - "NICE NG59 (2016)"\n', "")
    assert "da/iskias.md:1: front matter: `references` is missing" in messages(report)


def test_references_must_be_a_list(tmp_path):
    da, report = broken(tmp_path, 'references:\n  - "NICE NG59 (2016)"\n', 'references: "NICE"\n')
    line = line_of(da, "references:")
    assert only(report, "references must be a list") == (
        f"da/iskias.md:{line}: references must be a list of sources written as text"
    )


@pytest.mark.parametrize("value", ["31/02/2025", "2025-02-01", "1/2/2025", "i går"])
def test_date_must_be_real_dd_mm_yyyy(tmp_path, value):
    da, report = broken(tmp_path, 'datePublished: "01/02/2025"', f'datePublished: "{value}"')
    line = line_of(da, "datePublished:")
    assert only(report, "datePublished") == (
        f"da/iskias.md:{line}: datePublished {value!r} is not a real date written DD/MM/YYYY"
    )


def test_date_not_in_the_future(tmp_path):
    da, report = broken(
        tmp_path, 'lastUpdated: "01/03/2025"', 'lastUpdated: "02/03/2025"', today=date(2025, 3, 1)
    )
    assert only(report, "future") == (
        f"da/iskias.md:{line_of(da, 'lastUpdated:')}: lastUpdated 02/03/2025 is in the future"
    )


def test_last_updated_not_before_published(tmp_path):
    da, report = broken(tmp_path, 'lastUpdated: "01/03/2025"', 'lastUpdated: "31/01/2025"')
    assert only(report, "before") == (
        f"da/iskias.md:{line_of(da, 'lastUpdated:')}: lastUpdated 31/01/2025 is before "
        "datePublished 01/02/2025"
    )


def test_meta_title_at_most_60(tmp_path):
    long_title = ("Iskias: " + "meget lang titel " * 4).strip()
    da, report = broken(
        tmp_path, 'metaTitle: "Iskias: tegn og hjælp"', f'metaTitle: "{long_title}"'
    )
    assert only(report, "metaTitle") == (
        f"da/iskias.md:{line_of(da, 'metaTitle:')}: metaTitle is {len(long_title)} characters; "
        "at most 60"
    )


def test_meta_title_of_exactly_60_passes(tmp_path):
    title = "x" * 60
    _, report = broken(tmp_path, 'metaTitle: "Iskias: tegn og hjælp"', f'metaTitle: "{title}"')
    assert report.ok, messages(report)


@pytest.mark.parametrize("length", [20, 200])
def test_description_length(tmp_path, length):
    text = "a" * length
    old = next(line for line in GOOD_DA.splitlines() if line.startswith("description:"))
    da, report = broken(tmp_path, old, f'description: "{text}"')
    assert only(report, "description") == (
        f"da/iskias.md:{line_of(da, 'description:')}: description is {length} characters; "
        "it must be 70-160"
    )


def test_front_matter_that_is_not_yaml(tmp_path):
    da, report = broken(tmp_path, 'reviewedBy: "Nervetjeks faglige redaktion"', "reviewedBy: [oops")
    problem = only(report, "not valid YAML")
    assert problem.startswith("da/iskias.md:")
    assert int(problem.split(":")[1]) >= line_of(da, "reviewedBy:")


# ------------------------------------------------------------------------ headings
def test_no_h1_in_body(tmp_path):
    da, report = broken(
        tmp_path, "## Hvad er symptomerne? {#symptomer}", "# Hvad er symptomerne? {#symptomer}"
    )
    line = line_of(da, "# Hvad er symptomerne?")
    assert f"da/iskias.md:{line}: an H1 in the body: the title is the page's only H1; use ##" in (
        messages(report)
    )


def test_no_h3_before_first_h2(tmp_path):
    da, report = broken(tmp_path, "Kort indledning.", "### Tidligt {#tidligt}\n\nKort indledning.")
    assert only(report, "before the first H2") == (
        f"da/iskias.md:{line_of(da, '### Tidligt')}: H3 before the first H2"
    )


def test_no_jump_from_h2_to_h4(tmp_path):
    da, report = broken(
        tmp_path, "### Kan det være en diskusprolaps?", "#### Kan det være en diskusprolaps?"
    )
    assert only(report, "jumps") == (
        f"da/iskias.md:{line_of(da, '#### Kan')}: heading jumps from H2 to H4; go one level down"
    )


def test_heading_needs_explicit_anchor(tmp_path):
    da, report = broken(
        tmp_path,
        "### Kan det være en diskusprolaps? {#diskusprolaps}",
        "### Kan det være en diskusprolaps?",
    )
    assert only(report, "no explicit anchor") == (
        f"da/iskias.md:{line_of(da, '### Kan det')}: heading 'Kan det være en diskusprolaps?' "
        "has no explicit anchor: end the line with {#id}"
    )


@pytest.mark.parametrize("anchor", ["Diskusprolaps", "årsag", "disk_prolaps", "-disk"])
def test_anchor_must_be_lowercase_ascii(tmp_path, anchor):
    da, report = broken(tmp_path, "{#diskusprolaps}", "{#" + anchor + "}")
    assert only(report, "must be lowercase ASCII") == (
        f"da/iskias.md:{line_of(da, '### Kan det')}: anchor {anchor!r} must be lowercase ASCII "
        "letters, digits and hyphens (æ->ae, ø->oe, å->aa)"
    )


def test_no_duplicate_anchors(tmp_path):
    da, report = broken(tmp_path, "{#diskusprolaps}", "{#aarsager}")
    assert only(report, "used twice") == (
        f"da/iskias.md:{line_of(da, '### Kan det')}: anchor 'aarsager' is used twice (first on "
        f"line {line_of(da, '## Hvad er årsagerne?')})"
    )


# ---------------------------------------------------------------- pattern articles
def test_pattern_article_needs_every_required_section(tmp_path):
    da, report = broken(
        tmp_path, "## Bliver jeg rask? {#prognose}\n\nDe fleste bliver bedre.\n\n", ""
    )
    assert only(report, "lacks") == (
        f"da/iskias.md:{line_of(da, 'Kort indledning')}: pattern article lacks the required "
        "H2 section(s): #prognose"
    )


def test_pattern_must_match_outcomes(tmp_path):
    da, report = broken(tmp_path, 'pattern: "lumbar_radiculopathy"', 'pattern: "polyneuropathy"')
    assert only(report, "does not match") == (
        f"da/iskias.md:{line_of(da, 'pattern:')}: pattern 'polyneuropathy' does not match "
        "outcomes.yaml, which gives this article to 'lumbar_radiculopathy'"
    )


def test_pattern_is_required_on_pattern_articles(tmp_path):
    _, report = broken(tmp_path, 'pattern: "lumbar_radiculopathy"\n', "")
    assert only(report, "`pattern` is missing") == (
        "da/iskias.md:1: front matter: `pattern` is missing (want lumbar_radiculopathy)"
    )


def test_unknown_pattern_on_other_article(tmp_path):
    root = make_root(tmp_path, slug="andet")
    report = run_check(root)
    assert any(
        "pattern 'lumbar_radiculopathy' is not an engine pattern" in m for m in messages(report)
    )


def test_faq_needs_questions(tmp_path):
    da, report = broken(
        tmp_path, "### Går det over af sig selv? {#faq-gaar-det-over}\n\nJa, tit.\n", ""
    )
    assert only(report, "FAQ has no questions") == (
        f"da/iskias.md:{line_of(da, '## Ofte stillede')}: the FAQ has no questions: one ### per "
        "question"
    )


def test_faq_question_anchor_prefix(tmp_path):
    da, report = broken(tmp_path, "{#faq-gaar-det-over}", "{#gaar-det-over}")
    assert only(report, "must start with") == (
        f"da/iskias.md:{line_of(da, '### Går det')}: FAQ question anchor 'gaar-det-over' must "
        "start with `faq-`"
    )


def test_faq_question_needs_answer(tmp_path):
    da, report = broken(tmp_path, "{#faq-gaar-det-over}\n\nJa, tit.\n", "{#faq-gaar-det-over}\n")
    assert only(report, "has no answer") == (
        f"da/iskias.md:{line_of(da, '### Går det')}: FAQ question 'Går det over af sig selv?' "
        "has no answer"
    )


# --------------------------------------------------------------------------- links
def test_link_to_missing_article(tmp_path):
    da, report = broken(tmp_path, "(/viden/iskias#behandling)", "(/viden/ukendt#behandling)")
    assert only(report, "link") == (
        f"da/iskias.md:{line_of(da, 'Kort indledning')}: link /viden/ukendt#behandling: "
        "no article 'ukendt' in da"
    )


def test_link_to_missing_anchor(tmp_path):
    da, report = broken(tmp_path, "(/viden/iskias#behandling)", "(/viden/iskias#medicin)")
    assert only(report, "link") == (
        f"da/iskias.md:{line_of(da, 'Kort indledning')}: link /viden/iskias#medicin: "
        "article 'iskias' (da) has no heading with anchor #medicin"
    )


def test_same_page_anchor_must_exist(tmp_path):
    da, report = broken(tmp_path, "(#symptomer)", "(#tegn)")
    assert only(report, "link #tegn") == (
        f"da/iskias.md:{line_of(da, 'Gå korte ture')}: link #tegn: no heading with this anchor "
        "in the article"
    )


def test_image_must_exist(tmp_path):
    da, report = broken(tmp_path, "/static/img/ben.svg", "/static/img/fod.svg")
    assert only(report, "image") == (
        f"da/iskias.md:{line_of(da, 'fod.svg')}: image /static/img/fod.svg does not exist "
        "under web/static/"
    )


def test_image_needs_alt_text(tmp_path):
    da, report = broken(tmp_path, "![Tegning af et ben]", "![]")
    assert only(report, "alt text") == (
        f"da/iskias.md:{line_of(da, 'ben.svg')}: image /static/img/ben.svg has no alt text"
    )


def test_advice_see_links_must_resolve(tmp_path):
    _, report = broken(
        tmp_path,
        "## Hvordan bliver det behandlet? {#behandling}",
        "## Hvordan bliver det behandlet? {#behandlingen}",
        advice=True,
    )
    found = [m for m in messages(report) if m.startswith("advice.yaml")]
    assert found == [
        "advice.yaml:6: see: iskias#behandling: article 'iskias' (da) has no heading with "
        "anchor #behandling",
        "advice.yaml:6: see: iskias#behandling: article 'iskias' (en) has no heading with "
        "anchor #behandling",
    ]


# ----------------------------------------------------------------------- languages
def test_pattern_needs_an_article(tmp_path):
    report = run_check(
        make_root(tmp_path),
        patterns={"lumbar_radiculopathy": "iskias", "muscular": "muskelsmerter"},
    )
    assert (
        "da/muskelsmerter.md:1: missing: engine pattern 'muscular' needs the article "
        "da/muskelsmerter.md" in messages(report)
    )
    assert (
        "en/muskelsmerter.md:1: missing: engine pattern 'muscular' needs the article "
        "en/muskelsmerter.md" in messages(report)
    )


def test_site_articles_are_required(tmp_path):
    report = run_check(make_root(tmp_path), own=("oevelser",))
    assert "da/oevelser.md:1: missing: the site needs the article da/oevelser.md" in messages(
        report
    )


def test_article_needs_both_languages(tmp_path):
    report = run_check(make_root(tmp_path, en=None))
    assert only(report, "no en version") == (
        "da/iskias.md:1: there is no en version: add en/iskias.md with the same anchors"
    )


def test_same_anchors_in_both_languages(tmp_path):
    en = GOOD_EN.replace("{#diskusprolaps}", "{#slipped-disc}")
    report = run_check(make_root(tmp_path, en=en))
    assert only(report, "anchors differ") == (
        f"en/iskias.md:{line_of(en, 'Kort indledning')}: anchors differ from da/iskias.md: "
        "missing #diskusprolaps; not in Danish #slipped-disc"
    )


# ---------------------------------------------------------------------- readability
def test_lix_above_45_is_a_warning(tmp_path):
    hard = (
        "Kompressionsneuropatier forekommer hyppigst hos patienter med metaboliske "
        "komorbiditeter, hvorfor systematisk udredning anbefales, såfremt symptomatologien "
        "persisterer efter konservativ behandling og fysioterapeutisk intervention. "
    ) * 8
    _, report = broken(tmp_path, "Det gør ondt i benet.", hard)
    assert report.ok
    warnings = [p for p in report.problems if p.level == "warning"]
    assert len(warnings) == 1 and "LIX" in warnings[0].message
    assert report.lix["iskias"] > 45


# ------------------------------------------------------------------------------ CLI
def test_cli_fails_with_file_line_and_reason(tmp_path):
    root = make_root(
        tmp_path, da=GOOD_DA.replace('lastUpdated: "01/03/2025"', 'lastUpdated: "31/02/2025"')
    )
    result = CliRunner().invoke(app, ["content", "check", "--root", str(root)])
    assert result.exit_code == 1
    line = line_of(GOOD_DA, "lastUpdated:")
    assert (
        f"{root / 'da' / 'iskias.md'}:{line}: error: lastUpdated '31/02/2025' is not a real date"
        in result.output
    )
    assert "iskias" in result.output and "LIX" in result.output


def test_cli_rejects_missing_root(tmp_path):
    result = CliRunner().invoke(app, ["content", "check", "--root", str(tmp_path / "nowhere")])
    assert result.exit_code == 2


def test_shipped_content_passes():
    report = check()
    assert report.errors == [], "\n".join(str(p) for p in report.errors)
    assert report.lix["nervesmerter-i-benene"] < 45
    assert report.lix["oevelser"] < 45
