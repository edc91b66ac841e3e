"""API: complaints (SPEC §6). ``/api/complaints`` for staff (scoped, steps
as actions); ``/api/public/...`` for the public page, without sign-in but
with the CAPTCHA and the per-address limits."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile

from xieguan.areas.models import Area, Level
from xieguan.areas.selectors import get_area_for_user
from xieguan.complaints import services
from xieguan.complaints.guard import captcha_new
from xieguan.complaints.models import Complaint
from xieguan.complaints.schemas import (
    CalendarOverrideIn,
    CalendarOverrideOut,
    CaptchaOut,
    ComplaintFiledOut,
    ComplaintIn,
    ComplaintLinksIn,
    ComplaintOut,
    ComplaintSettingsIn,
    ComplaintSettingsOut,
    LinkIn,
    NoteIn,
    PublicComplaintIn,
    PublicComplaintOut,
    PublicFiledOut,
    ReasonIn,
    ReplyIn,
    ResultIn,
)
from xieguan.complaints.selectors import LIST_ORDERING, complaints_for_list, get_complaint_for_user, public_view
from xieguan.core.api import ERRORS, XLSX, ErrorOut, ListOut, file_download
from xieguan.core.audit import client_ip
from xieguan.core.idempotency import existing_for_retry
from xieguan.core.pagination import keyset_list
from xieguan.core.photos import prepare_photo

router = Router(tags=["complaints"])
public_router = Router(tags=["public complaints"], auth=None)


def _out(c: Complaint, *, user: Any, detail: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": c.pk,
        "receipt": c.receipt_display,
        "status": c.status,
        "status_label": c.get_status_display(),
        "channel": c.channel,
        "category": c.category,
        "category_label": c.get_category_display(),
        "township_id": c.area_id,
        "township_name": c.area.name,
        "village_id": c.village_id,
        "unit_id": c.unit_id,
        "unit_name": c.unit.name if c.unit_id else c.unit_name,
        "inspection_id": c.inspection_id,
        "opinion_id": c.opinion_id,
        "content": c.content,
        "place": c.place,
        "registered_at": c.registered_at,
        "due_on": c.due_on,
        "past_deadline": c.due_on is not None and c.due_on < timezone.localdate(),
        "handler_institution": c.handler_institution.name if c.handler_institution_id else "",
        "duplicate_of_id": c.duplicate_of_id,
        "not_accepted_reason": c.not_accepted_reason,
        "result": c.result,
        "reply": c.reply,
        "is_anonymous": c.is_anonymous,
        "complainant": None,
    }
    if detail:
        contact = services.complaint_contact_for(actor=user, complaint=c)
        if contact.visible and not contact.empty:
            body["complainant"] = {"name": contact.name, "phone": contact.phone, "address": contact.address}
        body["steps"] = [
            {
                "kind": s.kind,
                "label": s.get_kind_display(),
                "at": s.at,
                "deadline": s.deadline,
                "late": s.is_late,
                "note": s.note,
                "actor": (s.actor.full_name or s.actor.username) if s.actor_id else "",
            }
            for s in c.steps.select_related("actor").order_by("at", "id")
        ]
    return body


@router.get("", response={200: ListOut[ComplaintOut], **ERRORS})
def complaint_list(
    request: HttpRequest,
    status: str = "",
    after: str | None = None,
    limit: int = Query(50, ge=1, le=200),
) -> Any:
    """Complaints in the caller's area: past deadlines first, then near ones.
    ``status``: one status, "open", or empty for all. Never the complainant."""
    qs = complaints_for_list(request.user, status=status)
    return keyset_list(qs, ordering=LIST_ORDERING, cursor=after, size=limit, out=lambda c: _out(c, user=request.user))


@router.get(
    "/export.xlsx",
    response={400: ErrorOut, **ERRORS},
    openapi_extra=file_download(XLSX, "The complaints in the caller's area as Excel, never the complainant"),
)
def complaint_export(request: HttpRequest, status: str = Query("", max_length=20)) -> Any:
    """The list as the list page's Excel download (``status``: one status,
    "open", or empty for all). Never the complainant."""
    from xieguan.complaints.views import complaint_export_response

    return complaint_export_response(request.user, status=status)


@router.get("/{complaint_id}", response={200: ComplaintOut, **ERRORS})
def complaint_get(request: HttpRequest, complaint_id: str) -> Any:
    """One complaint with its steps; the complainant only for its handlers."""
    return _out(get_complaint_for_user(request.user, complaint_id), user=request.user, detail=True)


def _area(user: Any, pk: Any, level: int) -> Area | None:
    if pk is None:
        return None
    area = get_area_for_user(user, pk)
    if area.level != level:
        raise ValidationError({"township" if level == Level.TOWNSHIP else "village": _level_message(level)})
    return area


def _level_message(level: int) -> str:
    from django.utils.translation import gettext as _

    return _("Choose the township where it happened.") if level == Level.TOWNSHIP else _("Choose a village.")


@router.post("", response={200: ComplaintFiledOut, 201: ComplaintFiledOut, **ERRORS})
def complaint_create(request: HttpRequest, payload: ComplaintIn) -> Any:
    """Register a complaint taken by phone, visit, letter or hotline;
    idempotent on ``id`` (the PIN comes only with the first 201)."""
    existing = existing_for_retry(Complaint, payload.id, request.user)
    if existing is not None:
        found = get_complaint_for_user(request.user, existing.pk)
        return Status(200, {**_out(found, user=request.user, detail=True), "pin": None})
    from xieguan.units.models import Unit

    township = _area(request.user, payload.township_id, Level.TOWNSHIP)
    village = _area(request.user, payload.village_id, Level.VILLAGE)
    unit = None
    if payload.unit_id is not None:
        from xieguan.core.scope import get_object_for_user

        unit = get_object_for_user(Unit, request.user, payload.unit_id)
    filed, complaint, created = services.complaint_register(
        actor=request.user,
        township=township,  # type: ignore[arg-type]
        village=village,
        unit=unit,
        unit_name=payload.unit_name,
        category=str(payload.category.value),
        channel=payload.channel,
        content=payload.content,
        place=payload.place,
        is_anonymous=payload.is_anonymous,
        name=payload.name,
        phone=payload.phone,
        address=payload.address,
        id=payload.id,
    )
    complaint = get_complaint_for_user(request.user, complaint.pk)
    body = {**_out(complaint, user=request.user, detail=True), "pin": filed.pin if filed else None}
    return Status(201 if created else 200, body)


def _act(request: HttpRequest, complaint_id: str, fn: Any, **kwargs: Any) -> Any:
    complaint = get_complaint_for_user(request.user, complaint_id)
    fn(actor=request.user, complaint=complaint, **kwargs)
    return _out(get_complaint_for_user(request.user, complaint_id), user=request.user, detail=True)


@router.post("/{complaint_id}/accept", response={200: ComplaintOut, **ERRORS})
def complaint_accept(request: HttpRequest, complaint_id: str) -> Any:
    """Accept: the caller's institution handles it, the caller becomes a handler."""
    return _act(request, complaint_id, services.complaint_accept)


