"""Property services: handovers, fallback management, service inspections, satisfaction surveys."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    area_column, Choices, TimestampMixin, choice_column, db, in_order, label, local_today,
    not_negative, positive,
)
from .contracts import ServiceContract
from .governance import OwnersAssembly
from .places import SERVICE_MODES, ManagementArea, ServiceModeChange
from .scoping import ByArea, ByParent

HANDOVER_KINDS = Choices("handover_kind", takeover="承接查验", exit="退出交接")
OUTGOING_KINDS = Choices("handover_outgoing_kind", developer="建设单位", firm="原物业服务企业",
                         committee="业主委员会", fallback="兜底代管单位")
INCOMING_KINDS = Choices("handover_incoming_kind", firm="物业服务企业", committee="业主委员会",
                         representative="业主代表", community="社区（兜底代管）")
HANDOVER_STATUSES = Choices("handover_status", planned="计划中", in_progress="查验（交接）中",
                            rectifying="问题整改中", signed_off="已签字确认")
HANDOVER_CATEGORIES = Choices("handover_category", documents="资料", common_parts="共用部位",
                              facilities="共用设施设备", keys="钥匙", funds="资金与押金")
CHECK_METHODS = Choices("handover_check_method", compare="核对", observe="观察", use="使用",
                        measure="检测", test="试验")
COPY_KINDS = Choices("handover_copy_kind", original="原件", copy="复印件")
FALLBACK_STATUSES = Choices("fallback_status", active="代管中", ended="已结束")
INSPECTION_KINDS = Choices("service_inspection_kind", routine="日常检查", special="专项检查",
                           quarterly="季度考评")
INSPECTION_STATUSES = Choices("service_inspection_status", planned="计划中", inspected="已检查",
                              rectifying="整改中", closed="已办结")


MODE_EVENTS = Choices("service_mode_event", contract_started="物业服务合同开始履行",
                      owners_decision="业主决定自治管理", fallback_started="兜底代管开始",
                      fallback_ended="兜底代管结束", exit_handover="物业服务企业退出交接")


class ModeChangeRefused(ValueError):
    """An event that cannot change the area's service mode; the message is shown as is."""


def mode_after(event: str, current: str, *, contract_in_force: bool = False,
               fallback_in_force: bool = False) -> str:
    """The service mode an area has after `event`, given its mode and what is in force then.

    Raises ModeChangeRefused for an event the rules do not allow in the current mode.
    """
    if event == "contract_started":
        return "professional"
    if event == "owners_decision":
        return "self_managed"
    if event == "fallback_started":
        if contract_in_force:
            raise ModeChangeRefused("该区域有履行中的物业服务合同，不能安排兜底代管；"
                                    "须先完成原物业服务企业的退出交接。")
        return "fallback"
    if event == "fallback_ended":
        if current != "fallback":
            return current
        return "professional" if contract_in_force else "none"
    if event == "exit_handover":
        # Owners who already decided on self-management keep it when the firm leaves.
        if current != "professional" or contract_in_force:
            return current
        return "fallback" if fallback_in_force else "none"
    raise ModeChangeRefused(f"未知的服务模式变更事件：{event}")


