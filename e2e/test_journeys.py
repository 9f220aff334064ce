"""The main journeys in a desktop browser, each clerk signed in through the login page.

The patrol → case → whistle → department → closing tests follow one case in file order;
the case they make is kept in `story`.
"""
from __future__ import annotations

import re
import subprocess
from datetime import timedelta

import pytest

from .conftest import SCREENSHOTS
from models.base import local_today

CHENGGUAN = "临江市城市管理行政执法局"
FIRM_2 = "临江市鸭绿江物业管理有限公司"
CASE_TITLE = "地下车库积水长期无人处理"
LETTER_TITLE = "关于提请依法处置"
NOT_FOUND = "记录不存在"


class Story(dict):
    """What one journey leaves for the next; a journey whose predecessor failed fails too."""

    def __missing__(self, key):
        pytest.fail(f"前一段旅程没有完成（缺少 {key}）。")


@pytest.fixture(scope="module")
def story() -> Story:
    return Story()


def _menu(clerk, category: str, item: str) -> None:
    clerk.page.get_by_role("link", name=category).click()
    clerk.follow(clerk.page.get_by_role("link", name=item, exact=True))


def _detail(clerk, label: str) -> str:
    row = clerk.page.locator("table.table tr", has=clerk.page.locator(f"td b:text-is('{label}')"))
    return row.locator("td").nth(1).inner_text().strip()


def _numbers(rows: list[str]) -> set[str]:
    return {m for row in rows for m in re.findall(r"JG-\d{4}-\d{6}", row)}


def test_dashboard_figures_match_the_lists_they_link_to(clerk_at):
    clerk = clerk_at(None)
    clerk.open("/login")
    clerk.shot("login")
    clerk.sign_in("street")
    page = clerk.page
    assert page.locator(".chart svg").count() == 2, "覆盖率图和走势图都应显示"
    assert page.locator(".target-card").count() == 6
    clerk.shot("dashboard", until=".chart")

    figures = {}
    for title in ("未实现专业化服务或业主自治", "兜底代管中"):
        card = page.locator(".card", has=page.locator(f"strong:has-text('{title}')")).last
        count = int(re.search(r"（(\d+)）", card.locator("strong").inner_text()).group(1))
        figures[title] = (count, card.get_by_role("link", name="在列表中查看").get_attribute("href"))
    clutter = page.locator(".target-card", has_text="楼道堆物清理").inner_text()
    open_hazards = int(re.search(r"在办隐患 (\d+) 处", clutter).group(1))
    clutter_found = int(re.search(r"(\d+) / (\d+) 处", clutter).group(2))
    links = page.locator("p.small a")
    figures["在办隐患"] = (open_hazards, links.filter(has_text="在办隐患").get_attribute("href"))
    figures["楼道堆物隐患"] = (clutter_found,
                              links.filter(has_text="楼道堆物隐患").get_attribute("href"))
    cards = [(card.locator(".text-muted").inner_text(),
              int(card.locator(".display-count").inner_text()), card.get_attribute("href"))
             for card in page.locator(".scope-card a:has(.display-count)").all()]
    assert len(cards) > 20
    figures.update({name: (count, href) for name, count, href in cards})

    for name, (count, href) in figures.items():
        clerk.open(href)
        assert clerk.list_count() == count, f"“{name}”：首页 {count}，列表 {href}"


