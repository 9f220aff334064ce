"""Disputes and safety: patrols, hazards, cases with their timeline, escalations, mediations.

Business date-times (received, deadlines, found at ...) are Beijing wall-clock time, naive,
as the clerks enter them; `local_now()` gives the same kind of value.
"""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, aliased, mapped_column, relationship

from .base import (
    area_column, choice_column, Choices, db, in_order, label, local_now, positive, TimestampMixin,
    upsert,
)
from .deadlines import due_status
from .places import Community, ManagementArea
from .scoping import ByArea, ByFunction, ByParent, visible_to
from .workflow import (CASE_ACTION_LABELS, CASE_STATE_LABELS, ESCALATION_STATE_LABELS,
                       HAZARD_STATE_LABELS, OPEN_ESCALATION_STATES)

CASE_NUMBER_PREFIX = "JG"
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

PATROL_STATUSES = Choices("patrol_status", planned="计划中", done="已完成", cancelled="已取消")
HAZARD_CATEGORIES = Choices(
    "hazard_category",
    corridor_clutter="楼道堆物",
    fire_passage="占用堵塞消防通道",
    electrical="电气线路",
    structural="房屋结构",
    falling_objects="高空坠物",
    elevator="电梯",
    other="其他",
)
HAZARD_SEVERITIES = Choices("hazard_severity", ordinary="一般", major="较大", serious="重大",
                            urgent="紧急")
HAZARD_STATUSES = Choices("hazard_status", **HAZARD_STATE_LABELS)
CLEARANCE_STATUSES = Choices("clearance_status", not_cleared="未清理", clearing="清理中",
                             cleared="已清理")
CONTACT_METHODS = Choices("contact_method", phone="电话", visit="上门告知",
                          written="书面通知", online="微信/短信")

CASE_TYPES = Choices("case_type", complaint="投诉", report="举报", dispute="纠纷",
                     violation="违法违规", patrol="巡查发现")
CASE_SOURCES = Choices(
    "case_source",
    visit="来访",
    call="来电",
    hotline="12345热线",
    patrol="巡查",
    hazard_inspection="隐患排查",
    firm_report="物业企业报告",
    referral="部门转办",
)
URGENCIES = Choices("case_urgency", ordinary="一般", urgent="紧急")
CASE_STATES = Choices("case_state", **CASE_STATE_LABELS)
# The handling deadline stops running once the case is resolved or closed in any way.
DEADLINE_MET_STATES = frozenset({"resolved", "closed", "closed_unresolved", "not_in_remit"})
ASSIGNEE_KINDS = Choices("assignee_kind", community="社区（村）", firm="物业服务企业")
SATISFACTION = Choices("satisfaction", satisfied="满意", basically="基本满意",
                       dissatisfied="不满意")
CASE_ACTIONS = Choices("case_action", **CASE_ACTION_LABELS)
ESCALATION_STATES = Choices("escalation_state", **ESCALATION_STATE_LABELS)
MEDIATION_OUTCOMES = Choices("mediation_outcome", success="调解成功", partial="部分达成",
                             failed="调解不成")



def _codes(codes) -> str:
    return ", ".join(f"'{code}'" for code in codes)


def required_when(column: str, codes: tuple[str, ...], required: str) -> sa.CheckConstraint:
    """Database guard that `required` is set whenever `column` holds one of `codes`.

    The screens read the rule from `info` and refuse such input with a Chinese message.
    """
    return sa.CheckConstraint(f"{column} NOT IN ({_codes(codes)}) OR {required} IS NOT NULL",
                              name=f"{required}_required_{column}",
                              info={"required_when": (column, codes, required)})


def only_when(column: str, codes: tuple[str, ...], dependent: str) -> sa.CheckConstraint:
    """Database guard that `dependent` stays empty unless `column` holds one of `codes`."""
    return sa.CheckConstraint(f"{column} IN ({_codes(codes)}) OR {dependent} IS NULL",
                              name=f"{dependent}_only_{column}",
                              info={"only_when": (column, codes, dependent)})


class DeadlineMixin:
    """Overdue and nearly-due marking for rows whose `open_deadline` is None once met."""

    @property
    def due_status(self) -> str | None:
        return due_status(self.open_deadline, local_now())

    @property
    def is_overdue(self) -> bool:
        return self.due_status == "overdue"


