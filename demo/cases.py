"""Jianguo Street's patrols, hazards, cases with timelines, escalations and mediations (2026)."""
from __future__ import annotations

import io
import os
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from models import db
from models.case_operations import attachment_path
from models.deadlines import case_deadline, hazard_deadline
from models.cases import Attachment, Case, CaseEvent, Escalation, Hazard, Mediation, Patrol
from models.orgs import Department, PropertyFirm
from models.places import Building, ManagementArea

from . import get_or_create
from .places import AREAS, FIRMS

# area, planned on, done on (None: not done), status, participants, route, findings
PATROLS = (
    ("建国花园", date(2026, 10, 12), date(2026, 10, 12), "done", "张秀兰、安居物业王立军",
     "1-6号楼楼道、地下车库、消防通道", "3号楼2单元楼道堆放纸箱；东侧消防通道停放私家车两辆。"),
    ("解放小区", date(2026, 10, 20), date(2026, 10, 21), "done", "李国庆、网格员周海燕、安居物业",
     "各楼栋单元门、屋面、配电室", "2号楼楼顶有私搭彩钢房；4号楼电表箱线路老化。"),
    ("世纪春东片区", date(2026, 11, 5), date(2026, 11, 5), "done", "赵丽华、网格员吴晓东",
     "开放片区主干道、各楼栋楼道", "2号楼楼道堆放旧家具；临街1号楼外墙瓷砖松动。"),
    ("台兴南区", date(2026, 11, 12), date(2026, 11, 12), "done", "陈志强、网格员徐红霞",
     "各楼栋楼道、自行车棚", "1号楼楼道堆放杂物；自行车棚私拉电线充电。"),
    ("台兴家园", date(2026, 11, 16), None, "cancelled", "陈志强、鸭绿江物业刘春华",
     "电梯机房、地下车库", None),
    ("春华苑", date(2026, 12, 2), None, "planned", "赵丽华、鸭绿江物业刘春华",
     "电梯、消防设施、楼道", None),
)

# area, building no., patrol (area, planned on) or None, category, severity, location,
# description, found at, status, clearance, responsible unit
HAZARDS = (
    ("建国花园", "3号楼", ("建国花园", date(2026, 10, 12)), "corridor_clutter", "ordinary",
     "3号楼2单元1-3层楼道", "楼道堆放纸箱、废旧家具，堵塞疏散通道。",
     datetime(2026, 10, 12, 9, 40), "verified", "cleared", "临江市安居物业服务有限公司"),
    ("建国花园", None, ("建国花园", date(2026, 10, 12)), "fire_passage", "major",
     "小区东侧消防通道", "私家车长期停放，占用消防车通道。",
     datetime(2026, 10, 12, 10, 15), "disposed", None, "临江市安居物业服务有限公司"),
    ("解放小区", "4号楼", ("解放小区", date(2026, 10, 20)), "electrical", "major",
     "4号楼1单元电表箱", "电表箱内线路老化、有焦糊味，存在火灾隐患。",
     datetime(2026, 10, 21, 14, 0), "contacted", None, "国网临江市供电公司"),
    ("世纪春东片区", "2号楼", ("世纪春东片区", date(2026, 11, 5)), "corridor_clutter", "ordinary",
     "2号楼东单元楼道", "楼道堆放旧沙发、木板等易燃物。",
     datetime(2026, 11, 5, 10, 20), "contacted", "clearing", "世纪春社区居委会"),
    ("世纪春东片区", "1号楼", ("世纪春东片区", date(2026, 11, 5)), "falling_objects", "urgent",
     "临街1号楼外墙", "外墙瓷砖松动，有坠落伤人风险。",
     datetime(2026, 11, 5, 11, 0), "warned", None, None),
    ("台兴南区", "1号楼", ("台兴南区", date(2026, 11, 12)), "corridor_clutter", "ordinary",
     "1号楼3单元楼道", "楼道内堆放杂物、停放电动自行车。",
     datetime(2026, 11, 12, 9, 30), "warned", "not_cleared", None),
    ("台兴南区", None, ("台兴南区", date(2026, 11, 12)), "electrical", "serious",
     "自行车棚", "私拉电线为电动自行车充电。",
     datetime(2026, 11, 12, 10, 10), "found", None, None),
    ("解放路独栋楼组团", "1号楼", None, "corridor_clutter", "ordinary",
     "1号楼楼道", "居民在楼道堆放腌菜缸、旧自行车。",
     datetime(2026, 9, 8, 15, 0), "verified", "cleared", "解放社区居委会"),
    ("台兴家园", "2号楼", None, "elevator", "major",
     "2号楼1单元电梯", "电梯运行中异响，平层不准。",
     datetime(2026, 8, 19, 8, 50), "verified", None, "临江市鸭绿江物业管理有限公司"),
    ("林业局家属院", "2号楼", None, "structural", "serious",
     "2号楼北侧阳台", "阳台底板钢筋外露、混凝土剥落。",
     datetime(2026, 11, 20, 16, 30), "found", None, None),
)

