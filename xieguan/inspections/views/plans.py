"""A township's monthly patrol plan (月度巡查计划)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from xieguan.accounts.permissions import RECORD_INSPECTION, can
from xieguan.areas.models import Area, Level
from xieguan.core.display import join_clauses
from xieguan.core.validators import int_between
from xieguan.inspections import selectors
from xieguan.inspections.forms import UnitChoice
from xieguan.inspections.services import plans
from xieguan.units.models import Unit, UnitStatus
from xieguan.units.selectors import get_unit_for_user
from xieguan.units.widgets import UnitPicker


class PlanAddForm(forms.Form):
    """The unit to add: one of the township's open units, searched as one
    types (a township has hundreds), checked against the township."""

    unit = UnitChoice(
        label=_("Add a unit"),
        queryset=Unit.objects.none(),
        widget=UnitPicker(),
        error_messages={"invalid_choice": _("Choose an open unit of this township.")},
    )

    def __init__(self, *args: Any, user: Any, township: Area, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        field.queryset = (  # type: ignore[attr-defined]
            Unit.objects.visible_to(user)
            .filter(merged_into__isnull=True, area__path__startswith=township.path)
            .exclude(status=UnitStatus.CLOSED)
            .select_related("area")
            .order_by("name", "id")
        )
        field.widget.within = township


@require_http_methods(["GET", "POST"])
def monthly_plan(request: HttpRequest) -> HttpResponse:
    """The township's plan for this month: made from what is due, editable,
    with its completion."""
    today = timezone.localdate()
    this_year, this_month = selectors.current_month(request.user, today)  # the county's period, not the calendar's
    year = int_between(request.GET.get("year"), this_year, 2000, 2100)
    month = int_between(request.GET.get("month"), this_month, 1, 12)
    townships = list(Area.objects.visible_to(request.user).filter(level=Level.TOWNSHIP).in_code_order())
    township = None
    wanted = request.GET.get("township")
    for t in townships:
        if str(t.pk) == wanted or (not wanted and township is None):
            township = t
    if township is None:
        if wanted:
            raise Http404  # a township outside the user's area, as if it did not exist
        return render(request, "inspections/plan.html", {"plan": None, "townships": townships})
    from xieguan.inspections.models import MonthlyPlan

    plan = MonthlyPlan.objects.filter(township=township, year=year, month=month).first()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "prefill":
                plan = plans.plan_make_from_due(
                    actor=request.user, township=township, year=year, month=month, today=today
                )
            elif plan is not None and action == "add":
                add_form = PlanAddForm(request.POST, user=request.user, township=township)
                if add_form.is_valid():
                    plans.plan_item_add(actor=request.user, plan=plan, unit=add_form.cleaned_data["unit"])
                else:
                    messages.error(request, join_clauses(e for errors in add_form.errors.values() for e in errors))
            elif plan is not None and action == "remove":
                unit = get_unit_for_user(request.user, request.POST.get("unit"))
                plans.plan_item_remove(actor=request.user, plan=plan, unit=unit)
        except ValidationError as exc:
            messages.error(request, join_clauses(exc.messages))
        return redirect(f"{request.path}?township={township.pk}&year={year}&month={month}")
    items = []
    done_count = 0
    if plan is not None:
        items = [{"unit": unit, "done": done} for unit, done in selectors.plan_progress(plan)]
        done_count = sum(1 for i in items if i["done"])
    add_form = PlanAddForm(user=request.user, township=township) if plan is not None else None
    return render(
        request,
        "inspections/plan.html",
        {
            "plan": plan,
            "items": items,
            "done_count": done_count,
            "township": township,
            "townships": townships,
            "year": year,
            "month": month,
            "add_form": add_form,
            "can_record": can(request.user, RECORD_INSPECTION),
        },
    )
