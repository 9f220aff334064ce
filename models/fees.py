"""Property-fee arrears, the collection actions taken on them and their referral to court."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.ext.associationproxy import association_proxy
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    area_column,
    Choices, TimestampMixin, choice_column, db, in_order, label, not_negative, positive,
)
from .contracts import ServiceContract
from .places import Building, Household
from .scoping import ByArea, ByParent

ARREAR_STATUSES = Choices(
    "arrear_status",
    outstanding="欠费",
    partly_paid="部分缴纳",
    paid="已缴清",
    refused="拒缴",
    litigation="已起诉",
    settled="已结案",
)
COLLECTION_CHANNELS = Choices(
    "collection_channel",
    notice_board="公告栏",
    letter="一封信",
    wechat="微信群",
    qq="QQ群",
    door_visit="上门",
    phone="电话",
    promise="承诺缴费",
)
COLLECTION_OUTCOMES = Choices(
    "collection_outcome",
    paid="已缴清",
    partly_paid="部分缴纳",
    promised="承诺缴纳",
    refused="拒缴",
    no_answer="无人应答",
)
LITIGATION_OUTCOMES = Choices(
    "litigation_outcome",
    pending="审理中",
    judgement="判决",
    settlement="调解",
    withdrawn="撤诉",
)
DEFAULT_COURT = "临江市人民法院"

AREA_MISMATCH = "欠费记录的物业管理区域必须是该房屋所在楼栋的区域。"
PAID_OVER_OWED = "已缴金额不能大于欠费金额。"
PROMISE_WITHOUT_DATE = "催缴结果为“承诺缴纳”时，必须填写承诺缴费日期。"
DECISION_WITHOUT_DATE = "以判决或调解结案的，必须填写判决（调解）日期。"
PAYMENT_OVER_BALANCE = "本次缴纳金额不能大于未缴余额（{balance}元）。"
PAID_MEANS_BALANCE = "催缴结果为“已缴清”时，本次缴纳金额必须等于未缴余额（{balance}元）。"
PARTLY_PAID_MEANS_PART = "催缴结果为“部分缴纳”时，本次缴纳金额必须大于0且小于未缴余额（{balance}元）。"
PAYMENT_NEEDS_PAID_OUTCOME = "只有催缴结果为“已缴清”或“部分缴纳”时，才能填写本次缴纳金额。"
NOT_REFUSED = "只有业主仍拒缴（状态为“拒缴”）的欠费才能移交诉讼，该欠费当前状态为“{status}”。"
NO_COLLECTION = "尚无催缴记录：移交诉讼前须至少记录一次催缴。"
NO_CONTRACT = ("该物业服务企业在欠费期间（{start}至{end}）没有在本区域履行的物业服务合同，"
               "不能作为原告移交诉讼。")
# Where a referral leaves its arrear, by the referral's outcome.
STATUS_AFTER_REFERRAL = {"pending": "litigation", "judgement": "settled",
                         "settlement": "settled", "withdrawn": "refused"}
EVIDENCE_FLAGS = ("has_contract", "has_area_proof", "has_notice_delivery", "has_ledger",
                  "has_service_records")


class CollectionError(ValueError):
    """A collection action whose payment and outcome do not fit the arrear."""


def collection_result(owed: Decimal, paid: Decimal, status: str, payment: Decimal,
                      outcome: str) -> tuple[Decimal, str]:
    """The arrear's paid amount and status after one collection action.

    Raises CollectionError with the Chinese reason when payment and outcome disagree.
    """
    balance = owed - paid
    if payment > balance:
        raise CollectionError(PAYMENT_OVER_BALANCE.format(balance=balance))
    if outcome == "paid" and payment != balance:
        raise CollectionError(PAID_MEANS_BALANCE.format(balance=balance))
    if outcome == "partly_paid" and not 0 < payment < balance:
        raise CollectionError(PARTLY_PAID_MEANS_PART.format(balance=balance))
    if outcome not in ("paid", "partly_paid") and payment:
        raise CollectionError(PAYMENT_NEEDS_PAID_OUTCOME)
    paid += payment
    if paid == owed:
        return paid, "paid"
    if status in ("litigation", "settled"):
        return paid, status  # the court now decides what is owed
    if outcome == "refused":
        return paid, "refused"
    if paid > 0:
        return paid, "partly_paid"
    if outcome == "promised":
        return paid, "outstanding"  # a promise ends a refusal
    return paid, status


class AreaMismatchError(ValueError):
    """An arrear whose area is not the area of its household's building."""


