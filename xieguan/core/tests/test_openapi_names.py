"""The OpenAPI document names each schema once (issue 19, found by fuzzing).

django-ninja files a schema under its class name: two classes called
``PhotoOut`` (inspections, outreach, reports) or ``StepOut`` (complaints,
reports) became one component, and the answers of all but one no longer
matched their own document."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ninja import Schema

from config.api import api


def _subclasses(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out.append(sub)
        out.extend(_subclasses(sub))
    return out


def test_no_two_api_schemas_share_a_component_name() -> None:
    api.get_openapi_schema()  # every router imported
    names: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("xieguan."):
            names[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(where) for name, where in names.items() if len(where) > 1}
    assert shared == {}


def test_each_answer_schema_in_the_document_is_the_one_its_code_uses() -> None:
    components: dict[str, Any] = api.get_openapi_schema()["components"]["schemas"]
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("xieguan.") and cls.__name__ in components:
            assert set(components[cls.__name__].get("properties", {})) == set(cls.model_fields), cls.__qualname__
