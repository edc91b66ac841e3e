"""Pages of 卫生监督意见书: issuing one on a record, the list, one and its PDF."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xieguan.accounts.models import Institution
from xieguan.accounts.permissions import RECORD_INSPECTION, can, require
from xieguan.core.documents import download_name, pdf_response
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.inspections import selectors
from xieguan.inspections.forms import OpinionForm
from xieguan.inspections.services import checklists, common, opinions
from xieguan.inspections.wording import find_forbidden, highlight


@require_http_methods(["GET", "POST"])
def opinion_create(request: HttpRequest, pk: str) -> HttpResponse:
    """Draft the 卫生监督意见书 from the non-conforming items; penalty wording
    is refused with the words marked in the text as typed."""
    inspection = selectors.get_inspection_for_user(request.user, pk)
    require(request.user, RECORD_INSPECTION, inspection.area.path)
    today = timezone.localdate()
    initial = {
        "id": uuid.uuid4(),
        "text": opinions.opinion_draft_text(inspection),
        "deadline": today + datetime.timedelta(days=15),
    }
    form = OpinionForm(request.POST or None, initial=initial)
    marked = None
    if request.method == "POST" and form.is_valid():
        text = form.cleaned_data["text"]
        try:
            opinion = opinions.opinion_issue(actor=request.user, inspection=inspection, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
            hits = find_forbidden(
                text,
                checklists.forbidden_phrases_for(common.county_of(inspection.area)),
            )
            if hits:
                marked = highlight(text, hits)
        else:
            messages.success(request, _("Opinion %(number)s issued.") % {"number": opinion.number})
            return redirect("inspections:opinion", pk=opinion.pk)
    context = {"inspection": inspection, "form": form, "marked": marked, "title": _("Supervision opinion")}
    context["cancel_url"] = reverse("inspections:detail", args=[inspection.pk])
    return render(request, "inspections/opinion_form.html", context)


def opinion_list(request: HttpRequest) -> HttpResponse:
    """Opinions awaiting re-inspection (due at their deadline), then all."""
    today = timezone.localdate()
    awaiting = list(selectors.opinions_awaiting_reinspection(request.user)[:200])
    for opinion in awaiting:
        opinion.state = "overdue" if opinion.deadline < today else ("due" if opinion.deadline == today else "upcoming")
    from xieguan.inspections.models import Opinion

    page = page_for_request(
        request, Opinion.objects.visible_to(request.user).for_list(), ordering=["-issued_at", "-id"]
    )
    return render(request, "inspections/opinion_list.html", {"awaiting": awaiting, "page": page, "today": today})


def opinion_detail(request: HttpRequest, pk: str) -> HttpResponse:
    opinion = selectors.get_opinion_for_user(request.user, pk)
    today = timezone.localdate()
    reinspections = list(opinion.reinspections.select_related("recorded_by").order_by("inspected_at"))
    return render(
        request,
        "inspections/opinion.html",
        {
            "opinion": opinion,
            "reinspections": reinspections,
            "due": not reinspections and opinion.deadline <= today,
            "may_record": can(request.user, RECORD_INSPECTION),
        },
    )


def opinion_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    opinion = selectors.get_opinion_for_user(request.user, pk)
    inspection = opinion.inspection
    bureau = Institution.objects.filter(area=opinion.county, type="bureau").first()
    return pdf_response(
        "inspections/pdf/opinion.html",
        {
            "opinion": opinion,
            "inspection": inspection,
            "unit": opinion.unit,
            "bureau": bureau,
            "inspectors": selectors.inspection_detail(inspection)["inspectors"],
        },
        download_name(_("Health supervision opinion"), opinion.unit.name, opinion.number, ext="pdf"),
        request=request,
    )
