"""Property services in Jianguo Street: a preliminary contract by agreement, handovers,
fallback management of old complexes, one self-managed area, supervision checks and quarterly
satisfaction surveys. Every service mode comes from a recorded event in the mode history."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from models import db
from models.contracts import ServiceContract
from models.orgs import PropertyFirm, SupportUnit
from models.places import Building, Community, ManagementArea, ServiceModeChange
from models.service import (
    FallbackArrangement, HandoverInspection, HandoverItem, InspectionItem, SatisfactionSurvey,
    ServiceInspection, record_mode_change, refresh_total_score,
)

from . import credit_code, get_or_create

NEW_AREA = "春江景苑"
DEVELOPER = ("临江市春江房地产开发有限公司", "91220681MA0C8N4T6")

# category, name, quantity, unit, location, method, condition, problem, responsible, deadline,
# fixed on, re-check conclusion
TAKEOVER_ITEMS = (
    ("documents", "竣工总平面图、单体建筑及设备竣工图", 1, "套", "建设单位档案室", "compare",
     "齐全，与现场一致", None, None, None, None, None),
    ("documents", "设施设备安装、使用和维护保养技术资料", 1, "套", "建设单位档案室", "compare",
     "齐全", None, None, None, None, None),
    ("documents", "住宅质量保证书和住宅使用说明书", 252, "份", "建设单位销售部", "compare",
     "齐全", None, None, None, None, None),
    ("common_parts", "1-3号楼屋面及防水层", 3, "栋", "1-3号楼屋顶", "observe",
     "1、2号楼完好", "3号楼屋面东侧约12㎡防水层空鼓，雨后顶层楼梯间渗水",
     "临江市春江房地产开发有限公司", date(2026, 6, 30), date(2026, 6, 20),
     "返修后闭水试验合格"),
    ("common_parts", "楼梯间、走廊、扶手和护栏", 3, "栋", "1-3号楼", "observe",
     "完好，护栏高度符合要求", None, None, None, None, None),
    ("facilities", "电梯", 6, "部", "1-3号楼各单元", "test",
     "运行正常，检验合格证在有效期内", None, None, None, None, None),
    ("facilities", "地下车库排水泵", 4, "台", "地下车库集水井", "use",
     "1、3、4号泵运行正常", "2号排水泵浮球开关失灵，不能自动启停",
     "临江市春江房地产开发有限公司", date(2026, 12, 15), None, None),
    ("facilities", "消防设施（消火栓、烟感、喷淋、应急照明）", 1, "套", "全区域", "test",
     "联动试验正常", None, None, None, None, None),
    ("keys", "单元门、设备间及物业服务用房钥匙", 48, "把", "物业服务中心", "compare",
     "数量相符，已逐把试开", None, None, None, None, None),
)
EXIT_ITEMS = (
    ("documents", "业主资料清册", 1, "册", "compare", "与在册户数核对一致"),
    ("documents", "共用设施设备台账及维修记录（2024-2026年）", 3, "册", "compare", "齐全"),
    ("documents", "物业服务财务资料（预收费、共有收益、代收代缴明细）", 1, "套", "compare",
     "待审计后移交"),
    ("keys", "物业服务用房、设备间、单元门钥匙", 36, "把", "compare", "已清点，待交接日移交"),
    ("funds", "装修押金", None, None, "compare", "共8户，合计12000.00元"),
)
# area, support unit, start, community contact, community phone
FALLBACKS = (
    ("建国大街老旧片区", "临江市财政局", date(2024, 10, 8), "张秀兰", "0439-5212201"),
    ("电业家属楼", "临江市自然资源局", date(2024, 11, 1), "李国庆", "0439-5212202"),
    ("林业局家属院", "临江市林业局", date(2025, 3, 1), "陈志强", "0439-5212204"),
)
INSPECTION_ITEMS = ("公共区域保洁", "秩序维护", "绿化养护", "设施设备维护", "消防安全")
# area, date, kind, inspectors, deductions per item, findings, deadline, rectified on, status
INSPECTIONS = (
    ("建国花园", date(2026, 3, 18), "quarterly", "街道物业办 周海涛、建国社区 张秀兰",
     (1, 2, 3, 1, 0), "绿化带冬季残枝未清理；地下车库照明两处不亮。", date(2026, 4, 1),
     date(2026, 3, 29), "closed"),
    ("江畔小区", date(2026, 5, 20), "routine", "街道物业办 周海涛、建国社区 张秀兰",
     (4, 3, 2, 5, 6), "3号楼楼道堆放杂物，消防通道被占用；单元门禁损坏未修。",
     date(2026, 6, 3), date(2026, 6, 1), "closed"),
    ("解放小区", date(2026, 7, 15), "special", "街道物业办 刘晓燕、解放社区 李国庆",
     (2, 1, 2, 4, 3), "汛期排水沟淤堵，2号楼雨水管脱落。", date(2026, 7, 25), None, "rectifying"),
    ("世纪春城", date(2026, 9, 16), "quarterly", "街道物业办 周海涛、世纪春社区 赵丽华",
     (0, 1, 1, 0, 1), None, None, None, "closed"),
    ("台兴家园", date(2026, 11, 12), "routine", "街道物业办 刘晓燕、台兴社区 陈志强",
     (3, 2, 4, 6, 5), "消防控制室值班记录不全；小区南门道闸故障；公共区域保洁不及时。",
     date(2026, 12, 10), None, "rectifying"),
)
QUARTERS = tuple((date(year, month, 1), date(year, month + 2, 30 if month in (4, 7) else 31))
                 for year in (2025, 2026) for month in (1, 4, 7, 10)
                 if (year, month) != (2026, 10))


SELF_MANAGED = ("台兴新村", date(2026, 1, 10),
                "2026年1月10日业主大会会议表决通过，实行业主自治管理，由业主委员会组织保洁和维修")


def load(password):
    firms = list(db.session.scalars(sa.select(PropertyFirm).order_by(PropertyFirm.id)))
    _contract_history()
    area = _new_area_with_preliminary_contract(firms[0])
    _takeover(area, firms[0])
    _exit_handover()
    _fallbacks()
    _self_management()
    _inspections()
    _surveys()
    return []


def _area(name: str) -> ManagementArea:
    return db.session.scalar(sa.select(ManagementArea).where(ManagementArea.name == name))


def _has_history(area: ManagementArea) -> bool:
    return db.session.scalar(sa.select(sa.exists().where(
        ServiceModeChange.area_id == area.id))) or False


def _contract_history() -> None:
    """The areas served since demo/places.py gets its contract start in the mode history."""
    contracts = db.session.scalars(sa.select(ServiceContract).order_by(ServiceContract.start_on))
    for contract in contracts:
        area = contract.area
        if area.service_mode == "professional" and not _has_history(area):
            # The area was created already served; its history starts from no management.
            area.service_mode = "none"
            record_mode_change(area, "contract_started", contract.start_on,
                               f"{contract.firm.name}物业服务合同自{contract.start_on}起履行")


def _new_area_with_preliminary_contract(firm) -> ManagementArea:
    community = db.session.scalar(sa.select(Community).where(Community.name == "世纪春社区"))
    area = get_or_create(
        ManagementArea, {"community_id": community.id, "name": NEW_AREA}, kind="closed",
        floor_area=Decimal("26800.00"), households=252, year_built=2026, is_old_complex=False,
        address="临江市世纪春社区春江路18号", boundaries="东至春江路，西至世纪春城，南至江堤路，北至春华街",
        service_mode="none")
    for number in (1, 2, 3):
        get_or_create(Building, {"area_id": area.id, "number": f"{number}号楼"},
                      address=f"{NEW_AREA}{number}号楼", floors=11, units=2, households=84,
                      floor_area=Decimal("8930.00"))
    get_or_create(
        ServiceContract, {"area_id": area.id, "firm_id": firm.id}, kind="preliminary",
        selection_method="agreement", approval_number="临城执物批〔2026〕7号",
        approval_on=date(2026, 4, 15), developer_name=DEVELOPER[0],
        developer_credit_code=credit_code(DEVELOPER[1]), signed_on=date(2026, 4, 28),
        start_on=date(2026, 6, 1), end_on=None, billing_mode="lump_sum",
        fee_residential=Decimal("1.20"), fee_commercial=Decimal("2.00"), service_level="二级",
        service_items="公共区域保洁、秩序维护、绿化养护、共用设施设备维修养护、装饰装修管理",
        publicized_on=date(2026, 5, 6), filing_status="filed", submitted_on=date(2026, 5, 8),
        filed_on=date(2026, 5, 20), filing_number="临城执物备〔2026〕15号", status="active")
    if not _has_history(area):
        record_mode_change(area, "contract_started", date(2026, 6, 1),
                           f"{firm.name}前期物业服务合同自2026-06-01起履行")
    return area


def _takeover(area, firm) -> None:
    contract = db.session.scalar(sa.select(ServiceContract).where(
        ServiceContract.area_id == area.id, ServiceContract.firm_id == firm.id))
    record = get_or_create(
        HandoverInspection, {"area_id": area.id, "kind": "takeover"}, contract_id=contract.id,
        outgoing_kind="developer", outgoing_party=DEVELOPER[0], incoming_kind="firm",
        incoming_party=firm.name, inspected_on=date(2026, 5, 25),
        scope="1-3号楼共用部位、共用设施设备，地下车库，室外道路、绿地及物业服务用房",
        method="资料核对、现场查验、设备试运行", status="rectifying",
        conclusion="共用部位和共用设施设备总体符合设计及合同约定，两项问题由建设单位限期整改。",
        outgoing_signed=True, outgoing_signed_on=date(2026, 5, 28),
        incoming_signed=True, incoming_signed_on=date(2026, 5, 28),
        street_signed=True, street_signed_on=date(2026, 5, 28),
        community_signed=True, community_signed_on=date(2026, 5, 28),
        service_room_location="2号楼一单元一楼", service_room_area=Decimal("120.00"),
        notes="尚未成立业主大会，由社区邀请三名业主代表参加查验。")
    for seq, (category, name, quantity, unit, location, method, condition, problem, responsible,
              deadline, fixed_on, recheck) in enumerate(TAKEOVER_ITEMS, 1):
        get_or_create(HandoverItem, {"inspection_id": record.id, "name": name}, seq=seq,
                      category=category, quantity=quantity, unit=unit, location=location,
                      method=method, condition=condition, problem=problem,
                      responsible_party=responsible, deadline=deadline,
                      fixed=fixed_on is not None, fixed_on=fixed_on,
                      recheck_conclusion=recheck,
                      copy_kind="original" if category == "documents" else None)


def _exit_handover() -> None:
    area = _area("春华苑")
    contract = db.session.scalar(sa.select(ServiceContract).where(
        ServiceContract.area_id == area.id).order_by(ServiceContract.start_on.desc()))
    record = get_or_create(
        HandoverInspection, {"area_id": area.id, "kind": "exit"}, contract_id=contract.id,
        outgoing_kind="firm", outgoing_party=contract.firm.name, incoming_kind="committee",
        incoming_party="春华苑业主委员会", inspected_on=date(2026, 11, 25),
        scope="物业服务用房、全部移交资料、共用设施设备现状及费用结算",
        method="社区组织三方现场清点，逐项签认", status="in_progress",
        conclusion="资料和钥匙已清点，财务资料待审计后于退出期限前移交。",
        contract_end_on=contract.end_on, exit_deadline=date(2027, 1, 15),
        service_room_location="3号楼一单元一楼", service_room_area=Decimal("86.50"),
        service_room_keys_returned=False, prepaid_fees=Decimal("48620.00"),
        deposits=Decimal("12000.00"), shared_income=Decimal("23450.00"),
        collected_balance=Decimal("3180.50"),
        open_matters="电梯维保合同转签；2026年度共有收益审计；预收物业费退还或转付新物业服务人",
        open_matters_deadline=date(2027, 1, 15),
        notes="业主大会决定不再续聘，合同期满退出；社区、街道全程见证。")
    for seq, (category, name, quantity, unit, method, condition) in enumerate(EXIT_ITEMS, 1):
        get_or_create(HandoverItem, {"inspection_id": record.id, "name": name}, seq=seq,
                      category=category, quantity=quantity, unit=unit, method=method,
                      condition=condition, location="春华苑物业服务中心",
                      amount=Decimal("12000.00") if category == "funds" else None)


def _fallbacks() -> None:
    for area_name, unit_name, start, contact, phone in FALLBACKS:
        area = _area(area_name)
        unit = db.session.scalar(sa.select(SupportUnit).where(SupportUnit.name == unit_name))
        get_or_create(FallbackArrangement, {"area_id": area.id, "start_on": start},
                      support_unit_id=unit.id, support_contact=unit.contact,
                      community_contact=contact, community_phone=phone, basic_cleaning=True,
                      repairs=True, other_services="楼道杂物清理、冬季清雪、化粪池清掏",
                      status="active")
        if not _has_history(area):
            record_mode_change(area, "fallback_started", start,
                               f"无物业服务企业，由{unit_name}包保、{area.community.name}兜底代管，"
                               "业主选聘物业服务企业或实行自治管理后终止")


def _self_management() -> None:
    name, decided_on, reason = SELF_MANAGED
    area = _area(name)
    if not _has_history(area):
        record_mode_change(area, "owners_decision", decided_on, reason)


def _inspections() -> None:
    for (area_name, day, kind, inspectors, deductions, findings, deadline, rectified_on,
         status) in INSPECTIONS:
        area = _area(area_name)
        contract = db.session.scalar(sa.select(ServiceContract).where(
            ServiceContract.area_id == area.id, ServiceContract.active_on(day)))
        inspection = get_or_create(
            ServiceInspection, {"area_id": area.id, "inspected_on": day},
            firm_id=contract.firm_id, kind=kind, inspectors=inspectors, findings=findings,
            rectification_deadline=deadline, rectified=rectified_on is not None,
            rectified_on=rectified_on, status=status)
        for name, deduction in zip(INSPECTION_ITEMS, deductions):
            get_or_create(InspectionItem, {"inspection_id": inspection.id, "name": name},
                          max_score=Decimal("20"), score=Decimal(20 - deduction),
                          finding="符合要求" if not deduction else f"扣{deduction}分，见发现问题")
        refresh_total_score(inspection.id)


def _surveys() -> None:
    contracts = db.session.scalars(sa.select(ServiceContract).order_by(ServiceContract.id))
    for index, contract in enumerate(contracts):
        area = contract.area
        for number, (start, end) in enumerate(QUARTERS):
            if start < contract.start_on:
                continue
            respondents = area.households // 8 + (index * 5 + number * 3) % 11
            rate = Decimal("0.78") + Decimal((index * 7 + number * 3) % 17) / 100
            happy = int(respondents * rate)
            very_satisfied = int(happy * Decimal("0.4"))
            rest = respondents - happy
            dissatisfied = rest // 3
            get_or_create(
                SatisfactionSurvey,
                {"area_id": area.id, "period_start": start, "period_end": end},
                firm_id=contract.firm_id, surveyed_on=date(end.year + end.month // 12,
                                                           end.month % 12 + 1, 10),
                organiser=f"建国街道物业办、{area.community.name}", respondents=respondents,
                very_satisfied=very_satisfied, satisfied=happy - very_satisfied,
                neutral=rest - dissatisfied, dissatisfied=dissatisfied)
