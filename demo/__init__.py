"""Jianguo Street's demo data, loaded idempotently by `flask seed-demo`."""
from __future__ import annotations

import sqlalchemy as sa
from stdnum.cn import uscc

from models import db

# Each part loads one area of the domain, in dependency order.
PARTS = ("places", "governance", "service", "cases", "fees", "renovation", "accounts")


def get_or_create(model, lookup: dict, **values):
    """The row matching `lookup`, created with `values` when missing (never updated)."""
    row = db.session.scalar(sa.select(model).filter_by(**lookup))
    if row is None:
        row = model(**lookup, **values)
        db.session.add(row)
        db.session.flush()
    return row


def credit_code(body17: str) -> str:
    """A valid 18-character unified social credit code from its first 17 characters."""
    return body17 + uscc.calc_check_digit(body17)


def load_demo(password: str) -> list:
    """Load every part; returns the demo accounts."""
    from importlib import import_module

    accounts = []
    for name in PARTS:
        result = import_module(f"{__name__}.{name}").load(password)
        accounts.extend(result or [])
    return accounts
