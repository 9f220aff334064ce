"""Service contracts between an area and a property firm, and the rules of their selection."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    area_column, choice_column, Choices, db, in_order, label, not_negative, TimestampMixin,
)
from .scoping import ByArea

CONTRACT_KINDS = Choices("contract_kind", preliminary="前期物业服务合同", ordinary="物业服务合同")
SELECTION_METHODS = Choices("selection_method", public_tender="公开招标",
                            invited_tender="邀请招标", agreement="协议选聘",
                            assembly="业主大会选聘")
BILLING_MODES = Choices("billing_mode", lump_sum="包干制", commission="酬金制")
FILING_STATUSES = Choices("filing_status", not_filed="未备案", submitted="已报送",
                          filed="已备案", returned="退回补正")
CONTRACT_STATUSES = Choices("contract_status", draft="拟签订", active="履行中",
                            ended="已终止")

# The notice's local rule: agreement-based selection only up to this floor area (m²).
AGREEMENT_AREA_LIMIT = Decimal("30000")
# Contracts ending within this many days are flagged so that re-selection starts in time.
EXPIRY_WARNING_DAYS = 90


def selection_problems(kind: str | None, method: str | None, floor_area: Decimal | None,
                       approval_number: str | None, approval_on: date | None,
                       has_assembly: bool) -> list[tuple[str, str]]:
    """(field, Chinese message) for each way the firm's selection breaks the rules.

    Preliminary contracts: tender, or agreement for at most 30,000 m² with the bureau's
    approval on record. Ordinary contracts: chosen by the area's owners' assembly.
    """
    problems = []
    if kind == "preliminary":
        if method == "assembly":
            problems.append(("selection_method", "前期物业服务企业由建设单位选聘，应采用招标方式"
                                                 "（或经批准的协议选聘），不能选“业主大会选聘”。"))
        if method == "agreement":
            if floor_area is not None and Decimal(floor_area) > AGREEMENT_AREA_LIMIT:
                problems.append(("selection_method", (
                    f"该区域总建筑面积{Decimal(floor_area):,.2f}㎡，超过三万平方米，"
                    "前期物业服务企业须通过招投标选聘，不能协议选聘。")))
            if not approval_number:
                problems.append(("approval_number",
                                 "协议选聘须填写市城市管理行政执法局的批准文号。"))
            if not approval_on:
                problems.append(("approval_on", "协议选聘须填写批准日期。"))
    elif kind == "ordinary":
        if method != "assembly":
            problems.append(("selection_method",
                             "物业服务合同的物业服务企业由业主大会选聘，选聘方式应为“业主大会选聘”。"))
        elif not has_assembly:
            problems.append(("selection_method",
                             "该区域尚未成立业主大会，不能由业主大会选聘；"
                             "请先成立业主大会，或签订前期物业服务合同。"))
    return problems


def filing_problems(status: str | None, submitted_on: date | None,
                    filed_on: date | None) -> list[tuple[str, str]]:
    """(field, Chinese message) when the filing status and its dates disagree."""
    problems = []
    if status in ("submitted", "filed", "returned") and not submitted_on:
        problems.append(("submitted_on", f"备案状态为“{FILING_STATUSES.label(status)}”时"
                                         "须填写报送备案日期。"))
    if status == "filed" and not filed_on:
        problems.append(("filed_on", "备案状态为“已备案”时须填写备案日期。"))
    if status != "filed" and filed_on:
        problems.append(("filing_status", "已填写备案日期的，备案状态应为“已备案”。"))
    return problems


class ServiceContract(TimestampMixin, db.Model):
    """A preliminary or ordinary property service contract for one management area."""

    __tablename__ = "service_contract"
    __table_args__ = (
        in_order("start_on", "end_on"),
        in_order("signed_on", "filed_on"),
        in_order("signed_on", "submitted_on"),
        in_order("submitted_on", "filed_on"),
        in_order("signed_on", "publicized_on"),
        not_negative("fee_residential"),
        not_negative("fee_commercial"),
        sa.CheckConstraint("kind <> 'preliminary' OR selection_method <> 'assembly'",
                           name="preliminary_not_by_assembly"),
        sa.CheckConstraint("selection_method <> 'agreement' OR approval_number IS NOT NULL",
                           name="agreement_needs_approval"),
        sa.CheckConstraint("filing_status <> 'filed' OR filed_on IS NOT NULL",
                           name="filed_has_filed_on"),
        sa.Index("ix_service_contract_firm_status", "firm_id", "status"),
    )
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = area_column()
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("property_firm.id"), index=True,
                                         info=label("物业服务企业"))
    kind: Mapped[str] = choice_column(CONTRACT_KINDS, "合同类别", default="ordinary")
    selection_method: Mapped[str] = choice_column(SELECTION_METHODS, "选聘方式",
                                                  default="public_tender")
    approval_number: Mapped[str | None] = mapped_column(sa.String(64),
                                                        info=label("协议选聘批准文号"))
    approval_on: Mapped[date | None] = mapped_column(info=label("批准日期"))
    tender_notice_number: Mapped[str | None] = mapped_column(sa.String(64),
                                                             info=label("中标通知书编号"))
    developer_name: Mapped[str | None] = mapped_column(sa.String(100), info=label("建设单位"))
    developer_credit_code: Mapped[str | None] = mapped_column(
        sa.String(18), info=label("建设单位统一社会信用代码", uscc=True))
    signed_on: Mapped[date] = mapped_column(info=label("签订日期"))
    start_on: Mapped[date] = mapped_column(info=label("服务开始日期"))
    end_on: Mapped[date | None] = mapped_column(info=label("服务结束日期"))
    billing_mode: Mapped[str] = choice_column(BILLING_MODES, "计费方式", default="lump_sum")
    fee_residential: Mapped[Decimal] = mapped_column(
        sa.Numeric(8, 2), default=0, info=label("住宅收费标准（元/㎡·月）"))
    fee_commercial: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(8, 2), info=label("非住宅收费标准（元/㎡·月）"))
    service_level: Mapped[str | None] = mapped_column(sa.String(32), info=label("服务等级"))
    service_items: Mapped[str | None] = mapped_column(sa.Text, info=label("服务事项"))
    publicized_on: Mapped[date | None] = mapped_column(info=label("服务事项和收费标准公示日期"))
    filing_status: Mapped[str] = choice_column(FILING_STATUSES, "备案状态", default="not_filed")
    submitted_on: Mapped[date | None] = mapped_column(info=label("报送备案日期"))
    filed_on: Mapped[date | None] = mapped_column(info=label("备案日期"))
    filing_number: Mapped[str | None] = mapped_column(sa.String(64), info=label("备案编号"))
    filing_remarks: Mapped[str | None] = mapped_column(sa.String(200),
                                                       info=label("备案机关意见（退回原因）"))
    status: Mapped[str] = choice_column(CONTRACT_STATUSES, "合同状态", default="active")

    area = relationship("ManagementArea", info=label("物业管理区域"))
    firm = relationship("PropertyFirm", info=label("物业服务企业"))

    @classmethod
    def active_on(cls, day: date) -> sa.ColumnElement[bool]:
        """SQL condition: the contract is in force on `day`."""
        return sa.and_(cls.status == "active", cls.start_on <= day,
                       sa.or_(cls.end_on.is_(None), cls.end_on >= day))

    @classmethod
    def ending_soon(cls, day: date, days: int = EXPIRY_WARNING_DAYS) -> sa.ColumnElement[bool]:
        """SQL condition: a contract in force that ends within `days` days of `day`."""
        return sa.and_(cls.status == "active", cls.end_on.is_not(None),
                       cls.end_on >= day, cls.end_on <= day + timedelta(days=days))

    def days_left(self, day: date) -> int | None:
        """Days from `day` to the end of a contract in force; None if open-ended or over."""
        if self.status != "active" or self.end_on is None or self.end_on < day:
            return None
        return (self.end_on - day).days

    def __str__(self) -> str:
        return f"{self.area.name if self.area else ''} {CONTRACT_KINDS.label(self.kind)}（{self.firm.name if self.firm else ''}）"