# area, type, source, hotline ticket, title, description, complainant, phone, respondent,
# urgency, received at, state, assigned to, satisfaction, patrol (area, date), hazard location
CASES = (
    ("建国花园", "patrol", "patrol", None, "楼道堆放杂物",
     "巡查发现3号楼2单元楼道堆放纸箱、废旧家具。", None, None, "3号楼2单元部分住户",
     "ordinary", datetime(2026, 10, 12, 11, 0), "closed", "firm", "satisfied",
     ("建国花园", date(2026, 10, 12)), "3号楼2单元1-3层楼道"),
    ("建国花园", "violation", "patrol", None, "占用消防通道",
     "东侧消防通道长期停放私家车。", None, None, "车主（车牌吉F·3K218等）",
     "urgent", datetime(2026, 10, 12, 11, 30), "resolved", "firm", None,
     ("建国花园", date(2026, 10, 12)), "小区东侧消防通道"),
    ("建国花园", "complaint", "hotline", "LJ20261119001245", "物业服务质量投诉",
     "反映小区保洁不及时，垃圾桶周边脏乱。", "刘玉梅", "13943912087", "临江市安居物业服务有限公司",
     "ordinary", datetime(2026, 11, 19, 9, 15), "in_progress", "firm", None, None, None),
    ("江畔小区", "dispute", "visit", None, "楼上漏水纠纷",
     "7号楼5-302卫生间漏水至楼下，双方协商未果。", "王桂兰", "13904395521", "5-402住户",
     "ordinary", datetime(2026, 9, 2, 10, 0), "closed", "community", "basically", None, None),
    ("江畔小区", "complaint", "call", None, "电梯故障",
     "2号楼电梯频繁停运，老人出行困难。", "张德胜", "13596712345", "临江市鸭绿江物业管理有限公司",
     "urgent", datetime(2026, 11, 26, 8, 20), "assigned", "firm", None, None, None),
    ("建国大街老旧片区", "complaint", "hotline", "LJ20261021000876", "噪音扰民",
     "临街商户夜间营业噪音扰民。", "赵国华", "13843915678", "建国大街88号烧烤店",
     "ordinary", datetime(2026, 10, 21, 22, 10), "not_in_remit", None, None, None, None),
    ("建国大街老旧片区", "report", "call", None, "私搭乱建",
     "3号楼一楼住户在公共绿地搭建彩钢房。", "孙立新", "13904397890", "3号楼1-101住户",
     "ordinary", datetime(2026, 11, 16, 14, 30), "reported_to_street", "community", None,
     None, None),
    ("解放小区", "violation", "patrol", None, "楼顶私搭乱建",
     "巡查发现2号楼楼顶私搭彩钢房，劝阻无效。", None, None, "2号楼6-602住户",
     "ordinary", datetime(2026, 10, 21, 16, 0), "escalated", "community", None,
     ("解放小区", date(2026, 10, 20)), None),
    ("解放小区", "complaint", "hazard_inspection", None, "电表箱线路老化",
     "4号楼电表箱线路老化，居民担心起火。", "周海燕", "13904391166", "供电企业",
     "urgent", datetime(2026, 10, 21, 15, 0), "in_progress", "community", None, None,
     "4号楼1单元电表箱"),
    ("解放小区", "dispute", "visit", None, "车位占用纠纷",
     "业主长期占用他人租赁车位，引发争执。", "马文博", "13756781234", "1号楼业主",
     "ordinary", datetime(2026, 8, 12, 9, 30), "closed", "community", "satisfied", None, None),
    ("解放路独栋楼组团", "complaint", "visit", None, "楼道堆放杂物",
     "1号楼楼道堆放腌菜缸、旧自行车，影响通行。", "何淑珍", "13904392233", "1号楼部分住户",
     "ordinary", datetime(2026, 9, 8, 10, 0), "closed", "community", "satisfied", None, None),
    ("电业家属楼", "complaint", "call", None, "屋面漏水",
     "6楼顶层住户屋面漏雨，无物业维修。", "郭长青", "13504395678", "无物业管理",
     "ordinary", datetime(2026, 7, 15, 9, 0), "closed_unresolved", "community", "dissatisfied",
     None, None),
    ("世纪春城", "complaint", "hotline", "LJ20261121002231", "物业服务质量投诉",
     "秩序维护人员脱岗，外来车辆随意进出。", "林金凤", "13904395432", "临江市安居物业服务有限公司",
     "ordinary", datetime(2026, 11, 21, 10, 40), "returned", "firm", None, None, None),
    ("世纪春城", "dispute", "firm_report", None, "物业费收缴纠纷",
     "业主以服务不到位为由拒交物业费两年。", "临江市安居物业服务有限公司", "13904391000",
     "12号楼3-501业主", "ordinary", datetime(2026, 6, 20, 9, 0), "closed", "community",
     "basically", None, None),
    ("春华苑", "complaint", "call", None, "电梯故障困人",
     "3号楼电梯困人约20分钟，物业到场迟缓。", "罗丽娟", "13843917788", "临江市鸭绿江物业管理有限公司",
     "urgent", datetime(2026, 11, 25, 19, 5), "received", None, None, None, None),
    ("世纪春东片区", "report", "patrol", None, "占用消防通道",
     "商户在楼间消防通道堆放货物并搭建雨棚。", None, None, "临街商户",
     "urgent", datetime(2026, 11, 5, 14, 0), "escalated", "community", None,
     ("世纪春东片区", date(2026, 11, 5)), None),
    ("世纪春东片区", "complaint", "hazard_inspection", None, "外墙瓷砖松动",
     "临街1号楼外墙瓷砖松动，行人担心坠落。", "吴晓东", "13904396611", "产权单位",
     "urgent", datetime(2026, 11, 5, 11, 30), "in_progress", "community", None, None,
     "临街1号楼外墙"),
    ("台兴家园", "complaint", "call", None, "地下车库积水",
     "雨后地下车库积水，车辆受损。", "徐德胜", "13596719988", "临江市鸭绿江物业管理有限公司",
     "ordinary", datetime(2026, 8, 3, 8, 30), "closed", "firm", "satisfied", None, None),
    ("台兴家园", "dispute", "visit", None, "宠物扰民纠纷",
     "邻居饲养犬只夜间吠叫、楼道便溺。", "高红霞", "13943918765", "6号楼2-201住户",
     "ordinary", datetime(2026, 11, 20, 15, 0), "in_progress", "community", None, None, None),
    ("台兴南区", "violation", "referral", None, "楼道电动车充电",
     "派出所转办：楼道内飞线为电动自行车充电。", None, None, "1号楼3单元住户",
     "urgent", datetime(2026, 11, 26, 16, 0), "assigned", "community", None, None, None),
    ("台兴南区", "complaint", "visit", None, "老旧楼体渗漏",
     "2号楼外墙渗水，室内墙面发霉，要求纳入改造。", "陈玉梅", "13904393344", "产权单位",
     "ordinary", datetime(2026, 11, 6, 9, 0), "escalated", "community", None, None, None),
    ("林业局家属院", "complaint", "call", None, "阳台底板剥落",
     "北侧阳台混凝土剥落，楼下行人有危险。", "苗志刚", "13904394455", "产权单位",
     "urgent", datetime(2026, 11, 20, 17, 0), "received", None, None, None, None),
    ("台兴新村", "complaint", "hotline", "LJ20260915001502", "垃圾清运不及时",
     "小区垃圾堆放多日无人清运。", "杨春生", "13904398899", "村委会保洁队",
     "ordinary", datetime(2026, 9, 15, 8, 0), "reopened", "community", None, None, None),
    ("台兴村安置小区", "complaint", "visit", None, "物业服务质量投诉",
     "绿化养护差，草坪枯死，物业不作为。", "黄凤英", "13504391212", "临江市安居物业服务有限公司",
     "ordinary", datetime(2026, 10, 28, 10, 0), "resolved", "firm", "basically", None, None),
    ("江湾独栋楼组团", "dispute", "visit", None, "公共楼道照明费用分摊纠纷",
     "楼道照明电费分摊方式有争议。", "朱永刚", "13904390077", "2号楼部分住户",
     "ordinary", datetime(2026, 10, 9, 9, 30), "closed", "community", "satisfied", None, None),
)

