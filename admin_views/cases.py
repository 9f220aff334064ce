"""矛盾纠纷与安全: patrols, hazards, cases with their timeline, escalations, mediations."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import request
from flask_admin import Admin
from flask_admin.model import typefmt
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import joinedload

from models import db
from models.cases import (Attachment, Case, CaseEvent, CASE_ACTIONS, CASE_STATES, Escalation,
                          ESCALATION_STATES, HAZARD_STATUSES, Hazard, Mediation, Patrol,
                          PATROL_STATUSES, record_case_event)
from models.scoping import ALL_ROLES, visible_to

from .base import PERSONAL_EXPORT_ROLES, ScopedModelView, status_badge

CATEGORY = "矛盾纠纷与安全"
NOBODY = frozenset()
# Parties' names and their agreements are personal data; firms may themselves be a party.
MEDIATION_ROLES = frozenset({"admin", "street", "community"})


def _minutes(view, value, name):
    return f"{value:%Y-%m-%d %H:%M}"


DATETIME_FORMATTERS = {**typefmt.BASE_FORMATTERS, datetime: _minutes}
DETAIL_DATETIME_FORMATTERS = {**typefmt.DETAIL_FORMATTERS, datetime: _minutes}


def deadline_formatter(view, context, model, name):
    """A deadline in red (class "overdue") while it has passed and the row is still open."""
    value = getattr(model, name)
    if value is None:
        return ""
    text = _minutes(view, value, name)
    if model.is_overdue:
        return Markup('<span class="overdue" title="已超期">{}</span>').format(text)
    return text


class SafetyView(ScopedModelView):
    """Shared by this menu's screens: minute-precision times and the conditional field rules.

    The model's `required_when` / `only_when` CHECKs and the "same area" rule for linked rows
    are checked on the form, so the clerk reads a Chinese message and nothing is written.
    """

    column_type_formatters = DATETIME_FORMATTERS
    column_type_formatters_detail = DETAIL_DATETIME_FORMATTERS
    # Linked rows picked in a form must lie in the area picked on the same form.
    same_area_fields: tuple[str, ...] = ()

    def validate_form(self, form):
        valid = super().validate_form(form)
        if request.method != "POST" or not hasattr(form, "_fields"):
            return valid
        for constraint in self.model.__table__.constraints:
            for kind in ("required_when", "only_when"):
                if kind in constraint.info:
                    valid &= self._check_conditional(form, kind, *constraint.info[kind])
        area = form["area"].data if "area" in form else None
        for name in self.same_area_fields:
            linked = form[name].data if name in form else None
            if area is not None and linked is not None and linked.area_id != area.id:
                form[name].errors = list(form[name].errors) + [
                    f"所选“{form[name].label.text}”不属于所选物业管理区域。"]
                valid = False
        return valid

    def _field_name(self, column: str) -> str:
        """The form field editing `column`: itself, or the relation built on it."""
        for relation in sa.inspect(self.model).relationships:
            if any(c.key == column for c in relation.local_columns):
                return relation.key
        return column

    def _check_conditional(self, form, kind, column, codes, target) -> bool:
        target_field = self._field_name(target)
        if column not in form or target_field not in form:
            return True
        value, filled = form[column].data, form[target_field].data not in (None, "")
        choices = self.model.__table__.c[column].info["choices"]
        column_label, target_label = form[column].label.text, form[target_field].label.text
        if kind == "required_when" and value in codes and not filled:
            message = f"“{column_label}”为“{choices.label(value)}”时须填写“{target_label}”。"
        elif kind == "only_when" and value not in codes and filled:
            allowed = "、".join(choices.label(code) for code in codes)
            message = f"只有“{column_label}”为“{allowed}”时才填写“{target_label}”。"
        else:
            return True
        form[target_field].errors = list(form[target_field].errors) + [message]
        return False


class PatrolView(SafetyView):
    column_list = ("planned_on", "area", "community", "firm", "status", "done_on",
                   "participants")
    column_searchable_list = ("participants", "route", "findings")
    column_filters = ("status", "planned_on", "done_on", "area.name", "community.name")
    column_sortable_list = ("planned_on", "done_on", "status", ("area", "area.name"))
    column_default_sort = ("planned_on", True)
    column_formatters = {"status": status_badge(PATROL_STATUSES)}
    # The patrolling community is the area's own; it is taken from the area on saving.
    form_columns = ("area", "firm", "planned_on", "status", "done_on", "participants", "route",
                    "findings")

    def on_model_change(self, form, model, is_created):
        with db.session.no_autoflush:
            model.community_id = model.area.community_id
        super().on_model_change(form, model, is_created)


class HazardView(SafetyView):
    column_list = ("found_at", "area", "building.number", "category", "severity", "location",
                   "status", "clearance_status", "deadline")
    column_labels = {"building.number": "楼栋"}
    column_searchable_list = ("location", "description", "responsible_unit")
    column_filters = ("category", "severity", "status", "clearance_status", "found_at",
                      "deadline", "area.name")
    column_sortable_list = ("found_at", "category", "severity", "status", "clearance_status",
                            "deadline", ("area", "area.name"))
    column_default_sort = ("found_at", True)
    column_formatters = {"deadline": deadline_formatter, "status": status_badge(HAZARD_STATUSES)}
    form_columns = ("area", "building", "patrol", "category", "severity", "location",
                    "description", "found_at", "deadline", "warning_line_at", "notice_posted_at",
                    "responsible_unit", "contact_method", "contacted_at", "disposal_note",
                    "disposed_at", "verified_at", "status", "clearance_status")
    form_ajax_refs = {
        "building": {"fields": ("address", "number"), "page_size": 20},
        "patrol": {"fields": ("participants", "findings"), "page_size": 20},
    }
    same_area_fields = ("building", "patrol")


class CaseView(SafetyView):
    read_roles = ALL_ROLES
    export_roles = PERSONAL_EXPORT_ROLES
    # A registered case is a record of the office's work: it is closed, never deleted.
    can_delete = False
    details_template = "admin/case_details.html"
    column_list = ("number", "case_type", "title", "area", "state", "urgency", "deadline",
                   "received_at")
    column_searchable_list = ("number", "title", "hotline_ticket", "respondent")
    column_filters = ("state", "case_type", "source", "urgency", "received_at", "deadline",
                      "area.name")
    column_sortable_list = ("number", "case_type", "state", "urgency", "deadline",
                            "received_at", ("area", "area.name"))
    column_default_sort = ("received_at", True)
    column_formatters = {"deadline": deadline_formatter, "state": status_badge(CASE_STATES)}
    # State, assignment, deadline and closing change only through the case workflow.
    form_columns = ("case_type", "source", "hotline_ticket", "title", "description", "area",
                    "building", "complainant_name", "complainant_phone", "respondent",
                    "urgency", "received_at", "patrol", "hazard")
    column_details_list = ("number", "case_type", "source", "hotline_ticket", "title",
                           "description", "area", "building", "complainant_name",
                           "complainant_phone", "respondent", "urgency", "state", "assigned_to",
                           "assigned_community", "assigned_firm", "deadline", "received_at",
                           "closed_at", "satisfaction", "patrol", "hazard", "created_at",
                           "updated_at")
    form_ajax_refs = {
        "building": {"fields": ("address", "number"), "page_size": 20},
        "patrol": {"fields": ("participants", "findings"), "page_size": 20},
        "hazard": {"fields": ("location", "description"), "page_size": 20},
    }
    same_area_fields = ("building", "patrol", "hazard")

    def on_model_change(self, form, model, is_created):
        if is_created:
            record_case_event(model, "receive", actor=current_user._get_current_object(),
                              to_state="received", at=model.received_at)
        super().on_model_change(form, model, is_created)

    def render(self, template, **kwargs):
        if template == self.details_template and kwargs.get("model") is not None:
            case = kwargs["model"]
            kwargs["timeline"] = db.session.scalars(
                sa.select(CaseEvent).options(joinedload(CaseEvent.actor))
                .where(CaseEvent.case_id == case.id, visible_to(CaseEvent, current_user))
                .order_by(CaseEvent.at, CaseEvent.id)).all()
            kwargs["attachments"] = db.session.scalars(
                sa.select(Attachment).where(Attachment.case_id == case.id,
                                            visible_to(Attachment, current_user))
                .order_by(Attachment.uploaded_at, Attachment.id)).all()
            kwargs["action_labels"], kwargs["state_labels"] = CASE_ACTIONS, CASE_STATES
        return super().render(template, **kwargs)


class CaseEventView(SafetyView):
    """The timeline, read-only: only the case workflow writes it."""

    write_roles = NOBODY
    column_list = ("case", "at", "action", "from_state", "to_state", "actor", "note")
    column_searchable_list = ("note", "case.number")
    column_filters = ("action", "to_state", "at", "case.number")
    column_sortable_list = ("at", "action")
    column_default_sort = ("at", True)


class EscalationView(SafetyView):
    """Escalations to departments, read-only until the whistle-blowing workflow writes them."""

    read_roles = ALL_ROLES
    write_roles = NOBODY
    column_list = ("case", "department", "state", "escalated_at", "reply_due", "accepted_at",
                   "replied_at", "closed_at")
    column_searchable_list = ("case.number", "case.title", "reply_text")
    column_filters = ("state", "escalated_at", "reply_due", "department.name", "case.number")
    column_sortable_list = ("state", "escalated_at", "reply_due", "replied_at",
                            ("department", "department.name"))
    column_default_sort = ("escalated_at", True)
    column_formatters = {"reply_due": deadline_formatter,
                         "state": status_badge(ESCALATION_STATES)}


class MediationView(SafetyView):
    read_roles = MEDIATION_ROLES
    export_roles = PERSONAL_EXPORT_ROLES
    column_list = ("mediated_on", "area", "case", "mediator", "sessions", "outcome")
    column_searchable_list = ("mediator", "parties", "agreement")
    column_filters = ("outcome", "mediated_on", "area.name")
    column_sortable_list = ("mediated_on", "outcome", "sessions", ("area", "area.name"))
    column_default_sort = ("mediated_on", True)
    form_columns = ("area", "case", "parties", "mediator", "mediated_on", "sessions",
                    "session_notes", "outcome", "agreement")
    form_ajax_refs = {"case": {"fields": ("number", "title"), "page_size": 20}}
    same_area_fields = ("case",)


class AttachmentView(SafetyView):
    """Files of cases, listed read-only; uploads and downloads come with the case workflow."""

    write_roles = NOBODY
    export_roles = PERSONAL_EXPORT_ROLES
    column_list = ("case", "original_filename", "mime_type", "size_bytes", "uploaded_by",
                   "uploaded_at")
    column_details_exclude_list = ("stored_filename",)
    column_searchable_list = ("original_filename", "case.number")
    column_filters = ("mime_type", "uploaded_at", "case.number")
    column_sortable_list = ("uploaded_at", "original_filename", "size_bytes")
    column_default_sort = ("uploaded_at", True)


def register(admin: Admin) -> None:
    admin.add_view(CaseView(Case, name="案件受理", category=CATEGORY, endpoint="case"))
    admin.add_view(EscalationView(Escalation, name="吹哨报到", category=CATEGORY,
                                  endpoint="escalation"))
    admin.add_view(CaseEventView(CaseEvent, name="办理过程", category=CATEGORY,
                                 endpoint="case_event"))
    admin.add_view(AttachmentView(Attachment, name="案件附件", category=CATEGORY,
                                  endpoint="attachment"))
    admin.add_view(MediationView(Mediation, name="纠纷调解", category=CATEGORY,
                                 endpoint="mediation"))
    admin.add_view(PatrolView(Patrol, name="日常巡查", category=CATEGORY, endpoint="patrol"))
    admin.add_view(HazardView(Hazard, name="险情与安全隐患", category=CATEGORY,
                              endpoint="hazard"))
