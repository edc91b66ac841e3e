"""The campaign pages speak English when the user chose it, and Chinese by default."""

from __future__ import annotations

from typing import Any

from django.conf import settings

from xieguan.campaigns import services


def test_campaign_pages_follow_the_chosen_language(demo: Any, login: Any, campaign: Any) -> None:
    draw = services.draw_make(actor=demo.users["inst"], campaign=campaign, count=2)
    client = login(demo.users["inst"])
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    pages = {
        "/campaigns/": (["Special campaigns", "New special campaign", "Declared conflicts"], ["新建专项检查"]),
        f"/campaigns/{campaign.pk}/": (
            ["Add targets", "Double-random draw", "Campaign completion rate", "Area covered"],
            ["添加检查对象", "专项完成率", "双随机抽取"],
        ),
        "/campaigns/new/": (["Basis document (number and title)", "Staff in charge"], ["依据文件", "承办人员"]),
        f"/draws/{draw.pk}/": (["Random seed", "Algorithm", "Pool of units", "SHA-256 digest"], ["随机种子", "算法"]),
        f"/campaigns/{campaign.pk}/summary/": (["Progress by township", "Work summary"], ["各乡镇完成情况"]),
        f"/public/{demo.county.code}/": (
            ["The pool and how to check this draw", "Random seed:"],
            ["备选名单及核对方法"],
        ),
        f"/public/{demo.county.code}/draws/{draw.pk}/": (
            ["How to check this draw", "For example, for the first unit of the pool", "in the order saved"],
            ["如何核对本次抽取", "按抽取时保存的顺序"],
        ),
    }
    for url, (english, chinese) in pages.items():
        page = client.get(url).content.decode()
        for text in english:
            assert text in page, (url, text)
        for text in chinese:
            assert text not in page, (url, text)

    del client.cookies[settings.LANGUAGE_COOKIE_NAME]
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "添加检查对象" in page and "专项完成率" in page and "双随机抽取" in page
    assert "Add targets" not in page and "Campaign completion rate" not in page
    page = client.get(f"/public/{demo.county.code}/draws/{draw.pk}/").content.decode()
    assert "如何核对本次抽取" in page and "备选名单中的单位" in page and "How to check" not in page
