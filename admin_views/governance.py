"""业主自治: preparatory groups, owners' assemblies and votes, owners' committees and members,
property-management committees."""
from __future__ import annotations

import re
from datetime import date, timedelta
from functools import cache

import sqlalchemy as sa
from flask import flash, request, url_for
from flask_admin import Admin, expose
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import joinedload, lazyload, selectinload
from wtforms.validators import ValidationError

from models.base import local_today
from models import db
from models.contracts import FILING_STATUSES
from models.governance import (
    COMMITTEE_SIZES,
    FILING_DOCUMENTS,
    PREPARATION_TASKS,
    REELECTION_WARNING_MONTHS,
    STAGES,
    AssemblyBallot,
    AssemblyVote,
    CommitteeMember,
    OwnersAssembly,
    OwnersCommittee,
    PreparatoryGroup,
    PreparatoryGroupMember,
    PropertyManagementCommittee,
    add_months,
    area_stage,
    committee_filing_deadline,
    filing_deadline,
    group_composition_problems,
    group_deadlines,
    latest_term_end,
    missing_filing_documents,
    reelection_warning_from,
    tally,
    term_state,
)
from models.places import Building, Community, Household, ManagementArea
from models.scoping import visible_to

from .base import PERSONAL_EXPORT_ROLES, ScopedBaseView, ScopedModelView, status_badge

