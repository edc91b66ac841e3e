"""Pages of special campaigns and 双随机 draws, and the county's public page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xieguan.accounts.permissions import DRAW_UNITS, MANAGE_CAMPAIGNS, RECORD_INSPECTION, can, require
from xieguan.areas.models import Area, Level
from xieguan.campaigns import draws, services
from xieguan.campaigns.checklists import (
    campaign_checklist_draft,
    campaign_checklist_publish,
    campaign_checklist_save,
    campaign_checklist_versions,
    can_edit_checklist,
    checklist_start_items,
)
from xieguan.campaigns.forms import (
    CampaignChecklistForm,
    CampaignForm,
    ConflictForm,
    DrawForm,
    MaterialForm,
    RedrawForm,
    SettingsForm,
    SummaryForm,
    TargetsAddForm,
)
from xieguan.campaigns.public import public_context, public_draw, public_draw_context, public_draws
from xieguan.campaigns.selectors import (
    campaigns_for,
    county_of_slug,
    draw_view,
    get_campaign_for_user,
    get_draw_for_user,
    get_target_for_user,
    progress,
    targets_for,
)
from xieguan.campaigns.summary import summary_docx_bytes, summary_draft, summary_tables
from xieguan.core.documents import download_header, download_name, pdf_response
from xieguan.core.form_pages import service_action, service_form_page
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.core.photos import open_stored
from xieguan.core.scope import is_within

ORDERING = ["-starts_on", "-id"]
TARGET_ORDERING = ["area__path", "unit__name", "id"]


def campaign_list(request: HttpRequest) -> HttpResponse:
    """The campaigns of the user's area and those above it that reach into it."""
    qs = campaigns_for(request.user)
    return render(
        request,
        "campaigns/list.html",
        {
            "page": page_for_request(request, qs, ordering=ORDERING),
            "can_create": can(request.user, MANAGE_CAMPAIGNS),
            "can_draw": can(request.user, DRAW_UNITS),
        },
    )


def campaign_create(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_CAMPAIGNS)

    def create(form: Any) -> Any:
        data = dict(form.cleaned_data)
        all_units = data.pop("all_units")
        campaign = services.campaign_create(actor=request.user, **data)
        if all_units:
            services.campaign_targets_from_filter(actor=request.user, campaign=campaign)
        return campaign

    today = timezone.localdate()
    return service_form_page(
        request,
        form_class=CampaignForm,
        form_kwargs={"user": request.user, "initial": {"starts_on": today}},
        service=create,
        success_url=lambda c: reverse("campaigns:detail", args=[c.pk]),
        message=_("Special campaign created."),
        title=_("New special campaign"),
        cancel_url=reverse("campaigns:list"),
    )


