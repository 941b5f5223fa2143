"""The Danish corrections from the native read (issue 10) stay made: none of the wrong
phrases may come back anywhere in src/ (questions, templates, catalogues, articles,
advice, clinic text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "nervetjek"
TEXT_SUFFIXES = {".py", ".yaml", ".yml", ".csv", ".html", ".md", ".po", ".js", ".txt", ".xml"}

# wrong phrase (a regular expression) -> what replaced it
WRONG = {
    r"Føles det død\b": "Føles det dødt",
    r"Kan du ikke løfte forfoden": "Har du svært ved at løfte forfoden eller tæerne",
    r"smertefuld kulde(?!fornemmelse)": "smertefuld kuldefornemmelse",
    r"når en fod er ved at vågne": "som når foden har sovet",
    r"mindre følelse": "nedsat følelse",
    r"mistet evnen til sex": "problemer med rejsning eller mistet følelsen i kønsorganerne",
    r"føler du dig akut syg|akut sygdomsfølelse": "føler du dig meget syg",
    r"i den sidste uge": "den seneste uge",
    r"Har du sukkersyge \(diabetes\)\?": "Har du diabetes (sukkersyge)?",
    r"Vejer du for meget": "Er dit BMI 30 eller mere?",
    r"nervebetændelse fra sukkersyge": "nerveskade på grund af diabetes",
    r"14 genstande|21 \(mænd\)": "højst 10 om ugen og 4 på én dag (Sundhedsstyrelsen 2022)",
    r"Er lægen lukket": "Har lægen lukket",
    r"Du kan starte selv": "Du kan selv tage hånd om det",
    r"Dit svar giver en øget risiko for mangel": "Metformin ... øger risikoen for B12-mangel",
    r"Skriv mindst én af de to": "Skriv telefonnummer, e-mail eller begge.",
    r"mit navn og min kontakt": "mine kontaktoplysninger",
    r"Den er kun til, når": "Du skal kun bruge den, når du kontakter klinikken.",
    r"Sig, hvad du mærker, og hvornår det begyndte": "one step: Sig, hvornår det begyndte ...",
    r"ikke huden er meget følsom": "huden er ikke overfølsom",
    r"knælen eller hugsiddende": "på knæ eller på hug",
    r"\bballen\b": "balden",
    r"^#+ Hvordan går det\?": "## Hvordan går det på længere sigt?",
    r"køre dig på skadestuen": "køre dig til skadestuen",
    r"lækker (du )?tis": "taber du tis",
    r"får flere varige gener": "er risikoen for varige gener større",
    r"gør ondt at have på huden": "gør ondt mod huden",
    r"Kritisk iskæmi: Akut blodprop": "Akut iskæmi i benet",
    r"[Ss]pinal stenose": "spinalstenose",
    r"\"ikke: \"|ikke \{label": "a written no statement (answer_no_da / label_no)",
    # Read with the same eye (issue 10, item 7's last line):
    r"føler mindre": "nedsat følelse",
    r"\bi hug\b": "på hug",
    r"de sidste (to|\d+) uger|de sidste måneder": "de seneste ...",
    r"Sukkersyge er": 'Diabetes er (the question says "diabetes (sukkersyge)")',
}


# The better phrases themselves, each present somewhere in src/ (so a correction cannot
# pass by deleting the text).
RIGHT = (
    "Føles det dødt",
    "Har du svært ved at løfte forfoden eller tæerne",
    "smertefuld kuldefornemmelse",
    "som når foden har sovet",
    "nedsat følelse",
    "problemer med rejsning eller mistet følelsen i kønsorganerne",
    "føler du dig meget syg",
    "den seneste uge",
    "Har du diabetes (sukkersyge)?",
    "Er dit BMI 30 eller mere?",
    "nerveskade på grund af diabetes",
    "mere end 10 genstande om ugen eller mere end 4 på én dag",
    "Har lægen lukket",
    "Du kan selv tage hånd om det",
    "øger risikoen for B12-mangel",
    "Skriv telefonnummer, e-mail eller begge.",
    "mine kontaktoplysninger",
    "Du skal kun bruge den, når du kontakter klinikken.",
    "Sig, hvornår det begyndte, og om det bliver værre.",
    "huden er ikke overfølsom",
    "på knæ eller på hug",
    "balden",
    "Hvordan går det på længere sigt?",
    "køre dig til skadestuen",
    "taber du tis",
    "er risikoen for varige gener større",
    "gør ondt mod huden",
    "Akut iskæmi i benet",
    "spinalstenose",
)


def text_files() -> list[Path]:
    return sorted(
        path
        for path in SRC.rglob("*")
        if path.suffix in TEXT_SUFFIXES and "__pycache__" not in path.parts
    )


@pytest.mark.parametrize("pattern", list(WRONG))
def test_wrong_phrase_is_gone_from_src(pattern):
    # Case-insensitive: "Mindre følelse" at the start of a sentence is the same phrase.
    wrong = re.compile(pattern, re.MULTILINE | re.IGNORECASE)
    found = [
        f"{path.relative_to(SRC)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in text_files()
        for text in [path.read_text(encoding="utf-8")]
        for match in wrong.finditer(text)
    ]
    assert not found, f"{pattern!r} should read {WRONG[pattern]!r}: {found}"


def test_the_check_reads_the_whole_source_tree():
    names = {path.name for path in text_files()}
    assert {"items.yaml", "advice.yaml", "patient.po", "clinic.po", "iskias.md"} <= names
    assert any(path.suffix == ".html" for path in text_files())


@pytest.mark.parametrize("phrase", RIGHT)
def test_the_better_phrase_is_in_src(phrase):
    assert any(phrase.casefold() in path.read_text("utf-8").casefold() for path in text_files())