# Each state's path through the timeline: (action, state after it).
PATHS = {
    "received": (("receive", "received"), ("note", None)),
    "assigned": (("receive", "received"), ("assign", "assigned")),
    "in_progress": (("receive", "received"), ("assign", "assigned"), ("start", "in_progress"),
                    ("note", None)),
    "reported_to_street": (("receive", "received"), ("assign", "assigned"),
                           ("start", "in_progress"), ("report_to_street", "reported_to_street")),
    "escalated": (("receive", "received"), ("assign", "assigned"), ("start", "in_progress"),
                  ("report_to_street", "reported_to_street"), ("escalate", "escalated")),
    "resolved": (("receive", "received"), ("assign", "assigned"), ("start", "in_progress"),
                 ("resolve", "resolved")),
    "closed": (("receive", "received"), ("assign", "assigned"), ("start", "in_progress"),
               ("resolve", "resolved"), ("close", "closed")),
    "returned": (("receive", "received"), ("assign", "assigned"), ("return_case", "returned")),
    "reopened": (("receive", "received"), ("assign", "assigned"), ("start", "in_progress"),
                 ("resolve", "resolved"), ("reopen", "reopened")),
    "not_in_remit": (("receive", "received"), ("not_in_remit", "not_in_remit")),
    "closed_unresolved": (("receive", "received"), ("assign", "assigned"),
                          ("start", "in_progress"), ("close_unresolved", "closed_unresolved")),
}
NOTES = {
    "receive": "登记受理，告知反映人办理时限。",
    "assign": "交办{assignee}办理。",
    "start": "{assignee}到现场核实情况，开展劝导。",
    "note": "电话联系反映人，了解诉求。",
    "report_to_street": "劝阻无效，社区上报街道物业办。",
    "escalate": "街道吹哨，转{departments}依法处置。",
    "resolve": "已处理完毕，现场复核无误。",
    "close": "回访反映人，结案。",
    "return_case": "承办方认为事项不属其职责，退回重新交办。",
    "reopen": "回访时反映人表示问题反复，重新办理。",
    "not_in_remit": "属市场监管、环保执法事项，告知反映人向相关部门反映。",
    "close_unresolved": "无物业管理、维修资金不足，暂无法解决，已向反映人说明。",
}
# Whistles: case (area, title), department, escalated at, reply due, state, reply
ESCALATIONS = (
    (("解放小区", "楼顶私搭乱建"), "临江市城市管理行政执法局", datetime(2026, 10, 28, 9, 0),
     datetime(2026, 11, 4, 17, 0), "replied",
     "已于11月3日下达限期拆除通知书，当事人承诺11月15日前自行拆除，逾期将依法强制拆除。"),
    (("世纪春东片区", "占用消防通道"), "临江市城市管理行政执法局", datetime(2026, 11, 13, 10, 0),
     datetime(2026, 11, 20, 17, 0), "sent", None),
    (("世纪春东片区", "占用消防通道"), "临江市消防救援大队", datetime(2026, 11, 13, 10, 0),
     datetime(2026, 11, 20, 17, 0), "replied",
     "11月18日联合社区现场检查，责令商户清除消防通道内货物，雨棚由城管执法部门依法处理。"),
    (("台兴南区", "老旧楼体渗漏"), "临江市住房和城乡建设局", datetime(2026, 11, 16, 9, 30),
     datetime(2026, 12, 7, 17, 0), "accepted", None),
)
# area, case title or None, parties, mediator, date, sessions, notes, outcome, agreement
MEDIATIONS = (
    ("江畔小区", "楼上漏水纠纷", "王桂兰（5-302）；李建国（5-402）", "江畔小区人民调解员张秀兰",
     date(2026, 9, 6), 2, "两次组织双方及物业现场查看漏点，确认为楼上防水层破损。", "success",
     "李建国负责修复卫生间防水并承担楼下吊顶修复费用1800元，9月20日前完成。"),
    ("解放小区", "车位占用纠纷", "马文博；1号楼业主赵春生", "解放社区调解委员会李国庆",
     date(2026, 8, 16), 1, "双方到社区调解室面谈，物业提供车位租赁台账。", "partial",
     "赵春生即日起不再占用该车位；赔偿问题双方另行协商。"),
    ("世纪春城", "物业费收缴纠纷", "临江市安居物业服务有限公司；12号楼3-501业主", "世纪春社区调解员赵丽华",
     date(2026, 7, 2), 3, "业主坚持服务不到位，拒绝补缴；物业同意整改但不减免费用。", "failed",
     None),
)

