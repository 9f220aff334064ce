"""Fee arrears and collection actions: validation, the household's area, firms' scope."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from models import db
from models.fees import AreaMismatchError, CollectionAction, FeeArrear, LitigationReferral

from .factories import make_household
from .factories_fees import make_arrear, make_refused_arrear


def arrear_form(household, firm, **overrides):
    return {"household": household.id, "firm": firm.id, "period_start": "2025-01-01",
            "period_end": "2025-12-31", "amount_owed": "960.00", "amount_paid": "0",
            "status": "outstanding", "notes": "", **overrides}


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_arrear_area_is_taken_from_the_household(world, as_user):
    household = make_household(world, world.area_a1)
    db.session.commit()
    response = as_user(world.user("street_a")).post_form(
        "/fee_arrear/new/", arrear_form(household, world.firm_a), form_url="/fee_arrear/new/")
    assert response.status_code == 302
    arrear = db.session.scalar(sa.select(FeeArrear))
    assert arrear.area_id == world.area_a1.id
    assert arrear.balance == Decimal("960.00")


def test_paid_above_owed_is_refused(world, as_user):
    household = make_household(world, world.area_a1)
    db.session.commit()
    response = as_user(world.user("community_a1")).post_form(
        "/fee_arrear/new/", arrear_form(household, world.firm_a, amount_paid="1000.00"),
        form_url="/fee_arrear/new/")
    assert response.status_code == 200
    assert "已缴金额不能大于欠费金额" in response.get_data(as_text=True)
    assert count(FeeArrear) == 0


def test_database_refuses_an_arrear_filed_under_another_area(world):
    household = make_household(world, world.area_a1)
    with pytest.raises(AreaMismatchError):
        db.session.add(FeeArrear(household=household, area=world.area_a2, firm=world.firm_a,
                                 period_start=date(2025, 1, 1), period_end=date(2025, 6, 30),
                                 amount_owed=Decimal("480.00"), amount_paid=Decimal("0")))
        db.session.flush()
    db.session.rollback()


def action_form(arrear, **overrides):
    return {"arrear": arrear.id, "channel": "door_visit", "acted_on": "2026-03-12",
            "actor": "客服张敏", "outcome": "no_answer", "amount_paid": "0",
            "promised_on": "", "note": "", **overrides}


def test_promise_without_a_date_is_refused(world, as_user):
    arrear = make_arrear(world, world.area_a1)
    db.session.commit()
    response = as_user(world.user("community_a1")).post_form(
        "/collection_action/new/", action_form(arrear, outcome="promised"),
        form_url="/collection_action/new/")
    assert response.status_code == 200
    assert "必须填写承诺缴费日期" in response.get_data(as_text=True)
    assert count(CollectionAction) == 0


def test_firm_records_collection_only_in_its_own_areas(world, as_user):
    own = make_arrear(world, world.area_a1)
    foreign = make_arrear(world, world.area_b1)
    db.session.commit()
    firm = as_user(world.user("firm_a"))

    response = firm.post_form("/collection_action/new/",
                              action_form(own, outcome="promised", promised_on="2026-04-30"),
                              form_url="/collection_action/new/")
    assert response.status_code == 302
    assert db.session.scalar(sa.select(CollectionAction.arrear_id)) == own.id

    response = firm.post_form("/collection_action/new/", action_form(foreign),
                              form_url="/collection_action/new/")
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).where(
        CollectionAction.arrear_id == foreign.id)) == 0

    listed = firm.get("/fee_arrear/").get_data(as_text=True)
    assert f"id={own.id}" in listed and f"id={foreign.id}" not in listed
    assert firm.get(f"/fee_arrear/details/?id={foreign.id}").status_code in (302, 404)


def test_litigation_plaintiff_is_the_firm_owed(world, as_user):
    arrear = make_refused_arrear(world)
    db.session.commit()
    response = as_user(world.user("firm_a")).post_form(
        "/litigation/new/", {"arrear": arrear.id, "referred_on": "2026-06-01",
                             "court": "临江市人民法院", "has_contract": "y",
                             "green_channel": "y", "small_claims": "y", "outcome": "pending"},
        form_url="/litigation/new/")
    assert response.status_code == 302
    referral = db.session.scalar(sa.select(LitigationReferral))
    assert referral.firm_id == world.firm_a.id


def test_judgement_without_a_date_is_refused(world, as_user):
    arrear = make_arrear(world, world.area_a1)
    db.session.commit()
    response = as_user(world.user("street_a")).post_form(
        "/litigation/new/", {"arrear": arrear.id, "referred_on": "2026-06-01",
                             "court": "临江市人民法院", "outcome": "judgement"},
        form_url="/litigation/new/")
    assert response.status_code == 200
    assert "必须填写判决（调解）日期" in response.get_data(as_text=True)
    assert count(LitigationReferral) == 0


def test_owner_names_are_exported_only_by_the_street(world, as_user):
    make_arrear(world, world.area_a1)
    db.session.commit()
    assert as_user(world.user("street_a")).get("/fee_arrear/export/csv/").status_code == 200
    for persona in ("community_a1", "firm_a", "city"):
        response = as_user(world.user(persona)).get("/fee_arrear/export/csv/")
        assert response.status_code != 200, persona


def test_firm_cannot_file_an_arrear_for_a_foreign_household(world, as_user):
    foreign = make_household(world, world.area_b1)
    db.session.commit()
    response = as_user(world.user("firm_a")).post_form(
        "/fee_arrear/new/", arrear_form(foreign, world.firm_a), form_url="/fee_arrear/new/")
    assert response.status_code == 200
    assert count(FeeArrear) == 0
