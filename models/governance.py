"""Owners' self-governance: preparatory groups, owners' assemblies and their votes, owners'
committees and their members, and property-management committees where no committee forms."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    Choices,
    TimestampMixin,
    choice_column,
    db,
    in_order,
    label,
    not_negative,
    positive,
)
from .contracts import FILING_STATUSES
from .scoping import ByArea, ByParent

# The first meeting is held within 90 days of the group's formation (FILINGS.md §1.2).
PREPARATION_DAYS = 90
# 指导规则 art. 32: an owners' committee serves at most five years per term.
TERM_LIMIT_YEARS = 5
# 指导规则 art. 31: five to eleven members, an odd number.
COMMITTEE_SIZES = (5, 7, 9, 11)

MEETING_FORMS = Choices("meeting_form", discussion="集体讨论", written="书面征求意见")
GROUP_STATUSES = Choices("preparatory_group_status", applied="已申请", formed="已成立",
                         assembly_held="已召开首次会议", dissolved="已解散")
GROUP_MEMBER_CATEGORIES = Choices("group_member_category", owner="业主代表",
                                  developer="建设单位", street="街道办事处",
                                  residents_committee="居委会")
GROUP_ROLES = Choices("group_role", leader="组长", member="成员")
FILING_TYPES = Choices("committee_filing_type", establish="成立", reelect="换届",
                       change="变更", cancel="注销")
COMMITTEE_STATUSES = Choices("committee_status", in_term="任期内", expired="任期届满",
                             dissolved="已解散")
GENDERS = Choices("gender", male="男", female="女")
POLITICAL_STATUSES = Choices("political_status", cpc="中共党员", probationary="中共预备党员",
                             league="共青团员", democratic="民主党派成员", masses="群众")
COMMITTEE_POSITIONS = Choices("committee_position", director="主任", deputy="副主任",
                              member="委员", alternate="候补委员")
PM_ORGANISERS = Choices("pm_committee_organiser", street="街道办事处", community="社区（村）")
PM_STATUSES = Choices("pm_committee_status", active="运行中", ended="已终止")
# 民法典 第二百七十八条 第一款 lists matters (一) to (九); "ordinary" is any other joint decision.
VOTE_MATTERS = Choices(
    "vote_matter",
    ordinary="一般事项",
    procedure_rules="（一）制定和修改业主大会议事规则",
    statute="（二）制定和修改管理规约",
    committee="（三）选举或更换业主委员会成员",
    firm="（四）选聘和解聘物业服务企业或其他管理人",
    fund_use="（五）使用建筑物及其附属设施的维修资金",
    fund_raise="（六）筹集建筑物及其附属设施的维修资金",
    rebuild="（七）改建、重建建筑物及其附属设施",
    common_use="（八）改变共有部分用途或利用共有部分从事经营活动",
    other_major="（九）有关共有和共同管理权利的其他重大事项",
)
# Art. 278 para. 2: only items (六) to (八) need three quarters; the others need a majority.
SUPERMAJORITY_MATTERS = frozenset({"fund_raise", "rebuild", "common_use"})
PREPARATION_TASKS = (
    ("task_owner_roll", "确认并公示业主身份、业主人数及所拥有的专有部分面积"),
    ("task_meeting_plan", "确定首次业主大会会议召开的时间、地点、形式和内容"),
    ("task_draft_rules", "草拟管理规约、业主大会议事规则"),
    ("task_voting_rules", "确定首次业主大会会议的表决规则"),
    ("task_candidates", "确定业主委员会委员候选人产生办法及名单"),
    ("task_election_rules", "制定业主委员会选举办法"),
    ("task_other", "完成召开首次业主大会会议的其他准备工作"),
)


def add_years(day: date, years: int) -> date:
    """The same calendar day `years` later; 29 February falls back to the 28th."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def latest_term_end(term_start: date) -> date:
    """The last day a term beginning on `term_start` may end on."""
    return add_years(term_start, TERM_LIMIT_YEARS)


def at_most(smaller: str, larger: str) -> sa.CheckConstraint:
    """Database guard that `smaller` does not exceed `larger`; the forms read the same rule."""
    return sa.CheckConstraint(f"{smaller} <= {larger}", name=f"{smaller}_at_most_{larger}",
                              info={"at_most": (smaller, larger)})


def _percent(share: Fraction) -> str:
    return f"{float(share) * 100:.2f}%"


