"""Fee arrears in the areas under contract, their collection, and three court referrals."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa

from models import db
from models.contracts import ServiceContract
from models.fees import CollectionAction, FeeArrear, LitigationReferral
from models.places import Building, Household

from . import get_or_create

TODAY = date(2026, 11, 28)
PERIODS = ((date(2024, 1, 1), date(2024, 12, 31), 12), (date(2025, 1, 1), date(2025, 12, 31), 12),
           (date(2026, 1, 1), date(2026, 6, 30), 6))
# Rooms picked per area: (building number, room); six arrears per area under contract.
ROOMS = (("1号楼", "1-102"), ("1号楼", "2-301"), ("2号楼", "1-201"), ("3号楼", "2-102"),
         ("4号楼", "1-302"), ("2号楼", "2-202"))
FIRM_STAFF = ("物业客服张敏", "物业项目经理刘强", "物业客服赵丹")
COMMUNITY_STAFF = ("社区网格员王丽", "社区主任助理孙海涛")

# What happened to an arrear, by pattern: its status, and its actions as
# (days after the period ended, channel, outcome, share of the amount paid, actor is community).
PATTERNS = (
    ("outstanding", ((20, "notice_board", "no_answer", 0, False),
                     (45, "letter", "no_answer", 0, True))),
    ("paid", ((15, "wechat", "no_answer", 0, False),
              (40, "phone", "promised", 0, False),
              (62, "door_visit", "paid", 1, True))),
    ("partly_paid", ((30, "letter", "no_answer", 0, True),
                     (58, "door_visit", "partly_paid", Decimal("0.5"), False))),
    ("refused", ((10, "notice_board", "no_answer", 0, False),
                 (35, "qq", "no_answer", 0, False),
                 (70, "door_visit", "refused", 0, True),
                 (96, "letter", "refused", 0, True))),
    ("outstanding", ((25, "phone", "promised", 0, False),
                     (55, "promise", "promised", 0, True))),
    ("outstanding", ()),
)
NOTES = {
    "no_answer": "未见回复",
    "promised": "业主承诺按期缴纳，已签承诺书",
    "paid": "业主当场缴清，已开具收据",
    "partly_paid": "业主缴纳部分费用，余款约定年底前结清",
    "refused": "业主以车位管理不到位为由拒缴，已做解释工作",
}


def load(password):
    refused = []
    for number, (area_id, firm_id, fee) in enumerate(_areas_under_contract()):
        for index, (building, room) in enumerate(ROOMS):
            household = db.session.scalar(
                sa.select(Household).join(Building)
                .where(Building.area_id == area_id, Building.number == building,
                       Household.room == room))
            if household is None:
                continue
            pattern = (number + index) % len(PATTERNS)
            start, end, months = PERIODS[(number + index) % 2 if pattern != 5 else 2]
            arrear = _arrear(household, area_id, firm_id, fee, start, end, months, pattern)
            if PATTERNS[pattern][0] == "refused":
                refused.append(arrear)
    _litigation(refused[:3])
    return []


def _areas_under_contract():
    """(area id, firm id, residential fee) of every area with a contract in force."""
    rows = db.session.execute(
        sa.select(ServiceContract.area_id, ServiceContract.firm_id,
                  ServiceContract.fee_residential)
        .where(ServiceContract.active_on(TODAY)).order_by(ServiceContract.area_id))
    return list(rows)


def _arrear(household, area_id, firm_id, fee, start, end, months, pattern) -> FeeArrear:
    status, actions = PATTERNS[pattern]
    owed = (household.floor_area * fee * months).quantize(Decimal("0.01"), ROUND_HALF_UP)
    paid = sum((owed * share).quantize(Decimal("0.01"), ROUND_HALF_UP)
               for *_, share, _ in actions)
    arrear = get_or_create(FeeArrear, {"household_id": household.id, "period_start": start},
                           area_id=area_id, firm_id=firm_id, period_end=end, amount_owed=owed,
                           amount_paid=paid, status=status)
    for step, (days, channel, outcome, share, by_community) in enumerate(actions):
        acted_on = end + timedelta(days=days)
        staff = COMMUNITY_STAFF if by_community else FIRM_STAFF
        get_or_create(
            CollectionAction, {"arrear_id": arrear.id, "acted_on": acted_on, "channel": channel},
            actor=staff[(household.id + step) % len(staff)], outcome=outcome,
            amount_paid=(owed * share).quantize(Decimal("0.01"), ROUND_HALF_UP),
            promised_on=acted_on + timedelta(days=30) if outcome == "promised" else None,
            note=NOTES[outcome])
    return arrear


def _litigation(refused: list[FeeArrear]) -> None:
    """One judgement with an award, one court settlement, one case still pending."""
    # outcome, case number, days from the last collection action to the referral,
    # days from filing to the hearing, days from the hearing to the decision, share awarded.
    outcomes = (
        ("judgement", "（2026）吉0681民初1127号", 14, 16, 12, Decimal("1"),
         "判决被告给付拖欠的物业服务费；逾期不履行的，纳入个人征信"),
        ("settlement", "（2026）吉0681民初1486号", 40, 18, 0, Decimal("0.9"),
         "经法院主持调解，业主分两期缴清欠费，物业公司减免部分滞纳金"),
        ("pending", "（2026）吉0681民初3312号", 150, 80, None, None,
         "已立案，适用小额诉讼程序，与同小区两起欠费案件合并审理"),
    )
    for arrear, (outcome, case_number, after, hearing_in, decided_in, share, notes) in zip(
            refused, outcomes):
        last_action = max(action.acted_on for action in arrear.actions)
        referred_on = last_action + timedelta(days=after)
        filed_on = referred_on + timedelta(days=10)
        hearing_on = filed_on + timedelta(days=hearing_in)
        get_or_create(
            LitigationReferral, {"arrear_id": arrear.id},
            firm_id=arrear.firm_id, referred_on=referred_on, court="临江市人民法院",
            has_contract=True, has_area_proof=True, has_notice_delivery=True, has_ledger=True,
            has_service_records=outcome != "pending", green_channel=True, small_claims=True,
            joint_hearing=outcome == "pending", case_number=case_number, filed_on=filed_on,
            hearing_on=hearing_on, outcome=outcome,
            decided_on=hearing_on + timedelta(days=decided_in) if share else None,
            amount_awarded=(arrear.amount_owed * share).quantize(Decimal("0.01"))
            if share else None,
            credit_record=outcome == "judgement", notes=notes)
        arrear.status = "litigation" if outcome == "pending" else "settled"
