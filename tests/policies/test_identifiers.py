"""Identifiers of docs/regulation.md §7: ID numbers, VINs, plates, licences — and input normalisation."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from policies.identifiers import (
    check_vin,
    clean_file_number,
    clean_id_number,
    clean_licence_classes,
    clean_phone,
    clean_plate,
    clean_vin,
    id_check_char,
    is_trailer_plate,
    normalize,
    plate_kind,
    vin_check_char,
)
from tests.factories import make_id_number, make_vin


def error_code(fn, value):
    with pytest.raises(ValidationError) as excinfo:
        fn(value)
    return excinfo.value.code


class TestNormalize:
    @pytest.mark.parametrize(
        ("raw", "expected"),
        [
            (" 粤b 123 45 ", "粤B12345"),
            ("粤Ｂ１２３４５", "粤B12345"),  # full-width letters and digits from a Chinese IME
            ("11010519491231002x", "11010519491231002X"),
            ("1M8-GDM9A·XKP042788", "1M8GDM9AXKP042788"),
            ("138 1234 5678", "13812345678"),
            ("", ""),
            (None, ""),
        ],
    )
    def test_strips_separators_folds_width_and_upper_cases(self, raw, expected):
        assert normalize(raw) == expected


class TestIdNumber:
    """docs/regulation.md §7, ID number (GB 11643)."""

    @pytest.mark.parametrize("valid", ["11010519491231002X", "360426199101010071"])
    def test_domain_examples_are_valid(self, valid):
        assert clean_id_number(valid) == valid

    def test_domain_invalid_example_has_a_wrong_check_digit(self):
        assert error_code(clean_id_number, "360426199101010072") == "id_check"

    def test_lower_case_x_becomes_upper_case(self):
        assert clean_id_number("11010519491231002x") == "11010519491231002X"

    def test_full_width_digits_are_accepted(self):
        assert clean_id_number("３６０４２６１９９１０１０１００７１") == "360426199101010071"

    def test_check_character_is_the_weighted_sum_mod_11(self):
        # Σ dᵢ·wᵢ mod 11 indexes "10X98765432" (docs/regulation.md §7).
        assert id_check_char("11010519491231002") == "X"
        assert id_check_char("36042619910101007") == "1"

    def test_fifteen_digit_numbers_are_no_longer_valid(self):
        assert error_code(clean_id_number, "110105491231002") == "id_legacy"

    @pytest.mark.parametrize("bad", ["1101051949123100", "11010519491231002Y", "A10105194912310021"])
    def test_wrong_shape_is_refused(self, bad):
        assert error_code(clean_id_number, bad) == "id_format"

    def test_impossible_birth_date_is_refused(self):
        first17 = "11010519490230002"  # 30 February
        assert error_code(clean_id_number, first17 + id_check_char(first17)) == "id_birth_date"

    def test_birth_date_in_the_future_is_refused(self):
        first17 = "11010520990101002"
        with pytest.raises(ValidationError) as excinfo:
            clean_id_number(first17 + id_check_char(first17), today=dt.date(2026, 11, 25))
        assert excinfo.value.code == "id_birth_date"

    def test_messages_are_in_chinese(self):
        with pytest.raises(ValidationError) as excinfo:
            clean_id_number("360426199101010072")
        assert "校验位" in excinfo.value.messages[0]

    def test_every_factory_number_is_valid(self):
        for n in range(0, 5000, 37):
            assert clean_id_number(make_id_number(n)) == make_id_number(n)


class TestVin:
    """docs/regulation.md §7, VIN (GB 16735 / ISO 3779)."""

    def test_domain_example_is_valid(self):
        assert check_vin("1M8GDM9AXKP042788").warning == ""

    def test_check_digit_ten_is_x(self):
        assert vin_check_char("1M8GDM9AXKP042788") == "X"

    @pytest.mark.parametrize("letter", ["I", "O", "Q"])
    def test_letters_i_o_q_are_refused(self, letter):
        assert error_code(clean_vin, f"LSVAB2C0{letter}A0000001") == "vin_chars"

    @pytest.mark.parametrize("bad", ["LSVAB2C0RA000000", "LSVAB2C0RA00000011"])
    def test_length_must_be_17(self, bad):
        assert error_code(clean_vin, bad) == "vin_length"

    def test_china_made_vin_with_wrong_check_digit_is_an_error(self):
        vin = make_vin(42)
        wrong = vin[:8] + ("1" if vin[8] != "1" else "2") + vin[9:]
        assert error_code(clean_vin, wrong) == "vin_check"

    def test_imported_vin_with_wrong_check_digit_is_only_a_warning(self):
        result = check_vin("1M8GDM9A1KP042788")
        assert result.vin == "1M8GDM9A1KP042788"
        assert "校验位" in result.warning

    def test_lower_case_and_spaces_are_normalised(self):
        assert clean_vin(" 1m8gdm9axkp042788 ") == "1M8GDM9AXKP042788"


class TestPlate:
    """docs/regulation.md §7, plates (GA 36)."""

    @pytest.mark.parametrize(
        ("plate", "kind"),
        [
            ("粤B12345", "ordinary"),
            ("京AF0236", "ordinary"),
            ("粤BD12345", "new_energy_small"),
            ("沪AF12345", "new_energy_small"),
            ("粤B12345D", "new_energy_large"),
            ("苏A1234学", "special"),
            ("粤B1234挂", "special"),
            ("粤Z1234港", "special"),
        ],
    )
    def test_valid_formats(self, plate, kind):
        assert plate_kind(plate) == kind
        assert clean_plate(plate) == plate

    @pytest.mark.parametrize(
        "province", list("京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼")
    )
    def test_every_province_abbreviation_is_accepted(self, province):
        assert clean_plate(f"{province}A12345") == f"{province}A12345"

    @pytest.mark.parametrize("bad", ["粤B1234I", "粤B1234O", "粤B1234", "粤B1234567", "粤1B2345"])
    def test_impossible_plates_are_refused(self, bad):
        assert error_code(clean_plate, bad) == "plate_format"

    def test_unknown_province_is_said_plainly(self):
        with pytest.raises(ValidationError) as excinfo:
            clean_plate("港B12345")
        assert excinfo.value.code == "plate_province"
        assert "省份简称" in excinfo.value.messages[0]

    def test_spaces_dots_and_full_width_are_normalised(self):
        assert clean_plate("粤 b·１２３４５") == "粤B12345"

    def test_trailer_plates_are_recognised(self):
        assert is_trailer_plate("粤B1234挂")
        assert not is_trailer_plate("粤B12345")


class TestLicenceAndPhone:
    def test_file_number_is_twelve_digits(self):
        assert clean_file_number("3201 0000 0001") == "320100000001"
        assert error_code(clean_file_number, "32010000001") == "file_number"

    def test_licence_classes_are_ordered_and_deduplicated(self):
        assert clean_licence_classes("d c1 C1") == "C1,D"
        assert clean_licence_classes("ａ２，Ｄ") == "A2,D"

    def test_unknown_licence_class_is_refused(self):
        assert error_code(clean_licence_classes, "C1 Z9") == "licence_class"

    def test_phone_numbers(self):
        assert clean_phone("+86 138-1234-5678") == "13812345678"
        assert error_code(clean_phone, "12812345678") == "phone"
