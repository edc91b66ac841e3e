"""Pages of the monthly report (SPEC §8): the township's report of a month,
the county's review list, the reporting rates, and the drill-down of a cell."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from xieguan.accounts.permissions import REVIEW_MONTHLY, SUBMIT_MONTHLY, can
from xieguan.areas.models import Area, Level
from xieguan.core.form_pages import service_form_page
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.monthly import services
from xieguan.monthly.forms import ApproveForm, MonthForm, ReturnForm, SubmitForm, UnlockGrantForm, UnlockRequestForm
from xieguan.monthly.periods import SINCE_ALWAYS, month_label, rules_for
from xieguan.monthly.selectors import (
    cell_records,
    due_now_for,
    get_county_for_user,
    get_township_for_user,
    monthly_figures,
    monthly_report_of,
    reporting_rates,
    reporting_rates_of_months,
    row_label,
    township_months,
)
from xieguan.reports.selectors import county_of


def _month(year: int, month: int) -> tuple[int, int]:
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        raise Http404
    return year, month


def _chosen_month(request: HttpRequest, default: tuple[int, int]) -> tuple[int, int, MonthForm]:
    form = MonthForm(request.GET or {"year": default[0], "month": default[1]})
    if form.is_valid():
        return form.cleaned_data["year"], form.cleaned_data["month"], form
    return default[0], default[1], MonthForm({"year": default[0], "month": default[1]})


def index(request: HttpRequest) -> HttpResponse:
    """A township goes to its report of the month due now; the county to its review list."""
    institution = request.user.institution
    if institution is not None and institution.area.level == Level.TOWNSHIP:
        township = institution.area
        year, month = due_now_for(township, timezone.localdate())
        return redirect("monthly:report", township.pk, year, month)
    return redirect("monthly:review")


def _report_context(request: HttpRequest, township: Area, year: int, month: int) -> dict[str, Any]:
    user = request.user
    today = timezone.localdate()
    report = monthly_report_of(user, township=township, year=year, month=month)
    rules = rules_for(township)
    period = rules.period(year, month)
    figures = monthly_figures(user, township=township, year=year, month=month, today=today, period=period)
    deadline = report.deadline if report else period.deadline(rules.deadline_day)
    now = timezone.now()
    inside = can(user, SUBMIT_MONTHLY) and user.institution is not None and user.institution.area.pk == township.pk
    reviewer = can(user, REVIEW_MONTHLY) and not inside
    status = report.status if report else "draft"
    may_submit = inside and (
        report is None or status in ("draft", "returned") or (status == "approved" and report.is_unlocked(now))
    )
    return {
        "township": township,
        "year": year,
        "month": month,
        "quarter": (month - 1) // 3 + 1,
        # A first submit carries a client-made id, so a double tap makes one report.
        "new_id": request.POST.get("id") or uuid.uuid4(),
        "report": report,
        "figures": figures,
        "period": period,
        "deadline": deadline,
        "days_left": (deadline - today).days,
        # Approval locks the period's records once the period is over.
        "locked": report is not None and report.is_locked(now) and period.is_over(today),
        "locks_after": report is not None and report.is_locked(now) and not period.is_over(today),
        "unlocked": report is not None and report.is_unlocked(now),
        "may_submit": may_submit and period.last_day <= today,
        # The township sees the submit form greyed out, and from when it opens.
        "submit_waits": services.not_yet_submittable(period) if may_submit and period.last_day > today else "",
        "may_review": reviewer and status == "submitted",
        "may_request_unlock": inside and status == "approved" and not report.is_unlocked(now),  # type: ignore[union-attr]
        "may_grant_unlock": reviewer and report is not None and report.unlock_pending,
        "versions": list(report.versions.select_related("submitted_by").order_by("-number")) if report else [],
        "county": county_of(township),
        "now": timezone.localtime(now),
    }


def _render_report(request: HttpRequest, township: Area, year: int, month: int, **forms: Any) -> HttpResponse:
    context = _report_context(request, township, year, month)
    report = context["report"]
    context.update(
        {
            "submit_form": forms.get("submit_form")
            or SubmitForm(initial={"remarks": report.remarks if report else ""}),
            "return_form": forms.get("return_form") or ReturnForm(),
            "approve_form": forms.get("approve_form") or ApproveForm(),
            "unlock_request_form": forms.get("unlock_request_form") or UnlockRequestForm(),
            "unlock_grant_form": forms.get("unlock_grant_form")
            or UnlockGrantForm(initial={"until": timezone.localdate() + datetime.timedelta(days=3)}),
        }
    )
    status = 422 if any(f.errors for f in forms.values()) else 200
    return render(request, "monthly/report.html", context, status=status)


def report_page(request: HttpRequest, township_id: str, year: int, month: int) -> HttpResponse:
    township = get_township_for_user(request.user, township_id)
    year, month = _month(year, month)
    return _render_report(request, township, year, month)


def _existing(request: HttpRequest, township: Area, year: int, month: int) -> Any:
    report = monthly_report_of(request.user, township=township, year=year, month=month)
    if report is None:
        raise Http404
    return report


def _report_step(form_class: Any, form_name: str, done: Any, act: Callable[..., Any], existing: bool = True) -> Any:
    """One POST on a month's report (submit, return, approve, unlock request
    or grant): the same form handling, another form, service and message.
    ``act(request, cleaned_data, report, township=, year=, month=)`` calls the
    service; ``report`` is the existing report (404 without one) unless
    ``existing`` is False."""

    @require_POST
    def view(request: HttpRequest, township_id: str, year: int, month: int) -> HttpResponse:
        township = get_township_for_user(request.user, township_id)
        year, month = _month(year, month)
        report = _existing(request, township, year, month) if existing else None
        form = form_class(request.POST)
        if form.is_valid():
            try:
                act(request, form.cleaned_data, report, township=township, year=year, month=month)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, done)
                return redirect("monthly:report", township.pk, year, month)
        return _render_report(request, township, year, month, **{form_name: form})

    return view


submit = _report_step(
    SubmitForm,
    "submit_form",
    gettext_lazy("The monthly report was submitted to the county."),
    lambda request, data, report, **month: services.monthly_report_submit(
        actor=request.user, **month, remarks=data["remarks"], report_id=request.POST.get("id") or None
    ),
    existing=False,
)
return_report = _report_step(
    ReturnForm,
    "return_form",
    gettext_lazy("The report was returned to the township."),
    lambda request, data, report, **_where: services.monthly_report_return(
        actor=request.user, report=report, comment=data["review_comment"]
    ),
)
approve = _report_step(
    ApproveForm,
    "approve_form",
    gettext_lazy("The report was approved; the month is locked."),
    lambda request, data, report, **_where: services.monthly_report_approve(
        actor=request.user, report=report, comment=data["review_comment"]
    ),
)
unlock_request = _report_step(
    UnlockRequestForm,
    "unlock_request_form",
    gettext_lazy("The unlock request was sent to the county."),
    lambda request, data, report, **_where: services.monthly_report_unlock_request(
        actor=request.user, report=report, reason=data["unlock_reason"]
    ),
)
unlock_grant = _report_step(
    UnlockGrantForm,
    "unlock_grant_form",
    gettext_lazy("The month is unlocked."),
    lambda request, data, report, **_where: services.monthly_report_unlock_grant(
        actor=request.user, report=report, until=data["until"]
    ),
)


COLUMN_LABELS = {
    "clues": _("Events and clues reported"),
    "patrols": _("Patrols on site"),
    "publicity": _("Publicity and education"),
}


def cell(
    request: HttpRequest, township_id: str, year: int, month: int, row: str, column: str, period: str
) -> HttpResponse:
    """The records behind one figure of the report, keyset-paged."""
    township = get_township_for_user(request.user, township_id)
    year, month = _month(year, month)
    try:
        qs = cell_records(
            request.user, township=township, year=year, month=month, row=row, column=column, period=period
        )
    except ValueError:
        raise Http404 from None
    ordering = {"clues": ["found_at", "id"], "patrols": ["started_at", "id"], "publicity": ["date", "id"]}[column]
    page = page_for_request(request, qs, ordering=ordering)
    label = row_label(row)
    return render(
        request,
        "monthly/cell.html",
        {
            "township": township,
            "year": year,
            "month": month,
            "row_label": label,
            "column": column,
            "column_label": COLUMN_LABELS[column],
            "period": period,
            "page": page,
        },
    )


def _review_area(request: HttpRequest) -> Area:
    institution = request.user.institution
    if institution is not None:
        return institution.area
    area = Area.objects.visible_to(request.user).filter(level=Level.COUNTY).order_by("code").first()
    if area is None:
        raise Http404
    return area


def review_list(request: HttpRequest) -> HttpResponse:
    """Each township of the user's area with its report of a month: on time,
    late, missing, returned or approved."""
    today = timezone.localdate()
    area = _review_area(request)
    county = area if area.level <= Level.COUNTY else county_of(area)
    default = due_now_for(county, today) if county else due_now_for(area, today)
    year, month, form = _chosen_month(request, default)
    rows = township_months(request.user, area=area, year=year, month=month, today=today)
    rates = reporting_rates(request.user, year=year, month=month)
    return render(
        request,
        "monthly/review.html",
        {"rows": rows, "rates": rates, "year": year, "month": month, "form": form, "area": area},
    )


def rates(request: HttpRequest) -> HttpResponse:
    """Reporting rates of the user's counties for each month of a year so far."""
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        year = today.year
    last = 12 if year < today.year else today.month
    # A month counts only once its report is due: each county's deadline (its own rules) has passed.
    by_month = reporting_rates_of_months(request.user, year=year, months=list(range(1, last + 1)), today=today)
    months = list(by_month.items())
    return render(
        request, "monthly/rates.html", {"year": year, "months": months, "review_url": reverse("monthly:review")}
    )