@router.post("/{complaint_id}/not-accept", response={200: ComplaintOut, **ERRORS})
def complaint_not_accept(request: HttpRequest, complaint_id: str, payload: ReasonIn) -> Any:
    """Not accepted, with the reason the complainant reads."""
    return _act(request, complaint_id, services.complaint_not_accept, reason=payload.reason)


@router.post("/{complaint_id}/transfer", response={200: ComplaintOut, **ERRORS})
def complaint_transfer(request: HttpRequest, complaint_id: str, payload: NoteIn) -> Any:
    """Transfer to the county institute."""
    return _act(request, complaint_id, services.complaint_transfer, note=payload.note)


@router.post("/{complaint_id}/result", response={200: ComplaintOut, **ERRORS})
def complaint_result(request: HttpRequest, complaint_id: str, payload: ResultIn) -> Any:
    return _act(request, complaint_id, services.complaint_record_result, result=payload.result)


@router.post("/{complaint_id}/reply", response={200: ComplaintOut, **ERRORS})
def complaint_reply(request: HttpRequest, complaint_id: str, payload: ReplyIn) -> Any:
    return _act(request, complaint_id, services.complaint_reply, reply=payload.reply)


@router.post("/{complaint_id}/archive", response={200: ComplaintOut, **ERRORS})
def complaint_archive(request: HttpRequest, complaint_id: str) -> Any:
    return _act(request, complaint_id, services.complaint_archive)


