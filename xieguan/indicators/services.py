"""The one write of this app: an area's boundary, uploaded as GeoJSON —
permitted, scoped, validated, audited."""

from __future__ import annotations

import json
import math
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from xieguan.accounts.models import User
from xieguan.areas.models import Area, Level
from xieguan.core.audit import audited
from xieguan.core.permissions import MANAGE_AREAS, can
from xieguan.core.scope import is_within
from xieguan.indicators.models import Boundary

MAX_BYTES = 5 * 1024 * 1024
MAX_POINTS = 200_000
GEOMETRIES = {"Polygon", "MultiPolygon"}


def _points(coordinates: Any, depth: int) -> int:
    """How many [lng, lat] pairs the nested ``coordinates`` hold, each checked."""
    if depth == 0:
        if (
            not isinstance(coordinates, list)
            or len(coordinates) < 2
            or not all(isinstance(c, int | float) and not isinstance(c, bool) for c in coordinates[:2])
        ):
            raise ValidationError(_("Coordinates in the boundary file must be [longitude, latitude] pairs of numbers."))
        lng, lat = coordinates[0], coordinates[1]
        if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValidationError(_("The boundary file has coordinates outside the range of longitude and latitude."))
        return 1
    if not isinstance(coordinates, list) or not coordinates:
        raise ValidationError(_("The polygon coordinates in the boundary file are incomplete."))
    return sum(_points(c, depth - 1) for c in coordinates)


def _geometry(geometry: Any) -> int:
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRIES:
        raise ValidationError(_("A boundary can only be a surface (Polygon or MultiPolygon)."))
    return _points(geometry.get("coordinates"), 2 if geometry["type"] == "Polygon" else 3)


def parse_boundary(raw: bytes) -> dict[str, Any]:
    """The GeoJSON as a FeatureCollection of the polygons sent, or a
    ValidationError saying what is wrong with it."""
    if len(raw) > MAX_BYTES:
        raise ValidationError(_("The boundary file may not be larger than 5 MB."))
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValidationError(_("The boundary file is not valid GeoJSON (the JSON is malformed).")) from error
    if not isinstance(data, dict):
        raise ValidationError(_("The boundary file is not valid GeoJSON."))
    if data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise ValidationError(_("The boundary file holds no area."))
    elif data.get("type") == "Feature":
        features = [data]
    elif data.get("type") in GEOMETRIES:
        features = [{"type": "Feature", "properties": {}, "geometry": data}]
    else:
        raise ValidationError(_("The boundary file must be a FeatureCollection, Feature, Polygon or MultiPolygon."))
    total = 0
    clean = []
    for feature in features:
        if not isinstance(feature, dict):
            raise ValidationError(_("An area in the boundary file is malformed."))
        total += _geometry(feature.get("geometry"))
        if total > MAX_POINTS:
            raise ValidationError(_("The boundary file has too many coordinate points (200,000 at most)."))
        sent = feature.get("properties")
        name = str(sent.get("name", ""))[:100] if isinstance(sent, dict) else ""
        clean.append({"type": "Feature", "properties": {"name": name}, "geometry": feature["geometry"]})
    return {"type": "FeatureCollection", "features": clean}


def boundary_upload(actor: User, area: Area, raw: bytes, *, original_name: str = "") -> Boundary:
    """Store (or replace) the area's boundary. Counties and the areas above them only."""
    if not can(actor, MANAGE_AREAS) or not is_within(actor, area.path):
        raise PermissionDenied
    if area.level > Level.COUNTY:
        raise ValidationError(_("Only a county or an area above it can have a boundary uploaded."))
    data = parse_boundary(raw)
    existing = Boundary.objects.filter(area=area).first()
    with transaction.atomic(), audited(actor, "boundary.upload", existing, area_path=area.path) as audit:
        boundary = existing or Boundary(area=area)
        boundary.geojson, boundary.original_name, boundary.uploaded_by = data, original_name[:255], actor
        boundary.save()
        audit.obj = boundary
    return boundary
