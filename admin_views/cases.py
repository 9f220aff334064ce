"""矛盾纠纷与安全: patrols, hazards, cases with their timeline, escalations, mediations.

Workflow buttons post to small endpoints that fetch the row through the view's scoped query,
check the CSRF token and the row version, and call `models.case_operations`; nothing here
changes a state by itself.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import quote

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, send_file, url_for
from flask_admin import Admin, expose
from flask_admin.model import typefmt
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup
from sqlalchemy.orm import joinedload
from wtforms import MultipleFileField
from wtforms.validators import ValidationError

from models import db
from models.case_operations import (NOTE_REQUIRED, ActionRefused, allowed_case_actions,
                                    allowed_escalation_actions, allowed_hazard_actions,
                                    apply_case_action, apply_escalation_action,
                                    apply_hazard_action, attach_files, attachment_path,
                                    case_from_patrol, check_upload, firms_serving,
                                    hazard_from_patrol, new_hazard_defaults, open_escalations,
                                    possible_duplicates)
from models.cases import (Attachment, Case, CaseEvent, CASE_ACTIONS, CASE_SEARCH_COLUMNS,
                          CASE_STATES, CASE_TYPES, CLEARANCE_STATUSES, CONTACT_METHODS,
                          Escalation, ESCALATION_STATES, HAZARD_CATEGORIES, HAZARD_SEVERITIES,
                          HAZARD_STATUSES, Hazard, Mediation, Patrol, PATROL_STATUSES,
                          SATISFACTION, local_now, record_case_event)
from models.deadlines import due_status, warning_window
from models.orgs import Department
from models.places import Building, Community, ManagementArea
from models.scoping import ALL_ROLES, visible_to
from models.workflow import ESCALATION_MACHINE, HAZARD_MACHINE

from .base import PERSONAL_EXPORT_ROLES, ScopedBaseView, ScopedModelView, status_badge

CATEGORY = "矛盾纠纷与安全"
NOBODY = frozenset()
# Parties' names and their agreements are personal data; firms may themselves be a party.
MEDIATION_ROLES = frozenset({"admin", "street", "community"})
BOARD_ROLES = frozenset({"admin", "city", "street", "community", "department"})
DATETIME_INPUTS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S")
DUE_MARKS = {"overdue": ("overdue", "已超期"), "due_soon": ("due-soon", "即将到期")}


class UploadField(MultipleFileField):
    """Files posted with a form; stored as Attachment rows, never set on the model."""

    def populate_obj(self, obj, name):
        pass


def _minutes(view, value, name):
    return f"{value:%Y-%m-%d %H:%M}"


DATETIME_FORMATTERS = {**typefmt.BASE_FORMATTERS, datetime: _minutes}
DETAIL_DATETIME_FORMATTERS = {**typefmt.DETAIL_FORMATTERS, datetime: _minutes}


def due_mark(row) -> str | None:
    """The row's "overdue" / "due_soon" mark with the configured warning window."""
    return due_status(row.open_deadline, local_now(), warning_window(current_app.config))


def deadline_formatter(view, context, model, name):
    """A deadline in red (class "overdue") once passed, amber ("due-soon") when nearly due."""
    value = getattr(model, name)
    if value is None:
        return ""
    text = _minutes(view, value, name)
    mark = DUE_MARKS.get(due_mark(model))
    if mark:
        return Markup('<span class="{}" title="{}">{}</span>').format(mark[0], mark[1], text)
    return text


def parse_moment(text: str | None):
    """A form's date-time: a datetime, None when blank, the raw text when unreadable."""
    text = (text or "").strip()
    if not text:
        return None
    for pattern in DATETIME_INPUTS:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return text


def workflow_post_ok(view, row) -> bool:
    """CSRF token and row version of a workflow form; flashes the refusal otherwise."""
    if not FlaskForm().validate():
        flash("表单已过期或来源无效，请刷新页面后重试。", "error")
        return False
    message = view.version_conflict(row, request.form.get("row_version"))
    if message:
        db.session.commit()
        flash(message, "error")
        return False
    return True


