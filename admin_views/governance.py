"""业主自治: preparatory groups, owners' assemblies and votes, owners' committees and members,
property-management committees."""
from __future__ import annotations

import re
from datetime import date, timedelta

import sqlalchemy as sa
from flask import request
from flask_admin import Admin
from markupsafe import Markup
from wtforms.validators import ValidationError

from models import db
from models.contracts import FILING_STATUSES
from models.governance import (
    COMMITTEE_SIZES,
    PREPARATION_TASKS,
    AssemblyVote,
    CommitteeMember,
    OwnersAssembly,
    OwnersCommittee,
    PreparatoryGroup,
    PreparatoryGroupMember,
    PropertyManagementCommittee,
    latest_term_end,
)

from .base import PERSONAL_EXPORT_ROLES, ScopedModelView, status_badge

CATEGORY = "业主自治"
# Committees whose term ends within this many days are flagged for re-election.
REELECTION_WARNING_DAYS = 90
BIRTH_MONTH = re.compile(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$")


def _refuse(form, name: str, message: str) -> bool:
    form[name].errors = list(form[name].errors) + [message]
    return False


def validate_birth_month(form, field):
    if field.data and not BIRTH_MONTH.match(field.data.strip()):
        raise ValidationError("出生年月请按“年-月”填写，如1968-05。")


def _date(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def _meeting_deadline(view, context, model, name):
    deadline = model.meeting_deadline
    if deadline and model.status == "formed" and deadline < date.today():
        return Markup('<span class="text-danger">{}（已逾期）</span>').format(_date(deadline))
    return _date(deadline)


def _tasks_done(view, context, model, name):
    return f"{model.tasks_done}/{len(PREPARATION_TASKS)}"


def _term_end(view, context, model, name):
    warn_from = date.today() + timedelta(days=REELECTION_WARNING_DAYS)
    if model.status == "in_term" and model.term_end <= warn_from:
        return Markup('<span class="text-danger">{}（应筹备换届）</span>').format(
            _date(model.term_end))
    return _date(model.term_end)


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
    column_list = ("area", "status", "applicant", "applied_on", "formed_on", "meeting_deadline",
                   "tasks_done", "first_meeting_at", "first_meeting_form")
    column_labels = {"meeting_deadline": "首次会议期限", "tasks_done": "筹备事项完成"}
    column_formatters = {"meeting_deadline": _meeting_deadline, "tasks_done": _tasks_done}
    column_formatters_export = {"meeting_deadline": lambda v, c, m, n: _date(m.meeting_deadline),
                                "tasks_done": _tasks_done}
    column_searchable_list = ("applicant", "area.name")
    column_filters = ("status", "applied_on", "formed_on", "area.name", "area.community.name")
    column_sortable_list = (("area", "area.name"), "status", "applied_on", "formed_on",
                            "first_meeting_at")
    column_default_sort = ("applied_on", True)
    form_columns = ("area", "applicant", "applied_on", "accepted_on", "formed_on",
                    "members_publicized_on", "status",
                    *(name for name, _ in PREPARATION_TASKS),
                    "first_meeting_at", "first_meeting_place", "first_meeting_form", "notes")
    column_details_list = ("area", "status", "applicant", "applied_on", "accepted_on",
                           "formed_on", "meeting_deadline", "members_publicized_on",
                           *(name for name, _ in PREPARATION_TASKS), "first_meeting_at",
                           "first_meeting_place", "first_meeting_form", "notes",
                           "created_at", "updated_at")

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not hasattr(form, "formed_on") or not hasattr(form, "status"):
            return valid
        if form.status.data in ("formed", "assembly_held") and not form.formed_on.data:
            valid = _refuse(form, "formed_on", "筹备组已成立时须填写成立日期。")
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
    column_list = ("area", "session_number", "elected_on", "term_start", "term_end",
                   "member_count", "alternate_count", "filing_type", "filing_status",
                   "filed_on", "status")
    column_formatters = {"term_end": _term_end, "filing_status": status_badge(FILING_STATUSES)}
    # Exports carry plain values (the choice labels apply without a formatter), not badges.
    column_formatters_export: dict = {}
    column_searchable_list = ("filing_number", "area.name")
    column_filters = ("status", "filing_status", "filing_type", "term_end", "elected_on",
                      "area.name", "area.community.name")
    column_sortable_list = (("area", "area.name"), "session_number", "elected_on",
                            "term_start", "term_end", "filing_status", "filed_on", "status")
    column_default_sort = ("term_end", False)
    # The area follows the assembly, so the two can never disagree.
    form_columns = ("assembly", "session_number", "elected_on", "term_start", "term_end",
                    "member_count", "alternate_count", "filing_type", "filing_status",
                    "filed_on", "filing_number", "office_address", "office_phone", "status",
                    "notes")
    column_details_list = ("area", "assembly", "session_number", "elected_on", "term_start",
                           "term_end", "member_count", "alternate_count", "filing_type",
                           "filing_status", "filed_on", "filing_number", "office_address",
                           "office_phone", "status", "notes", "created_at", "updated_at")

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
        if form.filing_status.data == "filed" and not form.filed_on.data:
            valid = _refuse(form, "filed_on", "备案状态为“已备案”时须填写备案日期。")
        return valid

    def on_model_change(self, form, model, is_created):
        with db.session.no_autoflush:
            model.area = model.assembly.area
        super().on_model_change(form, model, is_created)


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


class AssemblyVoteView(GovernanceView):
    column_list = ("assembly", "title", "matter", "voted_on", "participating_area",
                   "participating_owners", "approving_area", "approving_owners", "result")
    column_labels = {"result": "表决结果"}
    column_formatters = {"result": _vote_result}
    column_formatters_detail = {"result": _vote_result_details}
    column_formatters_export = {"result": lambda view, context, model, name: str(model.result)}
    column_searchable_list = ("title", "assembly.name")
    column_filters = ("matter", "voted_on", "assembly.name")
    column_sortable_list = (("assembly", "assembly.name"), "title", "matter", "voted_on")
    column_default_sort = ("voted_on", True)
    form_columns = ("assembly", "title", "matter", "voted_on", "total_area", "total_owners",
                    "participating_area", "participating_owners", "approving_area",
                    "approving_owners", "notes")
    column_details_list = ("assembly", "title", "matter", "voted_on", "total_area",
                           "total_owners", "participating_area", "participating_owners",
                           "approving_area", "approving_owners", "result", "notes",
                           "created_at", "updated_at")


def register(admin: Admin) -> None:
    admin.add_view(PreparatoryGroupView(PreparatoryGroup, name="首次业主大会筹备组",
                                        category=CATEGORY, endpoint="preparatory_group"))
    admin.add_view(PreparatoryGroupMemberView(PreparatoryGroupMember, name="筹备组成员",
                                              category=CATEGORY,
                                              endpoint="preparatory_group_member"))
    admin.add_view(OwnersAssemblyView(OwnersAssembly, name="业主大会", category=CATEGORY,
                                      endpoint="owners_assembly"))
    admin.add_view(AssemblyVoteView(AssemblyVote, name="业主大会表决事项", category=CATEGORY,
                                    endpoint="assembly_vote"))
    admin.add_view(OwnersCommitteeView(OwnersCommittee, name="业主委员会", category=CATEGORY,
                                       endpoint="owners_committee"))
    admin.add_view(CommitteeMemberView(CommitteeMember, name="业主委员会委员", category=CATEGORY,
                                       endpoint="committee_member"))
    admin.add_view(PropertyManagementCommitteeView(
        PropertyManagementCommittee, name="物业管理委员会", category=CATEGORY,
        endpoint="pm_committee"))
