"""物业服务: service contracts, handovers, fallback management, inspections, satisfaction."""
from __future__ import annotations


import sqlalchemy as sa
from flask import flash, request
from flask_admin import Admin
from flask_admin.contrib.sqla.filters import BaseSQLAFilter
from flask_admin.form import rules
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import joinedload
from wtforms.validators import ValidationError

from models.base import local_today
from models import db
from models.contracts import (
    CONTRACT_KINDS, CONTRACT_STATUSES, EXPIRY_WARNING_DAYS, FILING_STATUSES, ServiceContract,
    filing_problems, selection_problems,
)
from models.places import ManagementArea
from models.scoping import visible_to
from models.service import (
    FALLBACK_STATUSES, HANDOVER_STATUSES, INSPECTION_STATUSES, SIGNATORIES, WITNESS_COLUMNS,
    FallbackArrangement, HandoverInspection, HandoverItem, InspectionItem, ModeChangeRefused,
    SatisfactionSurvey, ServiceInspection, contract_in_force, fallback_in_force, firm_serves,
    has_owners_assembly, record_mode_change, refresh_total_score,
)

from .base import WRITE_ROLES, ScopedModelView, status_badge

CATEGORY = "物业服务"
# Firms record the handovers of the areas they serve; everything else here they only read.
FIRM_WRITES = WRITE_ROLES | {"firm"}
TIMESTAMPS = ("created_at", "updated_at")


FIRM_READ_ONLY = "贵企业已不再服务该区域，只能查看本企业的退出交接记录，不能修改。"


def refuse_firm_writes(area_id) -> None:
    """A firm writes handover records only in areas it serves today (not after it left)."""
    if not firm_serves(current_user.firm_id, area_id, local_today()):
        raise ValidationError(FIRM_READ_ONLY)


def _data(form, name):
    return form[name].data if name in form else None


def _scoped_contracts():
    """Contract choices in the user's scope, loaded with the names their labels show."""
    return (db.session.query(ServiceContract)
            .options(joinedload(ServiceContract.area), joinedload(ServiceContract.firm))
            .filter(visible_to(ServiceContract, current_user))
            .order_by(ServiceContract.start_on.desc()))


def _previous(model, name):
    """The value `name` had when the row was loaded (None for a new row)."""
    history = sa.inspect(model).attrs[name].history
    before = history.deleted or history.unchanged
    return before[0] if before else None


def _mode_change(area, event, day, reason, **facts):
    """Record a service-mode event from a screen; a refusal becomes the form's message."""
    try:
        return record_mode_change(area, event, day, reason, **facts)
    except ModeChangeRefused as refusal:
        raise ValidationError(str(refusal)) from refusal


class TodayFilter(BaseSQLAFilter):
    """A yes-only list filter whose condition depends on today's date (deadlines, expiries)."""

    def __init__(self, column, name, condition):
        super().__init__(column, name, options=(("1", "是"),))
        self.condition = condition

    def apply(self, query, value, alias=None):
        return query.filter(self.condition(local_today()))

    def operation(self):
        return "为"


class RenderedByTemplate(rules.BaseRule):
    """Keeps a field the template renders by itself (the CSRF token) in a custom rule set.

    Without it Flask-Admin drops `csrf_token` from forms that declare `form_rules`.
    """

    def __init__(self, name: str):
        super().__init__()
        self.name = name

    @property
    def visible_fields(self):
        return [self.name]

    def __call__(self, form, form_opts=None, field_args=None):
        return ""


class ServiceModelView(ScopedModelView):
    """Adds this area's form checks: a flag and its date go together, plus each view's rules."""

    def form_problems(self, form):
        """(field name, Chinese message) pairs for the rules a single column cannot state."""
        return ()

    def validate_form(self, form):
        valid = super().validate_form(form)
        if request.method != "POST" or not hasattr(form, "_fields"):
            return valid
        problems = []
        for constraint in self.model.__table__.constraints:
            flag, day = constraint.info.get("flag_date", (None, None))
            if flag not in form or day not in form:
                continue
            if form[day].data and not form[flag].data:
                # A dated signature or fix is one, whether or not the box was ticked.
                form[flag].data = True
            elif form[flag].data and not form[day].data:
                problems.append((day, f"勾选“{form[flag].label.text}”时须填写"
                                      f"“{form[day].label.text}”。"))
        problems.extend(self.form_problems(form))
        for name, message in problems:
            form[name].errors = list(form[name].errors) + [message]
        return valid and not problems


