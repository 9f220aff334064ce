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
    area_column,
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

# FILINGS.md §1.2: the street forms the group within 60 days of accepting the application,
# the first meeting is held within 90 days of formation, and the preparation items are
# published at least 15 days before that meeting.
FORMATION_DAYS = 60
PREPARATION_DAYS = 90
PUBLICITY_DAYS = 15
# 物业管理条例 art. 16: the committee files with the street within 30 days of its election.
FILING_DAYS = 30
# Re-election is prepared from three months before the term ends.
REELECTION_WARNING_MONTHS = 3
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
BALLOT_CHOICES = Choices("ballot_choice", yes="同意", no="反对", abstain="弃权")
# 指导规则 art. 33 items 1-4, then what local practice adds (FILINGS.md §1.3, item 13).
FILING_DOCUMENTS = (
    ("doc_assembly_report", "业主大会成立和业主委员会选举情况"),
    ("doc_statute", "管理规约"),
    ("doc_procedure_rules", "业主大会议事规则"),
    ("doc_major_decisions", "业主大会决定的其他重大事项"),
    ("doc_tally", "选举表决统计表"),
    ("doc_minutes", "会议记录"),
    ("doc_identity", "委员身份与权属证明"),
)
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


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier); a day the month lacks falls back to its last."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    for candidate in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, candidate)
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(frozen=True)
class Deadline:
    """One time limit of the procedure: what is due, by when, and when it was done."""

    task: str
    due: date
    done_on: date | None = None

    def overdue(self, today: date) -> bool:
        """Not done and past due, or done after the due day."""
        return (self.done_on or today) > self.due

    def describe(self, today: date) -> str:
        due = f"{self.due.year}年{self.due.month}月{self.due.day}日"
        if self.done_on is not None:
            late = (self.done_on - self.due).days
            return f"{self.task}：已完成（期限{due}，逾期{late}日）" if late > 0 else \
                f"{self.task}：已按期完成（期限{due}）"
        if today > self.due:
            return f"{self.task}：已逾期{(today - self.due).days}日（期限{due}）"
        return f"{self.task}：期限{due}，尚余{(self.due - today).days}日"


def group_composition_problems(members) -> list[str]:
    """What is wrong with a preparatory group's make-up (odd size, owners at least half,
    one leader from the street or the residents' committee); empty when it complies."""
    members = list(members)
    total = len(members)
    owners = sum(1 for m in members if m.category == "owner")
    leaders = [m for m in members if m.role == "leader"]
    problems = []
    if total == 0:
        return ["筹备组尚未录入成员。"]
    if total % 2 == 0:
        problems.append(f"筹备组成员人数应为单数，现有{total}人。")
    if owners * 2 < total:
        problems.append(f"业主代表应不少于筹备组成员的一半，现有业主代表{owners}人、成员共{total}人。")
    if len(leaders) != 1:
        problems.append(f"筹备组应设组长一名，现有{len(leaders)}名。")
    elif leaders[0].category not in ("street", "residents_committee"):
        problems.append("筹备组组长应由街道办事处或居委会代表担任。")
    return problems


def group_deadlines(group) -> list[Deadline]:
    """The time limits that apply to the group so far: formation, publicity, first meeting."""
    deadlines = []
    if group.accepted_on:
        deadlines.append(Deadline("组建筹备组", group.accepted_on + timedelta(days=FORMATION_DAYS),
                                  group.formed_on))
    if group.first_meeting_at:
        deadlines.append(Deadline(
            "公示筹备事项", group.first_meeting_at.date() - timedelta(days=PUBLICITY_DAYS),
            group.items_publicized_on))
    if group.formed_on:
        held = group.first_meeting_at.date() if (
            group.status == "assembly_held" and group.first_meeting_at) else None
        deadlines.append(Deadline("召开首次业主大会会议",
                                  group.formed_on + timedelta(days=PREPARATION_DAYS), held))
    return deadlines


def filing_deadline(elected_on: date) -> date:
    """The last day to file with the street: the 30th day after the election."""
    return elected_on + timedelta(days=FILING_DAYS)


def filed_in_time(elected_on: date, filed_on: date) -> bool:
    return filed_on <= filing_deadline(elected_on)


