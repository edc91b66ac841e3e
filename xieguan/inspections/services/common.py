"""The few helpers more than one kind of inspection write uses: the county
of an area, a checked text, the chosen inspectors, a checked GPS fix, a
saved (and stamped) photo, the refusal to change a submitted record."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xieguan.accounts.models import RoleCode, User
from xieguan.areas.models import Area, Level
from xieguan.core.errors import StateConflict
from xieguan.core.photos import prepare_photo, save_photo_once
from xieguan.core.scope import is_within
from xieguan.inspections.models import Inspection, Photo
from xieguan.units.models import Unit

INSPECTOR_ROLES = (RoleCode.COMANAGER, RoleCode.SUPERVISOR)


def county_of(area: Area) -> Area:
    """The county an area lies in (itself when it is one)."""
    if area.level == Level.COUNTY:
        return area
    prefixes = []
    path = area.path
    while path.count("/") > 1:
        path = path[: path.rstrip("/").rfind("/") + 1]
        prefixes.append(path)
    county = Area.objects.filter(path__in=prefixes, level=Level.COUNTY).first()
    if county is None:
        raise ValidationError(_("This area does not lie in a county."))
    return county


def _text(value: str | None, *, field: str, limit: int, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > limit:
        raise ValidationError({field: _("Enter at most %(limit)d characters.") % {"limit": limit}})
    return value


def _inspectors(actor: User, users: Iterable[Any], *, field: str = "inspectors") -> list[User]:
    """The chosen inspectors, each an active co-manager or supervisor in the
    actor's area; duplicates collapse."""
    chosen: dict[Any, User] = {}
    for user in users:
        if not isinstance(user, User):
            user = User.objects.filter(pk=user).select_related("institution__area").first()
        if user is None or not user.is_active or user.institution_id is None:
            raise ValidationError({field: _("An inspector is not a person in your area.")})
        if not is_within(actor, user.institution.area.path) or not user.has_role(*INSPECTOR_ROLES):
            raise ValidationError({field: _("An inspector is not a person in your area.")})
        chosen[user.pk] = user
    return list(chosen.values())


def _require_draft(inspection: Inspection) -> None:
    if inspection.is_locked:
        raise StateConflict(
            _("This record has been submitted and is locked; make a correction (a new version) to change it.")
        )


@dataclass(frozen=True)
class GpsFix:
    """Where a photo or a record was taken, as the phone's GPS gave it."""

    latitude: Decimal
    longitude: Decimal
    accuracy_m: float | None = None


def _check_gps(latitude: Any, longitude: Any, accuracy_m: Any) -> None:
    errors = {}
    for name, value in (("latitude", latitude), ("longitude", longitude), ("accuracy_m", accuracy_m)):
        if value is not None and not math.isfinite(float(value)):
            errors[name] = _("The location must be given as finite numbers.")
    if errors:
        raise ValidationError(errors)
    if (latitude is None) != (longitude is None):
        errors["latitude"] = _("Give both latitude and longitude, or neither.")
    if latitude is not None and not (-90 <= Decimal(str(latitude)) <= 90):
        errors["latitude"] = _("The latitude must be between -90 and 90.")
    if longitude is not None and not (-180 <= Decimal(str(longitude)) <= 180):
        errors["longitude"] = _("The longitude must be between -180 and 180.")
    if accuracy_m is not None and accuracy_m < 0:
        errors["accuracy_m"] = _("The accuracy cannot be negative.")
    if errors:
        raise ValidationError(errors)


def gps_fix_checked(latitude: Any, longitude: Any, accuracy_m: Any = None) -> GpsFix | None:
    """The fix sent with a photo, checked (both coordinates or neither, in
    range, a finite accuracy not below 0; Chinese messages keyed by field),
    or None when none was sent."""
    _check_gps(latitude, longitude, accuracy_m)
    if latitude is None:
        return None
    return GpsFix(
        Decimal(str(latitude)), Decimal(str(longitude)), float(accuracy_m) if accuracy_m is not None else None
    )


def record_fix(inspection: Inspection | None) -> GpsFix | None:
    """The fix the record was made with, if it has one."""
    if inspection is None or inspection.latitude is None or inspection.longitude is None:
        return None
    return GpsFix(inspection.latitude, inspection.longitude, inspection.accuracy_m)


def gps_fix_text(fix: GpsFix | None) -> str:
    """``GPS 31.2304, 121.4737 ±12 m``; without a fix, 无定位."""
    if fix is None:
        return _("No location fix")
    text = f"GPS {float(fix.latitude):.4f}, {float(fix.longitude):.4f}"
    if fix.accuracy_m is not None:
        text += f" ±{round(fix.accuracy_m)} m"
    return text


def stamp_place(unit: Unit | None, area: Area) -> str:
    """The place a photo is stamped with: the unit's name and address (its
    township or village when it has no address), or, with no unit, the
    area's full name."""
    if unit is None:
        return area.full_name()
    return f"{unit.name} {unit.address or area.name}".strip()


def evidence_stamp_lines(*, unit: Unit | None, area: Area, fix: GpsFix | None) -> list[str]:
    """What is stamped under the time on an evidence photo: the place, then
    the GPS fix with its accuracy (or 无定位). ``core.photos.stamp_text``
    puts the local time first."""
    return [stamp_place(unit, area), gps_fix_text(fix)]


def _save_photo(
    *,
    actor: User,
    upload: Any,
    area: Area,
    unit: Unit | None,
    fix: GpsFix | None,
    key: dict[str, Any] | None = None,
    **owner: Any,
) -> tuple[Photo, bool]:
    """Keep an evidence photo stamped with its time, place and fix; its
    sha256 is that of the bytes sent, before stamping."""
    prepared = prepare_photo(upload, stamp=True, stamp_lines=evidence_stamp_lines(unit=unit, area=area, fix=fix))
    return save_photo_once(
        Photo, prepared, actor=actor, owner=owner, extra={"area": area, "taken_at": prepared.taken_at}, key=key
    )