class Patrol(TimestampMixin, db.Model):
    """A patrol of one area by its community, usually together with the area's firm."""

    __tablename__ = "patrol"
    __table_args__ = (
        required_when("status", ("done",), "done_on"),
        only_when("status", ("done",), "done_on"),
        sa.Index("ix_patrol_area_planned", "area_id", "planned_on"),
    )
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = area_column()
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True,
                                              info=label("巡查社区"))
    firm_id: Mapped[int | None] = mapped_column(sa.ForeignKey("property_firm.id"), index=True,
                                                info=label("会同物业企业"))
    planned_on: Mapped[date] = mapped_column(info=label("计划日期"))
    done_on: Mapped[date | None] = mapped_column(info=label("完成日期"))
    participants: Mapped[str | None] = mapped_column(sa.String(200), info=label("参加人员"))
    route: Mapped[str | None] = mapped_column(sa.Text, info=label("巡查路线/点位"))
    findings: Mapped[str | None] = mapped_column(sa.Text, info=label("发现问题"))
    status: Mapped[str] = choice_column(PATROL_STATUSES, "状态", default="planned")

    area = relationship("ManagementArea", lazy="joined", info=label("物业管理区域"))
    community = relationship("Community", info=label("巡查社区"))
    firm = relationship("PropertyFirm", info=label("会同物业企业"))

    def __str__(self) -> str:
        return f"{self.planned_on} {self.area.name if self.area else ''}巡查"


class Hazard(DeadlineMixin, TimestampMixin, db.Model):
    """A danger or safety hazard: found, warned, responsible unit contacted, disposed, verified."""

    __tablename__ = "hazard"
    __table_args__ = (
        required_when("category", ("corridor_clutter",), "clearance_status"),
        only_when("category", ("corridor_clutter",), "clearance_status"),
        required_when("status", ("contacted", "disposed", "verified"), "contacted_at"),
        required_when("status", ("disposed", "verified"), "disposed_at"),
        required_when("status", ("verified",), "verified_at"),
        in_order("found_at", "warning_line_at"),
        in_order("found_at", "notice_posted_at"),
        in_order("found_at", "contacted_at"),
        in_order("found_at", "disposed_at"),
        in_order("disposed_at", "verified_at"),
        in_order("found_at", "deadline"),
        # Lists by area newest first, and the dashboard's hazard figures from the index alone.
        sa.Index("ix_hazard_area_found", "area_id", "found_at", "disposed_at", "category",
                 "clearance_status"),
        sa.Index("ix_hazard_area_status", "area_id", "status"),
        sa.Index("ix_hazard_status_deadline", "status", "deadline"),
        # The city's figures count the current month's hazards live (models.tallies).
        sa.Index("ix_hazard_found_at", "found_at"),
        sa.Index("ix_hazard_disposed_at", "disposed_at"),
    )
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = area_column(index=False)
    building_id: Mapped[int | None] = mapped_column(sa.ForeignKey("building.id"), index=True,
                                                    info=label("楼栋"))
    patrol_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patrol.id"), index=True,
                                                  info=label("发现的巡查"))
    category: Mapped[str] = choice_column(HAZARD_CATEGORIES, "隐患类别")
    severity: Mapped[str] = choice_column(HAZARD_SEVERITIES, "严重程度", default="ordinary")
    location: Mapped[str] = mapped_column(sa.String(200), info=label("具体位置"))
    description: Mapped[str] = mapped_column(sa.Text, info=label("隐患描述"))
    found_at: Mapped[datetime] = mapped_column(default=local_now, info=label("发现时间"))
    warning_line_at: Mapped[datetime | None] = mapped_column(info=label("设置警戒线时间"))
    notice_posted_at: Mapped[datetime | None] = mapped_column(info=label("张贴警示标语时间"))
    responsible_unit: Mapped[str | None] = mapped_column(sa.String(100),
                                                         info=label("联系的责任单位"))
    contacted_at: Mapped[datetime | None] = mapped_column(info=label("联系时间"))
    contact_method: Mapped[str | None] = choice_column(CONTACT_METHODS, "联系方式",
                                                       nullable=True)
    disposal_note: Mapped[str | None] = mapped_column(sa.Text, info=label("处置情况"))
    disposed_at: Mapped[datetime | None] = mapped_column(info=label("处置时间"))
    verified_at: Mapped[datetime | None] = mapped_column(info=label("核验时间"))
    status: Mapped[str] = choice_column(HAZARD_STATUSES, "处置状态", default="found")
    clearance_status: Mapped[str | None] = choice_column(CLEARANCE_STATUSES, "堆物清理状态",
                                                         nullable=True)
    deadline: Mapped[datetime | None] = mapped_column(info=label("处置期限"))

    area = relationship("ManagementArea", lazy="joined", info=label("物业管理区域"))
    building = relationship("Building", info=label("楼栋"))
    patrol = relationship("Patrol", info=label("发现的巡查"))

    @property
    def open_deadline(self) -> datetime | None:
        """The deadline while it still runs: until the hazard is disposed of."""
        return None if self.status in ("disposed", "verified") else self.deadline

    def __str__(self) -> str:
        return f"{HAZARD_CATEGORIES.label(self.category)}：{self.location}"


