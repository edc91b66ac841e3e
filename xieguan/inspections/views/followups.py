"""Pages of what follows an opinion: re-inspections (整改复查) and cases
handed over to the county institute (案件移交)."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xieguan.accounts.permissions import HANDLE_HANDOVER, RECORD_INSPECTION, can, require
from xieguan.core.form_pages import service_form_page
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.inspections import selectors
from xieguan.inspections.forms import HandoverForm, OutcomeForm, PhotoForm, ReinspectionForm
from xieguan.inspections.models import Handover, HandoverReason, HandoverStatus, ReinspectionResult
from xieguan.inspections.services import followups

# ---------------------------------------------------------------- re-inspections


def reinspection_create(request: HttpRequest, pk: str) -> HttpResponse:
    opinion = selectors.get_opinion_for_user(request.user, pk)
    require(request.user, RECORD_INSPECTION, opinion.area.path)
    return service_form_page(
        request,
        form_class=ReinspectionForm,
        form_kwargs={"user": request.user, "initial": {"id": uuid.uuid4(), "inspectors": [request.user.pk]}},
        service=lambda form: followups.reinspection_record(
            actor=request.user,
            opinion=opinion,
            **{**form.cleaned_data, "inspectors": list(form.cleaned_data["inspectors"])},
        ),
        success_url=lambda record: reverse("inspections:reinspection", args=[record.pk]),
        message=_("Re-inspection recorded."),
        title=_("Record the re-inspection"),
        context={
            "crumb": (reverse("inspections:opinion", args=[opinion.pk]), opinion.number),
            "intro": f"{opinion.unit.name} · {_('deadline')} {opinion.deadline:%Y-%m-%d}",
        },
    )


@require_http_methods(["GET", "POST"])
def reinspection_detail(request: HttpRequest, pk: str) -> HttpResponse:
    record = selectors.get_reinspection_for_user(request.user, pk)
    may_record = can(request.user, RECORD_INSPECTION)
    form = PhotoForm(request.POST or None, request.FILES or None) if may_record else None
    if request.method == "POST":
        require(request.user, RECORD_INSPECTION, record.area.path)
        if form is not None and form.is_valid():
            try:
                _p, created = followups.reinspection_photo_add(
                    actor=request.user, reinspection=record, upload=form.cleaned_data["image"]
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Photo added.") if created else _("This photo was already added."))
                return redirect("inspections:reinspection", pk=record.pk)
    handovers = Handover.objects.visible_to(request.user).filter(reinspection=record)
    return render(
        request,
        "inspections/reinspection.html",
        {
            "record": record,
            "inspectors": record.inspectors.order_by("username"),
            "photos": record.photos.order_by("created_at"),
            "form": form,
            "may_record": may_record,
            "handovers": list(handovers),
            "may_hand_over": may_record and record.result == ReinspectionResult.NOT_RECTIFIED and not handovers,
        },
    )


# ---------------------------------------------------------------- handovers


def handover_create(request: HttpRequest) -> HttpResponse:
    """Hand a case to the institute from a not-rectified re-inspection or
    from a record (refused, serious)."""
    require(request.user, RECORD_INSPECTION)
    source: dict[str, Any] = {}
    reason = HandoverReason.SERIOUS
    if request.GET.get("reinspection"):
        source["reinspection"] = selectors.get_reinspection_for_user(request.user, request.GET["reinspection"])
        reason = HandoverReason.NOT_RECTIFIED
    elif request.GET.get("inspection"):
        source["inspection"] = selectors.get_inspection_for_user(request.user, request.GET["inspection"])
    else:
        raise Http404
    return service_form_page(
        request,
        form_class=HandoverForm,
        form_kwargs={"initial": {"id": uuid.uuid4(), "reason": reason}},
        service=lambda form: followups.handover_create(actor=request.user, **source, **form.cleaned_data),
        success_url=lambda handover: reverse("inspections:handover", args=[handover.pk]),
        message=_("The case has been handed over to the county institute."),
        template="inspections/handover_form.html",
        title=_("Hand over to the institute"),
    )


def handover_list(request: HttpRequest) -> HttpResponse:
    """The institute's inbox, or the township's cases: open first."""
    qs = Handover.objects.visible_to(request.user).for_list()
    status = request.GET.get("status", "")
    if status in HandoverStatus.values:
        qs = qs.filter(status=status)
    page = page_for_request(request, qs, ordering=["-sent_at", "-id"])
    return render(request, "inspections/handover_list.html", {"page": page, "status": status})


@require_http_methods(["GET", "POST"])
def handover_detail(request: HttpRequest, pk: str) -> HttpResponse:
    handover = selectors.get_handover_for_user(request.user, pk)
    may_handle = can(request.user, HANDLE_HANDOVER) and handover.status != HandoverStatus.CLOSED
    form = None
    if may_handle:
        form = OutcomeForm(request.POST or None, initial={"investigation": handover.investigation})
    if request.method == "POST":
        require(request.user, HANDLE_HANDOVER, handover.area.path)
        if form is not None and form.is_valid():
            try:
                followups.handover_record(actor=request.user, handover=handover, **form.cleaned_data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Saved; the township sees it."))
                return redirect("inspections:handover", pk=handover.pk)
    evidence = selectors.handover_evidence(handover, request.user)
    return render(request, "inspections/handover.html", {"handover": handover, "form": form, **evidence})