def _contract_end(view, context, model, name):
    """The end date, with a warning badge when the contract ends within 90 days."""
    if model.end_on is None:
        return ""
    left = model.days_left(local_today())
    if left is None or left > EXPIRY_WARNING_DAYS:
        return str(model.end_on)
    return Markup('{} <span class="badge badge-warning" title="请提前组织续聘或重新选聘">'
                  '{}天后到期</span>').format(model.end_on, left)


class ServiceContractView(ServiceModelView):
    """Contracts are supervised by the street and recorded by communities; firms read theirs.

    A contract saved as in force on or after its start makes the area professionally served.
    """

    expiring_filter = TodayFilter(ServiceContract.end_on, f"{EXPIRY_WARNING_DAYS}日内到期",
                                  ServiceContract.ending_soon)
    column_list = ("area", "firm", "kind", "selection_method", "start_on", "end_on",
                   "fee_residential", "publicized_on", "filing_status", "status")
    column_searchable_list = ("area.name", "firm.name", "approval_number", "developer_name",
                              "filing_number")
    column_filters = (expiring_filter, "kind", "selection_method", "filing_status", "status",
                      "end_on", "start_on", "submitted_on", "filed_on", "area.name",
                      "firm.name")
    column_sortable_list = (("area", "area.name"), ("firm", "firm.name"), "kind",
                            "selection_method", "start_on", "end_on", "fee_residential",
                            "publicized_on", "filing_status", "status")
    column_default_sort = ("start_on", True)
    form_columns = ("area", "firm", "kind", "selection_method", "approval_number", "approval_on",
                    "tender_notice_number", "developer_name", "developer_credit_code",
                    "signed_on", "start_on", "end_on", "billing_mode", "fee_residential",
                    "fee_commercial", "service_level", "service_items", "publicized_on",
                    "filing_status", "submitted_on", "filed_on", "filing_number",
                    "filing_remarks", "status")
    form_args = {
        "selection_method": {"description": "前期物业服务合同：招标，或建筑面积不超过三万平方米"
                                            "且经市城市管理行政执法局批准的协议选聘；"
                                            "物业服务合同：业主大会选聘。"},
        "publicized_on": {"description": "服务事项和收费标准在小区显著位置公示的日期。"},
    }
    column_details_list = form_columns + TIMESTAMPS
    column_formatters = {"status": status_badge(CONTRACT_STATUSES),
                         "filing_status": status_badge(FILING_STATUSES),
                         "end_on": _contract_end}

    def form_problems(self, form):
        area = _data(form, "area")
        yield from selection_problems(
            _data(form, "kind"), _data(form, "selection_method"),
            area.floor_area if area is not None else None, _data(form, "approval_number"),
            _data(form, "approval_on"), area is not None and has_owners_assembly(area.id))
        yield from filing_problems(_data(form, "filing_status"), _data(form, "submitted_on"),
                                   _data(form, "filed_on"))
        if _data(form, "status") == "active" and not _data(form, "publicized_on"):
            yield "publicized_on", "履行中的合同须填写服务事项和收费标准的公示日期。"

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        today = local_today()
        if model.status == "active" and model.start_on <= today and (
                model.end_on is None or model.end_on >= today):
            _mode_change(model.area, "contract_started", model.start_on,
                         f"{model.firm.name}{CONTRACT_KINDS.label(model.kind)}"
                         f"自{model.start_on}起履行")


