"""Keyset pagination (SPEC quality bars: lists paginate by keyset, no exact
COUNT over large sets). A page is "the next N rows after this row" in a fixed
ordering that ends in the primary key, so page 5,000 costs what page 1 costs.

The cursor is opaque to clients: base64 of the last row's ordering values.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.db import connections, models
from django.db.models import Q

T = TypeVar("T", bound=models.Model)

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# At most this many parts are asked one by one (``keyset_page``'s ``parts``):
# a township and its villages, a county's townships.
MAX_PARTS = 64


class BadCursor(ValueError):
    """A cursor that was not made by us (tampered, truncated, another list)."""


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None
    ordering: Sequence[str] = field(default_factory=tuple)
    # The list's filters (the query string without the cursor), carried
    # into the link to the next page; set by page_for_request.
    query: str = ""

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def next_url(self) -> str:
        """The link to the next page (core/_pager.html), filters kept."""
        if self.next_cursor is None:
            return ""
        return "?" + "&".join(part for part in (self.query, f"after={self.next_cursor}") if part)


def _field_value(obj: models.Model, name: str) -> Any:
    value: Any = obj
    for part in name.split("__"):
        value = getattr(value, part)
    if isinstance(value, models.Model):
        value = value.pk
    return value


def encode_cursor(values: Sequence[Any]) -> str:
    raw = json.dumps([str(v) if v is not None and not isinstance(v, (int, float, bool)) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadCursor(cursor) from exc
    if not isinstance(values, list) or len(values) != size:
        raise BadCursor(cursor)
    return values


def _after(ordering: Sequence[str], values: Sequence[Any], model: type[models.Model]) -> Q:
    """Rows strictly after ``values`` in ``ordering``: for (a, b, c) ascending,
    a > x OR (a = x AND b > y) OR (a = x AND b = y AND c > z)."""
    query = Q()
    for i, term in enumerate(ordering):
        name = term.lstrip("-")
        op = "lt" if term.startswith("-") else "gt"
        clause = Q()
        for prev_term, prev_value in zip(ordering[:i], values[:i], strict=False):
            clause &= Q(**{prev_term.lstrip("-"): prev_value})
        value = values[i]
        if value is None:
            # NULLs sort last ascending on both databases we use; a page that
            # ends on a NULL continues with the remaining NULLs by later keys.
            clause &= Q(**{f"{name}__isnull": True})
            if op == "gt":
                continue
        else:
            clause &= Q(**{f"{name}__{op}": value})
        query |= clause
    first, value = ordering[0], values[0]
    if value is not None:
        # Implied by the OR above, but only this form lets the database
        # start its index scan at the cursor instead of filtering every row
        # before it (page 5,000 would otherwise read 250,000 rows).
        bound = "lte" if first.startswith("-") else "gte"
        query = Q(**{f"{first.lstrip('-')}__{bound}": value}) & query
    return query


# A field and the few values a list is narrowed to (``keyset_page``).
Parts = tuple[str, Sequence[Any]]


def _first_rows(qs: models.QuerySet[T], ordering: Sequence[str], limit: int, parts: Parts | None) -> list[T]:
    """The first ``limit`` rows of the ordered ``qs``. With ``parts`` (a
    field and its few values, e.g. a township's area ids), each value's first
    rows are asked apart and the page is the first of their union: the
    database reads each part's range of an index on (field, ordering)
    instead of walking the ordering's index across every other part's rows
    (PostgreSQL's guess for a list of ids). Two queries; one where the
    database cannot order inside a union (SQLite) or the parts are many."""
    if parts is None or not 1 < len(parts[1]) <= MAX_PARTS:
        return list(qs[:limit])
    if not connections[qs.db].features.supports_slicing_ordering_in_compound:
        return list(qs[:limit])
    field, values = parts
    keys = [term.lstrip("-") for term in ordering]
    first, *rest = [qs.filter(**{field: value}).values_list(*keys)[:limit] for value in values]
    heads = [row[-1] for row in first.union(*rest, all=True).order_by(*ordering)[:limit]]
    return list(qs.filter(pk__in=heads))


def keyset_page(
    queryset: models.QuerySet[T],
    *,
    ordering: Sequence[str],
    cursor: str | None = None,
    size: int = DEFAULT_PAGE_SIZE,
    parts: Parts | None = None,
) -> Page[T]:
    """The page after ``cursor``. ``ordering`` must end with the primary key
    so that it is total. Raises BadCursor for a cursor we did not issue.
    ``parts``: the queryset lies within ``field IN values`` and the page is
    read a value at a time (``_first_rows``); the same page."""
    if not ordering or ordering[-1].lstrip("-") not in {"pk", "id"}:
        raise ValueError("keyset ordering must end with the primary key")
    size = max(1, min(size, MAX_PAGE_SIZE))
    qs = queryset.order_by(*ordering)
    if cursor:
        values = decode_cursor(cursor, len(ordering))
        try:
            qs = qs.filter(_after(ordering, values, queryset.model))
            rows = _first_rows(qs, ordering, size + 1, parts)
        except (ValueError, TypeError, models.ObjectDoesNotExist) as exc:
            raise BadCursor(cursor) from exc
        except Exception as exc:
            from django.core.exceptions import ValidationError

            if isinstance(exc, ValidationError):
                raise BadCursor(cursor) from exc
            raise
    else:
        rows = _first_rows(qs, ordering, size + 1, parts)
    has_next = len(rows) > size
    rows = rows[:size]
    next_cursor = encode_cursor([_field_value(rows[-1], t.lstrip("-")) for t in ordering]) if has_next else None
    return Page(items=rows, next_cursor=next_cursor, ordering=ordering)


def keyset_list(
    queryset: models.QuerySet[T],
    *,
    ordering: Sequence[str],
    cursor: str | None = None,
    size: int = DEFAULT_PAGE_SIZE,
    out: Callable[[T], Any] | None = None,
    parts: Parts | None = None,
) -> dict[str, Any]:
    """A keyset page as an API list answers it: ``{"items": [...], "next":
    cursor}``, each row through ``out`` when given."""
    page = keyset_page(queryset, ordering=ordering, cursor=cursor, size=size, parts=parts)
    return {"items": [out(row) for row in page.items] if out else page.items, "next": page.next_cursor}


def page_for_request(
    request: Any, queryset: models.QuerySet[T], *, ordering: Sequence[str], parts: Parts | None = None
) -> Page[T]:
    """The page a list view shows: after the ``after`` cursor in the query
    string, or the first page when the cursor is not one we gave out."""
    try:
        page = keyset_page(queryset, ordering=ordering, cursor=request.GET.get("after"), parts=parts)
    except BadCursor:
        page = keyset_page(queryset, ordering=ordering, parts=parts)
    page.query = query_without_cursor(request)
    return page


def query_without_cursor(request: Any) -> str:
    """The list's current filters, to carry into the link to the next page."""
    query = request.GET.copy()
    query.pop("after", None)
    return str(query.urlencode())