def record_mode_change(area: ManagementArea, event: str, changed_on: date, reason: str,
                       row: ServiceModeChange | None = None, **facts) -> ServiceModeChange | None:
    """Apply `event` to the area: write the history row with its date and reason, set the mode.

    Returns None when the mode stays the same. Future dates and dates before the area's last
    recorded change are refused, so the history the dashboard reads stays one chain.
    """
    current = area.service_mode
    new = mode_after(event, current, **facts)
    if new == current:
        if row is not None:
            raise ModeChangeRefused(f"该区域已是“{SERVICE_MODES.label(current)}”，无需变更。")
        return None
    if changed_on > local_today():
        raise ModeChangeRefused(f"服务模式自{changed_on}起才变更，请在该日期到来后再保存。")
    # A new row handed in by a form is already in the session, still without its modes.
    with db.session.no_autoflush:
        latest = db.session.scalar(
            sa.select(ServiceModeChange).where(ServiceModeChange.area_id == area.id)
            .order_by(ServiceModeChange.changed_on.desc(), ServiceModeChange.id.desc()).limit(1))
    if latest is not None and changed_on < latest.changed_on:
        raise ModeChangeRefused(
            f"变更日期{changed_on}早于该区域最近一次服务模式变更（{latest.changed_on}，"
            f"{SERVICE_MODES.label(latest.to_mode)}），请核对日期。")
    row = row or ServiceModeChange()
    row.area, row.changed_on, row.from_mode, row.to_mode = area, changed_on, current, new
    row.reason = f"{MODE_EVENTS.label(event)}：{reason}"[:200]
    area.service_mode = new
    db.session.add(row)
    return row


def contract_in_force(area_id: int, day: date, excluding: int | None = None) -> bool:
    """Whether a service contract of the area (other than `excluding`) is in force on `day`."""
    return db.session.scalar(sa.select(sa.exists().where(
        ServiceContract.area_id == area_id, ServiceContract.active_on(day),
        ServiceContract.id != (excluding or 0)))) or False


def has_owners_assembly(area_id: int) -> bool:
    """Whether the area's owners' assembly has been established (it alone decides for owners)."""
    return db.session.scalar(sa.select(sa.exists().where(
        OwnersAssembly.area_id == area_id))) or False


def firm_serves(firm_id: int | None, area_id: int, day: date) -> bool:
    """Whether the firm has a contract in force in the area on `day`."""
    return db.session.scalar(sa.select(sa.exists().where(
        ServiceContract.area_id == area_id, ServiceContract.firm_id == firm_id,
        ServiceContract.active_on(day)))) or False


def fallback_in_force(area_id: int, excluding: int | None = None) -> bool:
    """Whether a fallback arrangement (other than `excluding`) is active in the area."""
    return db.session.scalar(sa.select(sa.exists().where(
        FallbackArrangement.area_id == area_id, FallbackArrangement.status == "active",
        FallbackArrangement.id != (excluding or 0)))) or False


def flag_with_date(flag: str, day: str) -> sa.CheckConstraint:
    """Database guard that a yes/no flag and its date are set together; the forms read `info`."""
    return sa.CheckConstraint(
        f"({flag} AND {day} IS NOT NULL) OR (NOT {flag} AND {day} IS NULL)",
        name=f"{day}_flag", info={"flag_date": (flag, day)})


# The five parties who sign a handover record: (flag column, date column, Chinese name).
SIGNATORIES = (
    ("outgoing_signed", "outgoing_signed_on", "移交方"),
    ("incoming_signed", "incoming_signed_on", "接收方"),
    ("committee_signed", "committee_signed_on", "业主委员会"),
    ("street_signed", "street_signed_on", "街道见证"),
    ("community_signed", "community_signed_on", "社区见证"),
)


class ByAreaOrOwnExit(ByArea):
    """Rows of the user's areas; a firm also keeps its own exit handovers after leaving."""

    def condition(self, model, user):
        in_area = super().condition(model, user)
        if user.role != "firm":
            return in_area
        own_exit = sa.and_(model.kind == "exit", model.contract_id.in_(
            sa.select(ServiceContract.id).where(ServiceContract.firm_id == user.firm_id)))
        return sa.or_(in_area, own_exit)


# Only the street and the community witness a handover; a firm never sets these columns.
WITNESS_COLUMNS = ("street_signed", "street_signed_on", "community_signed",
                   "community_signed_on")