def _escalated_to_own_department(model, user):
    return model.id.in_(sa.select(Escalation.case_id)
                        .where(Escalation.department_id == user.department_id))


# What the case list's search looks in (admin_views/cases.py); the scope indexes carry them.
CASE_SEARCH_COLUMNS = ("number", "title", "hotline_ticket", "respondent")


class Case(DeadlineMixin, TimestampMixin, db.Model):
    """A complaint, report, dispute, violation or patrol finding, from receipt to closing."""

    __tablename__ = "case_record"
    __table_args__ = (
        required_when("source", ("hotline",), "hotline_ticket"),
        required_when("assigned_to", ("community",), "assigned_community_id"),
        required_when("assigned_to", ("firm",), "assigned_firm_id"),
        only_when("assigned_to", ("community",), "assigned_community_id"),
        only_when("assigned_to", ("firm",), "assigned_firm_id"),
        required_when("state", ("closed", "closed_unresolved"), "closed_at"),
        sa.CheckConstraint("merged_into_id IS NULL OR (state = 'closed' AND merged_into_id <> id)",
                           name="merged_into_id_closed"),
        only_when("state", ("resolved", "closed", "closed_unresolved"), "satisfaction"),
        in_order("received_at", "deadline"),
        in_order("received_at", "closed_at"),
        # Scoped lists in received order take the page's ids, and the dashboard its case
        # figures, from this index alone (SQLite keeps the row id in every index; PostgreSQL
        # is told to).
        sa.Index("ix_case_record_area_received", "area_id", "received_at", "closed_at",
                 "deadline", postgresql_include=["id"]),
        sa.Index("ix_case_record_area_state", "area_id", "state"),
        sa.Index("ix_case_record_state_deadline", "state", "deadline"),
        # A community's or a street's list walks its own cases in received order: the newest
        # page, and a deep page by skipping index entries, with no sort of the whole scope. The
        # searched columns ride along, so a search reads the index and not the rows.
        sa.Index("ix_case_record_community_received", "community_id", "received_at", "id",
                 *CASE_SEARCH_COLUMNS),
        sa.Index("ix_case_record_street_received", "street_id", "received_at", "id",
                 *CASE_SEARCH_COLUMNS),
    )
    __scope__ = ByArea("area_id", department=_escalated_to_own_department,
                       community="community_id", street="street_id")

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(20), unique=True,
                                        info=label("案件编号", readonly=True))
    case_type: Mapped[str] = choice_column(CASE_TYPES, "案件类型", default="complaint")
    source: Mapped[str] = choice_column(CASE_SOURCES, "来源", default="visit")
    hotline_ticket: Mapped[str | None] = mapped_column(sa.String(32), info=label("热线工单号"))
    title: Mapped[str] = mapped_column(sa.String(100), info=label("标题"))
    description: Mapped[str] = mapped_column(sa.Text, info=label("反映内容"))
    area_id: Mapped[int] = area_column(index=False)
    # The area's community and street, copied from it by `_copy_places` and carried along when
    # an area or a community moves (the listeners below): what scoping reads for those roles.
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"),
                                              info=label("所属社区", hidden=True))
    street_id: Mapped[int] = mapped_column(sa.ForeignKey("street.id"),
                                           info=label("所属街道", hidden=True))
    building_id: Mapped[int | None] = mapped_column(sa.ForeignKey("building.id"), index=True,
                                                    info=label("楼栋"))
    complainant_name: Mapped[str | None] = mapped_column(
        sa.String(64), info=label("反映人", personal=True))
    complainant_phone: Mapped[str | None] = mapped_column(
        sa.String(20), info=label("反映人电话", phone=True, personal=True))
    respondent: Mapped[str | None] = mapped_column(sa.String(200), info=label("被反映方/当事人"))
    urgency: Mapped[str] = choice_column(URGENCIES, "紧急程度", default="ordinary")
    state: Mapped[str] = choice_column(CASE_STATES, "办理状态", default="received")
    assigned_to: Mapped[str | None] = choice_column(ASSIGNEE_KINDS, "承办方类别", nullable=True)
    assigned_community_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("community.id"), index=True, info=label("承办社区"))
    assigned_firm_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("property_firm.id"), index=True, info=label("承办物业企业"))
    deadline: Mapped[datetime | None] = mapped_column(info=label("办理期限"))
    received_at: Mapped[datetime] = mapped_column(default=local_now, index=True,
                                                  info=label("受理时间"))
    # Indexed: the city's figures count the current month's closings live (models.tallies).
    closed_at: Mapped[datetime | None] = mapped_column(index=True, info=label("结案时间"))
    satisfaction: Mapped[str | None] = choice_column(SATISFACTION, "回访满意度", nullable=True)
    patrol_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patrol.id"), index=True,
                                                  info=label("来源巡查"))
    hazard_id: Mapped[int | None] = mapped_column(sa.ForeignKey("hazard.id"), index=True,
                                                  info=label("关联隐患"))
    merged_into_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("case_record.id"), index=True, info=label("并入案件", readonly=True))

    area = relationship("ManagementArea", info=label("物业管理区域"))
    building = relationship("Building", info=label("楼栋"))
    assigned_community = relationship("Community", foreign_keys=[assigned_community_id],
                                      info=label("承办社区"))
    assigned_firm = relationship("PropertyFirm", info=label("承办物业企业"))
    patrol = relationship("Patrol", info=label("来源巡查"))
    hazard = relationship("Hazard", info=label("关联隐患"))
    merged_into = relationship("Case", remote_side=[id], info=label("并入案件"))
    events = relationship("CaseEvent", back_populates="case",
                          order_by=lambda: (CaseEvent.at, CaseEvent.id), info=label("办理过程"))
    escalations = relationship("Escalation", back_populates="case", info=label("吹哨部门"))

    @property
    def open_deadline(self) -> datetime | None:
        """The deadline while it still runs: until the case is resolved or closed."""
        return None if self.state in DEADLINE_MET_STATES else self.deadline

    def __str__(self) -> str:
        return f"{self.number} {self.title}"


