"""Validators for identifiers and dates that more than one domain uses."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

# Records of work done (a visit, a training, a report found) are bounded: the
# system's records begin in this century, and nothing is done tomorrow. A
# typo of a year (2000-01-01 for 2026-01-01, 2099 for 2026) would otherwise
# be counted in a month nobody looks at, or in no month yet.
EARLIEST_DATE = datetime.date(2000, 1, 1)
# Expiry dates and deadlines lie ahead, but not further than this.
FAR_AHEAD_DAYS = 30 * 365


def local_day(value: datetime.date | datetime.datetime) -> datetime.date:
    """The day a date or moment falls on in the county (a naive moment as it reads)."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def local_midnight(day: datetime.date) -> datetime.datetime:
    """The moment the day begins in the county (its local midnight)."""
    return datetime.datetime.combine(day, datetime.time.min, tzinfo=timezone.get_current_timezone())


def date_error(
    value: datetime.date | datetime.datetime | None,
    *,
    ahead_days: int = 0,
    earliest: datetime.date = EARLIEST_DATE,
    today: datetime.date | None = None,
) -> str | None:
    """The Chinese message when ``value`` (a date, or a time taken as its
    local Asia/Shanghai date) lies before ``earliest`` (1 January 2000) or
    more than ``ahead_days`` after today; None when it is within bounds or
    empty. Services put it under the field's name; forms use the
    validators below, the API and the import reach it through the services."""
    if value is None:
        return None
    day = local_day(value)
    if day < earliest:
        if earliest == EARLIEST_DATE:
            return _("The date cannot be before 1 January 2000.")
        return _("The date cannot be before %(date)s.") % {"date": earliest.isoformat()}
    latest = (today or timezone.localdate()) + datetime.timedelta(days=ahead_days)
    if day > latest:
        if ahead_days == 0:
            return _("The date cannot be later than today.")
        return _("The date cannot be later than %(date)s.") % {"date": latest.isoformat()}
    return None


def date_validator(*, ahead_days: int = 0) -> Callable[[datetime.date | datetime.datetime | None], None]:
    """A form field validator that applies ``date_error``."""

    def validate(value: datetime.date | datetime.datetime | None) -> None:
        message = date_error(value, ahead_days=ahead_days)
        if message:
            raise ValidationError(message, code="date_bounds")

    return validate


# When something was done: from 2000 until today.
validate_done_date = date_validator()
# An expiry date or a deadline: from 2000 until thirty years ahead.
validate_ahead_date = date_validator(ahead_days=FAR_AHEAD_DAYS)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def validate_id_number(value: str) -> None:
    """18-character resident ID (GB 11643): 17 digits and a check character."""
    value = (value or "").strip().upper()
    if len(value) != 18 or not value[:17].isdigit() or value[17] not in "0123456789X":
        raise ValidationError(_("An ID number has 17 digits followed by a digit or X."), code="id_format")
    total = sum(int(d) * w for d, w in zip(value[:17], _ID_WEIGHTS, strict=True))
    if _ID_CHECK[total % 11] != value[17]:
        raise ValidationError(_("The ID number's last character does not match; check it again."), code="id_check")


# GB 32100-2015, 统一社会信用代码: 18 characters from this alphabet (no I, O, Z,
# S, V); the 18th is a check character over the first 17.
CREDIT_CODE_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    """The check character for the first 17 characters of a credit code:
    alphabet[(31 − Σ value × weight mod 31) mod 31]."""
    total = sum(CREDIT_CODE_ALPHABET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CODE_ALPHABET[(31 - total % 31) % 31]


def normalise_credit_code(value: str | None) -> str:
    """Upper case, spaces and full-width characters folded (what people paste)."""
    text = (value or "").strip().upper()
    text = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)  # i18n: data — the full-width range
    return "".join(text.split())


def validate_credit_code(value: str) -> None:
    """An 18-character unified social credit code whose check character
    matches (GB 32100). The message says which character is wrong."""
    code = normalise_credit_code(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d.") % {"count": len(code)},
            code="credit_code_length",
        )
    for position, char in enumerate(code, start=1):
        if char not in CREDIT_CODE_ALPHABET:
            raise ValidationError(
                _(
                    "Character %(position)d (%(char)s) cannot be in a unified social credit code; "
                    "only digits and capital letters other than I, O, Z, S and V can."
                )
                % {"position": position, "char": char},
                code="credit_code_character",
            )
    expected = credit_code_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "The last character (the check character) should be %(expected)s, not %(actual)s; "
                "some character of the code was typed wrong."
            )
            % {"expected": expected, "actual": code[17]},
            code="credit_code_check",
        )


# A Chinese mobile number (11 digits from 13–19), optionally written with
# +86; or a landline with its area code (0 and 2–3 digits), a local number
# of 7–8 digits and an optional extension: 0931-8812345, 09318812345,
# 010-12345678-123.
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"0\d{2,3}-?\d{7,8}(-\d{1,6})?")


def normalise_phone(value: str | None) -> str:
    """The number as it is stored: full-width characters folded, spaces and
    the brackets around an area code dropped, a leading +86 taken off
    (``(0931) 881 2345`` → ``09318812345``, ``+86 138 0000 0000`` →
    ``13800000000``)."""
    text = (value or "").strip()
    text = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in text)  # i18n: data — the full-width range
    text = "".join(c for c in text if c not in " ()")
    if text.startswith("+86"):
        text = text[3:].lstrip("-")
    return text


def validate_phone(value: str) -> None:
    """A Chinese mobile number or a landline with its area code; the one
    check of every phone a form, the API or an import takes. ``1380000`` is
    refused."""
    phone = normalise_phone(value)
    if _MOBILE.fullmatch(phone) or _LANDLINE.fullmatch(phone):
        return
    raise ValidationError(
        _("Enter an 11-digit mobile number or a landline with its area code, such as 0931-8812345."),
        code="phone",
    )


def clean_phone(value: str | None) -> str:
    """``value`` checked by ``validate_phone`` and in its stored form; ""
    for no number (a phone is optional wherever it is asked for)."""
    if not (value or "").strip():
        return ""
    validate_phone(value or "")
    return normalise_phone(value)


def clean_text(
    value: str | None, *, field: str, limit: int, required: bool = False, errors: dict[str, str] | None = None
) -> str:
    """A service's free text, stripped: not empty if ``required``, at most
    ``limit`` characters; otherwise a ValidationError keyed by ``field`` or,
    given ``errors``, the problem put there and the text returned anyway, so
    that one ValidationError can name every field at fault."""
    value = (value or "").strip()
    if required and not value:
        problem = _("This field is required.")
    elif len(value) > limit:
        problem = _("Enter at most %(limit)d characters.") % {"limit": limit}
    else:
        return value
    if errors is None:
        raise ValidationError({field: problem})
    errors[field] = problem
    return value


def int_between(value: Any, default: int, low: int, high: int) -> int:
    """A whole number from ``low`` to ``high`` read off a query parameter;
    ``default`` for anything else (missing, not a number, out of range)."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return default
    return number if low <= number <= high else default