@router.post("/{complaint_id}/link-duplicate", response={200: ComplaintOut, **ERRORS})
def complaint_link(request: HttpRequest, complaint_id: str, payload: LinkIn) -> Any:
    """Mark as a duplicate of an earlier complaint about the same matter."""
    original = get_complaint_for_user(request.user, payload.original_id)
    return _act(request, complaint_id, services.complaint_link_duplicate, original=original)


@router.post("/{complaint_id}/links", response={200: ComplaintOut, **ERRORS})
def complaint_links(request: HttpRequest, complaint_id: str, payload: ComplaintLinksIn) -> Any:
    """Tie the complaint, after it was filed, to the registered unit it is
    about and to the inspection record and supervision opinion that settled
    it, so it shows in the unit's file; sending it again with other ids
    changes the links. Only for those handling it (403). A unit, record or
    opinion that is not the caller's to choose (another township, another
    unit, outside their area, no such id) is a 422 naming the field
    (``unit``, ``inspection``, ``opinion``); nothing changes then."""
    from xieguan.units.models import Unit

    complaint = get_complaint_for_user(request.user, complaint_id)
    if not services.may_link(request.user, complaint):
        raise PermissionDenied(gettext("Only those handling this complaint can do this."))
    wanted = {
        "unit": (Unit, payload.unit_id),
        "inspection": (services.linked_model("inspection"), payload.inspection_id),
        "opinion": (services.linked_model("opinion"), payload.opinion_id),
    }
    found = {name: model.objects.filter(pk=pk).first() if pk else None for name, (model, pk) in wanted.items()}
    # An id that does not exist gets the words of one outside the caller's
    # area, so ids cannot be probed.
    unknown = {name: NOT_IN_AREA[name]() for name, (_m, pk) in wanted.items() if pk and found[name] is None}
    if unknown:
        raise ValidationError(unknown)
    return _act(request, complaint_id, services.complaint_link, **found)


NOT_IN_AREA = {
    "unit": lambda: gettext("This unit is not in your area."),
    "inspection": lambda: gettext("This inspection record is not in your area."),
    "opinion": lambda: gettext("This supervision opinion is not in your area."),
}


# --- public -------------------------------------------------------------------------

PUBLIC_ERRORS = {400: ErrorOut, 404: ErrorOut, 422: ErrorOut, 429: ErrorOut}


@public_router.get("/captcha", response={200: CaptchaOut})
def public_captcha(request: HttpRequest) -> Any:
    """A new CAPTCHA: show ``image``, send ``token`` with the answer (once)."""
    captcha = captcha_new()
    return {"token": captcha.token, "image": captcha.data_url}


@public_router.post("/complaints", response={201: PublicFiledOut, **PUBLIC_ERRORS})
def public_file(
    request: HttpRequest,
    payload: Form[PublicComplaintIn],
    photos: File[list[UploadedFile]] = None,  # type: ignore[assignment]
) -> Any:
    """File a complaint (multipart form): CAPTCHA, at most 3 photos of 20 MB,
    limited per address. Returns the receipt and the PIN, once."""
    from xieguan.units.models import Unit

    prepared = []
    photo_errors: dict[str, str] = {}
    for upload in (photos or [])[: services.MAX_PHOTOS + 1]:
        try:
            prepared.append(prepare_photo(upload, field="photos"))
        except ValidationError as exc:
            photo_errors["photos"] = " ".join(exc.messages)

    def find(model: Any, pk: Any, **extra: Any) -> Any:
        return model.objects.filter(pk=pk, **extra).first() if pk else None

    try:
        filed = services.complaint_file_public(
            ip=client_ip(request),
            captcha_token=payload.captcha_token,
            captcha_answer=payload.captcha_answer,
            township=find(Area, payload.township_id, level=Level.TOWNSHIP),
            village=find(Area, payload.village_id, level=Level.VILLAGE),
            unit=find(Unit, payload.unit_id),
            unit_name=payload.unit_name,
            category=payload.category,
            content=payload.content,
            place=payload.place,
            is_anonymous=payload.is_anonymous,
            name=payload.name,
            phone=payload.phone,
            address=payload.address,
            photos=prepared,
            photo_errors=photo_errors,
        )
    except services.RateLimited as exc:
        return Status(429, {"detail": exc.message})
    return Status(201, {"receipt": filed.complaint.receipt_display, "pin": filed.pin})


