"""Pages of assessments and funds (SPEC §9)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_POST

from xieguan.accounts.permissions import (
    APPEAL_ASSESSMENT,
    MANAGE_ASSESSMENTS,
    RECORD_STATION_VISIT,
    SCORE_ASSESSMENTS,
    can,
    require,
)
from xieguan.areas.models import Area
from xieguan.assessments import services
from xieguan.assessments.bulletin import bulletin_docx, bulletin_draft, results_of
from xieguan.assessments.forms import (
    AnswerForm,
    AppealForm,
    AssessmentForm,
    AssignForm,
    BulletinForm,
    DeductionForm,
    ItemForm,
    PopulationForm,
    PopulationImportForm,
    SchemeEditForm,
    SchemeForm,
    ScoreForm,
    VisitForm,
)
from xieguan.assessments.models import AssessmentStatus, ItemKind, SchemeStatus
from xieguan.assessments.selectors import (
    allocations_of,
    appeals_of,
    areas_of,
    assessments_for,
    deductions_of,
    get_appeal_for_user,
    get_assessment_for_user,
    get_item_for_user,
    get_scheme_for_user,
    get_score_for_user,
    get_visit_for_user,
    my_scores_to_give,
    populations_for,
    released_results,
    runs,
    schemes_for,
    scores_of,
    visits_behind_score,
    visits_for,
)
from xieguan.core.documents import download_header, download_name, pdf_response, xlsx_response
from xieguan.core.form_pages import service_action, service_form_page
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.core.photos import open_stored
from xieguan.core.scope import is_within


def _rows_or_page(
    request: HttpRequest, page_template: str, rows_template: str, context: dict[str, Any]
) -> HttpResponse:
    return render(request, rows_template if getattr(request, "htmx", False) else page_template, context)


# ---------------------------------------------------------------- assessments


def assessment_list(request: HttpRequest) -> HttpResponse:
    """The assessments the user runs, and the released ones of the user's own area."""
    page = page_for_request(request, assessments_for(request.user), ordering=["-starts_on", "-id"])
    return _rows_or_page(
        request,
        "assessments/list.html",
        "assessments/_rows.html",
        {"page": page, "can_manage": can(request.user, MANAGE_ASSESSMENTS)},
    )


def assessment_create(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_ASSESSMENTS)
    return service_form_page(
        request,
        form_class=AssessmentForm,
        form_kwargs={"user": request.user},
        service=lambda form: services.assessment_create(actor=request.user, **form.cleaned_data),
        success_url=lambda a: reverse("assessments:detail", args=[a.pk]),
        message=_("Assessment launched. Assign scorers to the manual items, then start scoring."),
        title=_("Launch an assessment"),
        cancel_url=reverse("assessments:list"),
    )


def assessment_detail(request: HttpRequest, pk: str) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk)
    assessing = runs(request.user, assessment)
    results = results_of(
        assessment,
        areas_of(request.user, assessment),
        scores_of(request.user, assessment),
        deductions_of(request.user, assessment),
    )
    manage = assessing and can(request.user, MANAGE_ASSESSMENTS)
    today = timezone.localdate()
    may_appeal = (
        not assessing
        and can(request.user, APPEAL_ASSESSMENT)
        and assessment.status == AssessmentStatus.RELEASED
        and (assessment.appeal_until is None or today <= assessment.appeal_until)
    )
    reviewers: dict[Any, set[str]] = {}
    if assessing:
        for s in results.matrix.values():
            for cell in s.values():
                if cell.item.kind == ItemKind.MANUAL:
                    reviewers.setdefault(cell.item_id, set()).add(
                        (cell.reviewer.full_name or cell.reviewer.username) if cell.reviewer else _("Not assigned")
                    )
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "results": results,
            "assessing": assessing,
            "can_manage": manage,
            "can_score": assessing and can(request.user, SCORE_ASSESSMENTS),
            "may_appeal": may_appeal,
            "appeals": list(appeals_of(request.user, assessment)),
            "mine": list(my_scores_to_give(request.user, assessment)) if assessing else [],
            "reviewers": [(i, sorted(reviewers.get(i.pk, []))) for i in results.items if i.kind == ItemKind.MANUAL],
            "released": assessment.is_released,
        },
    )


