"""Service rules: firm selection, filing, expiry warnings, the service-mode events, handover
sign-off limits for firms and overdue rectifications."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models.base import local_today
from models import db
from models.contracts import ServiceContract, selection_problems
from models.orgs import SupportUnit
from models.places import ManagementArea, ServiceModeChange
from models.service import (
    FallbackArrangement, HandoverInspection, ModeChangeRefused, ServiceInspection, mode_after,
    record_mode_change,
)

from .factories import add, make_contract, make_firm
from .factories_governance import assembly_of
from .factories_service import make_handover, make_service_inspection

TODAY = local_today()


def changes(area) -> list[tuple[str, str]]:
    return [(c.from_mode, c.to_mode) for c in db.session.scalars(
        sa.select(ServiceModeChange).where(ServiceModeChange.area_id == area.id)
        .order_by(ServiceModeChange.changed_on, ServiceModeChange.id))]


def reread(model, row_id):
    db.session.expire_all()
    return db.session.get(model, row_id)


def view_of(app, endpoint):
    return next(v for v in app.extensions["workbench_admin"]._views if v.endpoint == endpoint)


def filter_url(app, endpoint, name):
    """The list URL applying the view's filter called `name` (Flask-Admin numbers them)."""
    view = view_of(app, endpoint)
    index, flt = next((i, f) for i, f in enumerate(view._filters) if f.name == name)
    return f"/{endpoint}/?flt0_{view.get_filter_arg(index, flt)}=1"


# -- firm selection ----------------------------------------------------------------------------

@pytest.mark.parametrize("floor_area, allowed", [
    ("30000", True), ("30000.00", True), ("30000.01", False), ("30001", False)])
def test_agreement_selection_only_up_to_30000_square_metres(floor_area, allowed):
    problems = selection_problems("preliminary", "agreement", Decimal(floor_area),
                                  "临城执物批〔2026〕7号", date(2026, 4, 15), False)
    assert (not problems) is allowed, problems
    if not allowed:
        assert "超过三万平方米" in problems[0][1]


def _preliminary(area, firm, **extra):
    return {"area": area.id, "firm": firm.id, "kind": "preliminary",
            "selection_method": "agreement", "approval_number": "临城执物批〔2026〕7号",
            "approval_on": "2026-04-15", "signed_on": "2026-04-28", "start_on": "2099-06-01",
            "billing_mode": "lump_sum", "fee_residential": "1.20", "filing_status": "not_filed",
            "publicized_on": "2026-05-06", "status": "active", **extra}


@pytest.mark.parametrize("floor_area, saved", [("30000.00", True), ("30001.00", False)])
def test_agreement_boundary_through_the_screen(world, as_user, floor_area, saved):
    area = world.area_a2
    area.floor_area = Decimal(floor_area)
    firm = make_firm()
    db.session.commit()
    response = as_user(world.user("street_a")).post_form(
        "/service_contract/new/", _preliminary(area, firm))
    stored = db.session.scalar(sa.select(sa.func.count()).select_from(ServiceContract)
                               .where(ServiceContract.area_id == area.id))
    assert stored == (1 if saved else 0)
    if not saved:
        assert "超过三万平方米" in response.get_data(as_text=True)


def test_agreement_needs_the_bureaus_approval_date(world, as_user):
    firm = make_firm()
    db.session.commit()
    response = as_user(world.user("street_a")).post_form(
        "/service_contract/new/", _preliminary(world.area_a2, firm, approval_on=""))
    assert "协议选聘须填写批准日期" in response.get_data(as_text=True)


def test_preliminary_contract_is_not_chosen_by_the_assembly():
    problems = selection_problems("preliminary", "assembly", Decimal("1000"), None, None, True)
    assert problems and problems[0][0] == "selection_method"
    assert not selection_problems("preliminary", "public_tender", Decimal("90000"), None, None,
                                  False)


def test_ordinary_contract_needs_the_owners_assembly(world, as_user):
    firm = make_firm()
    db.session.commit()
    user = as_user(world.user("street_a"))
    data = {**_preliminary(world.area_a2, firm), "kind": "ordinary",
            "selection_method": "public_tender"}
    page = user.post_form("/service_contract/new/", data).get_data(as_text=True)
    assert "选聘方式应为“业主大会选聘”" in page
    page = user.post_form("/service_contract/new/", {**data, "selection_method": "assembly"},
                          form_url="/service_contract/new/").get_data(as_text=True)
    assert "该区域尚未成立业主大会" in page
    assembly_of(world, world.area_a2)
    db.session.commit()
    user.post_form("/service_contract/new/", {**data, "selection_method": "assembly"},
                   form_url="/service_contract/new/")
    assert db.session.scalar(sa.select(ServiceContract.selection_method).where(
        ServiceContract.area_id == world.area_a2.id)) == "assembly"