class HandoverInspection(TimestampMixin, db.Model):
    """A takeover inspection (承接查验) or an exit handover (退出交接) of one management area."""

    __tablename__ = "handover_inspection"
    __table_args__ = (
        in_order("contract_end_on", "exit_deadline"),
        *(in_order("inspected_on", day) for _, day, _ in SIGNATORIES),
        *(flag_with_date(flag, day) for flag, day, _ in SIGNATORIES),
        positive("service_room_area"),
        not_negative("prepaid_fees"),
        not_negative("deposits"),
        not_negative("shared_income"),
        not_negative("collected_balance"),
        sa.CheckConstraint("status <> 'signed_off' OR (outgoing_signed AND incoming_signed)",
                           name="signed_off_needs_both_parties"),
    )
    __scope__ = ByAreaOrOwnExit()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = area_column()
    contract_id: Mapped[int | None] = mapped_column(sa.ForeignKey("service_contract.id"),
                                                    index=True, info=label("相关服务合同"))
    kind: Mapped[str] = choice_column(HANDOVER_KINDS, "类别", default="takeover")
    outgoing_kind: Mapped[str] = choice_column(OUTGOING_KINDS, "移交方类别", default="developer")
    outgoing_party: Mapped[str] = mapped_column(sa.String(100), info=label("移交方"))
    incoming_kind: Mapped[str] = choice_column(INCOMING_KINDS, "接收方类别", default="firm")
    incoming_party: Mapped[str] = mapped_column(sa.String(100), info=label("接收方"))
    inspected_on: Mapped[date] = mapped_column(info=label("查验（交接）日期"))
    scope: Mapped[str | None] = mapped_column(sa.Text, info=label("查验（交接）范围"))
    method: Mapped[str | None] = mapped_column(sa.String(100), info=label("查验（交接）方式"))
    conclusion: Mapped[str | None] = mapped_column(sa.Text, info=label("查验（交接）结论"))
    status: Mapped[str] = choice_column(HANDOVER_STATUSES, "状态", default="planned")

    outgoing_signed: Mapped[bool] = mapped_column(default=False, info=label("移交方已签字"))
    outgoing_signed_on: Mapped[date | None] = mapped_column(info=label("移交方签字日期"))
    incoming_signed: Mapped[bool] = mapped_column(default=False, info=label("接收方已签字"))
    incoming_signed_on: Mapped[date | None] = mapped_column(info=label("接收方签字日期"))
    committee_signed: Mapped[bool] = mapped_column(default=False, info=label("业主委员会已签字"))
    committee_signed_on: Mapped[date | None] = mapped_column(info=label("业主委员会签字日期"))
    street_signed: Mapped[bool] = mapped_column(default=False, info=label("街道已见证"))
    street_signed_on: Mapped[date | None] = mapped_column(info=label("街道见证日期"))
    community_signed: Mapped[bool] = mapped_column(default=False, info=label("社区已见证"))
    community_signed_on: Mapped[date | None] = mapped_column(info=label("社区见证日期"))

    # Exit handovers only (民法典第九百四十九条; FILINGS.md §1.6).
    contract_end_on: Mapped[date | None] = mapped_column(info=label("合同终止日期"))
    exit_deadline: Mapped[date | None] = mapped_column(info=label("退出期限"))
    service_room_location: Mapped[str | None] = mapped_column(sa.String(200),
                                                              info=label("物业服务用房位置"))
    service_room_area: Mapped[Decimal | None] = mapped_column(
        sa.Numeric(10, 2), info=label("物业服务用房面积（㎡）"))
    service_room_keys_returned: Mapped[bool] = mapped_column(
        default=False, info=label("服务用房钥匙已交回"))
    prepaid_fees: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2),
                                                         info=label("预收物业费（元）"))
    deposits: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2), info=label("押金（元）"))
    shared_income: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2),
                                                          info=label("共有收益（元）"))
    collected_balance: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2),
                                                              info=label("代收代缴余额（元）"))
    open_matters: Mapped[str | None] = mapped_column(sa.Text, info=label("未结事项"))
    open_matters_deadline: Mapped[date | None] = mapped_column(info=label("未结事项办结期限"))
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    area = relationship("ManagementArea", lazy="joined", info=label("物业管理区域"))
    contract = relationship("ServiceContract", info=label("相关服务合同"))
    items = relationship("HandoverItem", back_populates="inspection", cascade="all, delete-orphan",
                         order_by="HandoverItem.seq", info=label("查验（交接）明细"))

    def __str__(self) -> str:
        area = self.area.name if self.area else ""
        return f"{area}{HANDOVER_KINDS.label(self.kind)}（{self.inspected_on or ''}）"


