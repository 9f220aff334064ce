"""The community clerk's patrol journey on a phone (390×844): the menu opens from the navbar
toggler, every form fits the screen, and no page scrolls sideways."""
from __future__ import annotations

from datetime import timedelta

from .conftest import PHONE
from models.base import local_today

# Controls a clerk must reach; those inside a table scroll with that table, not the page.
FITS = """limit => [...document.querySelectorAll(
    'input:not([type=hidden]), select, textarea, button, summary, .select2-container')]
  .filter(e => e.checkVisibility({visibilityProperty: true}) && !e.closest('table'))
  .filter(e => { const box = e.getBoundingClientRect();
                 return box.left < -0.5 || box.right > limit + 0.5; })
  .map(e => e.name || e.id || e.textContent.trim())"""


def assert_fits(clerk) -> None:
    page = clerk.page
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]")
    assert inner_width == PHONE["width"], f"{page.url}：页面被撑宽到 {inner_width}px"
    assert scroll_width <= inner_width, f"{page.url}：页面可横向滚动（{scroll_width}px）"
    outside = page.evaluate(FITS, PHONE["width"])
    assert not outside, f"{page.url}：超出屏幕的控件 {outside}"


def test_community_patrol_journey_on_a_phone(clerk_at):
    clerk = clerk_at(None, phone=True)
    page = clerk.page
    clerk.open("/login")
    assert_fits(clerk)
    clerk.sign_in("community_jianguo")
    assert_fits(clerk)

    menu = page.get_by_role("link", name="矛盾纠纷与安全")
    assert not menu.is_visible(), "手机上菜单应收起"
    page.locator(".navbar-toggler").click()
    menu.click()
    clerk.follow(page.get_by_role("link", name="日常巡查", exact=True))
    assert_fits(clerk)

    clerk.follow(page.get_by_role("link", name="创建"))
    assert_fits(clerk)
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    clerk.choose("area", "建国花园")
    clerk.choose("firm", "临江市安居物业服务有限公司")
    clerk.fill_date("planned_on", yesterday)
    clerk.choose("status", "已完成")
    clerk.fill_date("done_on", yesterday)
    page.fill("#participants", "社区网格员刘红、安居物业孙立")
    page.fill("#findings", "5号楼消防通道停放电动车；2号楼单元门禁损坏。")
    assert_fits(clerk)
    clerk.save()
    assert "创建记录成功" in clerk.flash()
    assert_fits(clerk)

    clerk.details_of("安居物业孙立")
    patrol = page.url
    assert_fits(clerk)
    page.locator("details[data-kind=hazard] summary").click()
    assert_fits(clerk)
    form = page.locator("details[data-kind=hazard] form")
    form.locator("select[name=category]").select_option(label="占用堵塞消防通道")
    form.locator("input[name=location]").fill("5号楼消防通道")
    clerk.follow(form.get_by_role("button", name="登记为隐患"))
    assert "已登记巡查发现的问题" in clerk.flash()
    assert_fits(clerk)

    page.goto(patrol)
    page.locator("details[data-kind=case] summary").click()
    assert_fits(clerk)
    form = page.locator("details[data-kind=case] form")
    form.locator("input[name=title]").fill("单元门禁损坏")
    clerk.follow(form.get_by_role("button", name="登记为案件"))
    assert "/case/details/" in page.url
    assert_fits(clerk)

    for action, note, fields in (
            ("assign", "交由社区办理", {"assignee_kind": "建国社区（社区）"}),
            ("start", "通知物业维修", {}),
            ("report_to_street", "物业拒不维修，报请街道协调", {})):
        clerk.open_step(action)
        assert_fits(clerk)
        assert "已办理" in clerk.case_action(action, note, **fields)
        assert_fits(clerk)
    page.locator("table.case-timeline").scroll_into_view_if_needed()
    assert page.locator("table.case-timeline tr.case-event").count() == 4