def summary(request: HttpRequest, township_id: str, year: int) -> HttpResponse:
    """季度小结 / 年度总结: the figures and a prose draft; the user edits the
    text and downloads it as Word (``format=docx``) or PDF (``format=pdf``)."""
    from xieguan.monthly.forms import SummaryForm
    from xieguan.monthly.summaries import column_labels, summary_draft, summary_of

    township = get_township_for_user(request.user, township_id)
    if not 2000 <= year <= 2100:
        raise Http404
    try:
        quarter = int(request.GET.get("quarter") or 0) or None
    except ValueError:
        quarter = None
    if quarter is not None and not 1 <= quarter <= 4:
        quarter = None
    data = summary_of(request.user, township=township, year=year, quarter=quarter, today=timezone.localdate())
    form = SummaryForm(request.POST or None, initial={"text": summary_draft(data)})
    if request.method == "POST" and form.is_valid():
        return summary_document(
            data, form.cleaned_data["text"], "pdf" if request.POST.get("format") == "pdf" else "docx"
        )
    return render(
        request,
        "monthly/summary.html",
        {
            "summary": data,
            "form": form,
            "township": township,
            "year": year,
            "quarter": quarter,
            "columns": column_labels(),
        },
        status=422 if form.errors else 200,
    )


def summary_document(data: Any, text: str, fmt: str) -> HttpResponse:
    """The summary with the user's edited ``text`` as Word (``docx``) or
    PDF: what the summary page and the API download."""
    from xieguan.core.documents import download_header, download_name, pdf_response
    from xieguan.monthly.summaries import column_labels, summary_docx

    if fmt == "pdf":
        return pdf_response(
            "monthly/summary_pdf.html",
            {"summary": data, "paragraphs": [p for p in text.splitlines() if p.strip()], "columns": column_labels()},
            download_name(data.title, ext="pdf"),
            inline=False,
        )
    response = HttpResponse(
        summary_docx(data, text),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    )
    response["Content-Disposition"] = download_header(download_name(data.title, ext="docx"))
    return response


