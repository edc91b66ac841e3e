"""The one write of this app: an area's boundary, uploaded as GeoJSON —
permitted, scoped, validated, audited."""

from __future__ import annotations

import json
import math
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

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
            raise ValidationError("边界文件中的坐标应为[经度, 纬度]数字对。")
        lng, lat = coordinates[0], coordinates[1]
        if not (math.isfinite(lng) and math.isfinite(lat) and -180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValidationError("边界文件中有超出经纬度范围的坐标。")
        return 1
    if not isinstance(coordinates, list) or not coordinates:
        raise ValidationError("边界文件中的多边形坐标不完整。")
    return sum(_points(c, depth - 1) for c in coordinates)


def _geometry(geometry: Any) -> int:
    if not isinstance(geometry, dict) or geometry.get("type") not in GEOMETRIES:
        raise ValidationError("边界只能是面（Polygon 或 MultiPolygon）。")
    return _points(geometry.get("coordinates"), 2 if geometry["type"] == "Polygon" else 3)


def parse_boundary(raw: bytes) -> dict[str, Any]:
    """The GeoJSON as a FeatureCollection of the polygons sent, or a
    ValidationError in Chinese saying what is wrong with it."""
    if len(raw) > MAX_BYTES:
        raise ValidationError("边界文件不能超过5MB。")
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as error:
        raise ValidationError("边界文件不是有效的GeoJSON（JSON格式错误）。") from error
    if not isinstance(data, dict):
        raise ValidationError("边界文件不是有效的GeoJSON。")
    if data.get("type") == "FeatureCollection":
        features = data.get("features")
        if not isinstance(features, list) or not features:
            raise ValidationError("边界文件中没有任何区域。")
    elif data.get("type") == "Feature":
        features = [data]
    elif data.get("type") in GEOMETRIES:
        features = [{"type": "Feature", "properties": {}, "geometry": data}]
    else:
        raise ValidationError("边界文件应为 FeatureCollection、Feature、Polygon 或 MultiPolygon。")
    total = 0
    clean = []
    for feature in features:
        if not isinstance(feature, dict):
            raise ValidationError("边界文件中的区域格式错误。")
        total += _geometry(feature.get("geometry"))
        if total > MAX_POINTS:
            raise ValidationError("边界文件的坐标点过多（最多20万个）。")
        sent = feature.get("properties")
        name = str(sent.get("name", ""))[:100] if isinstance(sent, dict) else ""
        clean.append({"type": "Feature", "properties": {"name": name}, "geometry": feature["geometry"]})
    return {"type": "FeatureCollection", "features": clean}


def boundary_upload(actor: Any, area: Area, raw: bytes, *, original_name: str = "") -> Boundary:
    """Store (or replace) the area's boundary. Counties and the areas above them only."""
    if not can(actor, MANAGE_AREAS) or not is_within(actor, area.path):
        raise PermissionDenied
    if area.level > Level.COUNTY:
        raise ValidationError("只有县级及以上区域可以上传边界。")
    data = parse_boundary(raw)
    existing = Boundary.objects.filter(area=area).first()
    with transaction.atomic(), audited(actor, "boundary.upload", existing, area_path=area.path) as audit:
        boundary = existing or Boundary(area=area)
        boundary.geojson, boundary.original_name, boundary.uploaded_by = data, original_name[:255], actor
        boundary.save()
        audit.obj = boundary
    return boundary
