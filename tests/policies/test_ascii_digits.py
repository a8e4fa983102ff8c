"""Only ASCII digits are digits in identifiers and search terms (after the full-width folding
of `normalize`): an ID number, phone, plate, policy or licence file number written in
Arabic-Indic, Devanagari or Bengali digits is none of them, and says so in Chinese."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from policies import identifiers, search, selectors
from policies.importing import fields
from tests import factories

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
ID_NUMBER = factories.make_id_number(42)


@pytest.mark.parametrize("script", [ARABIC_INDIC, DEVANAGARI])
def test_an_id_number_in_other_digits_is_no_id_number(script):
    other = ID_NUMBER.translate(script)
    with pytest.raises(ValidationError) as refused:
        identifiers.clean_id_number(other)
    assert refused.value.code == "id_format"
    legacy = ("320102850615042").translate(script)  # 15 digits: not "no longer used", just wrong
    with pytest.raises(ValidationError) as refused:
        identifiers.clean_id_number(legacy)
    assert refused.value.code == "id_format"


def test_full_width_digits_are_folded_and_read():
    assert identifiers.clean_id_number(ID_NUMBER.translate(FULL_WIDTH)) == ID_NUMBER
    assert identifiers.clean_phone("１３９１２３４５６７８") == "13912345678"
    assert search.classify(ID_NUMBER.translate(FULL_WIDTH))[0] == (search.TermKind.ID_NUMBER, ID_NUMBER)


@pytest.mark.parametrize("script", [ARABIC_INDIC, DEVANAGARI])
def test_search_terms_in_other_digits_are_no_kind_and_have_no_problem_to_explain(script):
    for term in (ID_NUMBER, "13912345678", "JQX20260000000042", "202600000000000042"):
        assert search.classify(term.translate(script)) == [], term
        assert search.problems(term.translate(script)) == [], term


@pytest.mark.parametrize("script", [ARABIC_INDIC, DEVANAGARI])
def test_plates_phones_and_file_numbers_in_other_digits_are_refused(script):
    with pytest.raises(ValidationError):
        identifiers.clean_plate("苏A12345".translate(script))
    assert identifiers.plate_kind("苏AD12345".translate(script)) is None
    assert identifiers.plate_kind("使123456".translate(script)) is None
    with pytest.raises(ValidationError):
        identifiers.clean_phone("13912345678".translate(script))
    with pytest.raises(ValidationError):
        identifiers.clean_file_number("320100123456".translate(script))


def test_a_vin_check_digit_reads_only_ascii_digits():
    vin = factories.make_vin(7)
    assert identifiers.check_vin(vin).vin == vin
    with pytest.raises(ValidationError):
        identifiers.check_vin(vin.translate(ARABIC_INDIC))


@pytest.mark.parametrize("value", ["٣", "३", "১২", "-1", "1.5"])
def test_an_imported_count_in_other_digits_is_refused_in_chinese(value):
    with pytest.raises(ValidationError, match="不是非负整数"):
        fields.parse_count(value)


def test_an_imported_date_in_other_digits_is_refused_in_chinese():
    with pytest.raises(ValidationError, match="格式不正确"):
        fields.parse_date("2026-05-01".translate(ARABIC_INDIC))


@pytest.mark.django_db
def test_a_licence_file_number_in_other_digits_finds_nobody():
    licence = factories.DrivingLicenceFactory()
    assert selectors.person_by_licence_number(licence.file_number) == licence.holder
    assert selectors.person_by_licence_number(licence.file_number.translate(ARABIC_INDIC)) is None
