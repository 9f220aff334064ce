"""The document types, one module per area of the domain; importing this registers them all.

Each module calls `reports.filings.register(DocumentType(...))` for its documents and keeps
their templates under reports/templates/reports/.
"""
from __future__ import annotations


import sqlalchemy as sa

from models import db
from models.orgs import Department

ENFORCEMENT_BUREAU = "临江市城市管理行政执法局"


def department_of_kind(kind: str):
    """The city department of that kind (the bureau, the housing bureau, the court)."""
    return db.session.scalar(sa.select(Department).where(Department.kind == kind)
                             .order_by(Department.id))


# Registered on import; each module imports the helpers above, hence at the end.
from . import cases, contracts, fees, governance, service, statistics  # noqa: E402,F401