class CaseNumberCounter(db.Model):
    """The last case number issued per year; numbers come only from `next_case_number`."""

    __tablename__ = "case_number_counter"
    __table_args__ = (positive("last_value"),)
    # Internal bookkeeping, listed by no screen.
    __scope__ = ByFunction(lambda model, user: sa.false())

    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    last_value: Mapped[int] = mapped_column()


def next_case_number(connection, year: int) -> str:
    """JG-2026-000123: one atomic upsert per number, so concurrent clerks never share one."""
    table = CaseNumberCounter.__table__
    statement = (upsert(connection, table).values(year=year, last_value=1)
                 .on_conflict_do_update(index_elements=[table.c.year],
                                        set_={"last_value": table.c.last_value + 1})
                 .returning(table.c.last_value))
    value = connection.execute(statement).scalar_one()
    return f"{CASE_NUMBER_PREFIX}-{year}-{value:06d}"


@sa.event.listens_for(Case, "before_insert")
def _number_new_case(mapper, connection, case: Case) -> None:
    if not case.number:
        case.number = next_case_number(connection, (case.received_at or local_now()).year)


def area_places(area_id) -> tuple[sa.ScalarSelect, sa.ScalarSelect]:
    """The community and street of the area `area_id` (a value or a column), as SQL."""
    return (sa.select(ManagementArea.community_id)
            .where(ManagementArea.id == area_id).scalar_subquery(),
            sa.select(Community.street_id)
            .join(ManagementArea, ManagementArea.community_id == Community.id)
            .where(ManagementArea.id == area_id).scalar_subquery())


