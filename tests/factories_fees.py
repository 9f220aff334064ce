"""Row factories for fee arrears, collection actions and litigation referrals."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from models.base import local_today
from models.fees import CollectionAction, FeeArrear, LitigationReferral

from .factories import add, make_firm, make_household, row_factory


@row_factory(FeeArrear)
def make_arrear(world, area, household=None, **kw):
    household = household or make_household(world, area)
    kw.setdefault("firm", world.firm_a if area is world.area_a1 else
                  world.firm_b if area is world.area_b1 else make_firm())
    kw.setdefault("period_start", date(2025, 1, 1))
    kw.setdefault("period_end", date(2025, 12, 31))
    kw.setdefault("amount_owed", Decimal("1161.60"))
    kw.setdefault("amount_paid", Decimal("0"))
    return add(FeeArrear(household=household, area=area, **kw))


@row_factory(CollectionAction)
def make_collection_action(world, area, arrear=None, **kw):
    kw.setdefault("channel", "door_visit")
    kw.setdefault("acted_on", date(2026, 3, 10))
    kw.setdefault("actor", "物业客服李娜")
    kw.setdefault("outcome", "no_answer")
    return add(CollectionAction(arrear=arrear or make_arrear(world, area), **kw))


@row_factory(LitigationReferral)
def make_litigation(world, area, arrear=None, **kw):
    arrear = arrear or make_arrear(world, area)
    kw.setdefault("referred_on", date(2026, 5, 6))
    kw.setdefault("has_contract", True)
    kw.setdefault("has_ledger", True)
    return add(LitigationReferral(arrear=arrear, firm=arrear.firm, **kw))


def make_refused_arrear(world, area=None, **kw):
    """An arrear the owner still refuses, inside the world's contract term, after one visit."""
    area = area or world.area_a1
    today = local_today()
    kw.setdefault("period_start", today - timedelta(days=300))
    kw.setdefault("period_end", today - timedelta(days=120))
    kw.setdefault("status", "refused")
    arrear = make_arrear(world, area, **kw)
    make_collection_action(world, area, arrear=arrear, outcome="refused",
                           acted_on=today - timedelta(days=90))
    return arrear