class FeeArrear(TimestampMixin, db.Model):
    """What one household owes for one period; its area is always the household's area."""

    __tablename__ = "fee_arrear"
    __table_args__ = (
        sa.UniqueConstraint("household_id", "period_start"),
        in_order("period_start", "period_end"),
        positive("amount_owed"),
        not_negative("amount_paid"),
        sa.CheckConstraint("amount_paid <= amount_owed", name="paid_within_owed"),
        sa.Index("ix_fee_arrear_area_status", "area_id", "status"),
    )
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("household.id"), index=True,
                                              info=label("房屋"))
    area_id: Mapped[int] = area_column()
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("property_firm.id"), index=True,
                                         info=label("物业服务企业"))
    period_start: Mapped[date] = mapped_column(info=label("欠费期间起"))
    period_end: Mapped[date] = mapped_column(info=label("欠费期间止"))
    amount_owed: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), info=label("欠费金额（元）"))
    amount_paid: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), default=Decimal("0"),
                                                 info=label("已缴金额（元）"))
    status: Mapped[str] = choice_column(ARREAR_STATUSES, "状态", default="outstanding")
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    household = relationship("Household", info=label("房屋"))
    area = relationship("ManagementArea", info=label("物业管理区域"))
    firm = relationship("PropertyFirm", info=label("物业服务企业"))
    actions = relationship("CollectionAction", back_populates="arrear",
                           order_by="CollectionAction.acted_on", info=label("催缴记录"))
    referrals = relationship("LitigationReferral", back_populates="arrear",
                             info=label("诉讼移交"))
    # Room and owner as attributes of the arrear, so that look-ups can search arrears by them.
    room = association_proxy("household", "room")
    owner_name = association_proxy("household", "owner_name")

    @hybrid_property
    def balance(self) -> Decimal:
        """What is still owed: owed minus paid."""
        return (self.amount_owed or 0) - (self.amount_paid or 0)

    @balance.inplace.expression
    @classmethod
    def _balance_expression(cls):
        return cls.amount_owed - cls.amount_paid

    def __str__(self) -> str:
        return f"{self.household} {self.period_start}至{self.period_end}"


def serving_contract(arrear: FeeArrear) -> ServiceContract | None:
    """The contract under which the arrear's firm served its area for the whole period, if any.

    A contract now ended still counts for the period it was in force; a draft never does.
    """
    return db.session.scalar(sa.select(ServiceContract).where(
        ServiceContract.area_id == arrear.area_id, ServiceContract.firm_id == arrear.firm_id,
        ServiceContract.status.in_(("active", "ended")),
        ServiceContract.start_on <= arrear.period_start,
        sa.or_(ServiceContract.end_on.is_(None), ServiceContract.end_on >= arrear.period_end))
        .order_by(ServiceContract.start_on.desc()).limit(1))


def litigation_obstacles(arrear: FeeArrear) -> list[str]:
    """Why the arrear may not go to court yet, in Chinese; empty when it may."""
    reasons = []
    if arrear.status != "refused":
        reasons.append(NOT_REFUSED.format(status=ARREAR_STATUSES.label(arrear.status)))
    if not arrear.actions:
        reasons.append(NO_COLLECTION)
    if serving_contract(arrear) is None:
        reasons.append(NO_CONTRACT.format(start=arrear.period_start, end=arrear.period_end))
    return reasons


@sa.event.listens_for(FeeArrear, "before_insert")
@sa.event.listens_for(FeeArrear, "before_update")
def _guard_area_of_household(mapper, connection, arrear: FeeArrear) -> None:
    """The database never holds an arrear filed under another area than its household's."""
    area_id = connection.scalar(
        sa.select(Building.area_id).join(Household, Household.building_id == Building.id)
        .where(Household.id == arrear.household_id))
    if area_id != arrear.area_id:
        raise AreaMismatchError(AREA_MISMATCH)