def run_action(operation, success: str) -> bool:
    """Commit an accepted operation, or roll back and show the Chinese refusal."""
    try:
        operation()
    except ActionRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True


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

    def render(self, template, **kwargs):
        # scoped_details.html draws the print buttons with get_pk_value, which Flask-Admin
        # passes to the list template only.
        kwargs.setdefault("get_pk_value", self.get_pk_value)
        return super().render(template, **kwargs)

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
    details_template = "admin/case_patrol_details.html"
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

    def render(self, template, **kwargs):
        patrol = kwargs.get("model")
        if template == self.details_template and patrol is not None:
            kwargs.update(
                found_cases=db.session.scalars(sa.select(Case).where(
                    Case.patrol_id == patrol.id, visible_to(Case, current_user))
                    .order_by(Case.received_at)).all(),
                found_hazards=db.session.scalars(sa.select(Hazard).where(
                    Hazard.patrol_id == patrol.id, visible_to(Hazard, current_user))
                    .order_by(Hazard.found_at)).all(),
                buildings=_buildings(patrol.area_id),
                can_record=current_user.role in ("admin", "street", "community")
                and patrol.status == "done",
                case_types=CASE_TYPES, categories=HAZARD_CATEGORIES,
                severities=HAZARD_SEVERITIES)
        return super().render(template, **kwargs)

    @expose("/finding/<int:patrol_id>/", methods=("POST",))
    def finding(self, patrol_id):
        """One finding of the patrol becomes a case or a hazard, linked back to it."""
        patrol = self.get_one(patrol_id)
        if patrol is None:
            abort(404)
        back = url_for(".details_view", id=patrol.id)
        if not workflow_post_ok(self, patrol):
            return redirect(back)
        form, made = request.form, []
        if form.get("kind") == "hazard":
            operation = lambda: made.append(("hazard", hazard_from_patrol(  # noqa: E731
                patrol, current_user, category=form.get("category"),
                severity=form.get("severity"), location=form.get("location"),
                description=form.get("description"), building_id=form.get("building_id"))))
        else:
            operation = lambda: made.append(("case", case_from_patrol(  # noqa: E731
                patrol, current_user, case_type=form.get("case_type"), title=form.get("title"),
                description=form.get("description"), respondent=form.get("respondent"),
                building_id=form.get("building_id"), urgent=form.get("urgent"))))
        if not run_action(operation, "已登记巡查发现的问题。"):
            return redirect(back)
        endpoint, row = made[0]
        return redirect(url_for(f"{endpoint}.details_view", id=row.id))


def _buildings(area_id: int) -> list[Building]:
    return db.session.scalars(sa.select(Building).where(Building.area_id == area_id)
                              .order_by(Building.number)).all()


class HazardView(SafetyView):
    details_template = "admin/case_hazard_details.html"
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
    # Warning, contact, disposal, verification and clearance change only through the
    # hazard workflow on the details page; a blank deadline is set from the severity.
    form_columns = ("area", "building", "patrol", "category", "severity", "location",
                    "description", "found_at", "deadline")
    form_ajax_refs = {
        "building": {"fields": ("address", "number"), "page_size": 20},
        "patrol": {"fields": ("participants", "findings"), "page_size": 20},
    }
    same_area_fields = ("building", "patrol")

    def on_model_change(self, form, model, is_created):
        note = new_hazard_defaults(model)
        if note:
            flash(note, "warning")
        super().on_model_change(form, model, is_created)

    def render(self, template, **kwargs):
        hazard = kwargs.get("model")
        if template == self.details_template and hazard is not None:
            kwargs.update(
                hazard_actions=allowed_hazard_actions(hazard, current_user),
                hazard_labels=HAZARD_MACHINE.action_labels, contact_methods=CONTACT_METHODS,
                clearance_labels=CLEARANCE_STATUSES, due=due_mark(hazard),
                linked_cases=db.session.scalars(sa.select(Case).where(
                    Case.hazard_id == hazard.id, visible_to(Case, current_user))).all())
        return super().render(template, **kwargs)

    @expose("/action/<int:hazard_id>/", methods=("POST",))
    def hazard_action(self, hazard_id):
        hazard = self.get_one(hazard_id)
        if hazard is None:
            abort(404)
        if workflow_post_ok(self, hazard):
            action, form = request.form.get("action", ""), request.form
            label = HAZARD_MACHINE.action_labels.get(action, action)
            run_action(lambda: apply_hazard_action(
                hazard, action, current_user, at=parse_moment(form.get("at")),
                note=form.get("note"), responsible_unit=form.get("responsible_unit"),
                contact_method=form.get("contact_method")), f"已登记“{label}”。")
        return redirect(url_for(".details_view", id=hazard_id))


