"""Property services: form rules, firm access to handovers and inspections, computed figures."""
from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa

from models import db
from models.contracts import ServiceContract
from models.orgs import SupportUnit
from models.service import (
    FallbackArrangement, HandoverInspection, HandoverItem, InspectionItem, SatisfactionSurvey,
    ServiceInspection,
)

from .factories import add, make_firm
from .factories_service import (
    make_fallback, make_handover, make_inspection_item, make_service_inspection, make_survey,
)


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def test_score_above_maximum_is_refused(world, as_user):
    inspection = make_service_inspection(world, world.area_a1, firm=world.firm_a)
    db.session.commit()
    response = as_user(world.user("street_a")).post_form("/inspection_item/new/", {
        "inspection": inspection.id, "name": "公共区域保洁", "max_score": "20", "score": "25"})
    assert response.status_code == 200
    assert "得分不能超过该项满分（20分）" in response.get_data(as_text=True)
    assert count(InspectionItem) == 0


def test_item_scores_add_up_to_the_inspection_total(world, as_user):
    inspection = make_service_inspection(world, world.area_a1, firm=world.firm_a)
    make_inspection_item(world, world.area_a1, inspection=inspection, name="秩序维护",
                         score=Decimal("17"))
    db.session.commit()
    user = as_user(world.user("street_a"))
    user.post_form("/inspection_item/new/", {
        "inspection": inspection.id, "name": "绿化养护", "max_score": "20", "score": "15.5"})
    db.session.expire_all()
    assert db.session.get(ServiceInspection, inspection.id).total_score == Decimal("32.5")
    item = db.session.scalar(sa.select(InspectionItem).where(InspectionItem.name == "秩序维护"))
    user.post_form("/inspection_item/delete/", {"id": item.id}, form_url="/inspection_item/")
    db.session.expire_all()
    assert db.session.get(ServiceInspection, inspection.id).total_score == Decimal("15.5")


def test_end_date_before_start_date_is_refused(world, as_user):
    unit = add(SupportUnit(name="临江市财政局"))
    db.session.commit()
    response = as_user(world.user("community_a1")).post_form("/fallback/new/", {
        "area": world.area_a1.id, "support_unit": unit.id, "start_on": "2026-05-01",
        "end_on": "2026-04-01", "status": "ended", "basic_cleaning": "y",
        "end_condition": "选聘物业服务企业后终止"})
    assert response.status_code == 200
    assert "“代管结束日期”不能早于“代管开始日期”" in response.get_data(as_text=True)
    assert count(FallbackArrangement) == 0


def test_second_active_fallback_in_an_area_is_refused(world, as_user):
    unit = add(SupportUnit(name="临江市林业局"))
    make_fallback(world, world.area_a1, support_unit=unit, status="active", end_on=None)
    db.session.commit()
    response = as_user(world.user("community_a1")).post_form("/fallback/new/", {
        "area": world.area_a1.id, "support_unit": unit.id, "start_on": "2026-05-01",
        "status": "active", "repairs": "y", "end_condition": "选聘物业服务企业后终止"},
        follow_redirects=True)
    assert "该区域已有代管中的兜底代管安排" in response.get_data(as_text=True)
    assert count(FallbackArrangement) == 1


def test_firm_adds_items_to_handovers_of_its_own_areas_only(world, as_user):
    own = make_handover(world, world.area_a1)
    foreign = make_handover(world, world.area_b1)
    db.session.commit()
    user = as_user(world.user("firm_a"))
    user.post_form("/handover_item/new/", {
        "inspection": own.id, "category": "keys", "name": "单元门钥匙", "quantity": "24"})
    user.post_form("/handover_item/new/", {
        "inspection": foreign.id, "category": "keys", "name": "设备间钥匙", "quantity": "4"},
        form_url="/handover_item/new/")
    assert count(HandoverItem, HandoverItem.inspection_id == own.id) == 1
    assert count(HandoverItem, HandoverItem.inspection_id == foreign.id) == 0