@sa.event.listens_for(Case, "before_insert")
@sa.event.listens_for(Case, "before_update")
def _copy_places(mapper, connection, case: Case) -> None:
    """A new case, or one moved to another area, takes its area's community and street; the
    INSERT or UPDATE reads them, so the copy cannot lag behind the area it was written with."""
    state = sa.inspect(case)
    moved_to = state.attrs.area.history.added
    if state.persistent and not moved_to and not state.attrs.area_id.history.has_changes():
        return
    area_id = moved_to[0].id if moved_to and moved_to[0] is not None else case.area_id
    case.community_id, case.street_id = area_places(area_id)


def copy_places(connection, cases_where) -> None:
    """Copies again the community and street of the cases meeting `cases_where` from their
    areas (after an area or a community moved, or a bulk write outside the application)."""
    table = Case.__table__
    community_id, street_id = area_places(table.c.area_id)
    connection.execute(sa.update(table).where(cases_where)
                       .values(community_id=community_id, street_id=street_id))


def _moved(target, *attributes: str) -> bool:
    state = sa.inspect(target)
    return any(state.attrs[name].history.has_changes() for name in attributes)


@sa.event.listens_for(ManagementArea, "after_update")
def _area_moved(mapper, connection, area: ManagementArea) -> None:
    if _moved(area, "community_id", "community"):
        copy_places(connection, Case.__table__.c.area_id == area.id)


@sa.event.listens_for(Community, "after_update")
def _community_moved(mapper, connection, community: Community) -> None:
    if _moved(community, "street_id", "street"):
        copy_places(connection, Case.__table__.c.community_id == community.id)


class CaseEvent(db.Model):
    """One step in a case's timeline: who did what, when, and the state it left behind."""

    __tablename__ = "case_event"
    __table_args__ = (sa.Index("ix_case_event_case_at", "case_id", "at"),)
    __scope__ = ByParent("case_id", "Case")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_record.id"), info=label("案件"))
    # The timeline list pages newest first through this index instead of sorting every event.
    at: Mapped[datetime] = mapped_column(default=local_now, index=True, info=label("时间"))
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True, info=label("办理人"))
    action: Mapped[str] = choice_column(CASE_ACTIONS, "操作")
    from_state: Mapped[str | None] = choice_column(CASE_STATES, "原状态", nullable=True)
    to_state: Mapped[str | None] = choice_column(CASE_STATES, "新状态", nullable=True)
    note: Mapped[str | None] = mapped_column(sa.Text, info=label("说明"))

    case = relationship("Case", back_populates="events", info=label("案件"))
    actor = relationship("User", info=label("办理人"))

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {CASE_ACTIONS.label(self.action)}"


def record_case_event(case: Case, action: str, actor=None, note: str | None = None,
                      to_state: str | None = None, at: datetime | None = None) -> CaseEvent:
    """Append a timeline row; when `to_state` is given the case moves to it."""
    event = CaseEvent(case=case, action=action, actor=actor, note=note,
                      from_state=case.state if to_state else None, to_state=to_state,
                      at=at or local_now())
    if to_state:
        case.state = to_state
    db.session.add(event)
    return event


def _escalation_scope(model, user):
    if user.role == "department":
        return model.department_id == user.department_id
    # Checked per escalation rather than against a list of every visible case id first.
    case = aliased(Case)
    return sa.exists().where(case.id == model.case_id, visible_to(case, user))


