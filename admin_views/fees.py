"""物业费: fee arrears, collection actions and litigation referrals."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from flask import request, url_for
from flask_admin import Admin, expose
from flask_admin.contrib.sqla.filters import FilterEqual
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.orm import joinedload
from wtforms.validators import ValidationError

from models import db
from models.fees import (
    ARREAR_STATUSES, COLLECTION_OUTCOMES, DECISION_WITHOUT_DATE, LITIGATION_OUTCOMES,
    PAID_OVER_OWED, PROMISE_WITHOUT_DATE, STATUS_AFTER_REFERRAL, CollectionAction,
    CollectionError, FeeArrear, LitigationReferral, collection_result, litigation_obstacles,
)
from models.orgs import PropertyFirm
from models.places import Building, Community, Household, ManagementArea
from models.scoping import visible_to

from .base import PERSONAL_EXPORT_ROLES, ScopedBaseView, ScopedModelView, status_badge

CATEGORY = "物业费"
# Firms collect their own fees (DOMAIN.md §1), so they write alongside the street and communities.
COLLECTORS = frozenset({"admin", "street", "community", "firm"})
LITIGANTS = frozenset({"admin", "street", "firm"})
ARREAR_LOOKUP = {"fields": ("room", "owner_name"), "page_size": 20}
MOVED_ACTION = "催缴记录不能改挂到其他欠费记录；请删除后在正确的欠费记录下重新登记。"
PAID_ACTION_DELETED = "已记录缴费的催缴记录不能删除；如金额有误，请修改本次缴纳金额。"
MOVED_REFERRAL = "诉讼移交不能改挂到其他欠费记录。"


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

    def on_model_change(self, form, model, is_created):
        # The action's payment and outcome move its arrear; collection_result decides how.
        with db.session.no_autoflush:
            state = sa.inspect(model)
            if not is_created and state.attrs.arrear.history.deleted:
                raise ValidationError(MOVED_ACTION)
            # An edited action replaces what it paid before, so that is taken off first.
            replaced = state.attrs.amount_paid.history.deleted
            if is_created:
                earlier = Decimal(0)
            else:
                earlier = (replaced[0] if replaced else model.amount_paid) or Decimal(0)
            arrear = model.arrear
            try:
                arrear.amount_paid, arrear.status = collection_result(
                    arrear.amount_owed, arrear.amount_paid - earlier, arrear.status,
                    model.amount_paid or Decimal(0), model.outcome)
            except CollectionError as error:
                raise ValidationError(str(error)) from error
        super().on_model_change(form, model, is_created)

    def on_model_delete(self, model):
        if model.amount_paid:
            raise ValidationError(PAID_ACTION_DELETED)
        super().on_model_delete(model)


class LitigationReferralView(ScopedModelView):
    """Arrears taken to court by the firm that served, with the evidence and the outcome."""

    write_roles = LITIGANTS
    column_list = ("arrear", "arrear.area", "firm", "referred_on", "court", "case_number",
                   "filed_on", "hearing_on", "outcome", "decided_on", "amount_awarded",
                   "credit_record", "missing_evidence")
    column_labels = {"arrear.area": "物业管理区域", "arrear.area.name": "物业管理区域",
                     "missing_evidence": "缺少的证据"}
    column_searchable_list = ("case_number", "court", "notes")
    column_filters = ("outcome", "referred_on", "filed_on", "decided_on", "small_claims",
                      "joint_hearing", "credit_record", "arrear.area.name")
    column_sortable_list = ("referred_on", "case_number", "filed_on", "hearing_on", "outcome",
                            "decided_on", "amount_awarded")
    column_default_sort = ("referred_on", True)
    column_formatters = {"outcome": status_badge(LITIGATION_OUTCOMES),
                         "missing_evidence": lambda v, c, m, n: "、".join(m.missing_evidence)
                         or "齐全"}
    column_details_list = ("arrear", "arrear.area", "firm", "referred_on", "court",
                           "missing_evidence", "has_contract", "has_area_proof",
                           "has_notice_delivery", "has_ledger", "has_service_records",
                           "green_channel", "small_claims", "joint_hearing", "case_number",
                           "filed_on", "hearing_on", "outcome", "decided_on", "amount_awarded",
                           "credit_record", "notes", "created_at", "updated_at")
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
        # Only a new referral is checked: once referred, the arrear is no longer "refused".
        arrear = form.arrear.data if "arrear" in form else None
        if request.endpoint == f"{self.endpoint}.create_view" and arrear is not None:
            with db.session.no_autoflush:
                obstacles = litigation_obstacles(arrear)
            for reason in obstacles:
                _add_error(form.arrear, reason)
            valid = valid and not obstacles
        return valid

    def on_model_change(self, form, model, is_created):
        with db.session.no_autoflush:
            if not is_created and sa.inspect(model).attrs.arrear.history.deleted:
                raise ValidationError(MOVED_REFERRAL)
            model.firm = model.arrear.firm
            model.arrear.status = STATUS_AFTER_REFERRAL[model.outcome]
        super().on_model_change(form, model, is_created)

    def on_model_delete(self, model):
        # Without its referral the arrear is back where it was: the owner refuses.
        model.arrear.status = "refused"
        super().on_model_delete(model)


class CollectionRateView(ScopedBaseView):
    """物业费收缴率: collected ÷ owed per area and per firm, over the arrears the user sees.

    The firm table covers every arrear in the scope (or in the community chosen); the area rows
    come a page at a time. Three queries whatever the scope.
    """

    @expose("/")
    def index(self):
        owed = sa.func.sum(FeeArrear.amount_owed).label("owed")
        paid = sa.func.sum(FeeArrear.amount_paid).label("paid")
        visible = visible_to(FeeArrear, current_user)
        # The area table lists one row per area and firm: count those per community.
        pairs = (sa.select(ManagementArea.community_id).select_from(FeeArrear)
                 .join(ManagementArea, ManagementArea.id == FeeArrear.area_id).where(visible)
                 .group_by(FeeArrear.area_id, FeeArrear.firm_id, ManagementArea.community_id)
                 .subquery())
        communities = {c.id: (c.name, c.rows) for c in db.session.execute(
            sa.select(Community.id, Community.name, sa.func.count().label("rows"))
            .join(pairs, pairs.c.community_id == Community.id)
            .group_by(Community.id, Community.name).order_by(Community.name, Community.id))}
        community = self.chosen("community", communities,
                                "所选社区不在您的管辖范围内，或没有欠费记录；已显示全部社区。")
        if community is not None:
            visible = sa.and_(visible, FeeArrear.area_id.in_(
                sa.select(ManagementArea.id).where(ManagementArea.community_id == community)))
        total = sum(rows for key, (_, rows) in communities.items() if community in (None, key))
        page, pages = self.page_of(total)

        by_area = db.session.execute(
            sa.select(ManagementArea.name.label("area"), PropertyFirm.name.label("firm"),
                      sa.func.count().label("arrears"), owed, paid)
            .join(ManagementArea, ManagementArea.id == FeeArrear.area_id)
            .join(PropertyFirm, PropertyFirm.id == FeeArrear.firm_id)
            .where(visible).group_by(ManagementArea.id, ManagementArea.name, PropertyFirm.id,
                                     PropertyFirm.name)
            .order_by(ManagementArea.name, PropertyFirm.name, ManagementArea.id, PropertyFirm.id)
            .limit(self.page_size).offset(page * self.page_size)).all()
        by_firm = db.session.execute(
            sa.select(PropertyFirm.name.label("firm"), sa.func.count().label("arrears"),
                      sa.func.count(sa.distinct(FeeArrear.area_id)).label("areas"), owed, paid)
            .join(PropertyFirm, PropertyFirm.id == FeeArrear.firm_id)
            .where(visible).group_by(PropertyFirm.id, PropertyFirm.name)
            .order_by(PropertyFirm.name)).all()

        def rate_url(page=0):
            # Paging keeps the community chosen.
            return url_for(".index", page=page or None, community=community)

        return self.render("admin/fees_collection_rate.html", by_area=by_area, by_firm=by_firm,
                           rate=collection_rate, arrears_url=self._arrears_url,
                           communities=communities, community=community, total=total,
                           page=page, pages=pages, page_size=self.page_size, rate_url=rate_url)

    def _arrears_url(self, area: str | None = None, firm: str | None = None) -> str:
        """The arrears list filtered to one area and/or one firm."""
        arrears = next(v for v in self.admin._views if isinstance(v, FeeArrearView))
        wanted = ((ManagementArea.__table__.c.name, area), (PropertyFirm.__table__.c.name, firm))
        args = {}
        for index, flt in enumerate(arrears._filters or ()):
            for column, value in wanted:
                if type(flt) is FilterEqual and flt.column is column and value is not None:
                    args[f"flt{len(args)}_{arrears.get_filter_arg(index, flt)}"] = value
        return url_for(f"{arrears.endpoint}.index_view", **args)


def collection_rate(owed, paid) -> Markup:
    """“87.5%”, or a dash when nothing was owed."""
    if not owed:
        return Markup("—")
    percent = (Decimal(paid or 0) * 100 / Decimal(owed)).quantize(Decimal("0.1"), ROUND_HALF_UP)
    return Markup("{}%").format(percent)


def register(admin: Admin) -> None:
    admin.add_view(FeeArrearView(FeeArrear, name="欠费台账", category=CATEGORY,
                                 endpoint="fee_arrear"))
    admin.add_view(CollectionActionView(CollectionAction, name="催缴记录", category=CATEGORY,
                                        endpoint="collection_action"))
    admin.add_view(LitigationReferralView(LitigationReferral, name="诉讼移交", category=CATEGORY,
                                          endpoint="litigation"))
    admin.add_view(CollectionRateView(name="物业费收缴率", category=CATEGORY,
                                      endpoint="fee_collection_rate"))