@dataclass(frozen=True)
class VoteResult:
    """The outcome of one assembly vote and the exact shares it was decided on."""

    passed: bool
    quorum_met: bool
    area_participation: Fraction
    owner_participation: Fraction
    area_approval: Fraction
    owner_approval: Fraction
    supermajority: bool

    @property
    def verdict(self) -> str:
        if self.passed:
            return "通过"
        if not self.quorum_met:
            return "未通过（参与表决未达双三分之二）"
        return "未通过（同意未达双四分之三）" if self.supermajority else "未通过（同意未过半数）"

    @property
    def figures(self) -> str:
        return (f"参与表决：面积{_percent(self.area_participation)}、"
                f"人数{_percent(self.owner_participation)}；"
                f"同意（占参与表决）：面积{_percent(self.area_approval)}、"
                f"人数{_percent(self.owner_approval)}；"
                f"同意门槛：{'四分之三以上' if self.supermajority else '过半数'}")

    def __str__(self) -> str:
        return f"{self.verdict}。{self.figures}"


def vote_result(matter: str, total_area, total_owners: int, participating_area,
                participating_owners: int, approving_area, approving_owners: int) -> VoteResult:
    """Decide a vote by 民法典 第二百七十八条, in exact fractions of area and headcount.

    Quorum: at least 2/3 of the exclusive area and of the owners take part. Approval: at least
    3/4 of the participating area and owners for items (六)-(八), more than 1/2 otherwise.
    """
    area_participation = Fraction(participating_area) / Fraction(total_area)
    owner_participation = Fraction(participating_owners, total_owners)
    area_approval = (Fraction(approving_area) / Fraction(participating_area)
                     if participating_area else Fraction(0))
    owner_approval = (Fraction(approving_owners, participating_owners)
                      if participating_owners else Fraction(0))
    quorum_met = area_participation >= Fraction(2, 3) and owner_participation >= Fraction(2, 3)
    supermajority = matter in SUPERMAJORITY_MATTERS
    if supermajority:
        approved = area_approval >= Fraction(3, 4) and owner_approval >= Fraction(3, 4)
    else:
        approved = area_approval > Fraction(1, 2) and owner_approval > Fraction(1, 2)
    return VoteResult(quorum_met and approved, quorum_met, area_participation,
                      owner_participation, area_approval, owner_approval, supermajority)


class PreparatoryGroup(TimestampMixin, db.Model):
    """The group that prepares the first owners' assembly of an area (首次业主大会会议筹备组)."""

    __tablename__ = "preparatory_group"
    __table_args__ = (
        in_order("applied_on", "accepted_on"),
        in_order("accepted_on", "formed_on"),
        in_order("formed_on", "members_publicized_on"),
    )
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("management_area.id"), index=True,
                                         info=label("物业管理区域"))
    applicant: Mapped[str] = mapped_column(sa.String(100), info=label("申请人"))
    applied_on: Mapped[date] = mapped_column(info=label("申请日期"))
    accepted_on: Mapped[date | None] = mapped_column(info=label("受理日期"))
    formed_on: Mapped[date | None] = mapped_column(info=label("成立日期"))
    members_publicized_on: Mapped[date | None] = mapped_column(info=label("成员名单公示日期"))
    status: Mapped[str] = choice_column(GROUP_STATUSES, "状态", default="applied")
    task_owner_roll: Mapped[bool] = mapped_column(default=False,
                                                  info=label("确认并公示业主身份、人数及专有面积"))
    task_meeting_plan: Mapped[bool] = mapped_column(default=False,
                                                    info=label("确定首次会议时间、地点、形式和内容"))
    task_draft_rules: Mapped[bool] = mapped_column(default=False,
                                                   info=label("草拟管理规约、议事规则"))
    task_voting_rules: Mapped[bool] = mapped_column(default=False, info=label("确定表决规则"))
    task_candidates: Mapped[bool] = mapped_column(default=False,
                                                  info=label("确定委员候选人产生办法及名单"))
    task_election_rules: Mapped[bool] = mapped_column(default=False, info=label("制定选举办法"))
    task_other: Mapped[bool] = mapped_column(default=False, info=label("其他准备工作"))
    first_meeting_at: Mapped[datetime | None] = mapped_column(info=label("首次会议时间"))
    first_meeting_place: Mapped[str | None] = mapped_column(sa.String(200),
                                                            info=label("首次会议地点"))
    first_meeting_form: Mapped[str | None] = choice_column(MEETING_FORMS, "首次会议形式",
                                                           nullable=True)
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    area = relationship("ManagementArea", lazy="joined", info=label("物业管理区域"))
    members = relationship("PreparatoryGroupMember", back_populates="group",
                           cascade="all, delete-orphan", info=label("筹备组成员"))

    @property
    def meeting_deadline(self) -> date | None:
        """The day by which the first meeting is due: formation plus 90 days."""
        return self.formed_on + timedelta(days=PREPARATION_DAYS) if self.formed_on else None

    @property
    def tasks_done(self) -> int:
        return sum(bool(getattr(self, name)) for name, _ in PREPARATION_TASKS)

    def __str__(self) -> str:
        return f"{self.area.name if self.area else ''}首次业主大会会议筹备组"