# case (area, title), action of the step it belongs to, file name, stored name
ATTACHMENTS = (
    (("建国花园", "楼道堆放杂物"), "receive", "3号楼2单元楼道现场照片.jpg",
     "c2f1a9d4e07b4d6e9a1f3b5c7d9e0a11.jpg"),
    (("建国花园", "楼道堆放杂物"), "close", "清理后复查照片.jpg",
     "5b8e3c1d2a4f4e7b8c9d0e1f2a3b4c22.jpg"),
    (("解放小区", "楼顶私搭乱建"), "department_reply", "限期拆除通知书.pdf",
     "9d7c5b3a1e2f4a6b8c0d2e4f6a8b0c33.pdf"),
)
# A one-page PDF standing in for a scanned notice.
SCAN_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
            b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\n"
            b"trailer<</Root 1 0 R>>\n%%EOF\n")


def load(password):
    areas = {a.name: a for a in db.session.scalars(sa.select(ManagementArea))}
    firms = {f.name: f for f in db.session.scalars(sa.select(PropertyFirm))}
    area_firm = {name: firms[FIRMS[firm][0]] for name, *_, firm in AREAS if firm is not None}
    patrols = {(area, planned): _patrol(areas[area], area_firm.get(area), planned, *rest)
               for area, planned, *rest in PATROLS}
    hazards = {}
    for area, building, patrol, *rest in HAZARDS:
        hazards[rest[2]] = _hazard(areas[area], building, patrols.get(patrol), *rest)
    escalations = {case: (department, *rest) for case, department, *rest in ESCALATIONS}
    whistled = {}
    for case, department, *_ in ESCALATIONS:
        whistled.setdefault(case, []).append(department)
    cases = {}
    for row in CASES:
        area, title = row[0], row[4]
        cases[(area, title)] = _case(areas[area], area_firm.get(area), row,
                                     patrols.get(row[14]), hazards.get(row[15]),
                                     escalations.get((area, title)),
                                     whistled.get((area, title), ()))
    departments = {d.name: d for d in db.session.scalars(sa.select(Department))}
    for key, department, *rest in ESCALATIONS:
        _escalation(cases[key], departments[department], *rest)
    for area, title, *rest in MEDIATIONS:
        _mediation(areas[area], cases.get((area, title)), *rest)
    for case, action, *rest in ATTACHMENTS:
        _attachment(cases[case], action, *rest)
    return []