def campaign_detail(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    rows = progress(request.user, campaign)
    total = sum(r.targets for r in rows)
    done = sum(r.done for r in rows)
    from xieguan.core.registry import Rate

    draws_qs = campaign.draws.select_related("drawn_by", "replaces").order_by("-drawn_at")
    manage = can(request.user, MANAGE_CAMPAIGNS) and is_within(request.user, campaign.area.path)
    return render(
        request,
        "campaigns/detail.html",
        {
            "campaign": campaign,
            "progress": rows,
            "total": Rate(done, total),
            "draws": draws_qs if is_within(request.user, campaign.area.path) else [],
            "can_manage": manage,
            "can_draw": can(request.user, DRAW_UNITS) and is_within(request.user, campaign.area.path),
            "can_checklist": can_edit_checklist(request.user, campaign),
            "subtypes": list(campaign.subtypes.all()),
            "assignees": list(campaign.assignees.select_related("institution")),
        },
    )


@require_http_methods(["GET", "POST"])
def campaign_checklist(request: HttpRequest, pk: str) -> HttpResponse:
    """The campaign's own checklist: its versions, and for the county a form
    to write the items and publish them (the campaign then uses it)."""
    campaign = get_campaign_for_user(request.user, pk)
    editable = can_edit_checklist(request.user, campaign) and campaign.closed_at is None
    versions = campaign_checklist_versions(campaign)
    draft = campaign_checklist_draft(campaign)
    start = draft.items.all() if draft is not None else checklist_start_items(campaign)
    initial = {
        # The next version keeps the newest one's title until the county changes it.
        "title": versions[0].title if versions else _("%(campaign)s checklist") % {"campaign": campaign.name},
        "items": "\n".join(f"{i.code} | {i.text} | {i.basis}".rstrip(" |") for i in start),
    }
    form = CampaignChecklistForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(_("Only the county can write a campaign's own checklist."))
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    campaign_checklist_save(
                        actor=request.user, campaign=campaign, title=data["title"], items=data["items"]
                    )
                    if data["publish"]:
                        campaign_checklist_publish(actor=request.user, campaign=campaign)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if data["publish"]:
                    messages.success(request, _("The campaign's checklist is published and in use."))
                else:
                    messages.success(request, _("Draft of the campaign's checklist saved."))
                return redirect("campaigns:checklist", pk=campaign.pk)
    return render(
        request,
        "campaigns/checklist.html",
        {
            "campaign": campaign,
            "versions": versions,
            "form": form,
            "can_edit": editable,
        },
        status=422 if form.errors else 200,
    )


def campaign_targets(request: HttpRequest, pk: str) -> HttpResponse:
    """The campaign's targets in the user's area, by township (or one), done or not."""
    campaign = get_campaign_for_user(request.user, pk)
    qs = targets_for(request.user, campaign)
    township = None
    if request.GET.get("township"):
        township = Area.objects.filter(pk=request.GET["township"]).first() if _uuid(request.GET["township"]) else None
        if township is not None:
            qs = qs.filter(area=township)
    state = request.GET.get("state", "")
    if state == "done":
        qs = qs.filter(inspection__status="submitted")
    elif state == "open":
        qs = qs.exclude(inspection__status="submitted")
    page = page_for_request(request, qs, ordering=TARGET_ORDERING)
    template = "campaigns/_target_rows.html" if getattr(request, "htmx", False) else "campaigns/targets.html"
    return render(request, template, {"campaign": campaign, "page": page, "township": township, "state": state})


def _uuid(text: str) -> bool:
    import uuid

    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def targets_add(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    require(request.user, MANAGE_CAMPAIGNS, campaign.area.path)

    def add(form: Any) -> Any:
        if form.cleaned_data.get("township"):
            services.campaign_targets_from_filter(
                actor=request.user, campaign=campaign, township=form.cleaned_data["township"]
            )
        if form.cleaned_data.get("unit"):
            services.campaign_add_targets(actor=request.user, campaign=campaign, units=[form.cleaned_data["unit"]])
        return campaign

    return service_form_page(
        request,
        form_class=TargetsAddForm,
        form_kwargs={"user": request.user, "campaign": campaign},
        service=add,
        success_url=reverse("campaigns:detail", args=[campaign.pk]),
        message=_("Targets added."),
        title=_("Add targets: %(campaign)s") % {"campaign": campaign.name},
        cancel_url=reverse("campaigns:detail", args=[campaign.pk]),
    )


def campaign_basis(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    if not campaign.basis_file:
        raise Http404
    ext = campaign.basis_file.name.rsplit(".", 1)[-1]
    response = FileResponse(open_stored(campaign.basis_file))
    response["Content-Disposition"] = download_header(download_name(_("Basis document"), campaign.name, ext=ext))
    return response


def campaign_materials(request: HttpRequest, pk: str) -> HttpResponse:
    """Upload a material of the campaign (listed with its photos in the summary)."""
    campaign = get_campaign_for_user(request.user, pk)
    require(request.user, MANAGE_CAMPAIGNS, campaign.area.path)
    if not is_within(request.user, campaign.area.path):
        raise Http404
    return service_form_page(
        request,
        form_class=MaterialForm,
        service=lambda form: services.material_add(
            actor=request.user, campaign=campaign, upload=form.cleaned_data["file"], title=form.cleaned_data["title"]
        ),
        success_url=reverse("campaigns:summary", args=[campaign.pk]) + "#materials",
        message=_("Material uploaded."),
        title=_("Upload material: %(campaign)s") % {"campaign": campaign.name},
        cancel_url=reverse("campaigns:summary", args=[campaign.pk]),
    )


def material_file(request: HttpRequest, pk: str) -> HttpResponse:
    """A campaign material, for users who see its campaign."""
    from xieguan.campaigns.models import CampaignMaterial
    from xieguan.core.scope import get_object_for_user

    material = get_object_for_user(CampaignMaterial.objects.select_related("campaign"), request.user, pk)
    ext = material.file.name.rsplit(".", 1)[-1]
    response = FileResponse(open_stored(material.file))
    response["Content-Disposition"] = download_header(
        download_name(_("Campaign material"), material.title, ext=ext), inline=material.is_image
    )
    return response


def target_detail(request: HttpRequest, pk: str) -> HttpResponse:
    target = get_target_for_user(request.user, pk)
    return render(
        request,
        "campaigns/target.html",
        {
            "target": target,
            "inspectors": list(target.inspectors.select_related("institution")),
            "can_record": can(request.user, RECORD_INSPECTION) and target.inspection_id is None,
        },
    )


@require_POST
def target_record(request: HttpRequest, pk: str) -> HttpResponse:
    """Start the target's visit: an ordinary inspection record, then its form."""
    target = get_target_for_user(request.user, pk)
    inspection = service_action(request, services.campaign_target_record, target=target)
    if inspection is None:
        return redirect("campaigns:target", pk=target.pk)
    return redirect("inspections:detail", pk=inspection.pk)


def _draw_page(request: HttpRequest, campaign: Any, *, replaces: Any = None) -> HttpResponse:
    require(request.user, DRAW_UNITS, campaign.area.path)
    return service_form_page(
        request,
        form_class=DrawForm,
        form_kwargs={"area": campaign.area},
        service=lambda form: services.draw_make(actor=request.user, campaign=campaign, **form.service_kwargs()),
        success_url=lambda d: reverse("campaigns:draw", args=[d.pk]),
        message=_("Draw made. Its result cannot be changed; a redraw needs a written reason."),
        title=_("Double-random draw: %(campaign)s") % {"campaign": campaign.name},
        cancel_url=reverse("campaigns:detail", args=[campaign.pk]),
    )


def draw_create(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    if not is_within(request.user, campaign.area.path):
        raise Http404
    return _draw_page(request, campaign)


def draw_detail(request: HttpRequest, pk: str) -> HttpResponse:
    draw = get_draw_for_user(request.user, pk)
    view = draw_view(draw)
    return render(
        request,
        "campaigns/draw.html",
        {
            "draw": draw,
            "view": view,
            "algorithm": draws.ALGORITHM,
            "redraws": list(draw.redraws.all()),
            "can_draw": can(request.user, DRAW_UNITS),
            "public_url": _public_draw_url(draw),
        },
    )


def _public_draw_url(draw: Any) -> str:
    county = services.county_of(draw.area)
    return reverse("campaigns:public_draw_json", args=[county.code or county.pk, draw.pk])


@require_POST
def draw_publish(request: HttpRequest, pk: str) -> HttpResponse:
    draw = get_draw_for_user(request.user, pk)
    services.draw_publish(actor=request.user, draw=draw)
    messages.success(request, _("The draw's result is published on the public page."))
    return redirect("campaigns:draw", pk=draw.pk)


def draw_redraw(request: HttpRequest, pk: str) -> HttpResponse:
    """A new draw with the first's conditions and a reason; the first stays."""
    draw = get_draw_for_user(request.user, pk)
    require(request.user, DRAW_UNITS, draw.area.path)

    def redraw(form: Any) -> Any:
        return services.draw_make(
            actor=request.user,
            area=draw.area,
            campaign=draw.campaign,
            title=draw.title,
            filters=draw.filter,
            count=None if draw.ratio or draw.grade_ratios else draw.count,
            ratio=draw.ratio,
            grade_ratios=draw.grade_ratios,
            inspectors_per_target=draw.inspectors_per_target,
            replaces=draw,
            reason=form.cleaned_data["reason"],
        )

    return service_form_page(
        request,
        form_class=RedrawForm,
        service=redraw,
        success_url=lambda d: reverse("campaigns:draw", args=[d.pk]),
        message=_("Drawn again; the original draw is kept and can be looked up."),
        title=_("Redraw: %(draw)s") % {"draw": draw.title},
        cancel_url=reverse("campaigns:draw", args=[draw.pk]),
    )


def campaign_summary(request: HttpRequest, pk: str) -> HttpResponse:
    """The closing summary: tables from the data and a prose draft the user edits."""
    campaign = get_campaign_for_user(request.user, pk)
    manage = can(request.user, MANAGE_CAMPAIGNS) and is_within(request.user, campaign.area.path)
    tables = summary_tables(request.user, campaign)
    initial = {"summary": campaign.summary or summary_draft(campaign, tables)}
    form = SummaryForm(request.POST or None, initial=initial)
    if request.method == "POST":
        require(request.user, MANAGE_CAMPAIGNS, campaign.area.path)
        if form.is_valid():
            try:
                if form.cleaned_data["close"]:
                    services.campaign_close(actor=request.user, campaign=campaign, summary=form.cleaned_data["summary"])
                else:
                    services.campaign_summary_save(
                        actor=request.user, campaign=campaign, summary=form.cleaned_data["summary"]
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Summary saved."))
                return redirect("campaigns:summary", pk=campaign.pk)
    return render(
        request, "campaigns/summary.html", {"campaign": campaign, "tables": tables, "form": form, "can_manage": manage}
    )


def _summary_text(request: HttpRequest, campaign: Any, tables: Any) -> str:
    return campaign.summary or summary_draft(campaign, tables)


def summary_docx(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    tables = summary_tables(request.user, campaign)
    data = summary_docx_bytes(campaign, tables, _summary_text(request, campaign, tables))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = download_header(
        download_name(_("Special campaign summary"), campaign.name, timezone.localdate(), ext="docx")
    )
    return response


def summary_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    campaign = get_campaign_for_user(request.user, pk)
    tables = summary_tables(request.user, campaign)
    text = _summary_text(request, campaign, tables)
    from xieguan.core.documents import media_uri_if_stored

    return pdf_response(
        "campaigns/summary_pdf.html",
        {
            "campaign": campaign,
            "tables": tables,
            "paragraphs": [p for p in text.splitlines() if p.strip()],
            "photos": [(p, media_uri_if_stored(p.image)) for p in tables.photos],
            "materials": [(m, media_uri_if_stored(m.file) if m.is_image else None) for m in tables.materials],
        },
        download_name(_("Special campaign summary"), campaign.name, timezone.localdate(), ext="pdf"),
        request=request,
    )


@require_http_methods(["GET", "POST"])
def draw_settings(request: HttpRequest) -> HttpResponse:
    """The county's 双随机 settings: co-managers drawn or not, the results deadline."""
    require(request.user, DRAW_UNITS)
    institution = getattr(request.user, "institution", None)
    if institution is None or institution.area.level != Level.COUNTY:
        raise Http404
    county = institution.area
    found = services.settings_for(county)
    return service_form_page(
        request,
        form_class=SettingsForm,
        form_kwargs={"initial": {"comanagers_drawn": found.comanagers_drawn, "results_days": found.results_days}},
        service=lambda form: services.settings_save(actor=request.user, county=county, **form.cleaned_data),
        success_url=reverse("campaigns:list"),
        message=_("Settings saved."),
        title=_("Double-random settings: %(county)s") % {"county": county.name},
        cancel_url=reverse("campaigns:list"),
    )


# ---------------------------------------------------------------- public


@login_not_required
def public_page(request: HttpRequest, county: str) -> HttpResponse:
    """The county's 双随机一公开 page: no login, no script, no personal data."""
    found = county_of_slug(county)
    if found is None:
        raise Http404
    context = public_context(found, after=request.GET.get("after"), grades_after=request.GET.get("grades_after"))
    return render(request, "campaigns/public.html", context)


@login_not_required
def public_draw_page(request: HttpRequest, county: str, pk: str) -> HttpResponse:
    """One draw's public page: its picks and results, and its whole pool
    with a worked example, to recompute with any SHA-256 tool."""
    found = county_of_slug(county)
    if found is None or not _uuid(pk):
        raise Http404
    context = public_draw_context(found, pk)
    if context is None:
        raise Http404
    return render(request, "campaigns/public_draw.html", context)


@login_not_required
def public_draws_json(request: HttpRequest, county: str) -> JsonResponse:
    """The county's draws as JSON, a page at a time (``after`` = the previous page's ``next_cursor``)."""
    found = county_of_slug(county)
    if found is None:
        raise Http404
    return JsonResponse(public_draws(found, request.GET.get("after")), json_dumps_params={"ensure_ascii": False})


@login_not_required
def public_draw_json(request: HttpRequest, county: str, pk: str) -> JsonResponse:
    """A draw's seed, pool and picks, to recompute with any SHA-256 tool."""
    found = county_of_slug(county)
    if found is None or not _uuid(pk):
        raise Http404
    draw = public_draw(found, pk)
    if draw is None:
        raise Http404
    return JsonResponse(draw, json_dumps_params={"ensure_ascii": False})


# ---------------------------------------------------------------- 回避关系


def _conflict_people(user: Any) -> Any:
    """Whom the user may declare a conflict for: anyone drawable in the
    county of an institute that draws, else themself only."""
    from xieguan.accounts.models import User

    institution = getattr(user, "institution", None)
    if can(user, DRAW_UNITS) and institution is not None and institution.area.level == Level.COUNTY:
        ids = [p.pk for p in services.draw_inspectors(institution.area, comanagers=True)]
        return User.objects.filter(pk__in=ids).select_related("institution").order_by("institution__name", "username")
    return User.objects.filter(pk=user.pk).select_related("institution")


CONFLICT_ORDERING = ["unit__name", "id"]


def conflict_list(request: HttpRequest) -> HttpResponse:
    """The declared 回避关系 the user sees (those of units in their area, and their own)."""
    from django.db.models import Q

    from xieguan.campaigns.models import DrawConflict

    qs = DrawConflict.objects.filter(
        Q(pk__in=DrawConflict.objects.visible_to(request.user).values("pk")) | Q(inspector=request.user)
    ).select_related("unit", "unit__area", "inspector", "inspector__institution")
    return render(
        request,
        "campaigns/conflicts.html",
        {
            "page": page_for_request(request, qs, ordering=CONFLICT_ORDERING),
            "can_remove": can(request.user, DRAW_UNITS),
        },
    )


def conflict_create(request: HttpRequest) -> HttpResponse:
    """Declare a 回避关系: the draw never sends this person to this unit."""
    people = _conflict_people(request.user)
    return service_form_page(
        request,
        form_class=ConflictForm,
        form_kwargs={"user": request.user, "people": people, "initial": {"inspector": request.user.pk}},
        service=lambda form: services.conflict_declare(actor=request.user, **form.cleaned_data),
        success_url=reverse("campaigns:conflicts"),
        message=_("Conflict declared: future draws will never send this person to this unit."),
        title=_("Declare a conflict of interest"),
        cancel_url=reverse("campaigns:conflicts"),
    )


@require_POST
def conflict_remove(request: HttpRequest, pk: str) -> HttpResponse:
    from xieguan.campaigns.models import DrawConflict
    from xieguan.core.scope import get_object_for_user

    conflict = get_object_for_user(DrawConflict.objects.select_related("unit__area"), request.user, pk)
    services.conflict_remove(actor=request.user, conflict=conflict)
    messages.success(request, _("Declared conflict withdrawn."))
    return redirect("campaigns:conflicts")