def _step(request: HttpRequest, pk: str, service: Any, message: str) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk)
    service_action(request, service, message, assessment=assessment)
    return redirect("assessments:detail", pk=assessment.pk)


@require_POST
def assessment_start(request: HttpRequest, pk: str) -> HttpResponse:
    return _step(
        request,
        pk,
        services.assessment_start,
        _("Scoring has started; the automatic items were computed from their indicators."),
    )


@require_POST
def assessment_compute(request: HttpRequest, pk: str) -> HttpResponse:
    return _step(request, pk, services.assessment_compute, _("The automatic items were computed again."))


@require_POST
def assessment_release(request: HttpRequest, pk: str) -> HttpResponse:
    return _step(request, pk, services.assessment_release, _("The results are released; the appeal period has begun."))


@require_POST
def assessment_finalise(request: HttpRequest, pk: str) -> HttpResponse:
    return _step(request, pk, services.assessment_finalise, _("The assessment is final and the funds are allocated."))


def reviewer_assign(request: HttpRequest, pk: str) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk)
    require(request.user, MANAGE_ASSESSMENTS, assessment.area.path)
    return service_form_page(
        request,
        form_class=AssignForm,
        form_kwargs={"assessment": assessment},
        service=lambda form: services.reviewer_assign(actor=request.user, assessment=assessment, **form.cleaned_data),
        success_url=reverse("assessments:detail", args=[assessment.pk]),
        message=_("Scorer assigned."),
        title=_("Assign scorers: %(assessment)s") % {"assessment": assessment.name},
        cancel_url=reverse("assessments:detail", args=[assessment.pk]),
    )


def deduction_create(request: HttpRequest, pk: str) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk)
    require(request.user, SCORE_ASSESSMENTS, assessment.area.path)
    return service_form_page(
        request,
        form_class=DeductionForm,
        form_kwargs={"assessment": assessment},
        service=lambda form: services.deduction_add(
            actor=request.user,
            assessment=assessment,
            **{**form.cleaned_data, "points": form.cleaned_data.get("points") or 0},
        ),
        success_url=reverse("assessments:detail", args=[assessment.pk]),
        message=_("Recorded."),
        title=_("Deduction or one-vote veto: %(assessment)s") % {"assessment": assessment.name},
        cancel_url=reverse("assessments:detail", args=[assessment.pk]),
    )


def score_edit(request: HttpRequest, pk: str) -> HttpResponse:
    """A reviewer scores a manual item of one area after checking its files."""
    score = get_score_for_user(request.user, pk)
    if not runs(request.user, score.assessment):
        raise Http404
    require(request.user, SCORE_ASSESSMENTS, score.assessment.area.path)
    initial = {"score": score.score, "notes": score.notes}
    return service_form_page(
        request,
        form_class=ScoreForm,
        form_kwargs={"initial": initial},
        service=lambda form: services.item_score_set(
            actor=request.user,
            score=score,
            value=form.cleaned_data["score"],
            notes=form.cleaned_data["notes"],
            evidence=form.cleaned_data.get("evidence"),
        ),
        success_url=reverse("assessments:detail", args=[score.assessment_id]),
        message=_("%(area)s · %(item)s scored.") % {"area": score.area.name, "item": score.item.name},
        title=_("Score: %(area)s · %(item)s (out of %(max)s)")
        % {"area": score.area.name, "item": score.item.name, "max": score.item.max_score},
        cancel_url=reverse("assessments:detail", args=[score.assessment_id]),
        template="assessments/score_form.html",
        context={"intro": score.item.guidance, "visits": list(visits_behind_score(request.user, score))},
    )


