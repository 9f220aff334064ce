"""Case filings: the violation report to a department (the whistle letter), the hazard
notice, and the patrol record."""
from __future__ import annotations

import sqlalchemy as sa

from models import db
from models.cases import (CASE_ACTIONS, CASE_TYPES, CONTACT_METHODS, HAZARD_CATEGORIES,
                          HAZARD_SEVERITIES, Attachment, Case, CaseEvent, Hazard)
from reports.filings import DocumentType, chinese_date, register

STREET_ROLES = frozenset({"admin", "street"})
# The steps of a case that tell the department how the community tried to stop it.
DISSUASION_ACTIONS = ("start", "mediate", "dissuade", "stop", "note", "report_to_street")
# What the street asks of the department, by case type.
REQUESTS = {
    "violation": "依法调查处理，责令当事人限期改正；逾期不改正的，依法予以处罚或强制执行",
    "report": "依法核查举报事项，对查实的违法违规行为依法查处",
    "complaint": "依职责督促相关责任单位整改，并将办理情况反馈我街道",
    "dispute": "依职责参与调处，必要时依法作出处理",
    "patrol": "依法调查处理，责令当事人限期改正",
}


def _day_time(moment) -> str:
    return f"{chinese_date(moment.date())}{moment:%H:%M}"


def _escalation_context(escalation) -> dict:
    case = escalation.case
    area = case.area
    events = db.session.scalars(sa.select(CaseEvent).where(
        CaseEvent.case_id == case.id, CaseEvent.action.in_(DISSUASION_ACTIONS))
        .order_by(CaseEvent.at, CaseEvent.id)).all()
    # Evidence is what the street side gathered, not what departments sent back.
    files = db.session.scalars(
        sa.select(Attachment).outerjoin(CaseEvent, Attachment.event_id == CaseEvent.id)
        .where(Attachment.case_id == case.id,
               sa.or_(CaseEvent.id.is_(None), CaseEvent.action.not_like("department%")))
        .order_by(Attachment.uploaded_at, Attachment.id)).all()
    whistler = db.session.scalar(sa.select(CaseEvent).where(
        CaseEvent.case_id == case.id, CaseEvent.action == "escalate")
        .order_by(CaseEvent.at.desc()).limit(1))
    location = "".join(filter(None, [area.name, case.building.number if case.building else None]))
    return {
        "escalation": escalation, "case": case, "area": area,
        "community": area.community, "department": escalation.department,
        "category": CASE_TYPES.label(case.case_type), "location": location,
        "found": _day_time(case.received_at), "reply_due": _day_time(escalation.reply_due),
        "steps": [(_day_time(e.at), CASE_ACTIONS.label(e.action), e.note or "") for e in events],
        "attempts": sum(e.action in ("dissuade", "stop", "mediate") for e in events),
        "evidence": files, "request": REQUESTS.get(case.case_type, REQUESTS["violation"]),
        "contact": whistler.actor if whistler is not None else None,
    }


register(DocumentType(
    key="escalation_letter",
    title="关于提请依法处置违法违规行为的函",
    template="reports/escalation_letter.html",
    model="Escalation",
    prefix_suffix="函",
    layout="letter",
    addressee=lambda escalation: escalation.department.name,
    department=lambda escalation: escalation.department,
    area=lambda escalation: escalation.case.area,
    context=_escalation_context,
    purpose="劝阻、制止无效的违法违规行为，报告有关行政主管部门依法处理（吹哨报到）。",
    issuer_roles=STREET_ROLES,
))


# What the responsible unit must do, by hazard category.
RECTIFICATION = {
    "corridor_clutter": "立即清理楼道内堆放的杂物，保持疏散通道畅通；物业服务企业加强日常巡查，防止反弹。",
    "fire_passage": "立即清除占用、堵塞消防车通道的车辆和物品，设置禁停标识，保持通道畅通。",
    "electrical": "立即停止使用存在隐患的线路和设备，由具备资质的电工检修或更换，严禁私拉乱接电线。",
    "structural": "设置警戒区域，委托具备资质的单位进行安全鉴定，按鉴定意见加固或维修。",
    "falling_objects": "立即清除或加固松动的外墙饰面、悬挂物，设置警戒区域，防止坠落伤人。",
    "elevator": "立即停用并通知维保单位检修，经检验合格后方可恢复运行。",
    "other": "按照有关规定和标准立即整改，消除安全隐患。",
}


def _hazard_context(hazard: Hazard) -> dict:
    measures = []
    if hazard.warning_line_at:
        measures.append(f"{_day_time(hazard.warning_line_at)}设置警戒线")
    if hazard.notice_posted_at:
        measures.append(f"{_day_time(hazard.notice_posted_at)}张贴警示标语")
    if hazard.contacted_at:
        measures.append(f"{_day_time(hazard.contacted_at)}以"
                        f"{CONTACT_METHODS.label(hazard.contact_method)}方式告知"
                        f"{hazard.responsible_unit}")
    cases = db.session.scalars(sa.select(Case).where(Case.hazard_id == hazard.id)).all()
    return {
        "hazard": hazard, "area": hazard.area,
        "category": HAZARD_CATEGORIES.label(hazard.category),
        "severity": HAZARD_SEVERITIES.label(hazard.severity),
        "found": _day_time(hazard.found_at),
        "deadline": _day_time(hazard.deadline) if hazard.deadline else "收到本通知后立即",
        "measures": measures, "cases": cases,
        "recipient": hazard.responsible_unit or "相关责任单位（责任人）",
        "requirement": RECTIFICATION.get(hazard.category, RECTIFICATION["other"]),
    }


register(DocumentType(
    key="hazard_notice",
    title="隐患告知及整改通知书",
    template="reports/hazard_notice.html",
    model="Hazard",
    prefix_suffix="隐",
    addressee=lambda hazard: hazard.responsible_unit,
    context=_hazard_context,
    purpose="告知责任单位（责任人）险情或安全隐患，并要求限期整改。",
))


def _patrol_context(patrol) -> dict:
    cases = db.session.scalars(sa.select(Case).where(Case.patrol_id == patrol.id)
                               .order_by(Case.received_at)).all()
    hazards = db.session.scalars(sa.select(Hazard).where(Hazard.patrol_id == patrol.id)
                                 .order_by(Hazard.found_at)).all()
    return {"patrol": patrol, "area": patrol.area, "community": patrol.community,
            "firm": patrol.firm, "cases": cases, "hazards": hazards,
            "categories": HAZARD_CATEGORIES, "case_types": CASE_TYPES}


register(DocumentType(
    key="patrol_record",
    title="物业管理区域巡查记录",
    template="reports/patrol_record.html",
    model="Patrol",
    prefix_suffix="巡",
    context=_patrol_context,
    purpose="社区会同物业服务企业定期巡查的记录，登记发现的问题及处理去向。",
))