def test_community_turns_a_patrol_finding_into_a_hazard_and_a_case(clerk_at, story):
    clerk = clerk_at("community_jianguo")
    page = clerk.page
    yesterday = (local_today() - timedelta(days=1)).isoformat()
    _menu(clerk, "矛盾纠纷与安全", "日常巡查")
    clerk.follow(page.get_by_role("link", name="创建"))
    clerk.choose("area", "江畔小区")
    clerk.choose("firm", FIRM_2)
    clerk.fill_date("planned_on", yesterday)
    clerk.choose("status", "已完成")
    clerk.fill_date("done_on", yesterday)
    page.fill("#participants", "社区网格员张秀兰、鸭绿江物业赵明")
    page.fill("#route", "1号楼至4号楼楼道、地下车库")
    page.fill("#findings", "3号楼1单元楼道堆放纸箱杂物；地下车库积水，业主反映多次无人处理。")
    clerk.save()
    assert "创建记录成功" in clerk.flash()

    clerk.details_of("鸭绿江物业赵明")
    story["patrol"] = page.url
    page.locator("details[data-kind=hazard] summary").click()
    form = page.locator("details[data-kind=hazard] form")
    form.locator("select[name=category]").select_option(label="楼道堆物")
    form.locator("select[name=severity]").select_option(label="较大")
    form.locator("input[name=location]").fill("3号楼1单元楼道")
    form.locator("textarea[name=description]").fill("楼道堆放纸箱杂物，堵塞疏散通道。")
    form.locator("select[name=building_id]").select_option(label="3号楼")
    clerk.follow(form.get_by_role("button", name="登记为隐患"))
    assert "已登记巡查发现的问题" in clerk.flash()
    assert "/hazard/details/" in page.url
    assert _detail(clerk, "具体位置") == "3号楼1单元楼道"

    clerk.page.goto(story["patrol"])
    page.locator("details[data-kind=case] summary").click()
    form = page.locator("details[data-kind=case] form")
    form.locator("input[name=title]").fill(CASE_TITLE)
    form.locator("textarea[name=description]").fill("地下车库积水，疑因管网破损，物业劝阻无效。")
    clerk.follow(form.get_by_role("button", name="登记为案件"))
    assert "已登记巡查发现的问题" in clerk.flash()
    assert "/case/details/" in page.url
    story["case"], story["number"] = page.url, _detail(clerk, "案件编号")

    clerk.page.goto(story["patrol"])
    found = page.locator(".patrol-findings").inner_text()
    assert CASE_TITLE in found and "隐患" in found

    clerk.page.goto(story["case"])
    assert "交办" in clerk.case_action("assign", "交由社区牵头办理", assignee_kind="建国社区（社区）")
    assert "开始办理" in clerk.case_action("start", "网格员到现场核实")
    assert "上报街道" in clerk.case_action("report_to_street", "地下管网破损，需执法部门处置")
    assert _detail(clerk, "办理状态") == "已上报街道"


def test_street_blows_the_whistle_to_the_city_enforcement_bureau(clerk_at, story):
    clerk = clerk_at("street")
    page = clerk.page
    clerk.page.goto(story["case"])
    step = page.locator("details.case-action[data-action=escalate]")
    step.locator("summary").click()
    step.get_by_label(CHENGGUAN).check()
    step.locator("textarea[name=note]").fill("地下管网破损致车库积水，请依法处置。")
    clerk.follow(step.get_by_role("button", name="吹哨部门"))
    assert "已办理“吹哨部门”" in clerk.flash()
    assert "已吹哨" in page.locator("table.case-escalations", has_text=CHENGGUAN).inner_text()

    _menu(clerk, "矛盾纠纷与安全", "吹哨报到看板")
    assert page.locator(".board-row", has_text=story["number"]).count() == 2, "按部门、按社区各一行"
    clerk.shot("escalation-board")

    _menu(clerk, "矛盾纠纷与安全", "案件受理")
    assert story["number"] in clerk.column("number")
    clerk.shot("list")


def test_department_sees_only_its_escalations_accepts_and_replies(clerk_at, story):
    street = clerk_at("street")
    street.open("/escalation/")
    elsewhere = _numbers(r for r in street.list_rows() if CHENGGUAN not in r)
    elsewhere -= _numbers(r for r in street.list_rows() if CHENGGUAN in r)

    clerk = clerk_at("dept_chengguan")
    page = clerk.page
    _menu(clerk, "矛盾纠纷与安全", "吹哨报到")
    rows = clerk.list_rows()
    assert story["number"] in _numbers(rows)
    assert all(CHENGGUAN in row for row in rows), rows
    clerk.open("/case/")
    assert story["number"] in _numbers(clerk.list_rows())
    assert not elsewhere & _numbers(clerk.list_rows()), "看到了吹哨给其他部门的案件"
    clerk.page.goto(story["case"])
    assert page.locator(".case-actions").count() == 0, "部门不办理案件本身"

    assert "报到受理" in clerk.escalation_action(CHENGGUAN, "accept", "已报到，安排执法中队勘查")
    assert "回复办理情况" in clerk.escalation_action(
        CHENGGUAN, "reply", "已责令物业服务企业修复管网，积水已抽排。")
    assert "办结" in clerk.escalation_action(CHENGGUAN, "close", "整改完毕")
    escalation = page.locator("table.case-escalations", has_text=CHENGGUAN).inner_text()
    assert "已办结" in escalation and "积水已抽排" in escalation


