"""工作目标: the targets dashboard (the home page) and the monthly statistics report screen.

Figures come from `models.targets` for the signed-in user's scope only; a community chosen
on the page must be one of the user's own.
"""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, request, url_for
from flask_admin import Admin, expose
from flask_admin.contrib.sqla import filters as sqla_filters
from flask_login import current_user
from flask_wtf import FlaskForm

from models.base import local_today
from models import db
from models.places import Community, Street
from models.scoping import visible_to
from models.targets import month_ends, targets
from reports.charts import coverage_chart, trend_chart

from .base import ScopedBaseView, ScopedModelView

CATEGORY = "统计报表"
TARGET_ROLES = frozenset({"admin", "city", "street", "community", "firm"})
REPORT_ROLES = frozenset({"admin", "city", "street"})
REPORT_MONTHS = 24


def parse_day(text: str | None) -> date:
    """The date asked for (YYYY-MM-DD), never later than today; today when absent or invalid."""
    today = local_today()
    try:
        day = date.fromisoformat(text) if text else today
    except ValueError:
        flash("日期格式应为 YYYY-MM-DD，已按今天统计。", "warning")
        return today
    return min(day, today)


def community_in_scope(community_id) -> Community | None:
    """The chosen community if the user may see it; 404 for one outside the scope."""
    if not community_id:
        return None
    if not str(community_id).isdigit():
        abort(404)
    community = db.session.scalar(sa.select(Community).where(
        Community.id == int(community_id), visible_to(Community, current_user)))
    if community is None:
        abort(404)
    return community


def _view(admin: Admin, endpoint: str) -> ScopedModelView | None:
    return next((v for v in admin._views if isinstance(v, ScopedModelView)
                 and v.endpoint == endpoint and v.is_accessible()), None)


# Choice columns get Flask-Admin's Enum* filters, plain columns the generic ones; NotEqual and
# NotInList subclass these, so the match is on the exact class.
_FILTER_CLASSES = {
    "FilterEqual": (sqla_filters.FilterEqual, sqla_filters.EnumEqualFilter),
    "FilterInList": (sqla_filters.FilterInList, sqla_filters.EnumFilterInList),
}


def _filter_classes(operations) -> tuple:
    return tuple(cls for op in operations for cls in _FILTER_CLASSES[op])


def filtered_list_url(admin: Admin, endpoint: str, column: str, value: str,
                      operations=("FilterEqual",)) -> str | None:
    """The list of `endpoint` filtered on `column` (Flask-Admin filter URL), if the user has it."""
    view = _view(admin, endpoint)
    if view is None:
        return None
    for index, flt in enumerate(view._filters or ()):
        key = getattr(getattr(flt, "column", None), "key", None)
        if key == column and type(flt) in _filter_classes(operations):
            return url_for(f"{endpoint}.index_view",
                           **{f"flt0_{view.get_filter_arg(index, flt)}": value})
    return url_for(f"{endpoint}.index_view")


def _links(admin: Admin) -> dict:
    # One url_for for all areas: the city's list of areas short of a goal runs to thousands.
    details = _view(admin, "area") and url_for("area.details_view")
    return {
        "area_details": (lambda area_id: f"{details}?id={area_id}") if details else None,
        "service_missing": filtered_list_url(admin, "area", "service_mode", "none,fallback",
                                             ("FilterInList",)),
        "fallback": filtered_list_url(admin, "area", "service_mode", "fallback"),
        "clutter": filtered_list_url(admin, "hazard", "category", "corridor_clutter"),
        "hazards": filtered_list_url(admin, "hazard", "status", "found,warned,contacted",
                                     ("FilterInList",)),
        "arrears": filtered_list_url(admin, "fee_arrear", "status",
                                     "outstanding,partly_paid,refused", ("FilterInList",)),
        "cases": _view(admin, "case") and url_for("case.index_view"),
        "escalations": _view(admin, "escalation") and url_for("escalation.index_view"),
        "surveys": _view(admin, "satisfaction_survey") and url_for(
            "satisfaction_survey.index_view"),
    }


# Areas listed per unmet goal; a city has thousands, which the linked list pages through.
MISSING_SHOWN = 20


def dashboard_context(admin: Admin) -> dict:
    """What admin/dashboard.html needs: the figures of the scope, charts and list links."""
    if current_user.role not in TARGET_ROLES:
        return {"targets": None}
    day = parse_day(request.args.get("date"))
    community = community_in_scope(request.args.get("community"))
    figures = targets(current_user, day, community, missing_limit=MISSING_SHOWN)
    choices = db.session.execute(
        sa.select(Community.id, Community.name).where(visible_to(Community, current_user))
        .order_by(Community.street_id, Community.id)).all()
    return {
        "targets": figures,
        "day": day,
        "today": local_today(),
        "community": community,
        "community_choices": choices,
        "trend_svg": trend_chart(figures.trend),
        "coverage_svg": coverage_chart(figures.communities) if len(figures.communities) > 1
        else None,
        "links": _links(admin),
    }


def report_months(today: date | None = None) -> list[str]:
    """The months a report can be printed for, newest first: YYYY-MM."""
    ends = month_ends(today or local_today(), REPORT_MONTHS)
    return [f"{d.year}-{d.month:02d}" for d in reversed(ends)]


class MonthlyReportView(ScopedBaseView):
    """统计月报: choose the street and month, preview, then issue and print the PDF."""

    read_roles = REPORT_ROLES

    def _street_or_404(self, street_id):
        if not str(street_id).isdigit():
            abort(404)
        street = db.session.scalar(sa.select(Street).where(
            Street.id == int(street_id), visible_to(Street, current_user)))
        if street is None:
            abort(404)
        return street

    def _month(self, text: str | None) -> str:
        months = report_months()
        return text if text in months else months[0]

    @expose("/")
    def index(self):
        streets = list(db.session.scalars(sa.select(Street).where(
            visible_to(Street, current_user)).order_by(Street.id)))
        street = (self._street_or_404(request.args["street"]) if request.args.get("street")
                  else (streets[0] if streets else None))
        month = self._month(request.args.get("month"))
        from reports.documents.statistics import issued_for_month

        return self.render("admin/dashboard_monthly.html", streets=streets, street=street,
                           month=month, months=report_months(), form=FlaskForm(),
                           issued=issued_for_month(street, month) if street else None,
                           can_issue=current_user.role in ("admin", "street"))

    @expose("/issue", methods=("POST",))
    def issue(self):
        from reports.documents.statistics import issue_for_month

        if current_user.role not in ("admin", "street") or not FlaskForm().validate():
            abort(403)
        street = self._street_or_404(request.form.get("street"))
        month = self._month(request.form.get("month"))
        issued = issue_for_month(street, month, current_user)
        db.session.commit()
        return redirect(url_for("filings.document_pdf", document_id=issued.id))


def register(admin: Admin) -> None:
    admin.add_view(MonthlyReportView(name="统计月报", category=CATEGORY, endpoint="monthly_report",
                                     url="/monthly-report"))
