"""The archives' API: documents, upper documents' read state, the tree, packages."""

from __future__ import annotations

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from xieguan.archives import services
from xieguan.archives.package import build
from xieguan.archives.tests.test_archives import _unit

LAST_YEAR = timezone.localdate().year - 1


@pytest.mark.django_db
def test_documents_upload_once_list_and_refuse_a_fake(
    demo, township, api_token, pdf_bytes, django_assert_max_num_queries
):
    cg1 = demo.users["cg1"]
    unit = _unit(township)
    client, headers = Client(), api_token(cg1)
    doc_id = str(uuid.uuid4())
    body = {"id": doc_id, "owner_type": "unit", "owner_id": str(unit.pk), "title": "许可证"}
    first = client.post("/api/documents", {**body, "file": SimpleUploadedFile("a.pdf", pdf_bytes)}, **headers)
    assert first.status_code == 201, first.content
    again = client.post("/api/documents", {**body, "file": SimpleUploadedFile("a.pdf", pdf_bytes)}, **headers)
    assert again.status_code == 200 and again.json()["id"] == doc_id
    fake = client.post(
        "/api/documents", {**body, "id": str(uuid.uuid4()), "file": SimpleUploadedFile("a.pdf", b"<html>")}, **headers
    )
    assert fake.status_code == 422 and "只能上传" in fake.json()["detail"]
    with django_assert_max_num_queries(8):
        listed = client.get(f"/api/documents?owner_type=unit&owner_id={unit.pk}", **headers).json()
    assert [d["id"] for d in listed["items"]] == [doc_id]
    assert Client().get(f"/api/documents/{doc_id}", **api_token(demo.users["dh1"])).status_code == 404


@pytest.mark.django_db
def test_upper_documents_read_state_and_the_archive_tree_and_a_package(demo, township, api_token):
    doc = services.upper_document_issue(actor=demo.users["bureau"], title="通知", targets=demo.townships[:2])
    dh1 = api_token(demo.users["dh1"])
    client = Client()
    mine = client.get("/api/upper-documents", **dh1).json()["items"][0]
    assert mine["id"] == str(doc.pk) and mine["my_read_at"] is None
    assert client.post(f"/api/upper-documents/{doc.pk}/read", **dh1).status_code == 200
    # The issuer sees it but is none of its recipients: a role limit, 403 in Chinese.
    issuer = client.post(f"/api/upper-documents/{doc.pk}/acknowledge", **api_token(demo.users["bureau"]))
    assert issuer.status_code == 403 and "发送" in issuer.json()["detail"]
    seen = client.get(f"/api/upper-documents/{doc.pk}", **api_token(demo.users["bureau"])).json()
    assert seen["read"] == 1 and {r["area_name"] for r in seen["recipients"] if r["read_at"] is None} == {township.name}

    cg1 = api_token(demo.users["cg1"])
    tree = client.get(f"/api/archive/{LAST_YEAR}", **cg1).json()
    assert tree["area"]["name"] == township.name and tree["sections"][0]["name"] == "上级文件"
    closed = client.post(f"/api/archive/{LAST_YEAR}/close", **cg1)
    assert closed.status_code == 403
    # A year not over yet is refused for its state (409), in Chinese.
    early = client.post(f"/api/archive/{LAST_YEAR + 1}/close", **api_token(demo.users["bureau"]))
    assert early.status_code == 409 and "只能关闭已经结束的年度" in early.json()["detail"]
    started = client.post(
        "/api/archive-packages",
        {"area_id": str(township.pk), "year": LAST_YEAR},
        content_type="application/json",
        **cg1,
    )
    assert started.status_code == 201 and started.json()["status"] == "queued"
    early = client.get(f"/api/archive-packages/{started.json()['id']}/download", **cg1)
    assert early.status_code == 409 and "下载" in early.json()["detail"]  # not built yet: a state, not a missing record
    from xieguan.archives.models import YearPackage

    build(YearPackage.objects.get())
    progress = client.get(f"/api/archive-packages/{started.json()['id']}", **cg1).json()
    assert progress["status"] == "done" and progress["percent"] == 100 and len(progress["sha256"]) == 64
    download = client.get(f"/api/archive-packages/{started.json()['id']}/download", **cg1)
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert client.get(f"/api/archive-packages/{started.json()['id']}", **dh1).status_code == 404
