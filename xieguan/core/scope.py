"""The one scope mechanism (SPEC §2, STYLE.md "Reads").

Every area has a materialised ``path``; a user's scope is the path of their
institution's area. "What this user may see" is one indexed prefix filter:
``<model>.objects.visible_to(user)``. ``get_object_for_user`` is the only way
a view or endpoint fetches a record by id, and it answers 404 for anything
outside the user's area subtree — the same answer as for a record that does
not exist, so ids cannot be probed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self, TypeVar

from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import models
from django.http import Http404

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from xieguan.accounts.models import User

M = TypeVar("M", bound=models.Model)

# A path that no area has: the scope of a user who may see nothing.
NOTHING = "\x00"


def scope_path_for(user: User | AnonymousUser | None) -> str:
    """The area-path prefix a user may see: "" (all) for a superuser, the path
    of the institution's area for staff, and a path no area has otherwise."""
    if user is None or not user.is_authenticated or not user.is_active:
        return NOTHING
    if user.is_superuser:
        return ""
    institution = getattr(user, "institution", None)
    if institution is None:
        return NOTHING
    return institution.area.path


# Up to this many areas, a scope is given to the database as a list of area
# ids (a township and its villages, a county): it then reads those areas'
# rows by the area index and sorts a few thousand. A wider scope (a
# prefecture, a province) stays a join on the area path, where walking an
# ordering index and keeping most rows is the better plan.
NARROW_SCOPE_AREAS = 500


def area_ids_within(path: str) -> list[Any] | None:
    """The ids of the areas under ``path`` when there are at most
    NARROW_SCOPE_AREAS of them (one query on the area tree), else None."""
    from django.apps import apps

    area = apps.get_model("areas", "Area")
    ids = list(area.objects.filter(path__startswith=path).values_list("id", flat=True)[: NARROW_SCOPE_AREAS + 1])
    return ids if len(ids) <= NARROW_SCOPE_AREAS else None


class ScopedQuerySet(models.QuerySet[M]):
    """A queryset whose model says where its area path is (``scope_lookup``)."""

    def visible_to(self, user: Any) -> Self:
        """Only the rows in the user's area subtree."""
        lookup = self.model.scope_lookup  # type: ignore[attr-defined]
        path = scope_path_for(user)
        if path == "":
            return self.all()
        if path == NOTHING:
            return self.none()
        return self.filter(**{f"{lookup}__startswith": path})

    def area_parts(self, user: Any) -> tuple[str, list[Any]] | None:
        """The area id field and the ids of the areas in the user's scope
        when the scope is narrow (a township, a county), else None: what
        ``visible_to_by_area`` filters on, and the parts a list may be read
        by (``core.pagination``). One query on the area tree."""
        lookup = self.model.scope_lookup  # type: ignore[attr-defined]
        path = scope_path_for(user)
        if path in ("", NOTHING) or not lookup.endswith("__path"):
            return None
        ids = area_ids_within(path)
        return None if ids is None else (f"{lookup.removesuffix('__path')}_id", ids)

    def visible_to_by_area(self, user: Any) -> Self:
        """The rows of ``visible_to``, asked by a list of area ids when the
        scope is narrow (a township, a county). A join on the area path
        leaves PostgreSQL guessing how many areas match; on a table of
        millions (inspections) it then scanned all of it for a township's
        first page (0.4 s) where the ids read 2,500 rows by index (2 ms).
        For lists that page through large tables; one more query."""
        return self.visible_in_parts(user, self.area_parts(user))

    def visible_in_parts(self, user: Any, parts: tuple[str, list[Any]] | None) -> Self:
        """``visible_to_by_area`` for a caller that asked ``area_parts`` itself
        (to read its list by them): the ids when there are some, else the path."""
        if parts is None:
            return self.visible_to(user)
        field, ids = parts
        return self.filter(**{f"{field}__in": ids})


def get_object_for_user(queryset: models.QuerySet[M] | type[M], user: Any, pk: Any, **extra: Any) -> M:
    """The record ``pk`` if ``user`` may see it; Http404 otherwise (also for a
    malformed id), never a 500 and never a hint that the record exists."""
    if isinstance(queryset, type):
        queryset = queryset._default_manager.all()
    try:
        return queryset.visible_to(user).get(pk=pk, **extra)  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, ValidationError, ValueError, TypeError):
        # ValidationError/ValueError: a malformed id, which is just "not found".
        raise Http404 from None


def is_within(user: Any, path: str) -> bool:
    """Whether an area path lies inside the user's scope."""
    scope = scope_path_for(user)
    return scope != NOTHING and path.startswith(scope)