def score_evidence(request: HttpRequest, pk: str) -> FileResponse:
    score = get_score_for_user(request.user, pk)
    if not score.evidence:
        raise Http404
    ext = score.evidence.name.rsplit(".", 1)[-1]
    response = FileResponse(open_stored(score.evidence))
    response["Content-Disposition"] = download_header(
        download_name(_("Supporting evidence"), score.area.name, score.item.name, ext=ext)
    )
    return response


def appeal_create(request: HttpRequest, pk: str) -> HttpResponse:
    """The assessed area appeals against its released scores, within the window."""
    assessment = get_assessment_for_user(request.user, pk)
    if runs(request.user, assessment):
        raise PermissionDenied  # the assessor answers appeals; only an assessed area makes one
    area_row = areas_of(request.user, assessment).first()
    if area_row is None:
        raise Http404
    require(request.user, APPEAL_ASSESSMENT, area_row.area.path)
    return service_form_page(
        request,
        form_class=AppealForm,
        form_kwargs={"assessment": assessment},
        service=lambda form: services.appeal_create(
            actor=request.user, assessment=assessment, area=area_row.area, **form.cleaned_data
        ),
        success_url=reverse("assessments:detail", args=[assessment.pk]),
        message=_("Appeal submitted; please wait for the answer."),
        title=_("Appeal: %(assessment)s (%(area)s)") % {"assessment": assessment.name, "area": area_row.area.name},
        cancel_url=reverse("assessments:detail", args=[assessment.pk]),
    )


def appeal_answer(request: HttpRequest, pk: str) -> HttpResponse:
    appeal = get_appeal_for_user(request.user, pk)
    if not runs(request.user, appeal.assessment):
        raise Http404
    require(request.user, MANAGE_ASSESSMENTS, appeal.assessment.area.path)
    return service_form_page(
        request,
        form_class=AnswerForm,
        service=lambda form: services.appeal_answer(actor=request.user, appeal=appeal, **form.cleaned_data),
        success_url=reverse("assessments:detail", args=[appeal.assessment_id]),
        message=_("Appeal answered."),
        title=(
            _("Answer the appeal: %(area)s · %(item)s") % {"area": appeal.area.name, "item": appeal.item.name}
            if appeal.item
            else _("Answer the appeal: %(area)s") % {"area": appeal.area.name}
        ),
        cancel_url=reverse("assessments:detail", args=[appeal.assessment_id]),
        context={"intro": appeal.reason},
    )


# ---------------------------------------------------------------- results, bulletin, funds


def bulletin(request: HttpRequest, pk: str) -> HttpResponse:
    """The bulletin: drafted from the results, edited and saved, then issued."""
    assessment = get_assessment_for_user(request.user, pk)
    results = released_results(request.user, assessment)
    assessing = runs(request.user, assessment)
    if not assessing and not assessment.bulletin_published_at:
        raise Http404
    manage = assessing and can(request.user, MANAGE_ASSESSMENTS)
    form = BulletinForm(
        request.POST or None, initial={"text": assessment.bulletin or bulletin_draft(assessment, results)}
    )
    if request.method == "POST":
        require(request.user, MANAGE_ASSESSMENTS, assessment.area.path)
        if form.is_valid():
            try:
                services.bulletin_save(actor=request.user, assessment=assessment, text=form.cleaned_data["text"])
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("Bulletin saved."))
                return redirect("assessments:bulletin", pk=assessment.pk)
    return render(
        request,
        "assessments/bulletin.html",
        {"assessment": assessment, "form": form, "can_manage": manage, "results": results},
    )


@require_POST
def bulletin_publish(request: HttpRequest, pk: str) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk)
    message = _("The bulletin is issued to the townships' home pages.")
    service_action(request, services.bulletin_publish, message, assessment=assessment)
    return redirect("assessments:bulletin", pk=assessment.pk)