class CaseView(SafetyView):
    read_roles = ALL_ROLES
    export_roles = PERSONAL_EXPORT_ROLES
    # A registered case is a record of the office's work: it is closed, never deleted.
    can_delete = False
    details_template = "admin/case_details.html"
    column_list = ("number", "case_type", "title", "area", "state", "urgency", "deadline",
                   "received_at")
    column_searchable_list = CASE_SEARCH_COLUMNS
    column_filters = ("state", "case_type", "source", "urgency", "received_at", "deadline",
                      "area.name")
    column_sortable_list = ("number", "case_type", "state", "urgency", "deadline",
                            "received_at", ("area", "area.name"))
    column_default_sort = ("received_at", True)
    column_formatters = {"deadline": deadline_formatter, "state": status_badge(CASE_STATES)}
    # State, assignment, deadline and closing change only through the case workflow.
    form_columns = ("case_type", "source", "hotline_ticket", "title", "description", "area",
                    "building", "complainant_name", "complainant_phone", "respondent",
                    "urgency", "received_at", "patrol", "hazard", "attachments")
    form_extra_fields = {"attachments": UploadField(
        "附件", description="现场照片或扫描件：JPG、PNG 或 PDF，每个不超过 10 MB。")}
    column_details_list = ("number", "case_type", "source", "hotline_ticket", "title",
                           "description", "area", "building", "complainant_name",
                           "complainant_phone", "respondent", "urgency", "state", "assigned_to",
                           "assigned_community", "assigned_firm", "deadline", "received_at",
                           "closed_at", "satisfaction", "merged_into", "patrol", "hazard",
                           "created_at", "updated_at")
    column_formatters_detail = {"deadline": deadline_formatter}
    form_ajax_refs = {
        "building": {"fields": ("address", "number"), "page_size": 20},
        "patrol": {"fields": ("participants", "findings"), "page_size": 20},
        "hazard": {"fields": ("location", "description"), "page_size": 20},
    }
    same_area_fields = ("building", "patrol", "hazard")

    def validate_form(self, form):
        valid = super().validate_form(form)
        if request.method == "POST" and "attachments" in form:
            for file in request.files.getlist("attachments"):
                if not file.filename:
                    continue
                try:
                    check_upload(file)
                except ActionRefused as refused:
                    form.attachments.errors = list(form.attachments.errors) + [refused.message]
                    valid = False
                finally:
                    file.stream.seek(0)
        return valid

    def on_model_change(self, form, model, is_created):
        user = current_user._get_current_object()
        event = None
        if is_created:
            event = record_case_event(model, "receive", actor=user, to_state="received",
                                      at=model.received_at)
        super().on_model_change(form, model, is_created)
        try:
            attach_files(model, request.files.getlist("attachments"), user, event)
        except ActionRefused as refused:
            raise ValidationError(refused.message) from refused

    def get_save_return_url(self, model, is_created=False):
        # After intake the clerk lands on the case page, which offers possible duplicates.
        if is_created:
            return url_for(".details_view", id=model.id)
        return super().get_save_return_url(model, is_created)

    def render(self, template, **kwargs):
        case = kwargs.get("model")
        if template == self.details_template and case is not None:
            kwargs.update(self._details_context(case))
        return super().render(template, **kwargs)

    def _details_context(self, case: Case) -> dict:
        user = current_user
        timeline = db.session.scalars(
            sa.select(CaseEvent).options(joinedload(CaseEvent.actor))
            .where(CaseEvent.case_id == case.id, visible_to(CaseEvent, user))
            .order_by(CaseEvent.at, CaseEvent.id)).all()
        attachments = db.session.scalars(
            sa.select(Attachment).where(Attachment.case_id == case.id,
                                        visible_to(Attachment, user))
            .order_by(Attachment.uploaded_at, Attachment.id)).all()
        by_event = defaultdict(list)
        for file in attachments:
            by_event[file.event_id].append(file)
        escalations = db.session.scalars(
            sa.select(Escalation).where(Escalation.case_id == case.id,
                                        visible_to(Escalation, user))
            .order_by(Escalation.escalated_at, Escalation.id)).all()
        actions = allowed_case_actions(case, user)
        writes = user.role in self.write_roles
        return {
            "timeline": timeline, "attachments": attachments, "files_by_event": by_event,
            "action_labels": CASE_ACTIONS, "state_labels": CASE_STATES,
            "case_actions": actions,
            "escalations": [(e, allowed_escalation_actions(e, user), due_mark(e))
                            for e in escalations],
            "escalation_labels": ESCALATION_MACHINE.action_labels,
            "escalation_states": ESCALATION_STATES,
            "firms": firms_serving(case.area_id) if "assign" in actions else [],
            "departments": db.session.scalars(sa.select(Department).order_by(Department.id))
            .all() if "escalate" in actions else [],
            "satisfaction": SATISFACTION, "required_notes": NOTE_REQUIRED,
            "duplicates": possible_duplicates(case, user) if "merge" in actions else [],
            "mediations": db.session.scalars(sa.select(Mediation).where(
                Mediation.case_id == case.id, visible_to(Mediation, user))).all()
            if user.role in MEDIATION_ROLES else [],
            "can_mediate": writes and user.role in MEDIATION_ROLES
            and case.case_type == "dispute",
            "due": due_mark(case),
        }

    @expose("/action/<int:case_id>/", methods=("POST",))
    def case_action(self, case_id):
        """One workflow step posted from the case page: note, files and the step's fields."""
        case = self.get_one(case_id)
        if case is None:
            abort(404)
        if workflow_post_ok(self, case):
            form = request.form
            action = form.get("action", "")
            into = None
            if action == "merge":
                into = self.get_one(form.get("into", ""))
            departments = [(int(i), parse_moment(form.get(f"reply_due_{i}")))
                           for i in form.getlist("department_ids") if i.isdigit()]
            label = CASE_ACTIONS.label(action)
            run_action(lambda: apply_case_action(
                case, action, current_user, files=request.files.getlist("attachments"),
                note=form.get("note"), assignee_kind=form.get("assignee_kind"),
                firm_id=form.get("firm_id"), deadline=parse_moment(form.get("deadline")),
                departments=departments, satisfaction=form.get("satisfaction"), into=into),
                f"已办理“{label}”。")
        return redirect(url_for(".details_view", id=case_id))

    @expose("/file/<int:attachment_id>/")
    def download(self, attachment_id):
        """A case file as a download only: scoped, never rendered inline by the browser."""
        attachment = db.session.scalar(sa.select(Attachment).where(
            Attachment.id == attachment_id, visible_to(Attachment, current_user)))
        if attachment is None:
            abort(404)
        try:
            response = send_file(attachment_path(attachment.stored_filename),
                                 mimetype=attachment.mime_type, as_attachment=True,
                                 download_name=attachment.original_filename, max_age=0)
        except FileNotFoundError:
            abort(404)
        response.headers["Content-Disposition"] = (
            f"attachment; filename*=UTF-8''{quote(attachment.original_filename)}")
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Cache-Control"] = "private, no-store"
        return response