def _building(area, number):
    if number is None:
        return None
    return db.session.scalar(sa.select(Building).where(Building.area_id == area.id,
                                                       Building.number == number))


def _patrol(area, firm, planned, done, status, participants, route, findings):
    return get_or_create(Patrol, {"area_id": area.id, "planned_on": planned},
                         community_id=area.community_id, firm_id=firm.id if firm else None,
                         done_on=done, status=status, participants=participants, route=route,
                         findings=findings)


def _hazard(area, building, patrol, category, severity, location, description, found_at,
            status, clearance, unit):
    steps = {"warned": 1, "contacted": 2, "disposed": 3, "verified": 4}.get(status, 0)
    at = lambda hours: found_at + timedelta(hours=hours)  # noqa: E731
    return get_or_create(
        Hazard, {"area_id": area.id, "location": location},
        building=_building(area, building), patrol=patrol, category=category,
        severity=severity, description=description, found_at=found_at, status=status,
        clearance_status=clearance,
        deadline=hazard_deadline(severity, found_at).at,
        warning_line_at=at(1) if steps >= 1 and category != "corridor_clutter" else None,
        notice_posted_at=at(2) if steps >= 1 else None,
        responsible_unit=unit if steps >= 2 else None,
        contact_method="phone" if steps >= 2 else None,
        contacted_at=at(4) if steps >= 2 else None,
        disposal_note="责任单位已清理整改，现场恢复正常。" if steps >= 3 else None,
        disposed_at=at(48) if steps >= 3 else None,
        verified_at=at(72) if steps >= 4 else None)