class HandoverInspectionView(ServiceModelView):
    """Takeover inspections and exit handovers; the firm serving the area records them too."""

    write_roles = FIRM_WRITES
    column_list = ("area", "kind", "outgoing_party", "incoming_party", "inspected_on", "status",
                   "outgoing_signed", "incoming_signed", "committee_signed", "street_signed",
                   "community_signed")
    column_searchable_list = ("area.name", "outgoing_party", "incoming_party")
    column_filters = ("kind", "status", "inspected_on", "exit_deadline", "area.name",
                      "outgoing_kind", "incoming_kind")
    column_sortable_list = (("area", "area.name"), "kind", "outgoing_party", "incoming_party",
                            "inspected_on", "status")
    column_default_sort = ("inspected_on", True)
    column_formatters = {"status": status_badge(HANDOVER_STATUSES)}
    form_columns = (
        "area", "contract", "kind", "outgoing_kind", "outgoing_party", "incoming_kind",
        "incoming_party", "inspected_on", "scope", "method", "conclusion", "status",
        *(column for flag, day, _ in SIGNATORIES for column in (flag, day)),
        "contract_end_on", "exit_deadline", "service_room_location", "service_room_area",
        "service_room_keys_returned", "prepaid_fees", "deposits", "shared_income",
        "collected_balance", "open_matters", "open_matters_deadline", "notes")
    form_rules = (
        rules.FieldSet(("area", "contract", "kind", "outgoing_kind", "outgoing_party",
                        "incoming_kind", "incoming_party", "inspected_on", "scope", "method",
                        "conclusion", "status"), "基本情况"),
        rules.FieldSet(tuple(column for flag, day, _ in SIGNATORIES for column in (flag, day)),
                       "签字确认与见证"),
        rules.FieldSet(("contract_end_on", "exit_deadline", "service_room_location",
                        "service_room_area", "service_room_keys_returned", "prepaid_fees",
                        "deposits", "shared_income", "collected_balance", "open_matters",
                        "open_matters_deadline"), "退出交接（仅退出交接填写）"),
        rules.FieldSet(("notes",), "其他"),
        RenderedByTemplate("csrf_token"),
    )
    form_args = {"contract": {"query_factory": _scoped_contracts}}
    column_details_list = form_columns + TIMESTAMPS

    def form_problems(self, form):
        contract, area = _data(form, "contract"), _data(form, "area")
        if contract is not None and area is not None and contract.area_id != area.id:
            yield "contract", "所选服务合同不属于该物业管理区域。"
        if _data(form, "status") == "signed_off" and not (
                _data(form, "outgoing_signed") and _data(form, "incoming_signed")):
            yield "status", "状态为“已签字确认”时，移交方和接收方均须已签字。"
        if _data(form, "kind") == "exit":
            if not _data(form, "contract_end_on"):
                yield "contract_end_on", "退出交接须填写合同终止日期。"
            if not _data(form, "exit_deadline"):
                yield "exit_deadline", "退出交接须填写退出期限。"
            if not contract:
                yield "contract", "退出交接须选择退出的物业服务企业的服务合同。"
            if _data(form, "status") == "signed_off" and not (
                    _data(form, "street_signed") or _data(form, "community_signed")):
                yield "status", "退出交接须有街道或社区到场见证后，方可确认“已签字确认”。"

    def validate_form(self, form):
        valid = super().validate_form(form)
        if request.method == "POST" and current_user.role == "firm" and "id" in request.args:
            # An outgoing firm that kept read access to its exit handover cannot save it.
            row = self.get_one(request.args["id"])
            if row is not None and not firm_serves(current_user.firm_id, row.area_id,
                                                   local_today()):
                flash(FIRM_READ_ONLY, "error")
                return False
        return valid

    def on_model_change(self, form, model, is_created):
        # Read the changes before any query autoflushes them away.
        previous = None if is_created else _previous(model, "status")
        state = sa.inspect(model)
        witnessed = any(getattr(model, name) if is_created
                        else state.attrs[name].history.has_changes() for name in WITNESS_COLUMNS)
        if current_user.role == "firm":
            if witnessed:
                raise ValidationError("街道见证、社区见证栏由街道或社区填写，"
                                      "物业服务企业不能勾选或修改。")
            with db.session.no_autoflush:
                refuse_firm_writes(model.area.id if model.area else model.area_id)
        super().on_model_change(form, model, is_created)
        if model.kind == "exit" and model.status == "signed_off" and previous != "signed_off":
            self._firm_has_left(model)

    def _firm_has_left(self, model):
        """A signed-off exit ends the outgoing contract and moves the area to its next mode."""
        day = max(d for d in (model.outgoing_signed_on, model.incoming_signed_on) if d)
        if model.contract is not None and model.contract.status == "active":
            model.contract.status = "ended"
        _mode_change(model.area, "exit_handover", day,
                     f"{model.outgoing_party}退出，向{model.incoming_party}完成交接",
                     contract_in_force=contract_in_force(model.area_id, day,
                                                         excluding=model.contract_id),
                     fallback_in_force=fallback_in_force(model.area_id))

    def delete_model(self, model):
        if current_user.role == "firm" and not firm_serves(current_user.firm_id, model.area_id,
                                                           local_today()):
            flash(FIRM_READ_ONLY, "error")
            return False
        return super().delete_model(model)