CATEGORY = "业主自治"
BIRTH_MONTH = re.compile(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")


def _refuse(form, name: str, message: str) -> bool:
    form[name].errors = list(form[name].errors) + [message]
    return False


def validate_birth_month(form, field):
    if field.data and not BIRTH_MONTH.match(field.data.strip()):
        raise ValidationError("出生年月请按“年-月”填写，如1968-05。")


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _deadline_cell(deadline):
    """A due date, in red with the days overdue when it passed without being done."""
    if deadline is None:
        return ""
    today = local_today()
    if deadline.overdue(today):
        late = ((deadline.done_on or today) - deadline.due).days
        note = f"逾期{late}日完成" if deadline.done_on else f"已逾期{late}日"
        return Markup('<span class="text-danger">{}（{}）</span>').format(_date(deadline.due),
                                                                          note)
    done = "（已完成）" if deadline.done_on else ""
    return f"{_date(deadline.due)}{done}"


def _group_deadline(task: str):
    def format(view, context, model, name):
        return _deadline_cell(next((d for d in group_deadlines(model) if d.task == task), None))
    return format


def _group_deadlines_details(view, context, model, name):
    today = local_today()
    lines = [Markup('<span class="{}">{}</span>').format(
        "text-danger" if d.overdue(today) else "", d.describe(today))
        for d in group_deadlines(model)]
    return Markup("<br>").join(lines) if lines else "受理后开始计算期限"


def _composition(view, context, model, name):
    problems = group_composition_problems(model.members)
    if problems:
        return Markup('<span class="text-danger">{}</span>').format("".join(problems))
    owners = sum(1 for m in model.members if m.category == "owner")
    return f"符合要求（{len(model.members)}人，业主代表{owners}人）"


def _tasks_done(view, context, model, name):
    return f"{model.tasks_done}/{len(PREPARATION_TASKS)}"


def _term_end(view, context, model, name):
    state = term_state(model, local_today())
    if state == "reelection_due":
        return Markup('<span class="text-warning">{}（换届预警）</span>').format(
            _date(model.term_end))
    if state == "expired" and model.status == "in_term":
        return Markup('<span class="text-danger">{}（任期已届满）</span>').format(
            _date(model.term_end))
    return _date(model.term_end)


def _filing_deadline(view, context, model, name):
    return _deadline_cell(committee_filing_deadline(model))


def _missing_documents(view, context, model, name):
    missing = missing_filing_documents(model)
    if not missing:
        return "齐全"
    return Markup('<span class="text-danger">缺{}项</span>').format(len(missing))


def _missing_documents_details(view, context, model, name):
    missing = missing_filing_documents(model)
    if not missing:
        return "齐全"
    return Markup('<span class="text-danger">{}</span>').format("、".join(missing))


def _reelection_from(view, context, model, name):
    return _date(reelection_warning_from(model.term_end))


def _vote_result(view, context, model, name):
    result = model.result
    css = "badge-success" if result.passed else "badge-danger"
    return Markup('<span class="badge {}" title="{}">{}</span>').format(
        css, result.figures, result.verdict)


def _vote_result_details(view, context, model, name):
    result = model.result
    return Markup("{}<br><small>{}</small>").format(result.verdict, result.figures)


class GovernanceView(ScopedModelView):
    """Adds the `at_most` rules of the model's CHECKs to the form, with Chinese messages."""

    def render(self, template, **kwargs):
        # The shared details template's print buttons call get_pk_value, which Flask-Admin
        # hands to list pages only.
        kwargs.setdefault("get_pk_value", self.get_pk_value)
        return super().render(template, **kwargs)

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not hasattr(form, "_fields"):
            return valid
        for constraint in self.model.__table__.constraints:
            smaller, larger = constraint.info.get("at_most", (None, None))
            if smaller in form and larger in form:
                low, high = form[smaller].data, form[larger].data
                if low is not None and high is not None and low > high:
                    valid = _refuse(form, smaller, f"“{form[smaller].label.text}”不能大于"
                                                   f"“{form[larger].label.text}”。")
        return valid


class PreparatoryGroupView(GovernanceView):
    column_list = ("area", "status", "applicant", "accepted_on", "formation_deadline",
                   "formed_on", "composition", "tasks_done", "publicity_deadline",
                   "meeting_deadline", "first_meeting_at")
    column_labels = {"formation_deadline": "组建期限（受理后60日）",
                     "meeting_deadline": "首次会议期限（成立后90日）",
                     "publicity_deadline": "筹备事项公示期限（会前15日）",
                     "composition": "成员组成", "tasks_done": "筹备事项完成",
                     "deadlines": "时限"}
    column_formatters = {"formation_deadline": _group_deadline("组建筹备组"),
                         "meeting_deadline": _group_deadline("召开首次业主大会会议"),
                         "publicity_deadline": _group_deadline("公示筹备事项"),
                         "composition": _composition, "tasks_done": _tasks_done,
                         "deadlines": _group_deadlines_details}
    column_searchable_list = ("applicant", "area.name")
    column_filters = ("status", "applied_on", "formed_on", "area.name", "area.community.name")
    column_sortable_list = (("area", "area.name"), "status", "applied_on", "accepted_on",
                            "formed_on", "first_meeting_at")
    column_default_sort = ("applied_on", True)
    form_columns = ("area", "applicant", "applied_on", "accepted_on", "formed_on",
                    "members_publicized_on", "status",
                    *(name for name, _ in PREPARATION_TASKS),
                    "first_meeting_at", "first_meeting_place", "first_meeting_form",
                    "items_publicized_on", "objection_place", "objection_phone", "notes")
    column_details_list = ("area", "status", "applicant", "applied_on", "accepted_on",
                           "formed_on", "members_publicized_on", "composition", "deadlines",
                           *(name for name, _ in PREPARATION_TASKS), "first_meeting_at",
                           "first_meeting_place", "first_meeting_form", "items_publicized_on",
                           "objection_place", "objection_phone", "notes",
                           "created_at", "updated_at")

    def get_query(self):
        # The composition column reads every group's members: one extra query per page.
        return super().get_query().options(selectinload(PreparatoryGroup.members))

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not hasattr(form, "formed_on") or not hasattr(form, "status"):
            return valid
        if form.status.data in ("formed", "assembly_held"):
            if not form.formed_on.data:
                valid = _refuse(form, "formed_on", "筹备组已成立时须填写成立日期。")
            group_id = request.args.get("id", type=int)
            members = db.session.scalars(sa.select(PreparatoryGroupMember).where(
                PreparatoryGroupMember.group_id == (group_id or 0))).all()
            problems = group_composition_problems(members)
            if problems:
                valid = _refuse(form, "status", "筹备组组成不符合要求，暂不能标记为已成立："
                                + "".join(problems) + "请先在“筹备组成员”中调整成员。")
        if form.status.data == "assembly_held" and not form.first_meeting_at.data:
            valid = _refuse(form, "first_meeting_at", "已召开首次会议时须填写首次会议时间。")
        return valid


class PreparatoryGroupMemberView(GovernanceView):
    export_roles = PERSONAL_EXPORT_ROLES
    column_list = ("group", "name", "category", "role", "room_or_unit", "phone")
    column_searchable_list = ("name", "room_or_unit")
    column_filters = ("category", "role", "group.area.name")
    column_sortable_list = (("group", "group.id"), "name", "category", "role")
    column_default_sort = [("group_id", True), ("id", False)]
    form_columns = ("group", "name", "category", "room_or_unit", "role", "phone")
    column_details_list = ("group", "name", "category", "room_or_unit", "role", "phone",
                           "created_at", "updated_at")

    def _report_composition(self, group_id: int) -> None:
        members = db.session.scalars(sa.select(PreparatoryGroupMember).where(
            PreparatoryGroupMember.group_id == group_id)).all()
        problems = group_composition_problems(members)
        if problems:
            flash("筹备组组成尚不符合要求：" + "".join(problems), "warning")

    def after_model_change(self, form, model, is_created):
        self._report_composition(model.group_id)

    def after_model_delete(self, model):
        self._report_composition(model.group_id)


class OwnersAssemblyView(GovernanceView):
    column_list = ("name", "area", "established_on", "meeting_form", "statute_adopted",
                   "rules_adopted")
    column_searchable_list = ("name", "area.name")
    column_filters = ("meeting_form", "established_on", "statute_adopted", "rules_adopted",
                      "area.name", "area.community.name")
    column_sortable_list = ("name", ("area", "area.name"), "established_on", "meeting_form")
    column_default_sort = "name"
    form_columns = ("area", "name", "established_on", "meeting_form", "statute_adopted",
                    "rules_adopted", "notes")
    column_details_list = ("name", "area", "established_on", "meeting_form", "statute_adopted",
                           "rules_adopted", "notes", "created_at", "updated_at")


class OwnersCommitteeView(GovernanceView):
    column_list = ("area", "session_number", "elected_on", "filing_deadline", "filing_status",
                   "filed_on", "missing_documents", "term_start", "term_end", "member_count",
                   "status")
    column_labels = {"filing_deadline": "备案期限（选举后30日）", "missing_documents": "备案材料",
                     "reelection_from": "换届预警日期"}
    column_formatters = {"term_end": _term_end, "filing_status": status_badge(FILING_STATUSES),
                         "filing_deadline": _filing_deadline,
                         "missing_documents": _missing_documents,
                         "reelection_from": _reelection_from}
    column_formatters_detail = {"missing_documents": _missing_documents_details}
    column_searchable_list = ("filing_number", "area.name")
    column_filters = ("status", "filing_status", "filing_type", "term_end", "elected_on",
                      "area.name", "area.community.name")
    column_sortable_list = (("area", "area.name"), "session_number", "elected_on",
                            "term_start", "term_end", "filing_status", "filed_on", "status")
    column_default_sort = ("term_end", False)
    # The area follows the assembly, so the two can never disagree.
    form_columns = ("assembly", "session_number", "elected_on", "term_start", "term_end",
                    "member_count", "alternate_count", "filing_type", "filing_status",
                    "filed_on", "filing_number", *(name for name, _ in FILING_DOCUMENTS),
                    "office_address", "office_phone", "status", "notes")
    column_details_list = ("area", "assembly", "session_number", "elected_on",
                           "filing_deadline", "filing_type", "filing_status", "filed_on",
                           "filing_number", "missing_documents",
                           *(name for name, _ in FILING_DOCUMENTS), "term_start", "term_end",
                           "reelection_from", "member_count", "alternate_count",
                           "office_address", "office_phone", "status", "notes", "created_at",
                           "updated_at")

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not hasattr(form, "term_start"):
            return valid
        start, end = form.term_start.data, form.term_end.data
        latest = latest_term_end(start) if start else None
        if latest and end and end > latest:
            valid = _refuse(form, "term_end", "业主委员会每届任期不得超过5年：任期届满日期最晚为"
                                              f"{latest.year}年{latest.month}月{latest.day}日。")
        count = form.member_count.data
        if count is not None and count not in COMMITTEE_SIZES:
            valid = _refuse(form, "member_count", "业主委员会委员人数应为5至11人的单数。")
        if form.filing_status.data == "filed":
            if not form.filed_on.data:
                valid = _refuse(form, "filed_on", "备案状态为“已备案”时须填写备案日期。")
            missing = [text for name, text in FILING_DOCUMENTS if not form[name].data]
            if missing:
                valid = _refuse(form, "filing_status", "备案材料不齐，不能标记为“已备案”，尚缺："
                                + "、".join(missing) + "。")
        return valid

    def on_model_change(self, form, model, is_created):
        with db.session.no_autoflush:
            model.area = model.assembly.area
        super().on_model_change(form, model, is_created)

    def after_model_change(self, form, model, is_created):
        if model.filing_status == "filed" and model.filed_on and \
                model.filed_on > filing_deadline(model.elected_on):
            flash(f"已备案，但超过选举后30日的备案期限（期限{_date(filing_deadline(model.elected_on))}）。",
                  "warning")


class CommitteeMemberView(GovernanceView):
    export_roles = PERSONAL_EXPORT_ROLES
    column_list = ("committee", "name", "position", "gender", "political_status", "room",
                   "phone")
    column_searchable_list = ("name", "room")
    column_filters = ("position", "gender", "political_status", "committee.area.name")
    column_sortable_list = (("committee", "committee.id"), "name", "position", "room")
    column_default_sort = [("committee_id", True), ("id", False)]
    form_columns = ("committee", "name", "gender", "birth_month", "political_status",
                    "position", "room", "phone", "term_start", "term_end")
    form_args = {"birth_month": {"validators": [validate_birth_month],
                                 "description": "按“年-月”填写，如1968-05"}}
    column_details_list = ("committee", "name", "gender", "birth_month", "political_status",
                           "position", "room", "phone", "term_start", "term_end",
                           "created_at", "updated_at")

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not hasattr(form, "position") or form.position.data != "director" \
                or form.committee.data is None:
            return valid
        others = sa.select(CommitteeMember.id).where(
            CommitteeMember.committee_id == form.committee.data.id,
            CommitteeMember.position == "director",
            CommitteeMember.id != (request.args.get("id", type=int) or 0))
        if db.session.scalar(others) is not None:
            valid = _refuse(form, "position", "该届业主委员会已有主任，请先调整原主任的职务。")
        return valid


class PropertyManagementCommitteeView(GovernanceView):
    column_list = ("area", "formed_on", "organiser", "term_end", "status", "reason")
    column_searchable_list = ("members", "area.name")
    column_filters = ("status", "organiser", "formed_on", "area.name", "area.community.name")
    column_sortable_list = (("area", "area.name"), "formed_on", "organiser", "term_end",
                            "status")
    column_default_sort = ("formed_on", True)
    form_columns = ("area", "formed_on", "organiser", "members", "term_end", "reason",
                    "status", "notes")
    column_details_list = ("area", "formed_on", "organiser", "members", "term_end", "reason",
                           "status", "notes", "created_at", "updated_at")


def _counting(view, context, model, name):
    return f"按户计票（{len(model.ballots)}户）" if model.ballots else "汇总录入"


class AssemblyVoteView(GovernanceView):
    column_list = ("assembly", "title", "matter", "voted_on", "participating_area",
                   "participating_owners", "approving_area", "approving_owners", "result")
    column_labels = {"result": "表决结果", "counting": "计票方式"}
    column_formatters = {"result": _vote_result, "counting": _counting}
    column_formatters_detail = {"result": _vote_result_details}
    column_formatters_export = {"result": lambda view, context, model, name: str(model.result)}
    column_searchable_list = ("title", "assembly.name")
    column_filters = ("matter", "voted_on", "assembly.name")
    column_sortable_list = (("assembly", "assembly.name"), "title", "matter", "voted_on")
    column_default_sort = ("voted_on", True)
    form_columns = ("assembly", "title", "matter", "voted_on", "total_area", "total_owners",
                    "participating_area", "participating_owners", "approving_area",
                    "approving_owners", "notes")
    form_args = {name: {"description": "已按户录入表决票的，本项按表决票自动汇总"}
                 for name in ("participating_area", "participating_owners", "approving_area",
                              "approving_owners")}
    column_details_list = ("assembly", "title", "matter", "voted_on", "counting", "total_area",
                           "total_owners", "participating_area", "participating_owners",
                           "approving_area", "approving_owners", "result", "notes",
                           "created_at", "updated_at")

    def on_model_change(self, form, model, is_created):
        # Ballots, when recorded, are the source of the figures: typed figures cannot disagree.
        model.apply_ballots()
        super().on_model_change(form, model, is_created)


class AssemblyBallotView(GovernanceView):
    """按户表决票: each saved or deleted ballot re-sums its vote's figures."""

    column_list = ("vote", "household.building.number", "household.room", "floor_area",
                   "choice")
    column_labels = {"household.building.number": "楼号", "household.room": "房号"}
    column_searchable_list = ("household.room", "vote.title")
    column_filters = ("choice", "vote.title")
    column_sortable_list = (("vote", "vote.title"), "floor_area", "choice")
    column_default_sort = [("vote_id", True), ("id", False)]
    # The floor area is copied from the household, so it matches the register.
    form_columns = ("vote", "household", "choice")
    form_ajax_refs = {"household": {"fields": ("room",), "page_size": 20}}
    column_details_list = ("vote", "household", "floor_area", "choice", "created_at",
                           "updated_at")

    def get_query(self):
        return super().get_query().options(
            joinedload(AssemblyBallot.vote),
            joinedload(AssemblyBallot.household).joinedload(Household.building))

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not hasattr(form, "household") or form.vote.data is None \
                or form.household.data is None:
            return valid
        vote, household = form.vote.data, form.household.data
        building = db.session.get(Building, household.building_id)
        if building.area_id != vote.assembly.area_id:
            return _refuse(form, "household", "所选房屋不在该业主大会的物业管理区域内。")
        others = [b for b in vote.ballots if b.id != request.args.get("id", type=int)]
        counted = tally([*others, _Ballot(household.floor_area, form.choice.data)])
        if counted.participating_area > vote.total_area or \
                counted.participating_owners > vote.total_owners:
            valid = _refuse(form, "household", "按户计票的参与面积或户数将超过该表决事项的"
                                               "专有部分总面积或业主总人数，请先核对总数。")
        return valid

    def on_model_change(self, form, model, is_created):
        model.floor_area = model.household.floor_area
        super().on_model_change(form, model, is_created)

    def after_model_change(self, form, model, is_created):
        self._resum(model.vote_id)

    def after_model_delete(self, model):
        self._resum(model.vote_id)

    def _resum(self, vote_id: int) -> None:
        vote = db.session.get(AssemblyVote, vote_id)
        db.session.refresh(vote, ["ballots"])
        if not vote.apply_ballots():
            flash("该表决事项已无按户表决票，表决数据保留最后一次汇总结果。", "info")
        db.session.commit()


class _Ballot:
    """A ballot not yet saved, for checking the sum before the save."""

    def __init__(self, floor_area, choice):
        self.floor_area, self.choice = floor_area, choice


def _list_url(view, area_name: str) -> str:
    """The view's list filtered to one area (by its area-name equality filter)."""
    argument = _area_filter(view)
    if argument is None:
        return url_for(f"{view.endpoint}.index_view", search=area_name)
    return url_for(f"{view.endpoint}.index_view", **{argument: area_name})


@cache
def _area_filter(view) -> str | None:
    """The query argument of the view's area-name equality filter (filters are fixed at
    start-up, so it is looked up once per view rather than once per row)."""
    wanted = view.column_labels.get("area.name") or view.column_labels.get("assembly.name")
    for index, flt in enumerate(view._filters or ()):
        if isinstance(flt, FilterEqual) and flt.name == wanted:
            return f"flt0_{view.get_filter_arg(index, flt)}"
    return None


class GovernanceProgressView(ScopedBaseView):
    """业主自治进度: each area in scope with its stage, next step and what is missing.

    The stage counts cover every area in the scope (or in the community chosen); the areas come
    a page at a time, narrowed to a community and a stage. Seven queries whatever the scope.
    """

    @expose("/")
    def index(self):
        user, today = current_user, local_today()
        areas = _areas_with_stage(user, today)
        cells = db.session.execute(
            sa.select(areas.c.community_id, areas.c.community, areas.c.stage,
                      sa.func.count().label("areas"))
            .group_by(areas.c.community_id, areas.c.community, areas.c.stage)).all()
        communities: dict[int, tuple[str, int]] = {}
        for cell in sorted(cells, key=lambda c: (c.community, c.community_id)):
            name, count = communities.get(cell.community_id, (cell.community, 0))
            communities[cell.community_id] = (name, count + cell.areas)
        community = self.chosen("community", communities,
                                "所选社区不在您的管辖范围内，已显示全部社区。")
        stage = self.chosen("stage", STAGES, "没有这个业主自治阶段，已显示全部阶段。")
        cells = [c for c in cells if community in (None, c.community_id)]
        counts = [(code, label, sum(c.areas for c in cells if c.stage == code))
                  for code, label in STAGES.items()]
        total = sum(c.areas for c in cells if stage in (None, c.stage))
        page, pages = self.page_of(total)

        listed = sa.select(areas).order_by(areas.c.community, areas.c.area, areas.c.area_id)
        if community is not None:
            listed = listed.where(areas.c.community_id == community)
        if stage is not None:
            listed = listed.where(areas.c.stage == stage)
        listed = db.session.execute(
            listed.limit(self.page_size).offset(page * self.page_size)).all()
        rows = self._rows(listed, user, today)

        def progress_url(page=0, **narrowed):
            # Paging keeps the narrowing; narrowing further starts again at the first page.
            chosen = {"community": community, "stage": stage, **narrowed}
            return url_for(".index", page=page or None, **chosen)

        return self.render("admin/governance_progress.html", rows=rows,
                           counts=[c for c in counts if c[2]], communities=communities,
                           community=community, stage=stage, stages=STAGES, total=total,
                           page=page, pages=pages, page_size=self.page_size,
                           progress_url=progress_url)

    def _rows(self, listed, user, today) -> list[dict]:
        """The page's areas with their full stage from `area_stage`: five queries for the page."""
        area_ids = [a.area_id for a in listed]
        group_ids = [a.group_id for a in listed if a.group_id is not None]
        committee_ids = [a.committee_id for a in listed if a.committee_id is not None]
        # area_stage reads no relationship: the areas these models join by default stay out.
        groups = {g.id: g for g in db.session.scalars(
            sa.select(PreparatoryGroup).options(lazyload(PreparatoryGroup.area))
            .where(PreparatoryGroup.id.in_(group_ids)))}
        members: dict[int, list] = {}
        for member in db.session.scalars(sa.select(PreparatoryGroupMember).where(
                PreparatoryGroupMember.group_id.in_(group_ids))):
            members.setdefault(member.group_id, []).append(member)
        seated = (sa.select(sa.func.count()).where(
            CommitteeMember.committee_id == OwnersCommittee.id,
            CommitteeMember.position != "alternate").scalar_subquery())
        committees = {c.id: (c, count) for c, count in db.session.execute(
            sa.select(OwnersCommittee, seated).options(lazyload(OwnersCommittee.area))
            .where(OwnersCommittee.id.in_(committee_ids)))}
        assemblies = {a.area_id: a for a in db.session.scalars(
            sa.select(OwnersAssembly).where(visible_to(OwnersAssembly, user),
                                            OwnersAssembly.area_id.in_(area_ids)))}
        pm_committees = {p.area_id: p for p in db.session.scalars(
            sa.select(PropertyManagementCommittee).where(
                visible_to(PropertyManagementCommittee, user),
                PropertyManagementCommittee.status == "active",
                PropertyManagementCommittee.area_id.in_(area_ids)))}
        stages = []
        for area in listed:
            committee, count = committees.get(area.committee_id, (None, None))
            stages.append(area_stage(
                today, group=groups.get(area.group_id),
                group_members=members.get(area.group_id, []),
                assembly=assemblies.get(area.area_id), committee=committee,
                committee_members=count, pm_committee=pm_committees.get(area.area_id)))
        records = {stage.record for stage in stages}
        views = {view.model.__name__: view for view in self.admin._views
                 if isinstance(view, ScopedModelView) and view.model.__name__ in records
                 and view.is_accessible()}
        return [{"id": area.area_id, "area": area.area, "community": area.community,
                 "stage": stage, "overdue": bool(stage.deadline and stage.deadline.overdue(today)),
                 "url": _list_url(views[stage.record], area.area)
                 if stage.record in views else None}
                for area, stage in zip(listed, stages, strict=True)]


def _areas_with_stage(user, today: date):
    """Every area in the user's scope with its community, the ids of its latest committee and
    preparatory group, and its stage code, as a subquery.

    The code is `area_stage`'s, in SQL, so that a whole city can be counted and filtered by stage
    without loading it; tests/test_report_pages.py checks that the two agree on every branch.
    """
    committee, group = OwnersCommittee, PreparatoryGroup
    assembly = sa.exists().where(OwnersAssembly.area_id == ManagementArea.id,
                                 visible_to(OwnersAssembly, user))
    pm_committee = sa.exists().where(PropertyManagementCommittee.area_id == ManagementArea.id,
                                     PropertyManagementCommittee.status == "active",
                                     visible_to(PropertyManagementCommittee, user))
    # Without a committee these are NULL, so no committee branch applies (as in area_stage).
    seated = committee.status != "dissolved"
    running = sa.and_(seated, committee.status != "expired", committee.term_end >= today)
    stage = sa.case(
        (sa.and_(running, committee.filing_status != "filed"), "elected"),
        (sa.and_(running, committee.term_end <= _latest_term_end_warned(today)),
         "reelection_due"),
        (running, "filed"),
        (sa.and_(seated, ~pm_committee), "expired"),
        (pm_committee, "pm_committee"),
        (assembly, "assembly_held"),
        (group.status.in_(("formed", "assembly_held")), "group_formed"),
        else_="none")
    return (sa.select(ManagementArea.id.label("area_id"), ManagementArea.name.label("area"),
                      Community.id.label("community_id"), Community.name.label("community"),
                      committee.id.label("committee_id"), group.id.label("group_id"),
                      stage.label("stage"))
            .join(Community, Community.id == ManagementArea.community_id)
            .outerjoin(committee, sa.and_(committee.area_id == ManagementArea.id, _latest_by_area(
                committee, committee.session_number, user)))
            .outerjoin(group, sa.and_(group.area_id == ManagementArea.id, _latest_by_area(
                group, group.applied_on, user)))
            .where(visible_to(ManagementArea, user)).subquery())


def _latest_term_end_warned(today: date) -> date:
    """The latest term end whose re-election warning has begun by `today` (`term_state`).

    The warning starts a fixed number of months before the end, which never moves backwards as
    the end moves forwards; so the terms warned of are exactly those ending on or before this.
    """
    end = add_months(today, REELECTION_WARNING_MONTHS)
    while reelection_warning_from(end + timedelta(days=1)) <= today:
        end += timedelta(days=1)
    return end


def _latest_by_area(model, order, user):
    """The condition that a row of `model` is the latest (by `order`, then id) of its area among
    those in the user's scope."""
    # Rows of one area share its scope, so a later row is one the user sees too.
    later = sa.select(model.id, model.area_id, order).subquery()
    return sa.and_(visible_to(model, user), ~sa.exists().where(
        later.c.area_id == model.area_id,
        sa.tuple_(later.c[order.key], later.c.id) > sa.tuple_(order, model.id)))


def register(admin: Admin) -> None:
    admin.add_view(GovernanceProgressView(name="业主自治进度", category=CATEGORY,
                                          endpoint="governance_progress"))
    admin.add_view(PreparatoryGroupView(PreparatoryGroup, name="首次业主大会筹备组",
                                        category=CATEGORY, endpoint="preparatory_group"))
    admin.add_view(PreparatoryGroupMemberView(PreparatoryGroupMember, name="筹备组成员",
                                              category=CATEGORY,
                                              endpoint="preparatory_group_member"))
    admin.add_view(OwnersAssemblyView(OwnersAssembly, name="业主大会", category=CATEGORY,
                                      endpoint="owners_assembly"))
    admin.add_view(AssemblyVoteView(AssemblyVote, name="业主大会表决事项", category=CATEGORY,
                                    endpoint="assembly_vote"))
    admin.add_view(AssemblyBallotView(AssemblyBallot, name="按户表决票", category=CATEGORY,
                                      endpoint="assembly_ballot"))
    admin.add_view(OwnersCommitteeView(OwnersCommittee, name="业主委员会", category=CATEGORY,
                                       endpoint="owners_committee"))
    admin.add_view(CommitteeMemberView(CommitteeMember, name="业主委员会委员", category=CATEGORY,
                                       endpoint="committee_member"))
    admin.add_view(PropertyManagementCommitteeView(
        PropertyManagementCommittee, name="物业管理委员会", category=CATEGORY,
        endpoint="pm_committee"))
