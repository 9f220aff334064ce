"""统计月报: the street's monthly statistics report to the city's property-governance office.

The record is the street; the month comes from the request (`?month=YYYY-MM`), from the issued
document being reprinted, or is the current month. Each month is issued under its own number.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from types import SimpleNamespace

import sqlalchemy as sa
from flask import has_request_context, request
from flask_login import current_user

from models.base import local_today
from models import db
from models.documents import IssuedDocument
from models.targets import (
    cases_by_type, collected_in_month, escalations_by_department, hazards_in_month,
    satisfaction_by_period, targets,
)
from reports.charts import coverage_chart, trend_chart
from reports.filings import DocumentType, new_issue, register

CITY_OFFICE = "临江市物业治理专项办公室"
TITLE = "物业管理工作统计月报"
MONTH_IN_TITLE = re.compile(r"（(\d{4})年(\d{1,2})月）$")


@dataclass(frozen=True)
class StreetReader:
    """The street office's own scope, for a report printed by the city, an admin or the CLI."""

    street_id: int
    role: str = "street"
    is_authenticated: bool = True
    active: bool = True


class StreetLevel:
    """Stands where filings expect an area: the report belongs to the street, to no area.

    `reports.filings.street_of` finds the issuing street through `area.community.street`, and
    the issued document records no area (so no community's register lists it).
    """

    id = None

    def __init__(self, street):
        self.community = SimpleNamespace(street=street)


def month_title(month: str) -> str:
    year, number = month.split("-")
    return f"{TITLE}（{int(year)}年{int(number)}月）"


def _month_of_issue(document_id) -> str | None:
    issued = db.session.get(IssuedDocument, document_id)
    match = MONTH_IN_TITLE.search(issued.title) if issued is not None else None
    return f"{match.group(1)}-{int(match.group(2)):02d}" if match else None


def requested_month() -> str:
    """The report's month: asked for, or that of the document reprinted, or this month."""
    today = local_today()
    if has_request_context():
        asked = request.values.get("month", "")
        if re.fullmatch(r"\d{4}-\d{2}", asked):
            return asked
        document_id = (request.view_args or {}).get("document_id")
        if document_id is not None and (month := _month_of_issue(document_id)):
            return month
    return f"{today.year}-{today.month:02d}"


def month_bounds(month: str) -> tuple[date, date]:
    """First day of the month and the day counted to: its last day, or today if sooner."""
    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    last = (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    return first, min(last, local_today())


def reader_for(street):
    """Whose scope the report shows: the street's, unless a narrower account prints it."""
    if has_request_context() and current_user.is_authenticated and \
            current_user.role not in ("admin", "city", "street"):
        return current_user
    return StreetReader(street.id)


def report_context(street, month: str | None = None) -> dict:
    month = month or requested_month()
    first, last = month_bounds(month)
    reader = reader_for(street)
    figures = targets(reader, last)
    collected = collected_in_month(reader, first, last)
    return {
        "street": street,
        "month": month,
        "month_cn": f"{first.year}年{first.month}月",
        "first": first,
        "last": last,
        "city_office": CITY_OFFICE,
        "targets": figures,
        "collected": collected,
        "collected_total": sum(collected.values()),
        "cases_by_type": cases_by_type(reader, first, last),
        "departments": escalations_by_department(reader, last, since=first),
        "hazards": hazards_in_month(reader, first, last),
        "satisfaction": satisfaction_by_period(reader, last),
        "coverage_svg": coverage_chart(figures.communities),
        "trend_svg": trend_chart(figures.trend),
    }


MONTHLY_REPORT = register(DocumentType(
    key="monthly_report",
    title=TITLE,
    template="reports/monthly_report.html",
    model="Street",
    prefix_suffix="统",
    area=lambda street: StreetLevel(street),
    addressee=lambda street: CITY_OFFICE,
    context=lambda street: report_context(street),
    purpose="每月报送市物业治理专项办公室",
    # One street has one report per month, issued from the 统计月报 screen, not per record.
    issuer_roles=frozenset(),
))


def issued_for_month(street, month: str) -> IssuedDocument | None:
    return db.session.scalar(sa.select(IssuedDocument).where(
        IssuedDocument.doc_type == MONTHLY_REPORT.key, IssuedDocument.record_id == street.id,
        IssuedDocument.title == month_title(month), IssuedDocument.status == "current"))


def issue_for_month(street, month: str, user) -> IssuedDocument:
    """The month's report under its number, issuing it on first print."""
    existing = issued_for_month(street, month)
    return existing or new_issue(replace(MONTHLY_REPORT, title=month_title(month)), street, user)
