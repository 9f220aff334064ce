"""Service contracts between an area and a property firm."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Choices, TimestampMixin, choice_column, db, in_order, label, not_negative
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


class ServiceContract(TimestampMixin, db.Model):
    """A preliminary or ordinary property service contract for one management area."""

    __tablename__ = "service_contract"
    __table_args__ = (
        in_order("start_on", "end_on"),
        in_order("signed_on", "filed_on"),
        not_negative("fee_residential"),
        not_negative("fee_commercial"),
        sa.Index("ix_service_contract_firm_status", "firm_id", "status"),
    )
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("management_area.id"), index=True,
                                         info=label("物业管理区域"))
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
    publicized_on: Mapped[date | None] = mapped_column(info=label("公示日期"))
    filing_status: Mapped[str] = choice_column(FILING_STATUSES, "备案状态", default="not_filed")
    filed_on: Mapped[date | None] = mapped_column(info=label("备案日期"))
    status: Mapped[str] = choice_column(CONTRACT_STATUSES, "合同状态", default="active")

    area = relationship("ManagementArea", info=label("物业管理区域"))
    firm = relationship("PropertyFirm", info=label("物业服务企业"))

    @classmethod
    def active_on(cls, day: date) -> sa.ColumnElement[bool]:
        """SQL condition: the contract is in force on `day`."""
        return sa.and_(cls.status == "active", cls.start_on <= day,
                       sa.or_(cls.end_on.is_(None), cls.end_on >= day))

    def __str__(self) -> str:
        return f"{self.area.name if self.area else ''} {CONTRACT_KINDS.label(self.kind)}（{self.firm.name if self.firm else ''}）"