def test_street_verifies_closes_and_prints_the_escalation_letter(clerk_at, story, tmp_path):
    clerk = clerk_at("street")
    page = clerk.page
    clerk.page.goto(story["case"])
    assert "街道核实办结" in clerk.case_action("verify", "街道现场核实，积水已清除")
    assert "结案回访" in clerk.case_action("close", "回访巡查人员，问题已解决")
    assert _detail(clerk, "办理状态") == "已结案"
    steps = page.locator("table.case-timeline tr.case-event").evaluate_all(
        "rows => rows.map(r => r.dataset.action)")
    assert steps == ["receive", "assign", "start", "report_to_street", "escalate",
                     "department_accept", "department_reply", "department_close", "verify",
                     "close"]
    page.locator("h5", has_text="吹哨部门").scroll_into_view_if_needed()
    page.evaluate("document.querySelector('table.case-escalations').scrollIntoView()")
    clerk.shot("case-timeline")

    clerk.open(f"/escalation/?search={story['number']}")
    clerk.details_of(CHENGGUAN)
    clerk.follow(page.get_by_role("link", name=re.compile("打印关于提请依法处置")))
    preview = page.frame_locator("iframe.filing-preview").locator("body")
    assert LETTER_TITLE in preview.inner_text()
    with page.expect_response(lambda r: "/filings/pdf/" in r.url) as issued:
        page.get_by_role("button", name="出具并打印 PDF").click()
    response = issued.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    # The browser's own viewer wraps the PDF; the clerk's session fetches the file itself.
    pdf = page.request.get(response.url).body()
    assert pdf.startswith(b"%PDF")
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], check=True,
                                             capture_output=True, text=True).stdout)
    for expected in (LETTER_TITLE, CASE_TITLE, CHENGGUAN, "临江市建国街道办事处"):
        assert expected in text, expected
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
                    str(path), str(SCREENSHOTS / "printed-filing")], check=True)


def test_firm_records_a_collection_action_and_sees_no_other_firms_areas(clerk_at):
    other = clerk_at("firm_2")
    other.open("/area/")
    their_pages = dict(zip(other.column("name"), other.page.get_by_title("查看记录").evaluate_all(
        "links => links.map(a => a.href)")))
    theirs = set(their_pages)
    assert theirs

    clerk = clerk_at("firm_1")
    page = clerk.page
    _menu(clerk, "基础信息", "物业管理区域")
    assert clerk.column("name") and not theirs & set(clerk.column("name"))
    for name, url in their_pages.items():
        page.goto(url)
        shown = page.locator("body").inner_text()
        assert NOT_FOUND in shown and name not in shown, url

    _menu(clerk, "物业费", "欠费台账")
    assert clerk.column("area") and not theirs & set(clerk.column("area"))
    index = clerk.column("status").index("欠费")
    household, owner, period, paid = (clerk.column(name)[index] for name in (
        "household", "household.owner_name", "period_start", "amount_paid"))

    _menu(clerk, "物业费", "催缴记录")
    clerk.follow(page.get_by_role("link", name="创建"))
    clerk.look_up("arrear", owner, f"{household} {period}")
    clerk.choose("channel", "电话")
    clerk.fill_date("acted_on", local_today().isoformat())
    page.fill("#actor", "安居物业客服李静")
    clerk.choose("outcome", "部分缴纳")
    page.fill("#amount_paid", "100.00")
    page.fill("#note", "业主电话答复先缴100元，余款年底前结清。")
    clerk.save()
    assert "创建记录成功" in clerk.flash()
    assert "安居物业客服李静" in clerk.column("actor")

    clerk.open(f"/fee_arrear/?search={owner}")
    rows = [row for row in zip(clerk.column("household"), clerk.column("period_start"),
                               clerk.column("amount_paid"), clerk.column("status"))
            if row[:2] == (household, period)]
    assert rows == [(household, period, f"{float(paid) + 100:.2f}", "部分缴纳")]
