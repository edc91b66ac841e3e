import pytest
from django.core.exceptions import ValidationError

from xieguan.core.validators import credit_code_check_character, validate_credit_code


@pytest.mark.parametrize(
    "code",
    [
        "91350100M000100Y43",
        " 91350100m000100y43 ",  # pasted in lower case with spaces
        "９１３５０１００Ｍ０００１００Ｙ４３",  # full-width
    ],
)
def test_a_real_valid_code_passes(code):
    validate_credit_code(code)


def test_codes_made_by_the_formula_pass_including_letter_prefixes():
    for first17 in ["12350100MB0000000", "A1990101000000000", "N2990101123456789", "Y1990101ABCDEFGHJ"]:
        validate_credit_code(first17 + credit_code_check_character(first17))


def test_check_character_follows_gb_32100():
    alphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
    first17 = "91350100M000100Y4"
    total = sum(alphabet.index(c) * w for c, w in zip(first17, weights, strict=True))
    assert credit_code_check_character(first17) == alphabet[(31 - total % 31) % 31] == "3"


def _message(code):
    with pytest.raises(ValidationError) as info:
        validate_credit_code(code)
    return info.value.messages[0], info.value.code


def test_wrong_check_character_says_what_it_should_be():
    message, code = _message("91350100M000100Y44")
    assert code == "credit_code_check"
    assert "3" in message and "4" in message


def test_a_letter_not_in_the_alphabet_is_named_with_its_position():
    message, code = _message("91350100M000I00Y43")
    assert code == "credit_code_character"
    assert "13" in message and "I" in message


@pytest.mark.parametrize("value", ["", "9135010", "91350100M000100Y431"])
def test_wrong_length_is_refused(value):
    _message_text, code = _message(value)
    assert code == "credit_code_length"


def test_messages_are_in_chinese():
    message, _code = _message("91350100M000100Y44")
    assert "校验" in message
