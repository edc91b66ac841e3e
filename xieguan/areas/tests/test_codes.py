import pytest
from django.core.exceptions import ValidationError

from xieguan.areas.codes import level_of_code, normalise_code, parent_code_of, validate_area_code


@pytest.mark.parametrize(
    ("code", "level"),
    [
        ("990000000000", 1),
        ("990100000000", 2),
        ("990101000000", 3),
        ("990101100000", 4),
        ("990101001000", 4),
        ("990101100201", 5),
        ("990101100001", 5),
    ],
)
def test_level_is_read_off_the_code(code, level):
    assert level_of_code(code) == level


def test_parent_code_zeroes_the_own_digits():
    assert parent_code_of("990101100201", 5) == "990101100000"
    assert parent_code_of("990101100000", 4) == "990101000000"
    assert parent_code_of("990000000000", 1) is None


@pytest.mark.parametrize(
    ("code", "level", "parent", "message"),
    [
        ("99010110020", 5, "990101100000", "12 位数字"),
        ("99010110020X", 5, "990101100000", "12 位数字"),
        ("990101100000", 5, "990101100000", "乡镇级代码"),
        ("990101200201", 5, "990101100000", "应以 990101100 开头"),
        ("000000000000", 1, None, "全为零"),
    ],
)
def test_bad_codes_get_a_chinese_reason(code, level, parent, message):
    with pytest.raises(ValidationError) as info:
        validate_area_code(code, level=level, parent_code=parent)
    assert message in " ".join(info.value.messages)


def test_messy_codes_are_normalised():
    assert normalise_code("９９０１０１１００２０１ ") == "990101100201"
    assert normalise_code(990101100201.0) == "990101100201"
    assert normalise_code(None) == ""
