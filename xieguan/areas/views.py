"""Pages for the area tree: browse, add, rename, retire, import."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xieguan.areas import services
from xieguan.areas.forms import AreaForm, ImportForm, RetireForm, SplitForm
from xieguan.areas.models import Area
from xieguan.areas.selectors import get_area_for_user, scope_root_for
from xieguan.core.form_pages import service_form_page
from xieguan.core.forms import add_service_errors
from xieguan.core.pagination import page_for_request
from xieguan.core.permissions import MANAGE_AREAS, can, require


def area_list(request: HttpRequest) -> HttpResponse:
    """The user's own area first; a search finds any area in scope."""
    q = (request.GET.get("q") or "").strip()[:50]
    if q:
        areas = Area.objects.visible_to(request.user).filter(Q(name__icontains=q) | Q(code__startswith=q))
        page = page_for_request(request, areas.select_related("parent"), ordering=["level", "name", "id"])
        return render(request, "areas/list.html", {"q": q, "page": page})
    root = scope_root_for(request.user)
    if root is None:
        return render(
            request, "areas/list.html", {"q": q, "page": None, "roots": Area.objects.filter(parent__isnull=True)}
        )
    return redirect("areas:detail", pk=root.pk)


def area_detail(request: HttpRequest, pk: str) -> HttpResponse:
    area = get_area_for_user(request.user, pk)
    children_qs = Area.objects.visible_to(request.user).filter(parent=area)
    page = page_for_request(request, children_qs, ordering=["name", "id"])
    root = scope_root_for(request.user)
    crumbs = [a for a in area.ancestors() if root is None or a.path.startswith(root.path)]
    institutions = area.institutions.visible_to(request.user).select_related("responsible_supervisor")
    names = list(area.history.order_by("history_date").values_list("name", "history_date"))
    former_names = []
    for name, when in names:
        if name != area.name and name not in [n for n, _ in former_names]:
            former_names.append((name, when))
    return render(
        request,
        "areas/detail.html",
        {
            "area": area,
            "page": page,
            "crumbs": crumbs,
            "institutions": institutions,
            "former_names": former_names,
            "can_manage": can(request.user, MANAGE_AREAS),
            "can_add_child": can(request.user, MANAGE_AREAS) and area.level < 5 and area.is_active,
        },
    )


def area_create(request: HttpRequest, pk: str) -> HttpResponse:
    parent = get_area_for_user(request.user, pk)
    require(request.user, MANAGE_AREAS, parent.path)
    return service_form_page(
        request,
        form_class=AreaForm,
        service=lambda form: services.area_create(actor=request.user, parent=parent, **form.cleaned_data),
        success_url=lambda area: reverse("areas:detail", args=[area.pk]),
        message=lambda area: _("Area %(name)s added.") % {"name": area.name},
        title=_("Add an area under %(name)s") % {"name": parent.name},
        cancel_url=reverse("areas:detail", args=[parent.pk]),
    )


def area_edit(request: HttpRequest, pk: str) -> HttpResponse:
    area = get_area_for_user(request.user, pk)
    require(request.user, MANAGE_AREAS, area.path)
    return service_form_page(
        request,
        form_class=AreaForm,
        form_kwargs={"initial": {"name": area.name, "code": area.code}},
        service=lambda form: services.area_update(actor=request.user, area=area, **form.cleaned_data),
        success_url=reverse("areas:detail", args=[area.pk]),
        message=_("Saved."),
        title=_("Edit %(name)s") % {"name": area.name},
        cancel_url=reverse("areas:detail", args=[area.pk]),
    )


def area_retire(request: HttpRequest, pk: str) -> HttpResponse:
    area = get_area_for_user(request.user, pk)
    require(request.user, MANAGE_AREAS, area.path)

    def retire(form: RetireForm) -> tuple[Area, int]:
        successor = form.cleaned_data["successor"]
        result = services.area_retire(actor=request.user, area=area, successor=successor, on=form.cleaned_data["on"])
        return successor, result.moved_children

    return service_form_page(
        request,
        form_class=RetireForm,
        form_kwargs={"area": area, "user": request.user, "initial": {"on": timezone.localdate()}},
        service=retire,
        success_url=lambda done: reverse("areas:detail", args=[done[0].pk]),
        message=lambda done: (
            _("%(name)s is retired; %(children)d areas below it now belong to %(successor)s.")
            % {"name": area.name, "children": done[1], "successor": done[0].name}
        ),
        template="areas/retire.html",
        title=_("Retire / merge"),
        cancel_url=reverse("areas:detail", args=[area.pk]),
        context={"area": area},
    )


def area_split(request: HttpRequest, pk: str) -> HttpResponse:
    """Divide an area in two (a township split): the new area's name and
    code, and the villages that go to it."""
    area = get_area_for_user(request.user, pk)
    require(request.user, MANAGE_AREAS, area.path)
    if area.parent is not None:
        require(request.user, MANAGE_AREAS, area.parent.path)
    return service_form_page(
        request,
        form_class=SplitForm,
        form_kwargs={"area": area, "user": request.user},
        service=lambda form: services.area_split(actor=request.user, area=area, **form.cleaned_data),
        success_url=lambda done: reverse("areas:detail", args=[done.area.pk]),
        message=lambda done: (
            _("%(name)s is split: %(children)d areas below it now belong to the new area %(new)s.")
            % {"name": area.name, "children": len(done.moved_children), "new": done.area.name}
        ),
        template="areas/split.html",
        title=_("Split"),
        cancel_url=reverse("areas:detail", args=[area.pk]),
        context={"area": area},
    )


@require_http_methods(["GET", "POST"])
def area_import(request: HttpRequest) -> HttpResponse:
    require(request.user, MANAGE_AREAS)
    form = ImportForm(request.POST or None, request.FILES or None)
    errors = None
    if request.method == "POST" and form.is_valid():
        try:
            summary = services.areas_import_file(actor=request.user, upload=form.cleaned_data["file"])
        except services.ImportRejected as exc:
            errors = exc.errors
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("Imported: %(created)d added, %(renamed)d renamed, %(unchanged)d unchanged.")
                % {"created": summary.created, "renamed": summary.renamed, "unchanged": summary.unchanged},
            )
            return redirect("areas:list")
    return render(request, "areas/import.html", {"form": form, "errors": errors})