def test_filing_status_needs_its_dates(world, as_user):
    firm = make_firm()
    db.session.commit()
    page = as_user(world.user("street_a")).post_form("/service_contract/new/", _preliminary(
        world.area_a2, firm, filing_status="filed")).get_data(as_text=True)
    assert "须填写报送备案日期" in page and "须填写备案日期" in page


def test_active_contract_needs_its_publicity_date(world, as_user):
    firm = make_firm()
    db.session.commit()
    page = as_user(world.user("street_a")).post_form("/service_contract/new/", _preliminary(
        world.area_a2, firm, publicized_on="")).get_data(as_text=True)
    assert "收费标准的公示日期" in page


def test_contracts_ending_within_90_days_are_marked_and_filtered(app, world, as_user):
    soon = make_contract(world.area_a2, make_firm("临江市九十天物业有限公司"),
                         end_on=TODAY + timedelta(days=90))
    later = make_contract(world.area_a2, make_firm("临江市九十一天物业有限公司"),
                          end_on=TODAY + timedelta(days=91))
    db.session.commit()
    assert db.session.scalars(sa.select(ServiceContract.id).where(
        ServiceContract.ending_soon(TODAY))).all() == [soon.id]
    user = as_user(world.user("street_a"))
    listed = user.get("/service_contract/").get_data(as_text=True)
    assert "90天后到期" in listed and "91天后到期" not in listed
    filtered = user.get(filter_url(app, "service_contract", "90日内到期")).get_data(as_text=True)
    assert "临江市九十天物业有限公司" in filtered and "临江市九十一天物业有限公司" not in filtered
    assert later.days_left(TODAY) == 91


# -- service mode ------------------------------------------------------------------------------

@pytest.mark.parametrize("event, current, facts, expected", [
    ("contract_started", "none", {}, "professional"),
    ("contract_started", "fallback", {}, "professional"),
    ("owners_decision", "none", {}, "self_managed"),
    ("fallback_started", "none", {}, "fallback"),
    ("fallback_ended", "fallback", {}, "none"),
    ("fallback_ended", "fallback", {"contract_in_force": True}, "professional"),
    ("fallback_ended", "self_managed", {}, "self_managed"),
    ("exit_handover", "professional", {}, "none"),
    ("exit_handover", "professional", {"fallback_in_force": True}, "fallback"),
    ("exit_handover", "professional", {"contract_in_force": True}, "professional"),
    ("exit_handover", "self_managed", {}, "self_managed"),
])
def test_mode_after(event, current, facts, expected):
    assert mode_after(event, current, **facts) == expected


def test_fallback_is_refused_while_a_contract_is_in_force():
    with pytest.raises(ModeChangeRefused):
        mode_after("fallback_started", "professional", contract_in_force=True)


def test_history_stays_one_chain(world):
    area = world.area_a2
    record_mode_change(area, "fallback_started", date(2026, 3, 1), "包保")
    db.session.flush()
    with pytest.raises(ModeChangeRefused, match="早于该区域最近一次"):
        record_mode_change(area, "contract_started", date(2026, 2, 1), "合同")
    with pytest.raises(ModeChangeRefused, match="该日期到来后"):
        record_mode_change(area, "contract_started", TODAY + timedelta(days=1), "合同")
    assert record_mode_change(area, "fallback_started", date(2026, 4, 1), "再次") is None
    assert changes(area) == [("none", "fallback")]


def test_a_contract_in_force_makes_the_area_professional(world, as_user):
    firm = make_firm()
    assembly_of(world, world.area_a2)
    db.session.commit()
    as_user(world.user("street_a")).post_form("/service_contract/new/", {
        **_preliminary(world.area_a2, firm), "kind": "ordinary", "selection_method": "assembly",
        "start_on": "2026-01-01", "signed_on": "2025-12-20", "publicized_on": "2025-12-25"})
    area = reread(ManagementArea, world.area_a2.id)
    assert area.service_mode == "professional"
    row = area.mode_changes[-1]
    assert row.changed_on == date(2026, 1, 1) and "物业服务合同开始履行" in row.reason