def test_firm_records_a_handover_but_not_in_another_firms_area(world, as_user):
    user = as_user(world.user("firm_a"))
    data = {"kind": "takeover", "outgoing_kind": "developer", "outgoing_party": "某开发公司",
            "incoming_kind": "firm", "incoming_party": "安居物业", "inspected_on": "2026-11-20",
            "status": "planned"}
    user.post_form("/handover/new/", {**data, "area": world.area_a1.id})
    user.post_form("/handover/new/", {**data, "area": world.area_b1.id},
                   form_url="/handover/new/")
    assert count(HandoverInspection, HandoverInspection.area_id == world.area_a1.id) == 1
    assert count(HandoverInspection, HandoverInspection.area_id == world.area_b1.id) == 0


def test_firm_reads_but_cannot_edit_service_inspections(world, as_user):
    inspection = make_service_inspection(world, world.area_a1, firm=world.firm_a,
                                         findings="楼道堆物")
    db.session.commit()
    user = as_user(world.user("firm_a"))
    assert user.get(f"/service_inspection/details/?id={inspection.id}").status_code == 200
    assert user.get(f"/service_inspection/edit/?id={inspection.id}").status_code in (302, 403)
    token = user.csrf_token("/service_inspection/")
    user.client.post(f"/service_inspection/edit/?id={inspection.id}", data={
        "area": world.area_a1.id, "firm": world.firm_a.id, "kind": "routine",
        "inspected_on": "2026-11-01", "inspectors": "本企业", "findings": "无问题",
        "status": "closed", "csrf_token": token})
    db.session.expire_all()
    assert db.session.get(ServiceInspection, inspection.id).findings == "楼道堆物"


def test_signed_off_handover_needs_both_signatures(world, as_user):
    response = as_user(world.user("street_a")).post_form("/handover/new/", {
        "area": world.area_a1.id, "kind": "takeover", "outgoing_kind": "developer",
        "outgoing_party": "某开发公司", "incoming_kind": "firm", "incoming_party": "安居物业",
        "inspected_on": "2026-11-20", "status": "signed_off", "outgoing_signed": "y",
        "outgoing_signed_on": "2026-11-21"})
    assert "移交方和接收方均须已签字" in response.get_data(as_text=True)
    assert count(HandoverInspection) == 0


def test_satisfaction_rate_is_computed(world, as_user):
    survey = make_survey(world, world.area_a1, very_satisfied=31, satisfied=52, neutral=12,
                         dissatisfied=5)
    assert survey.satisfaction_rate == Decimal("83.0")
    odd = make_survey(world, world.area_a1, very_satisfied=1, satisfied=1, neutral=1,
                      dissatisfied=0)
    assert odd.satisfaction_rate == Decimal("66.7")
    db.session.commit()
    in_sql = db.session.scalar(sa.select(SatisfactionSurvey.satisfaction_rate)
                               .where(SatisfactionSurvey.id == survey.id))
    assert round(float(in_sql), 1) == 83.0
    html = as_user(world.user("street_a")).get("/satisfaction_survey/").get_data(as_text=True)
    assert "83.0%" in html and "66.7%" in html


def test_survey_counts_must_add_up_to_respondents(world, as_user):
    response = as_user(world.user("community_a1")).post_form("/satisfaction_survey/new/", {
        "area": world.area_a1.id, "period_start": "2026-07-01", "period_end": "2026-09-30",
        "surveyed_on": "2026-10-10", "respondents": "100", "very_satisfied": "30",
        "satisfied": "50", "neutral": "10", "dissatisfied": "5"})
    assert "份数之和（95）须等于有效问卷份数（100）" in response.get_data(as_text=True)
    assert count(SatisfactionSurvey) == 0


def test_agreement_selection_needs_an_approval_number(world, as_user):
    firm = make_firm()
    db.session.commit()
    response = as_user(world.user("street_a")).post_form("/service_contract/new/", {
        "area": world.area_a2.id, "firm": firm.id, "kind": "preliminary",
        "selection_method": "agreement", "signed_on": "2026-04-28", "start_on": "2026-06-01",
        "billing_mode": "lump_sum", "fee_residential": "1.20", "filing_status": "not_filed",
        "status": "active"})
    assert "协议选聘须填写市城市管理行政执法局的批准文号" in response.get_data(as_text=True)
    assert count(ServiceContract, ServiceContract.area_id == world.area_a2.id) == 0
