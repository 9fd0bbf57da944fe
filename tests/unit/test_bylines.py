"""People's names from bylines (reader.importing.bylines)."""

from __future__ import annotations

import pytest

from reader.importing.bylines import clean_names


@pytest.mark.parametrize(("byline", "names"), [
    ("By JANE DOE, Staff Writer | Follow on X", ["Jane Doe"]),
    ("By Ana Lopez and Tom Berg", ["Ana Lopez", "Tom Berg"]),
    ("Written by Tom Berg, Senior Correspondent", ["Tom Berg"]),
    ("Ana Lopez · 7 August 2024", ["Ana Lopez"]),
    ("Ana Lopez & Tom Berg; Ana Lopez", ["Ana Lopez", "Tom Berg"]),
    ("Jane Doe Staff Writer", ["Jane Doe"]),
    ("By Jane Doe (jane.doe@valleycourier.example)", ["Jane Doe"]),
    ("Karin van der Berg", ["Karin van der Berg"]),
    ("https://valleycourier.example/staff/ana-lopez", []),
    ("Staff", []), ("Editor", []), ("Username", []), ("Follow", []),
    ("Updated 7 August 2024, 10:32", []),
])
def test_clean_names(byline, names):
    assert clean_names(byline) == names