def test_fallback_start_and_end_are_recorded(world, as_user):
    unit = add(SupportUnit(name="临江市财政局"))
    db.session.commit()
    user = as_user(world.user("street_a"))
    data = {"area": world.area_a2.id, "support_unit": unit.id, "start_on": "2026-03-01",
            "status": "active", "basic_cleaning": "y", "end_condition": "选聘物业服务企业后终止"}
    user.post_form("/fallback/new/", data)
    arrangement = db.session.scalar(sa.select(FallbackArrangement))
    assert reread(ManagementArea, world.area_a2.id).service_mode == "fallback"
    edit = f"/fallback/edit/?id={arrangement.id}"
    user.post_form(edit, {**data, "status": "ended", "end_on": "2026-10-31",
                          "row_version": arrangement.version})
    area = reread(ManagementArea, world.area_a2.id)
    assert area.service_mode == "none"
    assert changes(area) == [("none", "fallback"), ("fallback", "none")]
    assert area.mode_changes[-1].changed_on == date(2026, 10, 31)


def test_fallback_in_an_area_with_a_contract_in_force_is_refused(world, as_user):
    unit = add(SupportUnit(name="临江市财政局"))
    db.session.commit()
    page = as_user(world.user("community_a1")).post_form("/fallback/new/", {
        "area": world.area_a1.id, "support_unit": unit.id,
        "start_on": (TODAY - timedelta(days=10)).isoformat(), "status": "active",
        "repairs": "y", "end_condition": "选聘物业服务企业后终止"}, follow_redirects=True)
    assert "须先完成原物业服务企业的退出交接" in page.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(FallbackArrangement)) == 0


def test_owners_decision_needs_the_assembly_and_writes_the_history(world, as_user):
    user = as_user(world.user("street_a"))
    data = {"area": world.area_a2.id, "changed_on": "2026-06-10",
            "reason": "业主大会表决通过实行自治管理"}
    page = user.post_form("/mode_change/new/", data, follow_redirects=True)
    assert "该区域尚未成立业主大会" in page.get_data(as_text=True)
    assembly_of(world, world.area_a2)
    db.session.commit()
    user.post_form("/mode_change/new/", data)
    area = reread(ManagementArea, world.area_a2.id)
    assert area.service_mode == "self_managed"
    assert changes(area) == [("none", "self_managed")]
    assert "业主决定自治管理" in area.mode_changes[0].reason


def test_area_form_keeps_the_mode_read_only(world, as_user):
    page = as_user(world.user("street_a")).get(f"/area/edit/?id={world.area_a1.id}")
    assert 'name="service_mode"' not in page.get_data(as_text=True)


# -- handovers ---------------------------------------------------------------------------------

def _exit(world, **kw):
    contract = db.session.scalar(sa.select(ServiceContract).where(
        ServiceContract.area_id == world.area_a1.id))
    return make_handover(world, world.area_a1, kind="exit", outgoing_kind="firm",
                         outgoing_party="安居物业", incoming_kind="committee",
                         incoming_party="建国花园业主委员会", contract=contract,
                         contract_end_on=TODAY, exit_deadline=TODAY + timedelta(days=30), **kw)


def _handover_form(record, **changes):
    data = {"area": record.area_id, "kind": record.kind, "outgoing_kind": record.outgoing_kind,
            "outgoing_party": record.outgoing_party, "incoming_kind": record.incoming_kind,
            "incoming_party": record.incoming_party,
            "inspected_on": record.inspected_on.isoformat(), "status": record.status,
            "row_version": record.version}
    if record.contract_id:
        data["contract"] = record.contract_id
    for name in ("contract_end_on", "exit_deadline"):
        if getattr(record, name):
            data[name] = getattr(record, name).isoformat()
    return {**data, **changes}


def test_firm_cannot_tick_the_witness_boxes(world, as_user):
    record = make_handover(world, world.area_a1)
    db.session.commit()
    page = as_user(world.user("firm_a")).post_form(
        f"/handover/edit/?id={record.id}",
        _handover_form(record, street_signed="y", street_signed_on="2026-11-20"),
        follow_redirects=True).get_data(as_text=True)
    assert "物业服务企业不能勾选或修改" in page
    assert not reread(HandoverInspection, record.id).street_signed


def test_firm_cannot_sign_off_without_both_parties(world, as_user):
    record = make_handover(world, world.area_a1)
    db.session.commit()
    page = as_user(world.user("firm_a")).post_form(
        f"/handover/edit/?id={record.id}",
        _handover_form(record, status="signed_off", incoming_signed="y",
                       incoming_signed_on="2026-11-20")).get_data(as_text=True)
    assert "移交方和接收方均须已签字" in page
    assert reread(HandoverInspection, record.id).status != "signed_off"