def committee_filing_deadline(committee) -> Deadline:
    filed = committee.filed_on if committee.filing_status == "filed" else None
    return Deadline("向街道办事处备案", filing_deadline(committee.elected_on), filed)


def missing_filing_documents(committee) -> list[str]:
    """The filing documents not yet received for this committee term, in checklist order."""
    return [text for name, text in FILING_DOCUMENTS if not getattr(committee, name)]


def reelection_warning_from(term_end: date) -> date:
    return add_months(term_end, -REELECTION_WARNING_MONTHS)


def term_state(committee, today: date) -> str:
    """in_term, reelection_due (within three months of the end) or expired."""
    if committee.status == "expired" or today > committee.term_end:
        return "expired"
    if today >= reelection_warning_from(committee.term_end):
        return "reelection_due"
    return "in_term"


STAGES = {
    "none": "无业委会",
    "group_formed": "筹备组已成立",
    "assembly_held": "业主大会已召开",
    "elected": "业委会已选举待备案",
    "filed": "已备案在任期内",
    "reelection_due": "换届预警",
    "expired": "任期届满",
    "pm_committee": "物业管理委员会代行",
}


@dataclass(frozen=True)
class AreaStage:
    """Where one area stands in the owners' self-governance lifecycle, and what comes next.

    `record` names the model whose list the clerk works in for the next step.
    """

    code: str
    next_step: str
    record: str
    missing: tuple[str, ...] = ()
    deadline: Deadline | None = None

    @property
    def label(self) -> str:
        return STAGES[self.code]


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def area_stage(today: date, group=None, group_members=(), assembly=None, committee=None,
               committee_members: int | None = None, pm_committee=None) -> AreaStage:
    """The stage of an area from its latest preparatory group, assembly, committee term
    (with its recorded member count) and active property-management committee."""
    if committee is not None and committee.status != "dissolved":
        state = term_state(committee, today)
        missing = list(missing_filing_documents(committee))
        if committee_members is not None and committee_members < committee.member_count:
            missing.append(f"委员名单（已录入{committee_members}人，应为{committee.member_count}人）")
        if committee.filing_status != "filed" and state != "expired":
            deadline = committee_filing_deadline(committee)
            return AreaStage("elected", f"报送备案材料，{deadline.describe(today)}",
                             "OwnersCommittee", tuple(missing), deadline)
        if state == "reelection_due":
            return AreaStage("reelection_due", f"第{committee.session_number}届任期"
                             f"{_cn(committee.term_end)}届满，组织换届选举", "OwnersCommittee",
                             tuple(missing))
        if state == "in_term":
            return AreaStage("filed", f"日常指导监督；{_cn(reelection_warning_from(committee.term_end))}"
                             "起筹备换届", "OwnersCommittee", tuple(missing))
        if pm_committee is None:
            return AreaStage("expired", f"任期已于{_cn(committee.term_end)}届满，尽快组织换届选举"
                             "或组建物业管理委员会", "OwnersCommittee")
    if pm_committee is not None:
        return AreaStage("pm_committee", "物业管理委员会代行职责；条件成熟时指导业主申请筹备"
                         "首次业主大会", "PropertyManagementCommittee")
    if assembly is not None:
        return AreaStage("assembly_held", "选举业主委员会，选举后30日内备案", "OwnersAssembly",
                         tuple(text for flag, text in ((assembly.statute_adopted, "管理规约"),
                                                       (assembly.rules_adopted, "业主大会议事规则"))
                               if not flag))
    if group is not None and group.status in ("formed", "assembly_held"):
        deadlines = group_deadlines(group)
        meeting = deadlines[-1]
        missing = [*group_composition_problems(group_members),
                   *(text for name, text in PREPARATION_TASKS if not getattr(group, name)),
                   *(d.describe(today) for d in deadlines[:-1] if d.overdue(today))]
        return AreaStage("group_formed", meeting.describe(today), "PreparatoryGroup",
                         tuple(missing), meeting)
    if group is not None and group.status == "applied" and group.accepted_on:
        deadline = group_deadlines(group)[0]
        return AreaStage("none", deadline.describe(today), "PreparatoryGroup", (), deadline)
    if group is not None and group.status == "applied":
        return AreaStage("none", "受理业主书面申请，受理后60日内组建筹备组", "PreparatoryGroup")
    return AreaStage("none", "指导业主提出成立业主大会的书面申请", "PreparatoryGroup")