class HandoverItemView(ServiceModelView):
    """The lines of handover records: documents, shared parts, facilities, keys and sums."""

    write_roles = FIRM_WRITES
    column_list = ("inspection", "seq", "category", "name", "quantity", "unit", "location",
                   "condition", "problem", "responsible_party", "deadline", "fixed")
    column_searchable_list = ("name", "problem", "responsible_party")
    column_filters = ("category", "fixed", "deadline", "inspection.inspected_on")
    column_sortable_list = ("seq", "category", "name", "deadline", "fixed")
    column_default_sort = [("inspection_id", True), ("seq", False)]
    form_columns = ("inspection", "seq", "category", "name", "quantity", "unit", "pages",
                    "copy_kind", "amount", "location", "method", "standard", "condition",
                    "problem", "responsible_party", "deadline", "fixed", "fixed_on",
                    "recheck_conclusion")
    column_details_list = form_columns + TIMESTAMPS

    def form_problems(self, form):
        if _data(form, "problem") and not _data(form, "responsible_party"):
            yield "responsible_party", "发现问题的项目须填写整改责任方。"
        if _data(form, "problem") and not _data(form, "deadline"):
            yield "deadline", "发现问题的项目须填写整改期限。"

    def on_model_change(self, form, model, is_created):
        if current_user.role == "firm" and model.inspection is not None:
            refuse_firm_writes(model.inspection.area_id)
        super().on_model_change(form, model, is_created)

    def delete_model(self, model):
        if current_user.role == "firm" and not firm_serves(
                current_user.firm_id, model.inspection.area_id, local_today()):
            flash(FIRM_READ_ONLY, "error")
            return False
        return super().delete_model(model)


