"""统计用区划代码 (SPEC §2): 12 digits — 2 province, 2 prefecture, 2 county,
3 township, 3 village. A code's level is read off its trailing zeros, and its
parent's code is itself with its own level's digits set to zero."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xieguan.areas.models import CODE_DIGITS_BY_LEVEL, Level

CODE_LENGTH = 12


def normalise_code(raw: object) -> str:
    """Full-width digits and stray spaces, as real sheets have them, made plain;
    a number Excel stored as float (990101001001.0) made a string."""
    if raw is None:
        return ""
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    text = unicodedata.normalize("NFKC", str(raw)).strip().replace(" ", "")
    return text


def level_of_code(code: str) -> int:
    """The level a well-formed code denotes."""
    for level in (Level.VILLAGE, Level.TOWNSHIP, Level.COUNTY, Level.PREFECTURE, Level.PROVINCE):
        digits = CODE_DIGITS_BY_LEVEL[level]
        previous = CODE_DIGITS_BY_LEVEL.get(level - 1, 0)
        if code[digits:] == "0" * (CODE_LENGTH - digits) and code[previous:digits].strip("0"):
            return int(level)
    raise ValidationError(_("The code %(code)s is all zeros or skips a level.") % {"code": code})


def parent_code_of(code: str, level: int) -> str | None:
    if level == Level.PROVINCE:
        return None
    keep = CODE_DIGITS_BY_LEVEL[level - 1]
    return code[:keep] + "0" * (CODE_LENGTH - keep)


def check_code_format(code: str) -> None:
    if len(code) != CODE_LENGTH or not code.isdigit():
        raise ValidationError(
            _("A statistical division code has exactly 12 digits; %(code)s has %(n)d characters.")
            % {"code": code, "n": len(code)},
            code="code_format",
        )


def validate_area_code(code: str, *, level: int, parent_code: str | None) -> None:
    """Digits, level and parent prefix; each failure says which in Chinese."""
    check_code_format(code)
    actual = level_of_code(code)
    if actual != level:
        raise ValidationError(
            _("The code %(code)s is a %(actual)s code, but the area is a %(level)s.")
            % {"code": code, "actual": Level(actual).label, "level": Level(level).label},
            code="code_level",
        )
    if parent_code:
        keep = CODE_DIGITS_BY_LEVEL[level - 1]
        if code[:keep] != parent_code[:keep]:
            raise ValidationError(
                _("The code %(code)s must begin with %(prefix)s, the digits of its parent area's code %(parent)s.")
                % {"code": code, "prefix": parent_code[:keep], "parent": parent_code},
                code="code_prefix",
            )