def _bulletin_text(request: HttpRequest, assessment: Any, results: Any) -> str:
    if not runs(request.user, assessment) and not assessment.bulletin_published_at:
        raise Http404
    return assessment.bulletin or bulletin_draft(assessment, results)


def bulletin_word(request: HttpRequest, pk: str) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk)
    results = released_results(request.user, assessment)
    data = bulletin_docx(assessment, results, _bulletin_text(request, assessment, results))
    response = HttpResponse(
        data, content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    response["Content-Disposition"] = download_header(
        download_name(_("Assessment bulletin"), assessment.name, ext="docx")
    )
    return response


def bulletin_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    assessment = get_assessment_for_user(request.user, pk)
    results = released_results(request.user, assessment)
    lines = [line for line in _bulletin_text(request, assessment, results).replace("\r\n", "\n").split("\n")]
    return pdf_response(
        "assessments/bulletin_pdf.html",
        {
            "assessment": assessment,
            "results": results,
            "title": lines[0] if lines else assessment.name,
            "paragraphs": [p for p in lines[1:] if p.strip()],
        },
        download_name(_("Assessment bulletin"), assessment.name, ext="pdf"),
        request=request,
    )


def allocations(request: HttpRequest, pk: str) -> HttpResponse:
    """The funds table with its formula and each area's inputs."""
    assessment = get_assessment_for_user(request.user, pk)
    if not assessment.is_released:
        raise Http404
    rows = list(allocations_of(request.user, assessment))
    if request.method == "POST":
        require(request.user, MANAGE_ASSESSMENTS, assessment.area.path)
        service_action(request, services.allocation_compute, _("Funds allocated again."), assessment=assessment)
        return redirect("assessments:allocations", pk=assessment.pk)
    return render(
        request,
        "assessments/allocations.html",
        {
            "assessment": assessment,
            "rows": rows,
            "sum": sum((r.amount for r in rows), 0),
            "can_manage": runs(request.user, assessment) and can(request.user, MANAGE_ASSESSMENTS),
            "assessing": runs(request.user, assessment),
        },
    )


def _budget_text(assessment: Any) -> str:
    if assessment.budget is None:
        return _("computed when final")
    return _("%(amount)s yuan") % {"amount": assessment.budget}


def allocations_xlsx(request: HttpRequest, pk: str) -> FileResponse:
    assessment = get_assessment_for_user(request.user, pk)
    if not assessment.is_released:
        raise Http404
    rows = list(allocations_of(request.user, assessment))
    return xlsx_response(
        download_name(_("Funds allocation table"), assessment.name, ext="xlsx"),
        [
            pgettext("assessed area", "Area"),
            _("Population served"),
            _("Score"),
            _("Coefficient"),
            _("Population × coefficient"),
            _("Amount (yuan)"),
        ],
        [
            [
                r.area.name,
                r.population,
                float(r.score),
                float(r.coefficient),
                float(r.population * r.coefficient),
                float(r.amount),
            ]
            for r in rows
        ]
        + [[_("Total"), sum(r.population for r in rows), "", "", "", float(sum((r.amount for r in rows), 0))]],
        sheet=_("Funds allocation"),
        title=_(
            "%(assessment)s funds allocation table (total funds %(budget)s; amount = total × population×coefficient "
            "÷ Σ population×coefficient, rounded to the fen by largest remainder)"
        )
        % {"assessment": assessment.name, "budget": _budget_text(assessment)},
    )


# ---------------------------------------------------------------- schemes


def scheme_list(request: HttpRequest) -> HttpResponse:
    page = page_for_request(request, schemes_for(request.user), ordering=["-created_at", "-id"])
    return _rows_or_page(
        request,
        "assessments/schemes.html",
        "assessments/_scheme_rows.html",
        {"page": page, "can_manage": can(request.user, MANAGE_ASSESSMENTS)},
    )


def scheme_create(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_ASSESSMENTS)
    return service_form_page(
        request,
        form_class=SchemeForm,
        form_kwargs={"user": request.user},
        service=lambda form: services.scheme_create(actor=request.user, **form.cleaned_data),
        success_url=lambda s: reverse("assessments:scheme", args=[s.pk]),
        message=_("Draft scheme created; now add its assessment items."),
        title=_("New assessment scheme"),
        cancel_url=reverse("assessments:schemes"),
    )


def scheme_detail(request: HttpRequest, pk: str) -> HttpResponse:
    scheme = get_scheme_for_user(request.user, pk)
    items = list(scheme.items.all())
    return render(
        request,
        "assessments/scheme.html",
        {
            "scheme": scheme,
            "items": items,
            "full_marks": sum((i.max_score for i in items), 0),
            "indicators": services.indicator_codes(),
            "can_manage": can(request.user, MANAGE_ASSESSMENTS) and is_within(request.user, scheme.area.path),
            "is_draft": scheme.status == SchemeStatus.DRAFT,
        },
    )


def _refuse_unless_draft(request: HttpRequest, scheme: Any) -> HttpResponse | None:
    """A scheme in use is not edited in place: say so and go back to it (it is revised as a new version)."""
    if scheme.status == SchemeStatus.DRAFT:
        return None
    messages.error(request, _("The scheme is in use and can no longer be changed; to adjust it, create a new version."))
    return redirect("assessments:scheme", pk=scheme.pk)


def scheme_edit(request: HttpRequest, pk: str) -> HttpResponse:
    """Edit a draft scheme's name, period, awards, funds formula and appeal days."""
    scheme = get_scheme_for_user(request.user, pk)
    require(request.user, MANAGE_ASSESSMENTS, scheme.area.path)
    refused = _refuse_unless_draft(request, scheme)
    if refused is not None:
        return refused
    return service_form_page(
        request,
        form_class=SchemeEditForm,
        form_kwargs={"user": request.user, "scheme": scheme},
        service=lambda form: services.scheme_update(actor=request.user, scheme=scheme, changes=form.cleaned_data),
        success_url=reverse("assessments:scheme", args=[scheme.pk]),
        message=_("Draft scheme saved."),
        title=_("Edit the draft scheme: %(scheme)s") % {"scheme": scheme},
        cancel_url=reverse("assessments:scheme", args=[scheme.pk]),
    )


def item_edit(request: HttpRequest, pk: str) -> HttpResponse:
    """Edit one item (name, weight, rule, bands) of a draft scheme."""
    item = get_item_for_user(request.user, pk)
    require(request.user, MANAGE_ASSESSMENTS, item.scheme.area.path)
    refused = _refuse_unless_draft(request, item.scheme)
    if refused is not None:
        return refused
    return service_form_page(
        request,
        form_class=ItemForm,
        form_kwargs={"initial": ItemForm.initial_of(item)},
        service=lambda form: services.scheme_item_update(actor=request.user, item=item, changes=form.cleaned_data),
        success_url=reverse("assessments:scheme", args=[item.scheme_id]),
        message=_("Assessment item saved."),
        title=_("Edit the assessment item: %(item)s") % {"item": item.name},
        cancel_url=reverse("assessments:scheme", args=[item.scheme_id]),
    )


def item_create(request: HttpRequest, pk: str) -> HttpResponse:
    scheme = get_scheme_for_user(request.user, pk)
    require(request.user, MANAGE_ASSESSMENTS, scheme.area.path)
    return service_form_page(
        request,
        form_class=ItemForm,
        service=lambda form: services.scheme_item_add(actor=request.user, scheme=scheme, **form.cleaned_data),
        success_url=reverse("assessments:scheme", args=[scheme.pk]),
        message=_("Assessment item added."),
        title=_("Add an assessment item: %(scheme)s") % {"scheme": scheme},
        cancel_url=reverse("assessments:scheme", args=[scheme.pk]),
    )


@require_POST
def item_delete(request: HttpRequest, pk: str) -> HttpResponse:
    item = get_item_for_user(request.user, pk)
    service_action(request, services.scheme_item_delete, _("Assessment item deleted."), item=item)
    return redirect("assessments:scheme", pk=item.scheme_id)


@require_POST
def scheme_publish(request: HttpRequest, pk: str) -> HttpResponse:
    scheme = get_scheme_for_user(request.user, pk)
    service_action(request, services.scheme_publish, _("The scheme is in use."), scheme=scheme)
    return redirect("assessments:scheme", pk=scheme.pk)


@require_POST
def scheme_revise(request: HttpRequest, pk: str) -> HttpResponse:
    scheme = get_scheme_for_user(request.user, pk)
    copy = service_action(
        request,
        services.scheme_revise,
        lambda copy: _("Draft of version %(version)s created.") % {"version": copy.version},
        scheme=scheme,
    )
    return redirect("assessments:scheme", pk=(copy or scheme).pk)


# ---------------------------------------------------------------- population


def population_list(request: HttpRequest) -> HttpResponse:
    page = page_for_request(request, populations_for(request.user), ordering=["-year", "area__path", "id"])
    return _rows_or_page(
        request,
        "assessments/populations.html",
        "assessments/_population_rows.html",
        {"page": page, "can_manage": can(request.user, MANAGE_ASSESSMENTS)},
    )


def population_create(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_ASSESSMENTS)
    return service_form_page(
        request,
        form_class=PopulationForm,
        form_kwargs={"user": request.user, "initial": {"year": timezone.localdate().year}},
        service=lambda form: services.population_save(actor=request.user, **form.cleaned_data),
        success_url=reverse("assessments:populations"),
        message=_("Population served saved."),
        title=_("Record population served"),
        cancel_url=reverse("assessments:populations"),
    )


def population_import(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_ASSESSMENTS)
    institution = getattr(request.user, "institution", None)
    if institution is None:
        raise Http404
    parent: Area = institution.area
    return service_form_page(
        request,
        form_class=PopulationImportForm,
        form_kwargs={"initial": {"year": timezone.localdate().year}},
        service=lambda form: services.population_import(
            actor=request.user,
            parent=parent,
            year=form.cleaned_data["year"],
            upload=form.cleaned_data["file"],
            source=form.cleaned_data["source"],
        ),
        success_url=reverse("assessments:populations"),
        message=lambda n: (
            ngettext("%(count)d population figure imported.", "%(count)d population figures imported.", n)
            % {"count": n}
        ),
        title=_("Import population served (%(area)s)") % {"area": parent.name},
        cancel_url=reverse("assessments:populations"),
    )


# ---------------------------------------------------------------- station visits


def visit_list(request: HttpRequest) -> HttpResponse:
    page = page_for_request(request, visits_for(request.user), ordering=["-visited_on", "-id"])
    return _rows_or_page(
        request,
        "assessments/visits.html",
        "assessments/_visit_rows.html",
        {"page": page, "can_record": can(request.user, RECORD_STATION_VISIT)},
    )


def visit_create(request: HttpRequest) -> HttpResponse:
    require(request.user, RECORD_STATION_VISIT)
    return service_form_page(
        request,
        form_class=VisitForm,
        form_kwargs={
            "user": request.user,
            "initial": {
                "visited_on": timezone.localdate(),
                "supervisors": request.user.full_name or request.user.username,
            },
        },
        service=lambda form: services.station_visit_create(actor=request.user, **form.cleaned_data),
        success_url=lambda v: reverse("assessments:visit", args=[v.pk]),
        message=_("Station visit recorded."),
        title=_("Record a station visit"),
        cancel_url=reverse("assessments:visits"),
    )


def visit_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return render(request, "assessments/visit.html", {"visit": get_visit_for_user(request.user, pk)})