def _start_day_row(applies: datetime.date, start: int) -> tuple[str, str]:
    """(from when, which period) of one start day of a county, in words."""
    when = (
        _("From the start")
        if applies <= SINCE_ALWAYS
        else _("From %(month)s") % {"month": month_label(applies.year, applies.month)}
    )
    if start == 1:
        return when, _("the calendar month")
    return when, _("from the %(start)dth of the month before to the %(last)dth") % {"start": start, "last": start - 1}


def settings_page(request: HttpRequest) -> HttpResponse:
    """The county's reporting period and deadline day: changed by its bureau,
    institute or an administrator (``?county=`` picks one of several in
    scope); read-only for everyone else in the county. A new first day of
    the reporting month applies from a month on (``applies_from``)."""
    from xieguan.accounts.permissions import CONFIGURE_MONTHLY
    from xieguan.core.scope import is_within
    from xieguan.inspections.selectors import user_county
    from xieguan.monthly.forms import SettingForm
    from xieguan.monthly.models import MonthlySetting

    chosen = request.GET.get("county")
    if chosen:
        county = get_county_for_user(request.user, chosen)
    else:
        county = user_county(request.user)
    if county is None:
        raise Http404
    may_manage = can(request.user, CONFIGURE_MONTHLY) and is_within(request.user, county.path)
    setting = MonthlySetting.objects.filter(county=county).first()
    rules = rules_for(county)
    if request.method == "POST" and not may_manage:
        raise PermissionDenied(_("Your role does not allow this."))
    today = timezone.localdate()
    current = rules.containing(today)
    examples = [current.previous(), current, current.next()]
    earliest = services.earliest_rule_month(county)
    # The month offered: the current one (or the first a rule may apply
    # from), or a later month a change is already set for — so the form
    # saved unchanged keeps every rule.
    initial_from = max(datetime.date(current.year, current.month, 1), earliest or datetime.date.min)
    if rules.start_days and rules.start_days[-1][0] > initial_from:
        initial_from = rules.start_days[-1][0]
    return service_form_page(
        request,
        form_class=SettingForm,
        form_kwargs={
            "initial": {
                "period_start_day": rules.latest_start_day,
                "applies_from": initial_from.strftime("%Y-%m"),
                "deadline_day": rules.deadline_day,
            }
        },
        service=lambda form: services.monthly_setting_set(actor=request.user, county=county, **form.cleaned_data),
        success_url=f"{reverse('monthly:settings')}?county={county.pk}",
        message=_("The monthly report rules were saved."),
        template="monthly/settings.html",
        context={
            "county": county,
            "setting": setting,
            "may_manage": may_manage,
            "examples": [(p, p.deadline(rules.deadline_day)) for p in examples],
            "start_days": [_start_day_row(applies, start) for applies, start in rules.start_days],
            "earliest": _("A new first day can apply from %(month)s at the earliest.")
            % {"month": month_label(earliest.year, earliest.month)}
            if earliest
            else "",
        },
        invalid_status=422,
    )
