"""Fee arrears to court: payments move the arrear, referral preconditions, collection rate."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from urllib.parse import unquote

import pytest
import sqlalchemy as sa

from models.base import local_today
from models import db
from models.fees import (
    CollectionAction, CollectionError, LitigationReferral, collection_result,
    litigation_obstacles,
)

from .factories import make_contract, make_firm
from .factories_fees import (
    make_arrear, make_collection_action, make_litigation, make_refused_arrear,
)

OWED = Decimal("1000.00")


def count(model) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def fresh(row):
    db.session.expire_all()
    return db.session.get(type(row), row.id)


# -- collection_result: the one place a payment moves an arrear ---------------------------------

def test_paying_exactly_the_balance_settles_the_arrear():
    assert collection_result(OWED, Decimal("400"), "partly_paid", Decimal("600"), "paid") == \
        (OWED, "paid")


@pytest.mark.parametrize("payment", [Decimal("600.01"), Decimal("1000")])
def test_a_payment_above_the_balance_is_refused(payment):
    with pytest.raises(CollectionError, match="不能大于未缴余额（600.00元）"):
        collection_result(OWED, Decimal("400.00"), "partly_paid", payment, "partly_paid")


def test_paid_outcome_needs_the_whole_balance():
    with pytest.raises(CollectionError, match="必须等于未缴余额"):
        collection_result(OWED, Decimal("0"), "outstanding", Decimal("999.99"), "paid")


@pytest.mark.parametrize("payment", [Decimal("0"), Decimal("1000")])
def test_partly_paid_outcome_needs_a_part(payment):
    with pytest.raises(CollectionError, match="部分缴纳"):
        collection_result(OWED, Decimal("0"), "outstanding", payment, "partly_paid")


def test_smallest_part_payment_is_partly_paid():
    assert collection_result(OWED, Decimal("0"), "outstanding", Decimal("0.01"),
                             "partly_paid") == (Decimal("0.01"), "partly_paid")


def test_money_only_with_a_paying_outcome():
    with pytest.raises(CollectionError, match="才能填写本次缴纳金额"):
        collection_result(OWED, Decimal("0"), "outstanding", Decimal("10"), "no_answer")


@pytest.mark.parametrize("status, outcome, expected", [
    ("outstanding", "refused", "refused"),
    ("partly_paid", "refused", "refused"),
    ("refused", "no_answer", "refused"),
    ("refused", "promised", "outstanding"),
    ("outstanding", "no_answer", "outstanding"),
    ("litigation", "refused", "litigation"),
])
def test_outcome_sets_the_status(status, outcome, expected):
    assert collection_result(OWED, Decimal("0"), status, Decimal("0"), outcome)[1] == expected


def test_part_payment_during_litigation_leaves_it_to_the_court():
    assert collection_result(OWED, Decimal("0"), "litigation", Decimal("300"),
                             "partly_paid") == (Decimal("300"), "litigation")
    assert collection_result(OWED, Decimal("300"), "litigation", Decimal("700"),
                             "paid") == (OWED, "paid")


# -- through the screens -----------------------------------------------------------------------

def action_form(arrear, **overrides):
    return {"arrear": arrear.id, "channel": "door_visit", "acted_on": "2026-03-12",
            "actor": "客服张敏", "outcome": "partly_paid", "amount_paid": "400.00",
            "promised_on": "", "note": "", **overrides}


def test_a_payment_updates_the_arrear_and_an_edit_replaces_it(world, as_user):
    arrear = make_arrear(world, world.area_a1, amount_owed=OWED)
    db.session.commit()
    firm = as_user(world.user("firm_a"))
    response = firm.post_form("/collection_action/new/", action_form(arrear),
                              form_url="/collection_action/new/")
    assert response.status_code == 302
    assert (fresh(arrear).amount_paid, fresh(arrear).status) == (Decimal("400.00"), "partly_paid")

    action = db.session.scalar(sa.select(CollectionAction))
    url = f"/collection_action/edit/?id={action.id}"
    response = firm.post_form(url, action_form(arrear, outcome="paid", amount_paid="1000.00"),
                              form_url=url)
    assert response.status_code == 302
    assert (fresh(arrear).amount_paid, fresh(arrear).status) == (OWED, "paid")


def test_an_overpayment_writes_nothing(world, as_user):
    arrear = make_arrear(world, world.area_a1, amount_owed=OWED, amount_paid=Decimal("400"),
                         status="partly_paid")
    db.session.commit()
    response = as_user(world.user("community_a1")).post_form(
        "/collection_action/new/", action_form(arrear, amount_paid="600.01"),
        form_url="/collection_action/new/")
    assert response.status_code == 200
    assert "不能大于未缴余额（600.00元）" in response.get_data(as_text=True)
    assert count(CollectionAction) == 0
    assert fresh(arrear).amount_paid == Decimal("400.00")


def test_refusal_marks_the_arrear_refused(world, as_user):
    arrear = make_arrear(world, world.area_a1)
    db.session.commit()
    response = as_user(world.user("community_a1")).post_form(
        "/collection_action/new/", action_form(arrear, outcome="refused", amount_paid="0"),
        form_url="/collection_action/new/")
    assert response.status_code == 302
    assert fresh(arrear).status == "refused"


def test_an_action_that_took_money_is_not_deleted(world, as_user):
    action = make_collection_action(world, world.area_a1, outcome="partly_paid",
                                    amount_paid=Decimal("100"))
    db.session.commit()
    user = as_user(world.user("street_a"))
    user.client.post("/collection_action/delete/",
                     data={"id": action.id, "csrf_token": user.csrf_token("/collection_action/")})
    assert count(CollectionAction) == 1


# -- litigation referral -----------------------------------------------------------------------

def referral_form(arrear, **overrides):
    return {"arrear": arrear.id, "referred_on": "2026-09-01", "court": "临江市人民法院",
            "has_contract": "y", "green_channel": "y", "small_claims": "y",
            "outcome": "pending", **overrides}


def test_referral_of_an_owner_who_refuses_marks_it_in_court(world, as_user):
    arrear = make_refused_arrear(world)
    db.session.commit()
    response = as_user(world.user("street_a")).post_form(
        "/litigation/new/", referral_form(arrear), form_url="/litigation/new/")
    assert response.status_code == 302
    assert fresh(arrear).status == "litigation"


@pytest.mark.parametrize("outcome", ["judgement", "settlement"])
def test_a_judgement_or_settlement_closes_the_arrear(world, as_user, outcome):
    referral = make_litigation(world, world.area_a1, arrear=make_refused_arrear(world))
    db.session.commit()
    url = f"/litigation/edit/?id={referral.id}"
    response = as_user(world.user("street_a")).post_form(
        url, referral_form(referral.arrear, outcome=outcome, decided_on="2026-10-20",
                           case_number="（2026）吉0681民初2001号"), form_url=url)
    assert response.status_code == 302
    assert fresh(referral.arrear).status == "settled"


def test_no_referral_while_the_owner_has_not_refused(world, as_user):
    arrear = make_refused_arrear(world, status="outstanding")
    db.session.commit()
    response = as_user(world.user("street_a")).post_form(
        "/litigation/new/", referral_form(arrear), form_url="/litigation/new/")
    assert response.status_code == 200
    assert "只有业主仍拒缴" in response.get_data(as_text=True)
    assert count(LitigationReferral) == 0
    assert fresh(arrear).status == "outstanding"


def test_no_referral_without_a_collection_action(world):
    arrear = make_arrear(world, world.area_a1, status="refused",
                         period_start=local_today() - timedelta(days=300),
                         period_end=local_today() - timedelta(days=120))
    assert litigation_obstacles(arrear) == ["尚无催缴记录：移交诉讼前须至少记录一次催缴。"]


def contract_test_arrear(world, end_on, status="active"):
    """An arrear of a new firm in area_a2, whose contract ends on `end_on`."""
    firm = make_firm()
    make_contract(world.area_a2, firm, start_on=date(2025, 1, 1), end_on=end_on, status=status)
    return make_refused_arrear(world, world.area_a2, firm=firm, period_start=date(2025, 1, 1),
                               period_end=date(2025, 12, 31))


def test_contract_must_cover_the_last_day_of_the_period(world):
    assert litigation_obstacles(contract_test_arrear(world, date(2025, 12, 31))) == []
    short = contract_test_arrear(world, date(2025, 12, 30))
    assert any("没有在本区域履行的物业服务合同" in reason for reason in litigation_obstacles(short))


def test_an_ended_contract_counts_and_a_draft_does_not(world):
    assert litigation_obstacles(contract_test_arrear(world, date(2025, 12, 31), "ended")) == []
    draft = contract_test_arrear(world, date(2025, 12, 31), "draft")
    assert litigation_obstacles(draft)


def test_a_firm_without_a_contract_there_cannot_sue(world, as_user):
    stranger = make_firm("临江市无约物业服务有限公司")
    arrear = make_refused_arrear(world, firm=stranger)
    db.session.commit()
    response = as_user(world.user("street_a")).post_form(
        "/litigation/new/", referral_form(arrear), form_url="/litigation/new/")
    assert response.status_code == 200
    assert "没有在本区域履行的物业服务合同" in response.get_data(as_text=True)
    assert count(LitigationReferral) == 0


def test_the_missing_evidence_is_listed(world, as_user):
    referral = make_litigation(world, world.area_a1, arrear=make_refused_arrear(world),
                               has_notice_delivery=False, has_area_proof=False)
    db.session.commit()
    assert referral.missing_evidence == ["面积证明", "催缴函及送达凭证", "服务记录"]
    page = as_user(world.user("street_a")).get("/litigation/").get_data(as_text=True)
    assert "面积证明、催缴函及送达凭证、服务记录" in page


# -- collection rate -------------------------------------------------------------------------

def test_collection_rate_per_area_and_firm(world, as_user):
    make_arrear(world, world.area_a1, amount_owed=Decimal("1000"), amount_paid=Decimal("250"))
    make_arrear(world, world.area_a1, amount_owed=Decimal("3000"), amount_paid=Decimal("0"))
    make_arrear(world, world.area_b1, amount_owed=Decimal("500"), amount_paid=Decimal("500"))
    db.session.commit()
    page = as_user(world.user("street_a")).get("/fee_collection_rate/").get_data(as_text=True)
    assert world.area_a1.name in page and "6.3%" in page and "4000.00" in page
    assert world.area_b1.name not in page and world.firm_b.name not in page

    firm_page = as_user(world.user("firm_b")).get("/fee_collection_rate/").get_data(as_text=True)
    assert "100.0%" in firm_page and world.area_a1.name not in firm_page


def test_collection_rate_links_to_the_filtered_arrears(world, as_user):
    own = make_arrear(world, world.area_a1)
    other = make_arrear(world, world.area_a2, firm=world.firm_a)
    db.session.commit()
    user = as_user(world.user("street_a"))
    page = user.get("/fee_collection_rate/").get_data(as_text=True)
    links = [unquote(href.replace("&amp;", "&"))
             for href in re.findall(r'href="(/fee_arrear/\?[^"]+)"', page)]
    # The area's own link filters on the area alone; the firm's column adds a second filter.
    link = next(href for href in links if world.area_a1.name in href and "flt1_" not in href)
    listed = user.get(link).get_data(as_text=True)
    assert f"id={own.id}" in listed and f"id={other.id}" not in listed


def test_collection_rate_costs_the_same_queries_for_many_rows(world, as_user):
    user = as_user(world.user("street_a"))

    def statements():
        counter = []
        listener = lambda *args: counter.append(1)  # noqa: E731
        sa.event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert user.get("/fee_collection_rate/").status_code == 200
        finally:
            sa.event.remove(db.engine, "before_cursor_execute", listener)
        return len(counter)

    make_arrear(world, world.area_a1)
    db.session.commit()
    few = statements()
    for area in (world.area_a1, world.area_a2) * 5:
        make_arrear(world, area, firm=world.firm_a)
    db.session.commit()
    assert statements() == few


def test_collection_rate_is_closed_to_departments(world, as_user):
    assert as_user(world.user("dept_1")).get("/fee_collection_rate/").status_code == 403

