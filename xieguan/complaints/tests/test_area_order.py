"""The townships and villages of the complaint pages in code order (issue 20 item 7)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db

IN_CODE_ORDER = ["东关街道", "西湖街道", "城关镇", "河东镇", "青山镇", "柳林镇", "石桥镇", "白沙乡", "马坊乡", "杨庄乡"]


def _options(html: str, select_id: str) -> list[str]:
    select = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [
        name.strip() for value, name in re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', select) if value
    ]


def test_the_public_page_lists_townships_in_code_order(demo):
    page = Client().get(reverse("complaints:new")).content.decode()
    assert _options(page, "id_township") == IN_CODE_ORDER


def test_the_staff_form_lists_townships_in_code_order(demo, login, county_admin):
    page = login(county_admin).get(reverse("complaints:register")).content.decode()
    assert _options(page, "id_township") == IN_CODE_ORDER


def test_villages_come_in_code_order(demo):
    response = Client().get(reverse("complaints:public_villages"), {"township": str(demo.townships[0].pk)})
    names = [n.strip() for n in re.findall(r'<option value="[^"]+"[^>]*>([^<]*)</option>', response.content.decode())]
    assert names == ["城北社区居委会", "李家村", "王庄村"]
