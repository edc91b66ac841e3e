"""A multipart body Django cannot split (no boundary) is the client's
mistake: 400 with a Chinese message on every upload endpoint and page,
never a 500 (issue 17, finding 7)."""

import uuid

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db

NO_BOUNDARY = "multipart/form-data"


def _api_paths():
    some = uuid.uuid4()
    return [
        f"/api/inspections/{some}/photos",
        f"/api/inspections/{some}/signatures",
        f"/api/outreach/{some}/photos",
        f"/api/reinspections/{some}/photos",
        f"/api/reports/{some}/photos",
        "/api/public/complaints",
    ]


@pytest.mark.parametrize("index", range(6), ids=lambda i: _api_paths()[i].split("/")[2] + str(i))
@pytest.mark.parametrize("content_type", [NO_BOUNDARY, "multipart/form-data; boundary="])
def test_api_upload_without_a_boundary_answers_400_in_chinese(demo, api_token, comanager_in, index, content_type):
    path = _api_paths()[index]
    client = Client(raise_request_exception=False)
    headers = {} if path.startswith("/api/public/") else api_token(comanager_in)
    response = client.generic("POST", path, b"--x\r\nnot a part\r\n", content_type=content_type, **headers)
    assert response.status_code == 400
    assert "multipart/form-data" in response.json()["detail"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["detail"])


@pytest.mark.parametrize("path", ["/complaints/new", "/complaints/register/"])
def test_page_form_without_a_boundary_answers_the_chinese_400_page(demo, login, comanager_in, path):
    client = login(comanager_in)
    client.raise_request_exception = False
    response = client.generic("POST", path, b"--x\r\n", content_type=NO_BOUNDARY)
    assert response.status_code == 400
    assert "请求有误" in response.content.decode()