class FallbackArrangementView(ServiceModelView):
    """Support units and communities keeping areas clean and repaired until a firm moves in."""

    column_list = ("area", "area.community", "support_unit", "start_on", "basic_cleaning",
                   "repairs", "end_on", "status")
    column_labels = {"area.community": "兜底社区"}
    column_searchable_list = ("area.name", "support_unit.name", "community_contact")
    column_filters = ("status", "start_on", "end_on", "basic_cleaning", "repairs",
                      "area.name", "support_unit.name")
    column_sortable_list = (("area", "area.name"), ("support_unit", "support_unit.name"),
                            "start_on", "end_on", "status")
    column_default_sort = ("start_on", True)
    column_formatters = {"status": status_badge(FALLBACK_STATUSES)}
    form_columns = ("area", "support_unit", "support_contact", "community_contact",
                    "community_phone", "start_on", "basic_cleaning", "repairs", "other_services",
                    "end_condition", "end_on", "status", "notes")
    column_details_list = ("area", "area.community", *form_columns[1:], *TIMESTAMPS)

    def on_model_change(self, form, model, is_created):
        with db.session.no_autoflush:
            other = db.session.scalar(sa.select(FallbackArrangement.id).where(
                FallbackArrangement.area_id == model.area.id,
                FallbackArrangement.status == "active", FallbackArrangement.id != model.id))
        if model.status == "active" and other is not None:
            raise ValidationError("该区域已有代管中的兜底代管安排，请先将原安排结束。")
        previous = None if is_created else _previous(model, "status")
        super().on_model_change(form, model, is_created)
        reason = f"{model.support_unit.name}包保、{model.area.community.name}兜底"
        if model.status in ("active", "ended") and previous != "active" and (
                is_created or model.status == "active"):
            _mode_change(model.area, "fallback_started", model.start_on,
                         f"{reason}，{model.end_condition or ''}",
                         contract_in_force=contract_in_force(model.area_id, model.start_on))
        if model.status == "ended" and (previous == "active" or is_created):
            _mode_change(model.area, "fallback_ended", model.end_on, f"{reason}的代管结束",
                         contract_in_force=contract_in_force(model.area_id, model.end_on))

    def get_query(self):
        # The list shows each area's community: load it with the area, not once per row.
        return super().get_query().options(
            joinedload(FallbackArrangement.area).joinedload(ManagementArea.community))

    def form_problems(self, form):
        if _data(form, "status") == "ended" and not _data(form, "end_on"):
            yield "end_on", "状态为“已结束”时须填写代管结束日期。"
        if "basic_cleaning" in form and not (_data(form, "basic_cleaning") or _data(form, "repairs")
                                             or _data(form, "other_services")):
            yield "other_services", "请至少选择或填写一项代管服务内容。"


def _rectification_deadline(view, context, model, name):
    """The deadline, marked when the findings are still open after it."""
    if model.rectification_deadline is None:
        return ""
    if not model.overdue_on(local_today()):
        return str(model.rectification_deadline)
    return Markup('{} <span class="badge badge-danger">已逾期</span>').format(
        model.rectification_deadline)


class ServiceInspectionView(ServiceModelView):
    """Supervision checks of firms; the firm reads the checks of its areas but cannot edit them."""

    column_list = ("area", "firm", "kind", "inspected_on", "inspectors", "total_score",
                   "rectification_deadline", "rectified", "status")
    column_searchable_list = ("area.name", "firm.name", "inspectors", "findings")
    column_filters = (TodayFilter(ServiceInspection.rectification_deadline, "整改逾期",
                                  ServiceInspection.overdue_condition),
                      "kind", "status", "rectified", "inspected_on", "rectification_deadline",
                      "total_score", "area.name", "firm.name")
    column_sortable_list = (("area", "area.name"), ("firm", "firm.name"), "kind", "inspected_on",
                            "total_score", "rectification_deadline", "status")
    column_default_sort = ("inspected_on", True)
    column_formatters = {"status": status_badge(INSPECTION_STATUSES),
                         "rectification_deadline": _rectification_deadline}
    form_columns = ("area", "firm", "kind", "inspected_on", "inspectors", "total_score",
                    "findings", "rectification_deadline", "rectified", "rectified_on", "status",
                    "notes")
    form_args = {"total_score": {"description": "已录入检查项目的，保存时按各项得分自动合计。"}}
    column_details_list = (*form_columns, "items", *TIMESTAMPS)

    def form_problems(self, form):
        if _data(form, "status") == "rectifying" and not _data(form, "rectification_deadline"):
            yield "rectification_deadline", "状态为“整改中”时须填写整改期限。"
        if _data(form, "findings") and not _data(form, "rectification_deadline"):
            yield "rectification_deadline", "发现问题的须填写整改期限。"
        if _data(form, "status") == "closed" and _data(form, "findings") and not _data(
                form, "rectified"):
            yield "status", "发现的问题整改完成后方可办结，请先填写整改完成日期。"

    def on_model_change(self, form, model, is_created):
        super().on_model_change(form, model, is_created)
        refresh_total_score(model.id)


