"""The out-of-hours numbers are data (web/out_of_hours.yaml), checked strictly."""

from __future__ import annotations

import re

import pytest

from nervetjek.datafiles import DataFileError, check_schema, package_text, parse_yaml
from nervetjek.web.patient_view import _OutOfHoursFile, out_of_hours


def test_every_region_has_a_danish_phone_number():
    lines = out_of_hours()
    assert [region for region, _ in lines] == [
        "Region Hovedstaden",
        "Region Sjælland",
        "Region Syddanmark",
        "Region Midtjylland",
        "Region Nordjylland",
    ]
    assert all(re.fullmatch(r"\d{4}|\d\d \d\d \d\d \d\d", phone) for _, phone in lines)


def test_a_misspelt_key_fails_with_file_and_line():
    text = package_text("nervetjek.web", "out_of_hours.yaml").replace(
        'phone: "1818"', 'phon: "1818"'
    )
    raw = parse_yaml(text, "web/out_of_hours.yaml", keep_lines=True)
    with pytest.raises(DataFileError, match=r"web/out_of_hours.yaml line \d+: regions.1"):
        check_schema(_OutOfHoursFile, raw, "web/out_of_hours.yaml")
