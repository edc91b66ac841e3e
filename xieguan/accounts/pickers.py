"""Pickers for a person and an institution (``core.pickers``): what the
forms show in place of a drop-down of every person or institution, and the
routes their search asks (``accounts:pick_person``,
``accounts:pick_institution``), scoped like every list."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from xieguan.accounts.models import Institution, InstitutionType, RoleCode, User
from xieguan.areas.models import Area
from xieguan.core.display import with_note
from xieguan.core.pickers import SearchPicker, as_uuid, picker_options


def person_label(person: User) -> str:
    return with_note(person.full_name or person.username, person.institution)


def institution_label(institution: Institution) -> str:
    return with_note(institution.name, institution.get_type_display())


def person_search(qs: Any, text: str) -> Any:
    """By name, user name or phone; the list in the order of the areas."""
    found = Q(full_name__icontains=text) | Q(username__istartswith=text) | Q(phone__startswith=text)
    return qs.filter(found).order_by("institution__area__path", "full_name", "username")


def institution_search(qs: Any, text: str) -> Any:
    return qs.filter(Q(name__icontains=text) | Q(host__icontains=text)).order_by("type", "name")


class PersonPicker(SearchPicker):
    """``roles``: only people with one of these roles; ``within``: only
    people of institutions in this area; ``above``: only people of
    institutions at this area or above it (a township's supervisor)."""

    def __init__(self, *, roles: tuple[str, ...] = (), within: Any = None, above: Any = None) -> None:
        super().__init__(
            url_name="accounts:pick_person",
            placeholder=_("Name, user name or phone"),
            help_text=_("Type part of the person's name, then tap them."),
            params={"roles": ",".join(roles), "within": within, "above": above},
        )

    def narrow(self, *, within: Any = None, above: Any = None) -> None:
        self.params.update({"within": within, "above": above})


class InstitutionPicker(SearchPicker):
    """``types``: only institutions of these types (a register's stations)."""

    def __init__(self, *, types: tuple[str, ...] = ()) -> None:
        super().__init__(
            url_name="accounts:pick_institution",
            placeholder=_("Name of the institution"),
            help_text=_("Type part of the institution's name, then tap it."),
            params={"types": ",".join(types)},
        )


def _area(request: HttpRequest, key: str) -> tuple[bool, Area | None]:
    """Whether the request names an area under ``key``, and that area if
    the user may see it (``None`` otherwise: the search then finds nothing)."""
    if not request.GET.get(key):
        return False, None
    pk = as_uuid(request.GET[key])
    return True, (Area.objects.visible_to(request.user).filter(pk=pk).first() if pk else None)


def pick_person(request: HttpRequest) -> HttpResponse:
    """Up to 20 active people of the user's area matching the text."""
    qs = User.objects.visible_to(request.user).filter(is_active=True).select_related("institution")
    roles = [r for r in request.GET.get("roles", "").split(",") if r in RoleCode.values]
    if roles:
        qs = qs.filter(roles__code__in=roles).distinct()
    named, within = _area(request, "within")
    if named:
        qs = qs.filter(institution__area__path__startswith=within.path) if within is not None else qs.none()
    named, above = _area(request, "above")
    if named:
        qs = qs.filter(institution__area__id__in=above.ancestor_ids()) if above is not None else qs.none()
    return picker_options(request, qs, search=person_search, label=person_label)


def pick_institution(request: HttpRequest) -> HttpResponse:
    """Up to 20 open institutions of the user's area matching the text."""
    qs = Institution.objects.visible_to(request.user).active()
    types = [t for t in request.GET.get("types", "").split(",") if t in InstitutionType.values]
    if types:
        qs = qs.filter(type__in=types)
    return picker_options(
        request, qs, search=institution_search, label=institution_label, detail=lambda i: i.address or ""
    )