class HandoverItem(TimestampMixin, db.Model):
    """One line of a handover record: a document, a shared part, a facility, a key or a sum."""

    __tablename__ = "handover_item"
    __table_args__ = (
        positive("seq"),
        not_negative("quantity"),
        positive("pages"),
        not_negative("amount"),
        flag_with_date("fixed", "fixed_on"),
    )
    __scope__ = ByParent("inspection_id", "HandoverInspection")

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("handover_inspection.id", ondelete="CASCADE"), index=True,
        info=label("承接查验（退出交接）记录"))
    seq: Mapped[int | None] = mapped_column(info=label("序号"))
    category: Mapped[str] = choice_column(HANDOVER_CATEGORIES, "类别", default="common_parts")
    name: Mapped[str] = mapped_column(sa.String(100), info=label("名称"))
    quantity: Mapped[int | None] = mapped_column(info=label("数量"))
    unit: Mapped[str | None] = mapped_column(sa.String(8), info=label("计量单位"))
    pages: Mapped[int | None] = mapped_column(info=label("页数"))
    copy_kind: Mapped[str | None] = choice_column(COPY_KINDS, "原件/复印件", nullable=True)
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2), info=label("金额（元）"))
    location: Mapped[str | None] = mapped_column(sa.String(100), info=label("位置"))
    method: Mapped[str | None] = choice_column(CHECK_METHODS, "查验方法", nullable=True)
    standard: Mapped[str | None] = mapped_column(sa.String(200), info=label("标准或约定"))
    condition: Mapped[str | None] = mapped_column(sa.String(200), info=label("查验情况"))
    problem: Mapped[str | None] = mapped_column(sa.Text, info=label("存在问题"))
    responsible_party: Mapped[str | None] = mapped_column(sa.String(100),
                                                          info=label("整改责任方"))
    deadline: Mapped[date | None] = mapped_column(info=label("整改期限"))
    fixed: Mapped[bool] = mapped_column(default=False, info=label("已整改"))
    fixed_on: Mapped[date | None] = mapped_column(info=label("整改完成日期"))
    recheck_conclusion: Mapped[str | None] = mapped_column(sa.String(200), info=label("复验结论"))

    inspection = relationship("HandoverInspection", back_populates="items",
                              info=label("承接查验（退出交接）记录"))

    def __str__(self) -> str:
        return f"{HANDOVER_CATEGORIES.label(self.category)}：{self.name}"