class InspectionItemView(ServiceModelView):
    """Scored items of an inspection; saving or deleting one re-totals the inspection."""

    column_list = ("inspection", "name", "max_score", "score", "finding")
    column_searchable_list = ("name", "finding")
    column_filters = ("name", "score", "inspection.inspected_on")
    column_sortable_list = ("name", "max_score", "score")
    column_default_sort = [("inspection_id", True), ("id", False)]
    form_columns = ("inspection", "name", "max_score", "score", "finding")
    column_details_list = form_columns + TIMESTAMPS

    def form_problems(self, form):
        score, maximum = _data(form, "score"), _data(form, "max_score")
        if score is not None and maximum is not None and score > maximum:
            yield "score", f"得分不能超过该项满分（{maximum}分）。"

    def on_model_change(self, form, model, is_created):
        previous = sa.inspect(model).attrs.inspection.history.deleted
        super().on_model_change(form, model, is_created)
        for inspection in {*previous, model.inspection}:
            refresh_total_score(inspection.id if inspection else None)

    def delete_model(self, model):
        inspection_id = model.inspection_id
        if not super().delete_model(model):
            return False
        refresh_total_score(inspection_id)
        db.session.commit()
        return True


class SatisfactionSurveyView(ServiceModelView):
    """Owners' satisfaction per area and period; the rate is computed, never typed."""

    column_list = ("area", "firm", "period_start", "period_end", "surveyed_on", "respondents",
                   "very_satisfied", "satisfied", "neutral", "dissatisfied", "satisfaction_rate")
    column_labels = {"satisfaction_rate": "满意率"}
    column_searchable_list = ("area.name", "firm.name", "organiser")
    column_filters = ("period_start", "period_end", "surveyed_on", "area.name", "firm.name")
    column_sortable_list = (("area", "area.name"), ("firm", "firm.name"), "period_start",
                            "period_end", "surveyed_on", "respondents", "satisfaction_rate")
    column_default_sort = ("period_start", True)
    column_formatters = {"satisfaction_rate": lambda v, c, m, n: (
        f"{m.satisfaction_rate}%" if m.satisfaction_rate is not None else "")}
    column_formatters_export = {"satisfaction_rate": lambda v, c, m, n: m.satisfaction_rate}
    form_columns = ("area", "firm", "period_start", "period_end", "surveyed_on", "organiser",
                    "respondents", "very_satisfied", "satisfied", "neutral", "dissatisfied",
                    "notes")
    column_details_list = (*form_columns, "satisfaction_rate", *TIMESTAMPS)

    def form_problems(self, form):
        counts = [_data(form, name) for name in
                  ("very_satisfied", "satisfied", "neutral", "dissatisfied")]
        respondents = _data(form, "respondents")
        if respondents is not None and None not in counts and sum(counts) != respondents:
            yield "respondents", (f"非常满意、满意、一般、不满意的份数之和（{sum(counts)}）"
                                  f"须等于有效问卷份数（{respondents}）。")


def register(admin: Admin) -> None:
    admin.add_view(ServiceContractView(ServiceContract, name="服务合同", category=CATEGORY,
                                       endpoint="service_contract"))
    admin.add_view(HandoverInspectionView(HandoverInspection, name="承接查验与退出交接",
                                          category=CATEGORY, endpoint="handover"))
    admin.add_view(HandoverItemView(HandoverItem, name="查验交接明细", category=CATEGORY,
                                    endpoint="handover_item"))
    admin.add_view(FallbackArrangementView(FallbackArrangement, name="兜底代管",
                                           category=CATEGORY, endpoint="fallback"))
    admin.add_view(ServiceInspectionView(ServiceInspection, name="监督检查", category=CATEGORY,
                                         endpoint="service_inspection"))
    admin.add_view(InspectionItemView(InspectionItem, name="检查评分项目", category=CATEGORY,
                                      endpoint="inspection_item"))
    admin.add_view(SatisfactionSurveyView(SatisfactionSurvey, name="满意度测评",
                                          category=CATEGORY, endpoint="satisfaction_survey"))
