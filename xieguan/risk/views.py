"""Pages of the risk app: the scores in the user's area, the county's
weights with the formula they make, and the backtest."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from xieguan.areas.models import Area
from xieguan.core.audit import audit_record
from xieguan.core.form_pages import service_action, service_form_page
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.core.permissions import CONFIGURE_RISK, can, require
from xieguan.risk import backtest as bt
from xieguan.risk import services
from xieguan.risk.forms import BacktestForm, SettingsForm
from xieguan.risk.models import Grade
from xieguan.risk.reasons import readable
from xieguan.risk.selectors import counties_for, last_backtest, scores_for

ORDERING = ["-score", "id"]


def _county(request: HttpRequest) -> Area | None:
    """The county the page is about: the one asked for among those the user
    sees whole, else the first; None for a user below county level."""
    counties = list(counties_for(request.user))
    wanted = request.GET.get("county")
    if wanted:
        found = next((c for c in counties if str(c.pk) == wanted), None)
        if found is None:
            raise Http404
        return found
    return counties[0] if counties else None


def risk_overview(request: HttpRequest) -> HttpResponse:
    """The scores of the units in the user's area, riskiest first."""
    qs = scores_for(request.user)
    grade = request.GET.get("grade", "")
    if grade in Grade.values:
        qs = qs.filter(grade=grade)
    else:
        grade = ""
    page = page_for_request(request, qs, ordering=ORDERING)
    for row in page.items:
        row.readable = readable(row.reasons)[:3]
    county = _county(request)
    return render(
        request,
        "risk/overview.html",
        {"page": page, "grade": grade, "grades": Grade.choices, "county": county},
    )


def formula_rows(settings: Any) -> list[tuple[str, Any]]:
    """The formula as the settings page shows it: each factor and its points."""
    return [
        (_("Each violation record in the last 12 months (inspection failed or to be rectified)"), settings.violation),
        (_("Each serious one among them, in addition"), settings.serious),
        (_("Each supervision opinion not yet fully rectified"), settings.open_rectification),
        (_("Each complaint about the unit in the last 12 months"), settings.complaint),
        (_("Each information report about the unit in the last 12 months"), settings.report),
        (
            _("Past the patrol interval set, each interval over (at most 3; never patrolled counts as 2)"),
            settings.overdue,
        ),
        (pgettext("risk factor", "Key unit"), settings.key_unit),
        (_("Each expired licence"), settings.licence_expired),
        (_("Each licence expiring within 30 days"), settings.licence_expiring),
        (
            _("Each person with an expired health or training certificate (at most 5 of each kind)"),
            settings.certificate_expired,
        ),
        (_("Hygiene grade B"), settings.hygiene_b),
        (_("Hygiene grade C"), settings.hygiene_c),
    ]


def risk_settings(request: HttpRequest) -> HttpResponse:
    """The county's weights and the formula they make; the bureau edits them."""
    county = _county(request)
    if county is None:
        raise Http404
    found = services.settings_for(county.pk)
    context = {
        "county": county,
        "settings": found,
        "formula": formula_rows(found),
        "category_points": found.category_points or {},
    }
    if not can(request.user, CONFIGURE_RISK):
        if request.method == "POST":
            require(request.user, CONFIGURE_RISK)  # 403: the formula is shown, not changed
        return render(request, "risk/settings.html", context)
    require(request.user, CONFIGURE_RISK, county.path)
    here = f"{reverse('risk:settings')}?county={county.pk}"
    return service_form_page(
        request,
        form_class=SettingsForm,
        form_kwargs={"instance": services.settings_for(county.pk)},
        service=lambda form: services.settings_save(actor=request.user, county=county, **form.values()),
        success_url=here,
        message=_("Weights saved; every unit's risk score has been recomputed with them."),
        title=_("Risk weights: %(county)s") % {"county": county.name},
        cancel_url=reverse("risk:overview"),
        template="risk/settings.html",
        context=context,
    )


def risk_backtest(request: HttpRequest) -> HttpResponse:
    """The county's last backtest, and a form to run one at another cut-off."""
    county = _county(request)
    if county is None:
        raise Http404
    today = timezone.localdate()
    may_run = can(request.user, CONFIGURE_RISK)
    form = BacktestForm(request.POST or None, today=today, initial={"cut_off": bt.default_cut_off(today), "months": 3})
    if request.method == "POST":
        require(request.user, CONFIGURE_RISK, county.path)
        if form.is_valid():
            result = bt.run_backtest(county, cut_off=form.cleaned_data["cut_off"], months=form.cleaned_data["months"])
            audit_record(
                actor=request.user,
                action="backtest.run",
                obj=bt.Backtest.objects.filter(county=county).first(),
                area_path=county.path,
            )
            messages.success(
                request,
                _("Backtest done.")
                if result.units
                else _("No unit was registered at the cut-off: nothing to backtest."),
            )
            return redirect(f"{reverse('risk:backtest')}?county={county.pk}")
    return render(
        request,
        "risk/backtest.html",
        {
            "county": county,
            "result": last_backtest(county),
            "form": form,
            "may_run": may_run,
            "min_violations": bt.MIN_VIOLATIONS,
        },
        status=422 if request.method == "POST" else 200,
    )