class CollectionAction(TimestampMixin, db.Model):
    """One attempt to collect an arrear, through one channel, with its outcome."""

    __tablename__ = "collection_action"
    __table_args__ = (
        not_negative("amount_paid"),
        sa.CheckConstraint("outcome <> 'promised' OR promised_on IS NOT NULL",
                           name="promise_has_date"),
        in_order("acted_on", "promised_on"),
    )
    __scope__ = ByParent("arrear_id", "FeeArrear")

    id: Mapped[int] = mapped_column(primary_key=True)
    arrear_id: Mapped[int] = mapped_column(sa.ForeignKey("fee_arrear.id"), index=True,
                                           info=label("欠费记录"))
    channel: Mapped[str] = choice_column(COLLECTION_CHANNELS, "催缴方式")
    acted_on: Mapped[date] = mapped_column(info=label("催缴日期"))
    actor: Mapped[str] = mapped_column(sa.String(64), info=label("催缴人"))
    outcome: Mapped[str] = choice_column(COLLECTION_OUTCOMES, "催缴结果")
    amount_paid: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), default=Decimal("0"),
                                                 info=label("本次缴纳金额（元）"))
    promised_on: Mapped[date | None] = mapped_column(info=label("承诺缴费日期"))
    note: Mapped[str | None] = mapped_column(sa.Text, info=label("情况说明"))

    arrear = relationship("FeeArrear", back_populates="actions", info=label("欠费记录"))

    def __str__(self) -> str:
        return f"{self.acted_on} {COLLECTION_CHANNELS.label(self.channel)}"


class LitigationReferral(TimestampMixin, db.Model):
    """An arrear handed to the court by the firm that served, with evidence and outcome."""

    __tablename__ = "litigation_referral"
    __table_args__ = (
        sa.UniqueConstraint("court", "case_number"),
        in_order("referred_on", "filed_on"),
        in_order("filed_on", "hearing_on"),
        in_order("referred_on", "decided_on"),
        not_negative("amount_awarded"),
        sa.CheckConstraint("outcome NOT IN ('judgement', 'settlement') OR decided_on IS NOT NULL",
                           name="decision_has_date"),
    )
    __scope__ = ByParent("arrear_id", "FeeArrear")

    id: Mapped[int] = mapped_column(primary_key=True)
    arrear_id: Mapped[int] = mapped_column(sa.ForeignKey("fee_arrear.id"), index=True,
                                           info=label("欠费记录"))
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("property_firm.id"), index=True,
                                         info=label("原告（物业服务企业）"))
    referred_on: Mapped[date] = mapped_column(info=label("移交日期"))
    court: Mapped[str] = mapped_column(sa.String(64), default=DEFAULT_COURT,
                                       info=label("管辖法院"))
    has_contract: Mapped[bool] = mapped_column(default=False, info=label("服务合同"))
    has_area_proof: Mapped[bool] = mapped_column(default=False, info=label("面积证明"))
    has_notice_delivery: Mapped[bool] = mapped_column(default=False,
                                                      info=label("催缴函及送达凭证"))
    has_ledger: Mapped[bool] = mapped_column(default=False, info=label("欠费台账"))
    has_service_records: Mapped[bool] = mapped_column(default=False, info=label("服务记录"))
    green_channel: Mapped[bool] = mapped_column(default=True, info=label("绿色通道"))
    small_claims: Mapped[bool] = mapped_column(default=False, info=label("小额快裁"))
    joint_hearing: Mapped[bool] = mapped_column(default=False, info=label("合并审理"))
    case_number: Mapped[str | None] = mapped_column(sa.String(64), info=label("案号"))
    filed_on: Mapped[date | None] = mapped_column(info=label("立案日期"))
    hearing_on: Mapped[date | None] = mapped_column(info=label("开庭日期"))
    outcome: Mapped[str] = choice_column(LITIGATION_OUTCOMES, "结果", default="pending")
    decided_on: Mapped[date | None] = mapped_column(info=label("判决（调解）日期"))
    amount_awarded: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2),
                                                           info=label("判决（调解）金额（元）"))
    credit_record: Mapped[bool] = mapped_column(default=False, info=label("纳入个人征信"))
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    arrear = relationship("FeeArrear", back_populates="referrals", info=label("欠费记录"))
    firm = relationship("PropertyFirm", info=label("原告（物业服务企业）"))

    @property
    def missing_evidence(self) -> list[str]:
        """Labels of the evidence the referral still lacks."""
        columns = self.__table__.c
        return [columns[flag].info["label"] for flag in EVIDENCE_FLAGS if not getattr(self, flag)]

    def __str__(self) -> str:
        return f"{self.case_number or '未立案'} {LITIGATION_OUTCOMES.label(self.outcome)}"