class PreparatoryGroupMember(TimestampMixin, db.Model):
    """One member of a preparatory group; name and phone are personal data."""

    __tablename__ = "preparatory_group_member"
    __scope__ = ByParent("group_id", "PreparatoryGroup")

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(
        sa.ForeignKey("preparatory_group.id", ondelete="CASCADE"), index=True,
        info=label("筹备组"))
    name: Mapped[str] = mapped_column(sa.String(32), info=label("姓名", personal=True))
    category: Mapped[str] = choice_column(GROUP_MEMBER_CATEGORIES, "类别", default="owner")
    room_or_unit: Mapped[str | None] = mapped_column(sa.String(100), info=label("房号或单位"))
    role: Mapped[str] = choice_column(GROUP_ROLES, "组内职务", default="member")
    phone: Mapped[str | None] = mapped_column(
        sa.String(20), info=label("联系电话", phone=True, personal=True))

    group = relationship("PreparatoryGroup", back_populates="members", info=label("筹备组"))

    def __str__(self) -> str:
        return self.name


class OwnersAssembly(TimestampMixin, db.Model):
    """The owners' assembly of one management area, established at its first meeting."""

    __tablename__ = "owners_assembly"
    __table_args__ = (sa.UniqueConstraint("area_id"),)
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("management_area.id"), index=True,
                                         info=label("物业管理区域"))
    name: Mapped[str] = mapped_column(sa.String(100), info=label("业主大会名称"))
    established_on: Mapped[date] = mapped_column(info=label("成立日期（首次会议）"))
    meeting_form: Mapped[str] = choice_column(MEETING_FORMS, "会议形式", default="written")
    statute_adopted: Mapped[bool] = mapped_column(default=False, info=label("已通过管理规约"))
    rules_adopted: Mapped[bool] = mapped_column(default=False, info=label("已通过议事规则"))
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    area = relationship("ManagementArea", info=label("物业管理区域"))
    committees = relationship("OwnersCommittee", back_populates="assembly",
                              info=label("业主委员会"))
    votes = relationship("AssemblyVote", back_populates="assembly", info=label("表决事项"))

    def __str__(self) -> str:
        return self.name


class OwnersCommittee(TimestampMixin, db.Model):
    """One elected term (届) of an area's owners' committee, with its filing (备案)."""

    __tablename__ = "owners_committee"
    __table_args__ = (
        sa.UniqueConstraint("area_id", "session_number"),
        positive("session_number"),
        not_negative("alternate_count"),
        sa.CheckConstraint(f"member_count IN {COMMITTEE_SIZES}", name="member_count_odd_5_to_11"),
        in_order("elected_on", "term_start"),
        in_order("term_start", "term_end"),
        in_order("elected_on", "filed_on"),
        # The five-year limit needs date arithmetic, which SQLite and PostgreSQL spell
        # differently; the form enforces it (see admin_views.governance).
    )
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("management_area.id"), index=True,
                                         info=label("物业管理区域"))
    assembly_id: Mapped[int] = mapped_column(sa.ForeignKey("owners_assembly.id"), index=True,
                                             info=label("业主大会"))
    session_number: Mapped[int] = mapped_column(info=label("届次"))
    elected_on: Mapped[date] = mapped_column(info=label("选举日期"))
    term_start: Mapped[date] = mapped_column(info=label("任期开始"))
    term_end: Mapped[date] = mapped_column(info=label("任期届满"))
    member_count: Mapped[int] = mapped_column(info=label("委员人数"))
    alternate_count: Mapped[int] = mapped_column(default=0, info=label("候补委员人数"))
    filing_type: Mapped[str] = choice_column(FILING_TYPES, "备案类型", default="establish")
    filing_status: Mapped[str] = choice_column(FILING_STATUSES, "备案状态", default="not_filed")
    filed_on: Mapped[date | None] = mapped_column(info=label("备案日期"))
    filing_number: Mapped[str | None] = mapped_column(sa.String(64), info=label("备案编号"))
    office_address: Mapped[str | None] = mapped_column(sa.String(200), info=label("办公地点"))
    office_phone: Mapped[str | None] = mapped_column(sa.String(20),
                                                     info=label("办公电话", phone=True))
    status: Mapped[str] = choice_column(COMMITTEE_STATUSES, "状态", default="in_term")
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    area = relationship("ManagementArea", lazy="joined", info=label("物业管理区域"))
    assembly = relationship("OwnersAssembly", back_populates="committees",
                            info=label("业主大会"))
    members = relationship("CommitteeMember", back_populates="committee",
                           cascade="all, delete-orphan", info=label("委员"))

    def __str__(self) -> str:
        return f"{self.area.name if self.area else ''}第{self.session_number}届业主委员会"


