"""The few helpers more than one kind of inspection write uses: the county
of an area, a checked text, the chosen inspectors, a checked GPS fix, a
saved (and stamped) photo, the refusal to change a submitted record."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from xieguan.accounts.models import RoleCode, User
from xieguan.areas.models import Area, Level
from xieguan.core.errors import StateConflict
from xieguan.core.photos import (  # noqa: F401  (the GPS helpers live in core; re-exported for inspections)
    GpsFix,
    evidence_stamp_lines,
    gps_fix_checked,
    gps_fix_text,
    prepare_photo,
    save_photo_once,
    stamp_place,
)
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


def record_fix(inspection: Inspection | None) -> GpsFix | None:
    """The fix the record was made with, if it has one."""
    if inspection is None or inspection.latitude is None or inspection.longitude is None:
        return None
    return GpsFix(inspection.latitude, inspection.longitude, inspection.accuracy_m)


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
