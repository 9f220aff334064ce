"""The document types: what each filing is about, who receives it, and what it shows."""
from __future__ import annotations

import sqlalchemy as sa

from models import db
from models.orgs import Department

from .filings import DocumentType, register

ENFORCEMENT_BUREAU = "临江市城市管理行政执法局"
# The notice's local rule: agreement-based selection only up to this floor area (m²).
AGREEMENT_AREA_LIMIT = 30000


def department_of_kind(kind: str):
    """The city department of that kind (the bureau, the housing bureau, the court)."""
    return db.session.scalar(sa.select(Department).where(Department.kind == kind)
                             .order_by(Department.id))


def _bureau(record):
    return department_of_kind("enforcement")


def _bureau_name(record) -> str:
    bureau = _bureau(record)
    return bureau.name if bureau is not None else ENFORCEMENT_BUREAU


register(DocumentType(
    key="contract_filing",
    title="前期物业服务合同备案表",
    template="reports/contract_filing.html",
    model="ServiceContract",
    prefix_suffix="备",
    addressee=_bureau_name,
    department=_bureau,
    context=lambda contract: {"contract": contract, "area": contract.area,
                              "firm": contract.firm},
))

register(DocumentType(
    key="agreement_request",
    title="关于协议选聘前期物业服务企业的请示",
    template="reports/agreement_request.html",
    model="ServiceContract",
    prefix_suffix="函",
    layout="letter",
    addressee=_bureau_name,
    department=_bureau,
    context=lambda contract: {"contract": contract, "area": contract.area,
                              "firm": contract.firm, "limit": AGREEMENT_AREA_LIMIT},
))
