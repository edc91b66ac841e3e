"""Answers of the campaigns API the document must declare (found by the API fuzzing)."""

import re

from django.test import Client

from config.api import api
from xieguan.campaigns.models import Campaign

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def test_a_body_that_is_not_json_is_a_declared_400_in_chinese(demo, api_token):
    headers = api_token(demo.users["bureau"])
    before = Campaign.objects.count()
    paths = api.get_openapi_schema()["paths"]
    for path in ("/api/campaigns", "/api/draws"):
        response = Client().post(path, data=b"\x99\xe9", content_type="application/json", **headers)
        assert response.status_code == 400, (path, response.content)
        assert CHINESE.search(response.json()["detail"])
        assert 400 in {int(code) for code in paths[path]["post"]["responses"]}, path
    assert Campaign.objects.count() == before