class CommitteeMember(TimestampMixin, db.Model):
    """A member of one committee term; name, birth and phone are personal data."""

    __tablename__ = "committee_member"
    __table_args__ = (
        sa.CheckConstraint("birth_month IS NULL OR length(birth_month) = 7",
                           name="birth_month_format"),
        in_order("term_start", "term_end"),
        # One 主任 per committee term.
        sa.Index("uq_committee_member_director", "committee_id", unique=True,
                 sqlite_where=sa.text("position = 'director'"),
                 postgresql_where=sa.text("position = 'director'")),
    )
    __scope__ = ByParent("committee_id", "OwnersCommittee")

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(
        sa.ForeignKey("owners_committee.id", ondelete="CASCADE"), index=True,
        info=label("业主委员会"))
    name: Mapped[str] = mapped_column(sa.String(32), info=label("姓名", personal=True))
    gender: Mapped[str] = choice_column(GENDERS, "性别")
    birth_month: Mapped[str | None] = mapped_column(
        sa.String(7), info=label("出生年月", personal=True))
    political_status: Mapped[str] = choice_column(POLITICAL_STATUSES, "政治面貌",
                                                  default="masses")
    position: Mapped[str] = choice_column(COMMITTEE_POSITIONS, "职务", default="member")
    room: Mapped[str | None] = mapped_column(sa.String(64), info=label("房号"))
    phone: Mapped[str | None] = mapped_column(
        sa.String(20), info=label("联系电话", phone=True, personal=True))
    term_start: Mapped[date | None] = mapped_column(info=label("本人任职开始"))
    term_end: Mapped[date | None] = mapped_column(info=label("本人任职结束"))

    committee = relationship("OwnersCommittee", back_populates="members",
                             info=label("业主委员会"))

    def __str__(self) -> str:
        return self.name


class PropertyManagementCommittee(TimestampMixin, db.Model):
    """A property-management committee (物业管理委员会) standing in where no owners'
    committee can be formed, organised by the street or the community."""

    __tablename__ = "property_management_committee"
    __table_args__ = (in_order("formed_on", "term_end"),)
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(sa.ForeignKey("management_area.id"), index=True,
                                         info=label("物业管理区域"))
    formed_on: Mapped[date] = mapped_column(info=label("成立日期"))
    organiser: Mapped[str] = choice_column(PM_ORGANISERS, "组建单位", default="street")
    members: Mapped[str] = mapped_column(sa.Text, info=label("组成人员"))
    term_end: Mapped[date | None] = mapped_column(info=label("任期届满"))
    reason: Mapped[str] = mapped_column(sa.String(200), info=label("未能成立业主委员会的原因"))
    status: Mapped[str] = choice_column(PM_STATUSES, "状态", default="active")
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    area = relationship("ManagementArea", info=label("物业管理区域"))

    def __str__(self) -> str:
        return f"{self.area.name if self.area else ''}物业管理委员会"


class AssemblyVote(TimestampMixin, db.Model):
    """One matter put to the owners' assembly, with the area and headcount figures."""

    __tablename__ = "assembly_vote"
    __table_args__ = (
        positive("total_area"),
        positive("total_owners"),
        not_negative("participating_area"),
        not_negative("participating_owners"),
        not_negative("approving_area"),
        not_negative("approving_owners"),
        at_most("participating_area", "total_area"),
        at_most("participating_owners", "total_owners"),
        at_most("approving_area", "participating_area"),
        at_most("approving_owners", "participating_owners"),
    )
    __scope__ = ByParent("assembly_id", "OwnersAssembly")

    id: Mapped[int] = mapped_column(primary_key=True)
    assembly_id: Mapped[int] = mapped_column(sa.ForeignKey("owners_assembly.id"), index=True,
                                             info=label("业主大会"))
    title: Mapped[str] = mapped_column(sa.String(200), info=label("表决事项"))
    matter: Mapped[str] = choice_column(VOTE_MATTERS, "事项类别", default="ordinary")
    voted_on: Mapped[date] = mapped_column(info=label("表决日期"))
    total_area: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2),
                                                info=label("专有部分总面积（㎡）"))
    total_owners: Mapped[int] = mapped_column(info=label("业主总人数"))
    participating_area: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2),
                                                        info=label("参与表决面积（㎡）"))
    participating_owners: Mapped[int] = mapped_column(info=label("参与表决人数"))
    approving_area: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2),
                                                    info=label("同意面积（㎡）"))
    approving_owners: Mapped[int] = mapped_column(info=label("同意人数"))
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    assembly = relationship("OwnersAssembly", back_populates="votes", info=label("业主大会"))

    @property
    def result(self) -> VoteResult:
        return vote_result(self.matter, self.total_area, self.total_owners,
                           self.participating_area, self.participating_owners,
                           self.approving_area, self.approving_owners)

    def __str__(self) -> str:
        return self.title
