"""Row factories for patrols, hazards, cases, their timeline, escalations, mediations, files."""
from __future__ import annotations

from datetime import timedelta

from models.base import local_today
from models.cases import (Attachment, Case, CaseEvent, Escalation, Hazard, Mediation, Patrol,
                          local_now)

from .factories import add, make_building, make_department, row_factory, unique


@row_factory(Patrol)
def make_patrol(world, area, **kw):
    kw.setdefault("planned_on", local_today())
    kw.setdefault("participants", "社区网格员、物业项目经理")
    return add(Patrol(area=area, community_id=area.community_id, **kw))


@row_factory(Hazard)
def make_hazard(world, area, **kw):
    kw.setdefault("category", "corridor_clutter")
    if kw["category"] == "corridor_clutter":
        kw.setdefault("clearance_status", "not_cleared")
    kw.setdefault("location", unique("2单元楼道"))
    kw.setdefault("description", "楼道内堆放纸箱、旧家具，影响疏散。")
    kw.setdefault("building", make_building(world, area))
    return add(Hazard(area=area, **kw))


@row_factory(Case)
def make_case(world, area, **kw):
    kw.setdefault("title", unique("楼道堆放杂物"))
    kw.setdefault("description", "居民反映楼道长期堆放杂物。")
    kw.setdefault("complainant_name", "李秀英")
    kw.setdefault("complainant_phone", "13904395678")
    return add(Case(area=area, **kw))


@row_factory(CaseEvent)
def make_case_event(world, area, case=None, **kw):
    kw.setdefault("action", "note")
    kw.setdefault("note", "电话联系反映人，了解情况。")
    return add(CaseEvent(case=case or make_case(world, area), **kw))


@row_factory(Escalation)
def make_escalation(world, area, case=None, department=None, **kw):
    # A department of its own, so no persona's department sees rows it was not sent.
    now = local_now()
    kw.setdefault("escalated_at", now)
    kw.setdefault("reply_due", now + timedelta(days=5))
    return add(Escalation(case=case or make_case(world, area, state="escalated"),
                          department=department or make_department(), **kw))


@row_factory(Mediation)
def make_mediation(world, area, **kw):
    kw.setdefault("parties", "业主张桂兰；物业服务企业")
    kw.setdefault("mediator", "社区调解员刘春生")
    kw.setdefault("mediated_on", local_today())
    kw.setdefault("outcome", "success")
    return add(Mediation(area=area, **kw))


@row_factory(Attachment)
def make_attachment(world, area, case=None, **kw):
    kw.setdefault("original_filename", "现场照片.jpg")
    kw.setdefault("mime_type", "image/jpeg")
    kw.setdefault("size_bytes", 245760)
    return add(Attachment(case=case or make_case(world, area), stored_filename=unique("f-"),
                          **kw))