def _case(area, firm, row, patrol, hazard, escalation, whistled):
    (_, case_type, source, ticket, title, description, name, phone, respondent, urgency,
     received_at, state, assigned_to, satisfaction, *_) = row
    if assigned_to == "firm" and firm is None:
        assigned_to = "community"
    assignee = firm.name if assigned_to == "firm" else area.community.name
    path = PATHS[state]
    # Receipt first, then one step per working morning.
    times = [received_at] + [datetime.combine(received_at.date() + timedelta(days=i),
                                              time(8 + i, 30)) for i in range(1, len(path))]
    case = get_or_create(
        Case, {"area_id": area.id, "title": title},
        case_type=case_type, source=source, hotline_ticket=ticket, description=description,
        complainant_name=name, complainant_phone=phone, respondent=respondent,
        urgency=urgency, state=state, received_at=received_at,
        building=hazard.building if hazard else None, patrol=patrol, hazard=hazard,
        assigned_to=assigned_to,
        assigned_community_id=area.community_id if assigned_to == "community" else None,
        assigned_firm_id=firm.id if assigned_to == "firm" else None,
        deadline=case_deadline(case_type, urgency, received_at).at if assigned_to else None,
        closed_at=times[-1] if state in ("closed", "closed_unresolved", "not_in_remit") else None,
        satisfaction=satisfaction)
    departments = "、".join(name.removeprefix("临江市") for name in whistled)
    previous = None
    for (action, after), at in zip(path, times):
        if action == "escalate" and escalation:
            at = escalation[1]
        get_or_create(CaseEvent, {"case_id": case.id, "action": action, "at": at},
                      from_state=previous if after else None, to_state=after,
                      note=NOTES[action].format(assignee=assignee, departments=departments))
        previous = after or previous
    return case


def _escalation(case, department, escalated_at, reply_due, state, reply):
    replied = state in ("replied", "closed")
    escalation = get_or_create(
        Escalation, {"case_id": case.id, "department_id": department.id},
        escalated_at=escalated_at, reply_due=reply_due, state=state,
        accepted_at=escalated_at + timedelta(hours=20) if state != "sent" else None,
        replied_at=reply_due - timedelta(days=1) if replied else None,
        reply_text=reply)
    if replied:
        get_or_create(CaseEvent, {"case_id": case.id, "action": "department_reply",
                                  "at": escalation.replied_at},
                      note=f"{department.short_name or department.name}回复：{reply}")
    return escalation


def _mediation(area, case, parties, mediator, mediated_on, sessions, notes, outcome, agreement):
    return get_or_create(Mediation, {"area_id": area.id, "mediated_on": mediated_on},
                         case=case, parties=parties, mediator=mediator, sessions=sessions,
                         session_notes=notes, outcome=outcome, agreement=agreement)


def _demo_file(stored: str) -> tuple[str, bytes]:
    """(MIME type, bytes) of a demo file: a small photo-like JPEG or a one-page PDF."""
    if stored.endswith(".pdf"):
        return "application/pdf", SCAN_PDF
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 240), (196, 190, 178))
    draw = ImageDraw.Draw(image)
    for offset in range(0, 320, 40):
        draw.rectangle((offset, 150, offset + 30, 230), fill=(120, 96, 64))
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=70)
    return "image/jpeg", buffer.getvalue()


def _attachment(case, action, filename, stored):
    event = db.session.scalar(sa.select(CaseEvent).where(CaseEvent.case_id == case.id,
                                                         CaseEvent.action == action))
    mime_type, data = _demo_file(stored)
    path = attachment_path(stored)
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as handle:
            handle.write(data)
    return get_or_create(Attachment, {"stored_filename": stored}, case=case, event=event,
                         original_filename=filename, mime_type=mime_type, size_bytes=len(data),
                         uploaded_at=event.at)