@dataclass(frozen=True)
class Tally:
    """The figures of a vote counted from per-household ballots."""

    participating_area: Decimal
    participating_owners: int
    approving_area: Decimal
    approving_owners: int


def tally(ballots) -> Tally:
    """Every ballot takes part (abstentions included); only 同意 approves. One household, one
    owner (指导规则: one exclusive part counts as one owner)."""
    ballots = list(ballots)
    yes = [b for b in ballots if b.choice == "yes"]
    return Tally(sum((Decimal(b.floor_area) for b in ballots), Decimal("0")), len(ballots),
                 sum((Decimal(b.floor_area) for b in yes), Decimal("0")), len(yes))


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
        in_order("formed_on", "items_publicized_on"),
    )
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = area_column()
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
    items_publicized_on: Mapped[date | None] = mapped_column(info=label("筹备事项公示日期"))
    objection_place: Mapped[str | None] = mapped_column(sa.String(200),
                                                        info=label("异议受理地点"))
    objection_phone: Mapped[str | None] = mapped_column(sa.String(20),
                                                        info=label("异议受理电话", phone=True))
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    area = relationship("ManagementArea", lazy="joined", info=label("物业管理区域"))
    members = relationship("PreparatoryGroupMember", back_populates="group",
                           cascade="all, delete-orphan", info=label("筹备组成员"))

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
    area_id: Mapped[int] = area_column()
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
    area_id: Mapped[int] = area_column()
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
    doc_assembly_report: Mapped[bool] = mapped_column(
        default=False, info=label("材料：业主大会成立和业主委员会选举情况"))
    doc_statute: Mapped[bool] = mapped_column(default=False, info=label("材料：管理规约"))
    doc_procedure_rules: Mapped[bool] = mapped_column(default=False,
                                                      info=label("材料：业主大会议事规则"))
    doc_major_decisions: Mapped[bool] = mapped_column(
        default=False, info=label("材料：业主大会决定的其他重大事项"))
    doc_tally: Mapped[bool] = mapped_column(default=False, info=label("材料：选举表决统计表"))
    doc_minutes: Mapped[bool] = mapped_column(default=False, info=label("材料：会议记录"))
    doc_identity: Mapped[bool] = mapped_column(default=False,
                                               info=label("材料：委员身份与权属证明"))
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
    area_id: Mapped[int] = area_column()
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
    ballots = relationship("AssemblyBallot", back_populates="vote", cascade="all, delete-orphan",
                           info=label("按户表决票"))

    def apply_ballots(self) -> bool:
        """When ballots were recorded per household, the figures are their sum; True if so."""
        if not self.ballots:
            return False
        counted = tally(self.ballots)
        self.participating_area = counted.participating_area
        self.participating_owners = counted.participating_owners
        self.approving_area = counted.approving_area
        self.approving_owners = counted.approving_owners
        return True

    @property
    def result(self) -> VoteResult:
        return vote_result(self.matter, self.total_area, self.total_owners,
                           self.participating_area, self.participating_owners,
                           self.approving_area, self.approving_owners)

    def __str__(self) -> str:
        return self.title


class AssemblyBallot(TimestampMixin, db.Model):
    """One household's ballot on a vote; the vote's figures are the sum of its ballots."""

    __tablename__ = "assembly_ballot"
    __table_args__ = (sa.UniqueConstraint("vote_id", "household_id"), positive("floor_area"))
    __scope__ = ByParent("vote_id", "AssemblyVote")

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(sa.ForeignKey("assembly_vote.id", ondelete="CASCADE"),
                                         index=True, info=label("表决事项"))
    household_id: Mapped[int] = mapped_column(sa.ForeignKey("household.id"), index=True,
                                              info=label("房屋"))
    floor_area: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2),
                                                info=label("专有面积（㎡）"))
    choice: Mapped[str] = choice_column(BALLOT_CHOICES, "表决意见", default="yes")

    vote = relationship("AssemblyVote", back_populates="ballots", info=label("表决事项"))
    household = relationship("Household", lazy="joined", info=label("房屋"))

    def __str__(self) -> str:
        return f"{self.household.room if self.household else ''}：{BALLOT_CHOICES.label(self.choice)}"