def test_signed_off_exit_ends_the_contract_and_the_professional_mode(world, as_user):
    area = world.area_a1
    area.service_mode = "professional"
    record = _exit(world, status="in_progress")
    db.session.commit()
    day = (TODAY - timedelta(days=1)).isoformat()
    as_user(world.user("community_a1")).post_form(
        f"/handover/edit/?id={record.id}",
        _handover_form(record, status="signed_off", outgoing_signed="y", outgoing_signed_on=day,
                       incoming_signed="y", incoming_signed_on=day, community_signed="y",
                       community_signed_on=day))
    assert reread(HandoverInspection, record.id).status == "signed_off"
    area = db.session.get(ManagementArea, area.id)
    assert area.service_mode == "none"
    assert area.mode_changes[-1].changed_on == TODAY - timedelta(days=1)
    assert "物业服务企业退出交接" in area.mode_changes[-1].reason
    assert db.session.get(ServiceContract, record.contract_id).status == "ended"


def test_exit_sign_off_needs_a_witness(world, as_user):
    record = _exit(world, status="in_progress")
    db.session.commit()
    day = TODAY.isoformat()
    page = as_user(world.user("community_a1")).post_form(
        f"/handover/edit/?id={record.id}",
        _handover_form(record, status="signed_off", outgoing_signed="y", outgoing_signed_on=day,
                       incoming_signed="y", incoming_signed_on=day)).get_data(as_text=True)
    assert "须有街道或社区到场见证" in page


def test_outgoing_firm_keeps_reading_its_exit_handover_only(world, as_user):
    record = _exit(world, status="signed_off", outgoing_signed=True, outgoing_signed_on=TODAY,
                   incoming_signed=True, incoming_signed_on=TODAY)
    takeover = make_handover(world, world.area_a1)
    contract = db.session.get(ServiceContract, record.contract_id)
    contract.status = "ended"
    db.session.commit()
    user = as_user(world.user("firm_a"))
    assert user.get(f"/handover/details/?id={record.id}").status_code == 200
    assert user.get(f"/handover/details/?id={takeover.id}").status_code in (302, 404)
    listed = user.get("/handover/").get_data(as_text=True)
    assert f"id={record.id}" in listed and f"id={takeover.id}&" not in listed
    page = user.post_form(f"/handover/edit/?id={record.id}", _handover_form(
        record, outgoing_party="改名物业", status="signed_off", outgoing_signed="y",
        outgoing_signed_on=TODAY.isoformat(), incoming_signed="y",
        incoming_signed_on=TODAY.isoformat()), follow_redirects=True).get_data(as_text=True)
    assert "只能查看本企业的退出交接记录" in page
    assert reread(HandoverInspection, record.id).outgoing_party == "安居物业"
    assert as_user(world.user("firm_b")).get(
        f"/handover/details/?id={record.id}").status_code in (302, 404)


# -- supervision -------------------------------------------------------------------------------

def test_overdue_rectification_is_marked_and_filtered(app, world, as_user):
    overdue = make_service_inspection(
        world, world.area_a1, firm=world.firm_a, findings="楼道堆物", inspectors="逾期检查组",
        inspected_on=TODAY - timedelta(days=20), rectification_deadline=TODAY - timedelta(days=1))
    make_service_inspection(
        world, world.area_a1, firm=world.firm_a, findings="门禁损坏", inspectors="按期检查组",
        inspected_on=TODAY - timedelta(days=20), rectification_deadline=TODAY)
    db.session.commit()
    assert overdue.overdue_on(TODAY)
    user = as_user(world.user("street_a"))
    assert "已逾期" in user.get("/service_inspection/").get_data(as_text=True)
    page = user.get(filter_url(app, "service_inspection", "整改逾期")).get_data(as_text=True)
    assert "逾期检查组" in page and "按期检查组" not in page


def test_findings_need_a_rectification_deadline(world, as_user):
    page = as_user(world.user("street_a")).post_form("/service_inspection/new/", {
        "area": world.area_a1.id, "firm": world.firm_a.id, "kind": "routine",
        "inspected_on": "2026-11-20", "inspectors": "街道物业办", "findings": "消防通道堵塞",
        "status": "inspected"}).get_data(as_text=True)
    assert "发现问题的须填写整改期限" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ServiceInspection)) == 0
