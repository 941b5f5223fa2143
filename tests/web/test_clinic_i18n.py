"""Clinic-side text: every Danish string has English in clinic.po; patient text is plain."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from jinja2.ext import babel_extract

from nervetjek.readability import lix

WEB = Path(__file__).resolve().parents[2] / "src" / "nervetjek" / "web"
CATALOGUE = WEB.parent / "locale" / "en" / "LC_MESSAGES" / "clinic.po"
AREAS = ("clinic", "send", "followup")
PATIENT_AREAS = ("send", "followup")


def messages(areas) -> list[str | tuple[str, ...]]:
    found = []
    for area in areas:
        folder = WEB / "templates" / area
        for template in sorted([*folder.glob("*.html"), *folder.glob("*.txt")]):
            with template.open("rb") as handle:
                for _line, _func, message, _comments in babel_extract(
                    handle, ("_", "gettext", "ngettext"), [], {}
                ):
                    found.append(message)
    return found


def test_every_clinic_string_has_english():
    with CATALOGUE.open("rb") as handle:
        catalogue = read_po(handle, locale="en")
    missing = []
    for message in messages(AREAS):
        key = message[0] if isinstance(message, tuple) else message
        entry = catalogue.get(key)
        if (
            entry is None
            or not entry.string
            or (isinstance(entry.string, tuple) and not all(entry.string))
        ):
            missing.append(key)
    assert missing == []


@pytest.mark.parametrize("area", PATIENT_AREAS)
def test_patient_text_is_plain_danish(area):
    texts = [m if isinstance(m, str) else m[0] for m in messages([area])]
    prose = [t for t in texts if len(t.split()) >= 6]
    score = lix("\n\n".join(prose))
    assert score < 40, f"LIX {score:.1f} for the {area} pages"


def test_portal_speaks_english_on_request(client):
    page = client.get("/klinik/login?lang=en")
    assert "Log in to the clinic" in page.text
    assert "Log ind i klinikken" not in page.text
