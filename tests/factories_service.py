"""Row factories for the property-service models: one row inside a given area each."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from models.base import local_today
from models.orgs import SupportUnit
from models.service import (
    FallbackArrangement, HandoverInspection, HandoverItem, InspectionItem, SatisfactionSurvey,
    ServiceInspection,
)

from .factories import add, make_firm, row_factory, unique


_periods = iter(range(0, 10**6, 91))


def next_period() -> int:
    """Days after 2020-01-01 of a period start no other survey of the test run uses."""
    return next(_periods)


@row_factory(HandoverInspection)
def make_handover(world, area, **kw):
    kw.setdefault("kind", "takeover")
    kw.setdefault("outgoing_party", "临江市某房地产开发有限公司")
    kw.setdefault("incoming_party", "安居物业")
    kw.setdefault("inspected_on", local_today() - timedelta(days=30))
    return add(HandoverInspection(area=area, **kw))


@row_factory(HandoverItem)
def make_handover_item(world, area, inspection=None, **kw):
    kw.setdefault("category", "common_parts")
    kw.setdefault("name", unique("屋面防水"))
    return add(HandoverItem(inspection=inspection or make_handover(world, area), **kw))


@row_factory(FallbackArrangement)
def make_fallback(world, area, **kw):
    kw.setdefault("start_on", local_today() - timedelta(days=90))
    kw.setdefault("status", "ended")
    kw.setdefault("end_on", local_today())
    unit = kw.pop("support_unit", None) or add(SupportUnit(name=unique("包保单位")))
    return add(FallbackArrangement(area=area, support_unit=unit, **kw))


@row_factory(ServiceInspection)
def make_service_inspection(world, area, **kw):
    kw.setdefault("inspected_on", local_today() - timedelta(days=10))
    kw.setdefault("inspectors", "街道物业办 张明")
    firm = kw.pop("firm", None) or make_firm()
    return add(ServiceInspection(area=area, firm=firm, **kw))


@row_factory(InspectionItem)
def make_inspection_item(world, area, inspection=None, **kw):
    kw.setdefault("max_score", Decimal("20"))
    kw.setdefault("score", Decimal("18"))
    return add(InspectionItem(inspection=inspection or make_service_inspection(world, area),
                              name=kw.pop("name", unique("公共区域保洁")), **kw))


@row_factory(SatisfactionSurvey)
def make_survey(world, area, **kw):
    start = date(2020, 1, 1) + timedelta(days=next_period())
    kw.setdefault("very_satisfied", 30)
    kw.setdefault("satisfied", 50)
    kw.setdefault("neutral", 15)
    kw.setdefault("dissatisfied", 5)
    kw.setdefault("respondents", sum(kw[k] for k in ("very_satisfied", "satisfied", "neutral",
                                                     "dissatisfied")))
    return add(SatisfactionSurvey(area=area, period_start=start,
                                  period_end=start + timedelta(days=89),
                                  surveyed_on=start + timedelta(days=95), **kw))

