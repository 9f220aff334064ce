"""物业费: fee arrears, collection actions and litigation referrals."""
from __future__ import annotations

from flask_admin import Admin
from sqlalchemy.orm import joinedload

from models import db
from models.fees import (
    ARREAR_STATUSES, COLLECTION_OUTCOMES, DECISION_WITHOUT_DATE, LITIGATION_OUTCOMES,
    PAID_OVER_OWED, PROMISE_WITHOUT_DATE, CollectionAction, FeeArrear, LitigationReferral,
)
from models.places import Building, Household

from .base import PERSONAL_EXPORT_ROLES, ScopedModelView, status_badge

CATEGORY = "物业费"
# Firms collect their own fees (DOMAIN.md §1), so they write alongside the street and communities.
COLLECTORS = frozenset({"admin", "street", "community", "firm"})
LITIGANTS = frozenset({"admin", "street", "firm"})
ARREAR_LOOKUP = {"fields": ("room", "owner_name"), "page_size": 20}


def _add_error(field, message: str) -> None:
    field.errors = list(field.errors) + [message]


# What an arrear's list row prints: its household (whose name walks building → area) and area.
ARREAR_PLACE = (
    joinedload(FeeArrear.household).joinedload(Household.building).joinedload(Building.area),
    joinedload(FeeArrear.area),
)


class FeeArrearView(ScopedModelView):
    """Arrears per household and period; the area always follows the household."""

    write_roles = COLLECTORS
    export_roles = PERSONAL_EXPORT_ROLES
    column_list = ("household", "household.owner_name", "area", "firm", "period_start",
                   "period_end", "amount_owed", "amount_paid", "balance", "status")
    column_labels = {"household.owner_name": "业主姓名", "balance": "未缴余额（元）",
                     "area.name": "物业管理区域", "firm.name": "物业服务企业",
                     "household.room": "房号"}
    column_searchable_list = ("household.room", "household.owner_name", "notes")
    column_filters = ("status", "area.name", "firm.name", "period_start", "period_end",
                      "amount_owed")
    column_sortable_list = (("household", "household.room"), ("area", "area.name"),
                            ("firm", "firm.name"), "period_start", "period_end",
                            "amount_owed", "amount_paid", "balance", "status")
    column_default_sort = ("period_start", True)
    column_formatters = {"status": status_badge(ARREAR_STATUSES)}
    column_details_list = ("household", "household.owner_name", "area", "firm", "period_start",
                           "period_end", "amount_owed", "amount_paid", "balance", "status",
                           "notes", "created_at", "updated_at")
    form_columns = ("household", "firm", "period_start", "period_end", "amount_owed",
                    "amount_paid", "status", "notes")
    form_ajax_refs = {"household": {"fields": ("room", "owner_name"), "page_size": 20}}

    def get_query(self):
        return super().get_query().options(*ARREAR_PLACE)

    def validate_form(self, form):
        valid = super().validate_form(form)
        if "amount_paid" in form and "amount_owed" in form:
            owed, paid = form.amount_owed.data, form.amount_paid.data
            if owed is not None and paid is not None and paid > owed:
                _add_error(form.amount_paid, PAID_OVER_OWED)
                valid = False
        return valid

    def on_model_change(self, form, model, is_created):
        # The area is never chosen: it is the area of the household's building. No autoflush:
        # the new row must not reach the database before it has its area.
        with db.session.no_autoflush:
            model.area = model.household.building.area
        super().on_model_change(form, model, is_created)


class CollectionActionView(ScopedModelView):
    """Collection attempts on arrears: channel, outcome and what was paid."""

    write_roles = COLLECTORS
    column_list = ("arrear", "arrear.area", "channel", "acted_on", "actor", "outcome",
                   "amount_paid", "promised_on")
    column_labels = {"arrear.area": "物业管理区域", "arrear.area.name": "物业管理区域"}
    column_searchable_list = ("actor", "note")
    column_filters = ("channel", "outcome", "acted_on", "promised_on", "arrear.area.name")
    column_sortable_list = ("channel", "acted_on", "actor", "outcome", "amount_paid",
                            "promised_on")
    column_default_sort = ("acted_on", True)
    column_formatters = {"outcome": status_badge(COLLECTION_OUTCOMES)}
    form_columns = ("arrear", "channel", "acted_on", "actor", "outcome", "amount_paid",
                    "promised_on", "note")
    form_ajax_refs = {"arrear": ARREAR_LOOKUP}

    def get_query(self):
        return super().get_query().options(
            joinedload(CollectionAction.arrear).options(*ARREAR_PLACE))

    def validate_form(self, form):
        valid = super().validate_form(form)
        if "outcome" in form and form.outcome.data == "promised" and not form.promised_on.data:
            _add_error(form.promised_on, PROMISE_WITHOUT_DATE)
            valid = False
        return valid


class LitigationReferralView(ScopedModelView):
    """Arrears taken to court by the firm that served, with the evidence and the outcome."""

    write_roles = LITIGANTS
    column_list = ("arrear", "arrear.area", "firm", "referred_on", "court", "case_number",
                   "filed_on", "hearing_on", "outcome", "decided_on", "amount_awarded",
                   "credit_record")
    column_labels = {"arrear.area": "物业管理区域", "arrear.area.name": "物业管理区域"}
    column_searchable_list = ("case_number", "court", "notes")
    column_filters = ("outcome", "referred_on", "filed_on", "decided_on", "small_claims",
                      "joint_hearing", "credit_record", "arrear.area.name")
    column_sortable_list = ("referred_on", "case_number", "filed_on", "hearing_on", "outcome",
                            "decided_on", "amount_awarded")
    column_default_sort = ("referred_on", True)
    column_formatters = {"outcome": status_badge(LITIGATION_OUTCOMES)}
    # The plaintiff is always the firm the arrear was owed to; it is not chosen.
    form_columns = ("arrear", "referred_on", "court", "has_contract", "has_area_proof",
                    "has_notice_delivery", "has_ledger", "has_service_records",
                    "green_channel", "small_claims", "joint_hearing", "case_number",
                    "filed_on", "hearing_on", "outcome", "decided_on", "amount_awarded",
                    "credit_record", "notes")
    form_ajax_refs = {"arrear": ARREAR_LOOKUP}

    def get_query(self):
        return super().get_query().options(
            joinedload(LitigationReferral.arrear).options(*ARREAR_PLACE),
            joinedload(LitigationReferral.firm))

    def validate_form(self, form):
        valid = super().validate_form(form)
        if ("outcome" in form and form.outcome.data in ("judgement", "settlement")
                and not form.decided_on.data):
            _add_error(form.decided_on, DECISION_WITHOUT_DATE)
            valid = False
        return valid

    def on_model_change(self, form, model, is_created):
        with db.session.no_autoflush:
            model.firm = model.arrear.firm
        super().on_model_change(form, model, is_created)


def register(admin: Admin) -> None:
    admin.add_view(FeeArrearView(FeeArrear, name="欠费台账", category=CATEGORY,
                                 endpoint="fee_arrear"))
    admin.add_view(CollectionActionView(CollectionAction, name="催缴记录", category=CATEGORY,
                                        endpoint="collection_action"))
    admin.add_view(LitigationReferralView(LitigationReferral, name="诉讼移交", category=CATEGORY,
                                          endpoint="litigation"))