class FallbackArrangement(TimestampMixin, db.Model):
    """Basic service by a support unit and the community until a firm or self-management starts."""

    __tablename__ = "fallback_arrangement"
    __table_args__ = (
        in_order("start_on", "end_on"),
        sa.CheckConstraint("status <> 'ended' OR end_on IS NOT NULL", name="ended_has_end_on"),
        # One arrangement in force per area at a time.
        sa.Index("uq_fallback_arrangement_active_area", "area_id", unique=True,
                 sqlite_where=sa.text("status = 'active'"),
                 postgresql_where=sa.text("status = 'active'")),
    )
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = area_column()
    support_unit_id: Mapped[int] = mapped_column(sa.ForeignKey("support_unit.id"), index=True,
                                                 info=label("包保单位"))
    support_contact: Mapped[str | None] = mapped_column(sa.String(32),
                                                        info=label("包保单位责任人"))
    community_contact: Mapped[str | None] = mapped_column(sa.String(32), info=label("社区责任人"))
    community_phone: Mapped[str | None] = mapped_column(
        sa.String(20), info=label("社区责任人电话", phone=True))
    start_on: Mapped[date] = mapped_column(info=label("代管开始日期"))
    basic_cleaning: Mapped[bool] = mapped_column(default=True, info=label("基础保洁"))
    repairs: Mapped[bool] = mapped_column(default=True, info=label("应急维修"))
    other_services: Mapped[str | None] = mapped_column(sa.Text, info=label("其他服务内容"))
    end_condition: Mapped[str] = mapped_column(
        sa.Text, default="业主选聘物业服务企业或实行业主自治管理后终止",
        info=label("终止条件"))
    end_on: Mapped[date | None] = mapped_column(info=label("代管结束日期"))
    status: Mapped[str] = choice_column(FALLBACK_STATUSES, "状态", default="active")
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    area = relationship("ManagementArea", lazy="joined", info=label("物业管理区域"))
    support_unit = relationship("SupportUnit", info=label("包保单位"))

    def __str__(self) -> str:
        return f"{self.area.name if self.area else ''}兜底代管（{self.start_on or ''}起）"


class ServiceInspection(TimestampMixin, db.Model):
    """A supervision check of a firm's service in one area, scored item by item or as a whole."""

    __tablename__ = "service_inspection"
    __table_args__ = (
        not_negative("total_score"),
        in_order("inspected_on", "rectification_deadline"),
        in_order("inspected_on", "rectified_on"),
        flag_with_date("rectified", "rectified_on"),
    )
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = area_column()
    firm_id: Mapped[int] = mapped_column(sa.ForeignKey("property_firm.id"), index=True,
                                         info=label("物业服务企业"))
    kind: Mapped[str] = choice_column(INSPECTION_KINDS, "检查类型", default="routine")
    inspected_on: Mapped[date] = mapped_column(info=label("检查日期"))
    inspectors: Mapped[str] = mapped_column(sa.String(200), info=label("检查人员"))
    total_score: Mapped[Decimal | None] = mapped_column(sa.Numeric(6, 1), info=label("总分"))
    findings: Mapped[str | None] = mapped_column(sa.Text, info=label("发现问题"))
    rectification_deadline: Mapped[date | None] = mapped_column(info=label("整改期限"))
    rectified: Mapped[bool] = mapped_column(default=False, info=label("已整改"))
    rectified_on: Mapped[date | None] = mapped_column(info=label("整改完成日期"))
    status: Mapped[str] = choice_column(INSPECTION_STATUSES, "状态", default="inspected")
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    area = relationship("ManagementArea", lazy="joined", info=label("物业管理区域"))
    firm = relationship("PropertyFirm", info=label("物业服务企业"))
    items = relationship("InspectionItem", back_populates="inspection",
                         cascade="all, delete-orphan", order_by="InspectionItem.id",
                         info=label("检查项目"))

    def overdue_on(self, day: date) -> bool:
        """Findings still open after the rectification deadline."""
        return (not self.rectified and self.rectification_deadline is not None
                and self.rectification_deadline < day)

    @classmethod
    def overdue_condition(cls, day: date) -> sa.ColumnElement[bool]:
        """SQL twin of `overdue_on`, for the list filter."""
        return sa.and_(sa.not_(cls.rectified), cls.rectification_deadline.is_not(None),
                       cls.rectification_deadline < day)

    def __str__(self) -> str:
        return f"{self.area.name if self.area else ''}监督检查（{self.inspected_on or ''}）"


