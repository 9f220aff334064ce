"""The case filings: the letter to a department, the hazard notice, the patrol record."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest

import reports.documents  # noqa: F401
from models import db
from models.cases import CaseEvent, local_now
from reports.filings import DOCUMENT_TYPES, build_pdf, issue

from .factories_cases import make_case, make_escalation, make_hazard, make_patrol
from .pdf import assert_official_pdf

NUMBER_PATTERN = r"临建办{}〔\d{{4}}〕[1-9]\d*号"


@pytest.fixture
def escalation(world):
    world.street_a.phone = "0439-5212200"
    case = make_case(world, world.area_a1, case_type="violation", state="escalated",
                     title="楼顶私搭彩钢房", respondent="3号楼6-602住户",
                     received_at=datetime(2026, 10, 21, 16, 0),
                     description="巡查发现3号楼楼顶私搭彩钢房。")
    for day, action, note in ((22, "dissuade", "上门劝阻，当事人拒绝拆除。"),
                              (23, "stop", "下达整改告知书，当事人仍未改正。"),
                              (24, "report_to_street", "劝阻无效，上报街道。"),
                              (25, "escalate", "吹哨城管执法局。")):
        db.session.add(CaseEvent(case=case, action=action, note=note,
                                 at=datetime(2026, 10, day, 9, 0),
                                 actor=world.user("street_a")))
    row = make_escalation(world, world.area_a1, case=case, department=world.dept_1,
                          escalated_at=datetime(2026, 10, 25, 9, 0),
                          reply_due=datetime(2026, 11, 1, 17, 0))
    db.session.commit()
    return row


def _pdf(world, key, record):
    document_type = DOCUMENT_TYPES[key]
    issued = issue(document_type, record, world.user("street_a"))
    db.session.commit()
    pdf = build_pdf([(document_type, record, issued)], world.user("street_a"))
    return issued, pdf


def test_the_escalation_letter_is_addressed_to_the_department(world, escalation):
    issued, pdf = _pdf(world, "escalation_letter", escalation)
    assert re.fullmatch(NUMBER_PATTERN.format("函"), issued.number)
    assert issued.addressee_department_id == world.dept_1.id
    text = assert_official_pdf(
        pdf, "临江市建国街道办事处", issued.number, "关于提请依法处置建国花园楼顶私搭彩钢房问题的函",
        "临江市城市管理行政执法局：", "报告单位", "事项类别：违法违规", "当事人：3号楼6-602住户",
        "发现时间：2026年10月21日16:00", "劝阻制止经过", "上门劝阻，当事人拒绝拆除。",
        "共劝阻、制止2次", "证据清单", "请求事项", "2026年11月1日17:00前", "联系人",
        "0439-5212200", "抄送：建国社区")
    assert "李秀英" not in text  # the complainant is not named to the department


def test_only_the_street_issues_the_letter(world, escalation, as_user):
    assert DOCUMENT_TYPES["escalation_letter"].issuer_roles == frozenset({"admin", "street"})
    page = as_user(world.user("dept_1")).get(f"/filings/escalation_letter/{escalation.id}/")
    assert page.status_code == 200
    foreign = make_escalation(world, world.area_b1, department=world.dept_2)
    db.session.commit()
    response = as_user(world.user("street_a")).get(f"/filings/escalation_letter/{foreign.id}/")
    assert response.status_code == 404


def test_the_hazard_notice(world):
    hazard = make_hazard(world, world.area_a1, category="fire_passage", severity="major",
                         location="小区东侧消防通道", description="私家车长期停放，占用消防车通道。",
                         found_at=local_now() - timedelta(days=1), status="contacted",
                         warning_line_at=local_now() - timedelta(hours=20),
                         responsible_unit="安居物业", contact_method="phone",
                         contacted_at=local_now() - timedelta(hours=18),
                         deadline=datetime(2026, 12, 3, 17, 0))
    issued, pdf = _pdf(world, "hazard_notice", hazard)
    assert re.fullmatch(NUMBER_PATTERN.format("隐"), issued.number)
    assert_official_pdf(pdf, "隐患告知及整改通知书", issued.number, "告知对象", "安居物业",
                        "小区东侧消防通道", "占用堵塞消防通道", "较大", "风险描述", "已采取措施",
                        "设置警戒线", "整改要求", "2026年12月3日17:00前", "送达方式",
                        "报送部门", "送达回执")


def test_the_patrol_record(world):
    patrol = make_patrol(world, world.area_a1, status="done", planned_on=date(2026, 10, 12),
                         done_on=date(2026, 10, 12), firm_id=world.firm_a.id,
                         route="1-6号楼楼道、地下车库", findings="3号楼2单元楼道堆放纸箱。")
    case = make_case(world, world.area_a1, patrol=patrol, source="patrol", title="楼道堆放纸箱")
    issued, pdf = _pdf(world, "patrol_record", patrol)
    assert re.fullmatch(NUMBER_PATTERN.format("巡"), issued.number)
    assert_official_pdf(pdf, "物业管理区域巡查记录", issued.number, "建国花园", "建国社区",
                        "安居物业", "2026年10月12日", "1-6号楼楼道、地下车库",
                        "3号楼2单元楼道堆放纸箱。", f"登记案件{case.number}", "巡查人员签字")


def test_the_case_pages_offer_the_print_buttons(world, escalation, as_user):
    patrol, hazard = make_patrol(world, world.area_a1), make_hazard(world, world.area_a1)
    db.session.commit()
    user = as_user(world.user("street_a"))
    for page, title in ((f"/escalation/details/?id={escalation.id}", "关于提请依法处置违法违规行为的函"),
                        (f"/patrol/details/?id={patrol.id}", "物业管理区域巡查记录"),
                        (f"/hazard/details/?id={hazard.id}", "隐患告知及整改通知书")):
        assert f"打印{title}" in user.get(page).get_data(as_text=True), page
    case_page = user.get(f"/case/details/?id={escalation.case_id}").get_data(as_text=True)
    assert "办理过程" in case_page and "吹哨部门" in case_page
