"""Fee documents: the reminder to one household, the letter to owners, the court referral.

The reminder and the letter go to households and groups: they name rooms, never owners, and
never threaten to cut water, power or heating. Only the referral, addressed to the court,
names the owner.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from models import db
from models.fees import (
    COLLECTION_CHANNELS, COLLECTION_OUTCOMES, DEFAULT_COURT, FeeArrear, serving_contract,
)
from models.places import Building, Household
from reports.filings import DocumentType, register

from . import department_of_kind

# Civil Code art. 944 asks for a reasonable period; the office never gives less than this.
PAYMENT_DAYS = 15
# Arrears still to collect from the owners: not paid, not closed by the court.
OPEN_STATUSES = ("outstanding", "partly_paid", "refused", "litigation")
# What each piece of evidence proves, in the order the court reads them.
EVIDENCE = (
    ("has_contract", "物业服务合同", "原告与被告所在物业管理区域之间的物业服务关系及收费标准"),
    ("has_area_proof", "房屋面积证明", "被告房屋的专有面积，即计费面积"),
    ("has_notice_delivery", "催缴通知书及送达凭证", "原告已催告被告并给予合理的缴费期限"),
    ("has_ledger", "物业费欠费台账", "欠费期间、应缴、已缴及欠缴金额"),
    ("has_service_records", "物业服务记录", "原告在欠费期间已按合同提供物业服务"),
)


def _household_of(arrear: FeeArrear) -> str:
    """“建国花园1号楼1-102室”: how a household is addressed on paper."""
    return f"{arrear.area.name}{arrear.household.address}室"


def _open_arrears(area) -> list[FeeArrear]:
    """The area's arrears still owed, by building and room, in one query."""
    return db.session.scalars(
        sa.select(FeeArrear).join(Household, Household.id == FeeArrear.household_id)
        .join(Building, Building.id == Household.building_id)
        .where(FeeArrear.area_id == area.id, FeeArrear.status.in_(OPEN_STATUSES),
               FeeArrear.amount_owed > FeeArrear.amount_paid)
        .options(joinedload(FeeArrear.household).joinedload(Household.building))
        .order_by(Building.number, Household.room, FeeArrear.period_start)).all()


def _reminder_context(arrear: FeeArrear) -> dict:
    return {"arrear": arrear, "area": arrear.area, "firm": arrear.firm,
            "community": arrear.area.community, "household": arrear.household,
            "addressed_to": _household_of(arrear), "contract": serving_contract(arrear),
            "payment_days": PAYMENT_DAYS}


def _letter_context(area, action=None) -> dict:
    arrears = _open_arrears(area)
    firms = {arrear.firm for arrear in arrears}
    return {"area": area, "community": area.community, "arrears": arrears,
            "total": sum((arrear.balance for arrear in arrears), 0),
            "firm": next(iter(firms)) if len(firms) == 1 else None, "action": action,
            "channel": COLLECTION_CHANNELS.label(action.channel) if action else None,
            "payment_days": PAYMENT_DAYS}


def _referral_context(referral) -> dict:
    arrear = referral.arrear
    return {"referral": referral, "arrear": arrear, "area": arrear.area, "firm": referral.firm,
            "household": arrear.household, "contract": serving_contract(arrear),
            "actions": [(action, COLLECTION_CHANNELS.label(action.channel),
                         COLLECTION_OUTCOMES.label(action.outcome)) for action in arrear.actions],
            "evidence": [(name, proves, getattr(referral, flag)) for flag, name, proves in EVIDENCE],
            "missing": referral.missing_evidence}


def _court(referral):
    return department_of_kind("court")


register(DocumentType(
    key="arrears_reminder",
    title="物业费催缴通知书",
    template="reports/arrears_reminder.html",
    model="FeeArrear",
    prefix_suffix="催",
    layout="official",
    addressee=lambda arrear: f"{_household_of(arrear)}业主",
    context=_reminder_context,
    purpose="送达欠费业主（按房号称呼）；可在欠费台账中批量打印",
))

register(DocumentType(
    key="owner_letter",
    title="致业主的一封信",
    template="reports/owner_letter.html",
    model="ManagementArea",
    prefix_suffix="信",
    layout="official",
    addressee=lambda area: f"{area.name}全体业主",
    area=lambda area: area,
    context=_letter_context,
    purpose="张贴于公告栏或发布于业主微信群，只列房号与金额",
))

register(DocumentType(
    key="owner_letter_collection",
    title="致业主的一封信",
    template="reports/owner_letter.html",
    model="CollectionAction",
    prefix_suffix="信",
    layout="official",
    addressee=lambda action: f"{action.arrear.area.name}全体业主",
    area=lambda action: action.arrear.area,
    context=lambda action: _letter_context(action.arrear.area, action),
    purpose="以“一封信”“公告栏”方式催缴时发布，只列房号与金额",
    applies_to=lambda action: action.channel in ("letter", "notice_board"),
))

register(DocumentType(
    key="litigation_referral",
    title="物业服务费纠纷诉讼移交函",
    template="reports/litigation_referral.html",
    model="LitigationReferral",
    prefix_suffix="函",
    layout="letter",
    addressee=lambda referral: referral.court or DEFAULT_COURT,
    department=_court,
    area=lambda referral: referral.arrear.area,
    context=_referral_context,
    purpose="主送临江市人民法院，附证据清单",
))
