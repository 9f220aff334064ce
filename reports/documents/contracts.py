"""Contract filings sent to the enforcement bureau."""
from __future__ import annotations

from models.contracts import AGREEMENT_AREA_LIMIT
from reports.filings import DocumentType, register

from . import ENFORCEMENT_BUREAU, department_of_kind



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