# ---------------------------------------------------------------- record reviews

REVIEW_ORDERING = ["-year", "-month", "id"]


def _area_asked(request: HttpRequest) -> Area | None:
    """The area a drill-down narrows the reviews to (``?area=``), if it is one
    the user sees; an unknown or foreign one is a 404."""
    from xieguan.core.scope import get_object_for_user

    wanted = request.GET.get("area", "")
    return get_object_for_user(Area.objects.all(), request.user, wanted) if wanted else None


def _months_asked(request: HttpRequest) -> list[tuple[int, int]] | None:
    """``?year=&month=`` and, for a longer period, ``&months=`` (how many
    from there, at most 12); None when no valid month is asked."""
    year, month, count = (request.GET.get(k, "") for k in ("year", "month", "months"))
    if not (year.isdigit() and month.isdigit() and 2000 <= int(year) <= 2100 and 1 <= int(month) <= 12):
        return None
    from xieguan.risk.selectors import months_from

    return months_from(int(year), int(month), int(count) if count.isdigit() and 1 <= int(count) <= 12 else 1)


def review_list(request: HttpRequest) -> HttpResponse:
    """The drawn records in the user's area, by month; the institute draws a month's sample here."""
    from xieguan.risk.forms import ReviewDrawForm
    from xieguan.risk.reviews import REVIEW, review_draw
    from xieguan.risk.selectors import REVIEW_RESULTS, reviews_for

    today = timezone.localdate()
    area = _area_asked(request)
    months = _months_asked(request)
    result = request.GET.get("result", "")
    if result not in REVIEW_RESULTS:
        result = ""
    qs = reviews_for(request.user, area=area, months=months, result=result)
    county = _county(request)
    may_draw = county is not None and can(request.user, REVIEW)
    previous = today.replace(day=1) - datetime.timedelta(days=1)
    form = ReviewDrawForm(request.POST or None, initial={"year": previous.year, "month": previous.month, "share": 10})
    if request.method == "POST":
        if county is None:
            raise Http404
        require(request.user, REVIEW, county.path)
        if form.is_valid():
            service_action(
                request,
                review_draw,
                lambda n: (
                    ngettext("%(n)s record drawn for review.", "%(n)s records drawn for review.", n) % {"n": n}
                    if n
                    else _("The month has no records to draw.")
                ),
                county=county,
                **form.cleaned_data,
            )
            return redirect(
                reverse("risk:reviews") + f"?year={form.cleaned_data['year']}&month={form.cleaned_data['month']}"
            )
    page = page_for_request(request, qs, ordering=REVIEW_ORDERING)
    return render(
        request,
        "risk/reviews.html",
        {
            "page": page,
            "form": form if may_draw else None,
            "result": result,
            "area": area,
            "months": request.GET.get("months", "") if months and len(months) > 1 else "",
        },
        status=422 if request.method == "POST" else 200,
    )


def review_detail(request: HttpRequest, pk: str) -> HttpResponse:
    """One drawn record: the institute reviews it; the co-manager marks it corrected."""
    from xieguan.core.permissions import RECORD_INSPECTION
    from xieguan.core.scope import get_object_for_user
    from xieguan.risk.forms import ReviewForm
    from xieguan.risk.models import RecordReview, ReviewResult
    from xieguan.risk.reviews import REVIEW, review_corrected, review_record

    review = get_object_for_user(RecordReview.objects.for_list(), request.user, pk)
    may_review = can(request.user, REVIEW)
    may_correct = can(request.user, RECORD_INSPECTION) and review.result in (
        ReviewResult.PROBLEM,
        ReviewResult.RETURNED,
    )
    form = ReviewForm(request.POST or None, initial={"result": review.result, "comment": review.comment})
    if request.method == "POST":
        try:
            if request.POST.get("action") == "corrected":
                review_corrected(actor=request.user, review=review)
                messages.success(request, _("Marked as corrected."))
                return redirect("risk:review", pk=review.pk)
            require(request.user, REVIEW, review.area.path)
            if form.is_valid():
                review_record(actor=request.user, review=review, **form.cleaned_data)
                messages.success(request, _("Review result saved."))
                return redirect("risk:review", pk=review.pk)
        except ValidationError as exc:
            add_service_errors(form, exc)
    return render(
        request,
        "risk/review.html",
        {"review": review, "form": form if may_review else None, "may_correct": may_correct},
        status=422 if request.method == "POST" else 200,
    )


def checklist_analytics(request: HttpRequest) -> HttpResponse:
    """Which checklist items fail most, by category and township, in a year or a month."""
    from xieguan.risk.analytics import item_failures

    today = timezone.localdate()
    year_text, month_text = request.GET.get("year", ""), request.GET.get("month", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else today.year
    month = int(month_text) if month_text.isdigit() and 1 <= int(month_text) <= 12 else None
    rows = item_failures(request.user, year=year, month=month)
    return render(request, "risk/checklists.html", {"rows": rows, "year": year, "month": month})
