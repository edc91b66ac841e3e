"""The archives read in English for a user who chose English (the language
cookie), and in Chinese, as before, for everyone else."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from xieguan.archives import services

LAST_YEAR = timezone.localdate().year - 1


@pytest.mark.django_db
def test_the_archives_pages_are_english_when_english_is_chosen(demo, township, login, pdf_bytes):
    from xieguan.units.models import Category, Unit

    bureau, cg1 = demo.users["bureau"], demo.users["cg1"]
    upper = services.upper_document_issue(
        actor=bureau, title="关于开展夏季卫生监督协管工作的通知", targets=demo.townships
    )
    unit = Unit.objects.create(
        name="城关红星浴室", area=township, category=Category.objects.order_by("pk").first(), address="示范路1号"
    )
    document = services.document_upload(
        actor=cg1, owner_kind="unit", owner_id=unit.pk, upload=SimpleUploadedFile("p.pdf", pdf_bytes), title="现场照片"
    )
    # (who, page, English words on it, the Chinese for them)
    pages = [
        (
            bureau,
            reverse("archives:upper_list"),
            ["Documents from above", "Issue a document", "Issuing institution", "Acknowledge by", "Read by 0 of"],
            ["下发文件", "发文单位", "签收期限", "已阅 0 /"],
        ),
        (
            bureau,
            reverse("archives:upper_detail", args=[upper.pk]),
            ["Document number", "Receiving institution", "Not read", "Back to documents from above"],
            ["文号", "接收单位", "未阅", "返回上级文件"],
        ),
        (
            bureau,
            reverse("archives:upper_create"),
            ["Issue a document", "Summary of the content", "Issue to"],
            ["内容摘要", "下发范围"],
        ),
        (
            bureau,
            reverse("archives:index"),
            ["Archives", "Not closed", "Close the year", f"Year {LAST_YEAR}"],
            ["未关闭", "关闭年度", f"{LAST_YEAR}年度"],
        ),
        (
            cg1,
            reverse("archives:documents", args=["unit", unit.pk]),
            [
                "Documents of the unit",
                "Upload a document",
                "Uploaded by",
                "version 1",
                "Leave empty to use the file name",
            ],
            ["监督对象资料", "上传资料", "上传人", "第1版", "不填则用文件名"],
        ),
        (
            cg1,
            reverse("archives:document", args=[document.pk]),
            ["Version history", "Download the current version", "Upload a new version", "File of the new version"],
            ["历史版本", "下载当前版本", "上传新版本", "新版本文件"],
        ),
        (
            cg1,
            reverse("archives:year", args=[LAST_YEAR]),
            [f"for {LAST_YEAR}", "This year is not closed yet", "Category", "Export the year package"],
            [f"{LAST_YEAR}年度档案", "本年度尚未关闭", "类别", "导出年度档案包"],
        ),
    ]
    for user, url, english, chinese in pages:
        client = login(user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = client.get(url).content.decode()
        assert [word for word in english if word not in page] == [], url
        assert [word for word in chinese if word in page] == [], url
        default = login(user).get(url).content.decode()
        assert [word for word in chinese if word not in default] == [], url