@public_router.get("/complaints/{receipt}", response={200: PublicComplaintOut, **PUBLIC_ERRORS})
def public_get(request: HttpRequest, receipt: str, pin: str = "") -> Any:
    """The complaint's progress for its complainant: the PIN in the
    ``X-PIN`` header (or ``pin`` in the query). Wrong PINs are limited."""
    pin = request.headers.get("X-PIN") or pin
    try:
        complaint = services.complaint_by_receipt(ip=client_ip(request), receipt=receipt, pin=pin)
    except services.RateLimited as exc:
        return Status(429, {"detail": exc.message})
    view = public_view(complaint)
    return {
        "receipt": complaint.receipt_display,
        "status": complaint.status,
        "status_label": view["status_label"],
        "registered_at": complaint.registered_at,
        "township_name": complaint.area.name,
        "category_label": complaint.get_category_display(),
        "steps": [s.__dict__ for s in view["steps"]],
        "reply": view["reply"],
        "not_accepted_reason": view["not_accepted_reason"],
        "reopen_until": view["reopen_until"],
        "can_reopen": view["can_reopen"],
    }


# ---------------------------------------------------------------- issue 19 item 2: the county's settings
# complaints:settings: the time limits and the calendar overrides (调休日历).

settings_router = Router(tags=["complaints"])
calendar_router = Router(tags=["complaints"])
SETTINGS_ERRORS = {400: ErrorOut, **ERRORS}


def _settings_county(request: HttpRequest) -> Any:
    """The caller's county, if their role changes its complaint settings."""
    from django.utils.translation import gettext as _

    from xieguan.accounts.permissions import CONFIGURE_COMPLAINTS, require
    from xieguan.complaints.selectors import _county_for_user

    require(request.user, CONFIGURE_COMPLAINTS)
    county = _county_for_user(request.user)
    if county is None:
        raise PermissionDenied(_("Only a county's staff can change its complaint settings."))
    return county


def _settings_out(county: Any) -> dict[str, Any]:
    current = services.settings_for(county)
    return {"county_id": county.pk, **{name: getattr(current, name) for name in services.LIMIT_FIELDS}}


@settings_router.get("", response={200: ComplaintSettingsOut, **SETTINGS_ERRORS})
def complaint_settings_get(request: HttpRequest) -> Any:
    """The caller's county's time limits (working days), as the settings page shows them."""
    return _settings_out(_settings_county(request))


@settings_router.put("", response={200: ComplaintSettingsOut, **SETTINGS_ERRORS})
def complaint_settings_put(request: HttpRequest, payload: ComplaintSettingsIn) -> Any:
    """Change them (the county's leader or an administrator)."""
    county = _settings_county(request)
    services.complaint_settings_update(actor=request.user, county=county, **payload.dict())
    return _settings_out(county)


def _override_out(row: Any) -> dict[str, Any]:
    return {"id": row.pk, "county_id": row.county_id, "date": row.date, "is_workday": row.is_workday, "note": row.note}


@calendar_router.get("", response={200: list[CalendarOverrideOut], **SETTINGS_ERRORS})
def calendar_override_list(
    request: HttpRequest, year: int | None = Query(None, ge=2000, le=2100, description="this year by default")
) -> Any:
    """The county's own working days and rest days of ``year`` that differ
    from the national schedule. One query."""
    year = year or timezone.localdate().year
    from xieguan.complaints.models import CalendarOverride

    county = _settings_county(request)
    rows = CalendarOverride.objects.filter(county=county, date__year=year).order_by("date")
    return [_override_out(r) for r in rows]


@calendar_router.put("/{date}", response={200: CalendarOverrideOut, **SETTINGS_ERRORS})
def calendar_override_put(request: HttpRequest, date: datetime.date, payload: CalendarOverrideIn) -> Any:
    """Say the county works (or rests) on ``date`` whatever the national
    schedule says; the date is the key, so sending it again changes it."""
    row = services.calendar_override_set(
        actor=request.user,
        county=_settings_county(request),
        date=date,
        is_workday=payload.is_workday,
        note=payload.note,
    )
    return _override_out(row)


@calendar_router.delete("/{date}", response={204: None, **SETTINGS_ERRORS})
def calendar_override_delete(request: HttpRequest, date: datetime.date) -> Any:
    """The day follows the national schedule again (nothing to undo: 204 too)."""
    from xieguan.complaints.models import CalendarOverride

    row = CalendarOverride.objects.filter(county=_settings_county(request), date=date).select_related("county").first()
    if row is not None:
        services.calendar_override_delete(actor=request.user, override=row)
    return Status(204, None)