class Escalation(DeadlineMixin, TimestampMixin, db.Model):
    """The street blows the whistle: one case sent to one department, which reports for duty."""

    __tablename__ = "escalation"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "department_id"),
        required_when("state", ("accepted", "replied", "closed"), "accepted_at"),
        required_when("state", ("replied", "closed"), "replied_at"),
        required_when("state", ("closed",), "closed_at"),
        in_order("escalated_at", "reply_due"),
        in_order("escalated_at", "accepted_at"),
        in_order("accepted_at", "replied_at"),
        in_order("escalated_at", "closed_at"),
        sa.Index("ix_escalation_department_state", "department_id", "state"),
    )
    __scope__ = ByFunction(_escalation_scope)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_record.id"), index=True,
                                         info=label("案件"))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), index=True,
                                               info=label("吹哨部门"))
    escalated_at: Mapped[datetime] = mapped_column(default=local_now, info=label("吹哨时间"))
    reply_due: Mapped[datetime] = mapped_column(info=label("回复期限"))
    accepted_at: Mapped[datetime | None] = mapped_column(info=label("报到时间"))
    replied_at: Mapped[datetime | None] = mapped_column(info=label("回复时间"))
    reply_text: Mapped[str | None] = mapped_column(sa.Text, info=label("回复内容"))
    closed_at: Mapped[datetime | None] = mapped_column(info=label("办结时间"))
    state: Mapped[str] = choice_column(ESCALATION_STATES, "状态", default="sent")

    case = relationship("Case", back_populates="escalations", lazy="joined", info=label("案件"))
    department = relationship("Department", lazy="joined", info=label("吹哨部门"))

    @property
    def open_deadline(self) -> datetime | None:
        """The reply deadline while it still runs: until the department has replied."""
        return self.reply_due if self.state in ("sent", "accepted") else None

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_ESCALATION_STATES

    def __str__(self) -> str:
        number = self.case.number if self.case else ""
        return f"{number} → {self.department.name if self.department else ''}"


class Mediation(TimestampMixin, db.Model):
    """A mediation of a property-management dispute, with its outcome and agreement."""

    __tablename__ = "mediation"
    __table_args__ = (positive("sessions"),)
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_record.id"), index=True,
                                                info=label("关联案件"))
    area_id: Mapped[int] = area_column()
    parties: Mapped[str] = mapped_column(sa.Text, info=label("当事各方", personal=True))
    mediator: Mapped[str] = mapped_column(sa.String(64), info=label("调解人"))
    mediated_on: Mapped[date] = mapped_column(info=label("调解日期"))
    sessions: Mapped[int] = mapped_column(default=1, info=label("调解次数"))
    session_notes: Mapped[str | None] = mapped_column(sa.Text, info=label("调解经过"))
    outcome: Mapped[str] = choice_column(MEDIATION_OUTCOMES, "调解结果")
    agreement: Mapped[str | None] = mapped_column(sa.Text, info=label("协议内容"))

    case = relationship("Case", info=label("关联案件"))
    area = relationship("ManagementArea", info=label("物业管理区域"))

    def __str__(self) -> str:
        return f"{self.mediated_on} {MEDIATION_OUTCOMES.label(self.outcome)}"


class Attachment(db.Model):
    """A file kept with a case or one step of it; the bytes live outside the database."""

    __tablename__ = "attachment"
    __table_args__ = (
        positive("size_bytes"),
        sa.CheckConstraint(f"size_bytes <= {MAX_ATTACHMENT_BYTES}", name="size_bytes_max"),
    )
    __scope__ = ByParent("case_id", "Case")

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case_record.id"), index=True,
                                         info=label("案件"))
    event_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case_event.id"), index=True,
                                                 info=label("办理环节"))
    original_filename: Mapped[str] = mapped_column(sa.String(255), info=label("文件名"))
    stored_filename: Mapped[str] = mapped_column(sa.String(64), unique=True,
                                                 info=label("存储文件名", hidden=True))
    mime_type: Mapped[str] = mapped_column(sa.String(100), info=label("文件类型"))
    size_bytes: Mapped[int] = mapped_column(info=label("大小（字节）"))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True, info=label("上传人"))
    uploaded_at: Mapped[datetime] = mapped_column(default=local_now, info=label("上传时间"))

    case = relationship("Case", info=label("案件"))
    event = relationship("CaseEvent", info=label("办理环节"))
    uploaded_by = relationship("User", info=label("上传人"))

    def __str__(self) -> str:
        return self.original_filename