class CaseEventView(SafetyView):
    """The timeline, read-only: only the case workflow writes it."""

    # Five steps a case: a count of every step in scope tells a clerk nothing it costs to say.
    count_on_home = False

    write_roles = NOBODY
    column_list = ("case", "at", "action", "from_state", "to_state", "actor", "note")
    column_searchable_list = ("note", "case.number")
    column_filters = ("action", "to_state", "at", "case.number")
    column_sortable_list = ("at", "action")
    column_default_sort = ("at", True)


class EscalationView(SafetyView):
    """Escalations to departments; the whistle, the reports for duty and the replies are
    workflow steps taken on the case page."""

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

    @expose("/action/<int:escalation_id>/", methods=("POST",))
    def escalation_action(self, escalation_id):
        escalation = self.get_one(escalation_id)
        if escalation is None:
            abort(404)
        if workflow_post_ok(self, escalation):
            form = request.form
            action = form.get("action", "")
            label = ESCALATION_MACHINE.action_labels.get(action, action)
            run_action(lambda: apply_escalation_action(
                escalation, action, current_user, files=request.files.getlist("attachments"),
                note=form.get("note"), reply_due=parse_moment(form.get("reply_due"))),
                f"已办理“{label}”。")
        return redirect(url_for("case.details_view", id=escalation.case_id))


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

    def create_form(self, obj=None):
        form = super().create_form(obj)
        # "记录调解" on a case page opens this form for that case (if the user may see it).
        case_id = request.args.get("case_id", "")
        if request.method == "GET" and case_id.isdigit():
            case = db.session.scalar(sa.select(Case).where(
                Case.id == int(case_id), visible_to(Case, current_user)))
            if case is not None:
                form.case.data, form.area.data = case, case.area
        return form


