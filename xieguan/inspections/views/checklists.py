"""A county's patrol settings: its checklists and their versions, patrol
frequencies and penalty wording."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from xieguan.accounts.permissions import MANAGE_CHECKLISTS, can, require
from xieguan.core.display import join_clauses
from xieguan.core.form_pages import service_action
from xieguan.core.forms import add_service_errors
from xieguan.core.scope import get_object_for_user
from xieguan.inspections import selectors
from xieguan.inspections.forms import ChecklistItemsForm, ChecklistNewForm, FrequencyRuleForm, PhraseForm
from xieguan.inspections.models import ChecklistStatus, ForbiddenPhrase, FrequencyRule
from xieguan.inspections.services import checklists

# ---------------------------------------------------------------- county settings


def checklist_list(request: HttpRequest) -> HttpResponse:
    checklists = selectors.checklists_visible(request.user).order_by(
        "category__sort", "county", "subtype", "-version", "id"
    )
    return render(
        request,
        "inspections/checklist_list.html",
        {
            "checklists": checklists,
            "form": ChecklistNewForm(county=selectors.user_county(request.user))
            if can(request.user, MANAGE_CHECKLISTS)
            else None,
            "county": selectors.user_county(request.user),
        },
    )


@require_POST
def checklist_new(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_CHECKLISTS)
    county = selectors.user_county(request.user)
    form = ChecklistNewForm(request.POST, county=county)
    if county is None or not form.is_valid():
        messages.error(request, _("Choose a category."))
        return redirect("inspections:checklists")
    template = service_action(request, checklists.checklist_draft_create, county=county, **form.cleaned_data)
    if template is None:
        return redirect("inspections:checklists")
    return redirect("inspections:checklist", pk=template.pk)


@require_http_methods(["GET", "POST"])
def checklist_detail(request: HttpRequest, pk: str) -> HttpResponse:
    template = selectors.get_checklist_for_user(request.user, pk)
    may_edit = (
        template.status == ChecklistStatus.DRAFT
        and template.county is not None
        and can(request.user, MANAGE_CHECKLISTS)
    )
    lines = "\n".join(f"{i.code} | {i.text} | {i.basis}" for i in template.items.all())
    form = (
        ChecklistItemsForm(
            request.POST or None,
            initial={"title": template.title, "photos_required": template.photos_required, "items": lines},
        )
        if may_edit
        else None
    )
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("A published checklist cannot be changed; make a new version."))
        try:
            if request.POST.get("action") == "publish":
                checklists.checklist_publish(actor=request.user, template=template)
                messages.success(request, _("Published; new inspections use this version."))
                return redirect("inspections:checklist", pk=template.pk)
            if form is not None and form.is_valid():
                checklists.checklist_items_set(actor=request.user, template=template, **form.cleaned_data)
                messages.success(request, _("Draft saved."))
                return redirect("inspections:checklist", pk=template.pk)
        except ValidationError as exc:
            if form is not None:
                add_service_errors(form, exc)
            else:
                messages.error(request, join_clauses(exc.messages))
    return render(
        request,
        "inspections/checklist.html",
        {"template": template, "items": template.items.all(), "form": form, "may_edit": may_edit},
    )


@require_http_methods(["GET", "POST"])
def county_settings(request: HttpRequest) -> HttpResponse:
    """The county's patrol frequencies and its penalty-wording list."""
    county = selectors.user_county(request.user)
    may_manage = (
        county is not None and can(request.user, MANAGE_CHECKLISTS) and county.path.startswith(_scope(request.user))
    )
    rule_form = FrequencyRuleForm(request.POST if request.POST.get("action") == "rule" else None)
    phrase_form = PhraseForm(request.POST if request.POST.get("action") == "phrase" else None)
    if request.method == "POST":
        if not may_manage or county is None:
            raise PermissionDenied(_("Your role does not allow this."))
        action = request.POST.get("action")
        try:
            if action == "rule" and rule_form.is_valid():
                checklists.frequency_rule_set(actor=request.user, county=county, **rule_form.cleaned_data)
                messages.success(request, _("Frequency saved."))
                return redirect("inspections:settings")
            if action == "phrase" and phrase_form.is_valid():
                checklists.forbidden_phrase_add(actor=request.user, county=county, **phrase_form.cleaned_data)
                messages.success(request, _("Phrase added."))
                return redirect("inspections:settings")
            if action == "delete_rule":
                rule = FrequencyRule.objects.visible_to(request.user).get(pk=request.POST.get("pk"))
                checklists.frequency_rule_delete(actor=request.user, rule=rule)
                return redirect("inspections:settings")
            if action == "delete_phrase":
                phrase = get_object_for_user(
                    ForbiddenPhrase.objects.filter(county=county), request.user, request.POST.get("pk")
                )
                checklists.forbidden_phrase_delete(actor=request.user, phrase=phrase)
                return redirect("inspections:settings")
        except (FrequencyRule.DoesNotExist, ForbiddenPhrase.DoesNotExist, ValueError):
            raise Http404 from None
        except ValidationError as exc:
            add_service_errors(rule_form if action == "rule" else phrase_form, exc)
    rules = FrequencyRule.objects.filter(county=county).select_related("category") if county else []
    phrases = ForbiddenPhrase.objects.filter(county__isnull=True) | (
        ForbiddenPhrase.objects.filter(county=county) if county else ForbiddenPhrase.objects.none()
    )
    return render(
        request,
        "inspections/settings.html",
        {
            "county": county,
            "rules": rules,
            "phrases": phrases.order_by("county", "phrase"),
            "rule_form": rule_form,
            "phrase_form": phrase_form,
            "may_manage": may_manage,
        },
    )


def _scope(user: Any) -> str:
    from xieguan.core.scope import scope_path_for

    return scope_path_for(user)