class InspectionItem(TimestampMixin, db.Model):
    """One scored item of a service inspection; the score never exceeds the item's maximum."""

    __tablename__ = "inspection_item"
    __table_args__ = (
        sa.UniqueConstraint("inspection_id", "name"),
        positive("max_score"),
        not_negative("score"),
        sa.CheckConstraint("score <= max_score", name="score_within_max"),
    )
    __scope__ = ByParent("inspection_id", "ServiceInspection")

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(
        sa.ForeignKey("service_inspection.id", ondelete="CASCADE"), index=True,
        info=label("监督检查"))
    name: Mapped[str] = mapped_column(sa.String(64), info=label("检查项目"))
    max_score: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1), info=label("满分"))
    score: Mapped[Decimal] = mapped_column(sa.Numeric(5, 1), info=label("得分"))
    finding: Mapped[str | None] = mapped_column(sa.Text, info=label("检查情况"))

    inspection = relationship("ServiceInspection", back_populates="items",
                              info=label("监督检查"))

    def __str__(self) -> str:
        return f"{self.name}（{self.score}/{self.max_score}）"


def refresh_total_score(inspection_id: int | None) -> None:
    """An inspection with items takes the sum of their scores as its total score."""
    if inspection_id is None:
        return
    total, count = db.session.execute(
        sa.select(sa.func.sum(InspectionItem.score), sa.func.count())
        .where(InspectionItem.inspection_id == inspection_id)).one()
    inspection = db.session.get(ServiceInspection, inspection_id)
    # Through the ORM, so that the change bumps the row's version and is audited.
    if count and inspection is not None and inspection.total_score != total:
        inspection.total_score = total


class SatisfactionSurvey(TimestampMixin, db.Model):
    """Owners' satisfaction in one area for one period; every valid questionnaire counts once."""

    __tablename__ = "satisfaction_survey"
    __table_args__ = (
        sa.UniqueConstraint("area_id", "period_start", "period_end"),
        in_order("period_start", "period_end"),
        in_order("period_start", "surveyed_on"),
        positive("respondents"),
        not_negative("very_satisfied"),
        not_negative("satisfied"),
        not_negative("neutral"),
        not_negative("dissatisfied"),
        sa.CheckConstraint("very_satisfied + satisfied + neutral + dissatisfied = respondents",
                           name="answers_add_up"),
    )
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = area_column()
    firm_id: Mapped[int | None] = mapped_column(sa.ForeignKey("property_firm.id"), index=True,
                                                info=label("物业服务企业"))
    period_start: Mapped[date] = mapped_column(info=label("测评期起"))
    period_end: Mapped[date] = mapped_column(info=label("测评期止"))
    surveyed_on: Mapped[date] = mapped_column(info=label("测评日期"))
    organiser: Mapped[str | None] = mapped_column(sa.String(64), info=label("组织单位"))
    respondents: Mapped[int] = mapped_column(info=label("有效问卷（份）"))
    very_satisfied: Mapped[int] = mapped_column(default=0, info=label("非常满意"))
    satisfied: Mapped[int] = mapped_column(default=0, info=label("满意"))
    neutral: Mapped[int] = mapped_column(default=0, info=label("一般"))
    dissatisfied: Mapped[int] = mapped_column(default=0, info=label("不满意"))
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    area = relationship("ManagementArea", lazy="joined", info=label("物业管理区域"))
    firm = relationship("PropertyFirm", info=label("物业服务企业"))

    @hybrid_property
    def satisfaction_rate(self) -> Decimal | None:
        """满意率: (非常满意 + 满意) / 有效问卷, in per cent with one decimal."""
        if not self.respondents:
            return None
        share = Decimal((self.very_satisfied or 0) + (self.satisfied or 0)) * 100 / self.respondents
        return share.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @satisfaction_rate.inplace.expression
    @classmethod
    def _satisfaction_rate(cls) -> sa.ColumnElement[Decimal]:
        return (cls.very_satisfied + cls.satisfied) * 100.0 / cls.respondents

    def __str__(self) -> str:
        return f"{self.area.name if self.area else ''}满意度测评（{self.period_start}至{self.period_end}）"