class AttachmentView(SafetyView):
    """Files of cases, listed read-only; they are uploaded with intake and workflow steps."""

    count_on_home = False

    write_roles = NOBODY
    export_roles = PERSONAL_EXPORT_ROLES
    column_list = ("case", "original_filename", "mime_type", "size_bytes", "uploaded_by",
                   "uploaded_at")
    column_details_exclude_list = ("stored_filename",)
    column_searchable_list = ("original_filename", "case.number")
    column_filters = ("mime_type", "uploaded_at", "case.number")
    column_sortable_list = ("uploaded_at", "original_filename", "size_bytes")
    column_default_sort = ("uploaded_at", True)
    column_formatters = {"original_filename": lambda v, c, m, n: Markup(
        '<a href="{}">{}</a>').format(url_for("case.download", attachment_id=m.id),
                                      m.original_filename)}


def _not_offered(label: str) -> str:
    return f"所选{label}不在您的管辖范围内，或没有未办结的吹哨事项；已显示全部{label}。"


class EscalationBoardView(ScopedBaseView):
    """吹哨报到看板: open escalations by department and by community, overdue first.

    The group counts cover every open escalation in the user's scope (narrowed to the department
    and community chosen); the rows come a page at a time. Two queries whatever the scope.
    """

    read_roles = BOARD_ROLES

    @dataclass
    class Group:
        """A department's or a community's open escalations: counted, and those of the page."""

        id: int
        name: str
        count: int = 0
        overdue: int = 0
        rows: list = field(default_factory=list)

    @expose("/")
    def index(self):
        # Escalation.open_deadline runs until the reply: a replied escalation is never overdue.
        overdue = sa.and_(Escalation.state.in_(("sent", "accepted")),
                          Escalation.reply_due < local_now())
        scoped = open_escalations(current_user)
        cells = db.session.execute(
            scoped.order_by(None).with_only_columns(
                Department.id.label("department_id"), Department.name.label("department"),
                Community.id.label("community_id"), Community.name.label("community"),
                sa.func.count().label("count"),
                sa.func.sum(sa.case((overdue, 1), else_=0)).label("overdue"))
            .select_from(Escalation)
            .join(Department, Department.id == Escalation.department_id)
            .join(Case, Case.id == Escalation.case_id)
            .join(ManagementArea, ManagementArea.id == Case.area_id)
            .join(Community, Community.id == ManagementArea.community_id)
            .group_by(Department.id, Department.name, Community.id, Community.name)).all()
        departments = self._groups(cells, "department")
        communities = self._groups(cells, "community")
        department = self.chosen("department", departments, _not_offered("部门"))
        community = self.chosen("community", communities, _not_offered("社区"))
        cells = [c for c in cells if department in (None, c.department_id)
                 and community in (None, c.community_id)]
        total = sum(c.count for c in cells)
        page, pages = self.page_of(total)

        query = scoped.order_by(Escalation.id)
        if department is not None:
            query = query.where(Escalation.department_id == department)
        if community is not None:
            query = query.where(Escalation.case_id.in_(
                sa.select(Case.id).join(ManagementArea, ManagementArea.id == Case.area_id)
                .where(ManagementArea.community_id == community)))
        # The page's ids first, from the escalation table alone: only they are joined to
        # their case, area and community.
        page_ids = (query.with_only_columns(Escalation.id).limit(self.page_size)
                    .offset(page * self.page_size).subquery())
        rows = db.session.scalars(
            open_escalations().order_by(Escalation.id)
            .where(Escalation.id.in_(sa.select(page_ids.c.id)))
            .options(joinedload(Escalation.case).joinedload(Case.area)
                     .joinedload(ManagementArea.community))).unique().all()

        def board(kind, of_row):
            # Groups with overdue items first, then by name; rows keep the overdue-first order.
            groups = self._groups(cells, kind)
            for escalation in rows:
                key, name = of_row(escalation)
                # One sent after the counts were taken still shows, in a group of its own.
                groups.setdefault(key, self.Group(key, name)).rows.append(escalation)
            return sorted(groups.values(), key=lambda group: (-group.overdue, group.name))

        def board_url(page=0, **narrowed):
            # Paging keeps the narrowing; narrowing further starts again at the first page.
            chosen = {"department": department, "community": community, **narrowed}
            return url_for(".index", page=page or None, **chosen)

        return self.render(
            "admin/escalation_board.html", rows=rows, marks={e.id: due_mark(e) for e in rows},
            states=ESCALATION_STATES,
            by_department=board("department", lambda e: (e.department_id, e.department.name)),
            by_community=board("community", lambda e: (e.case.area.community_id,
                                                       e.case.area.community.name)),
            departments=departments, communities=communities, department=department,
            community=community, total=total, overdue=sum(c.overdue for c in cells),
            page=page, pages=pages, page_size=self.page_size, board_url=board_url)

    @classmethod
    def _groups(cls, cells, kind: str) -> dict:
        """{id: Group} of the departments or communities (`kind`) among `cells`, by name."""
        groups = {}
        for cell in cells:
            key = getattr(cell, f"{kind}_id")
            group = groups.setdefault(key, cls.Group(key, getattr(cell, kind)))
            group.count += cell.count
            group.overdue += cell.overdue
        return dict(sorted(groups.items(), key=lambda item: item[1].name))

def register(admin: Admin) -> None:
    admin.add_view(CaseView(Case, name="案件受理", category=CATEGORY, endpoint="case"))
    admin.add_view(EscalationView(Escalation, name="吹哨报到", category=CATEGORY,
                                  endpoint="escalation"))
    admin.add_view(EscalationBoardView(name="吹哨报到看板", category=CATEGORY,
                                       endpoint="escalation_board"))
    admin.add_view(CaseEventView(CaseEvent, name="办理过程", category=CATEGORY,
                                 endpoint="case_event"))
    admin.add_view(AttachmentView(Attachment, name="案件附件", category=CATEGORY,
                                  endpoint="attachment"))
    admin.add_view(MediationView(Mediation, name="纠纷调解", category=CATEGORY,
                                 endpoint="mediation"))
    admin.add_view(PatrolView(Patrol, name="日常巡查", category=CATEGORY, endpoint="patrol"))
    admin.add_view(HazardView(Hazard, name="险情与安全隐患", category=CATEGORY,
                              endpoint="hazard"))
