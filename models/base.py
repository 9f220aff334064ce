"""The database handle, the declarative base and the column helpers every model uses."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.sql import operators
from sqlalchemy.sql.elements import BinaryExpression

# Named constraints, so that migrations can address them on SQLite and PostgreSQL alike.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    # Choice columns get ck_<table>_<column>; explicit CHECKs keep their own names.
    "ck": "ck_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)

# SQLite's LIKE already ignores case (for ASCII, as its lower() does), so the lower() on both
# sides that ILIKE becomes there changes no result and triples the cost of a list search.
_PLAIN_LIKE = {operators.ilike_op: operators.like_op, operators.not_ilike_op: operators.not_like_op}


@compiles(BinaryExpression, "sqlite")
def _sqlite_ilike_as_like(binary, compiler, **kw):
    if binary.operator in _PLAIN_LIKE:
        binary = BinaryExpression(binary.left, binary.right, _PLAIN_LIKE[binary.operator],
                                  type_=binary.type, modifiers=binary.modifiers)
    return compiler.visit_binary(binary, **kw)


# The office works on Beijing time whatever the server's clock is set to.
LOCAL_TIMEZONE = ZoneInfo("Asia/Shanghai")


def local_now() -> datetime:
    """Beijing wall-clock time, naive: the kind of value business date-times hold."""
    return datetime.now(LOCAL_TIMEZONE).replace(tzinfo=None)


def local_today() -> date:
    """Today's date in Beijing: deadlines, document dates and "as of" figures use it."""
    return local_now().date()


def start_of(day: date) -> datetime:
    """The first instant of `day`."""
    return datetime.combine(day, time())


def end_of(day: date) -> datetime:
    """The first instant after `day`: date-times before it happened on or before that day."""
    return start_of(day + timedelta(days=1))


def upsert(connection, table: sa.Table):
    """INSERT ... ON CONFLICT for the connection's database (SQLite and PostgreSQL both)."""
    return (postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert)(table)


def utcnow() -> datetime:
    """Naive UTC now: the same value type on SQLite and PostgreSQL."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def label(text: str, **extra) -> dict:
    """Column `info` carrying the Chinese label the screens, exports and filings show."""
    return {"label": text, **extra}


class Choices:
    """An ordered code -> Chinese label mapping for a column stored as a short string."""

    def __init__(self, name: str, **labels: str):
        self.name = name
        self.labels = labels

    def __iter__(self):
        return iter(self.labels)

    def __contains__(self, code) -> bool:
        return code in self.labels

    def label(self, code) -> str:
        return self.labels.get(code, code or "")

    def items(self):
        return self.labels.items()


def choice_column(choices: Choices, text: str, *, nullable: bool = False, default=None, **kw):
    """A string column limited by a CHECK constraint to the codes of `choices`."""
    return mapped_column(
        sa.Enum(*choices, native_enum=False, create_constraint=True,
                length=max(len(c) for c in choices)),
        nullable=nullable,
        default=default,
        info=label(text, choices=choices),
        **kw,
    )


def area_column(index: bool = True, **kw):
    """The foreign key to the management area a row belongs to (what ByArea scopes by).

    `index=False` where a composite index leads with the column and serves in its place.
    """
    return mapped_column(sa.ForeignKey("management_area.id"), index=index,
                         info=label("物业管理区域"), **kw)


class TimestampMixin:
    """Creation and change times, and a version number that refuses lost updates.

    SQLAlchemy adds `WHERE version = <the version read>` to every UPDATE and DELETE and
    raises StaleDataError when another transaction changed the row in between.
    """

    created_at: Mapped[datetime] = mapped_column(
        default=local_now, nullable=False, info=label("创建时间", readonly=True))
    updated_at: Mapped[datetime] = mapped_column(
        default=local_now, onupdate=local_now, nullable=False,
        info=label("更新时间", readonly=True))
    version: Mapped[int] = mapped_column(
        nullable=False, default=1, server_default="1", info=label("版本", readonly=True))

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


# The CHECK helpers carry their rule in `info`, so the forms apply the same rule with a
# Chinese message before the database would refuse it (admin_views.base reads them).

def positive(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} > 0", name=f"{column}_positive",
                              info={"minimum": (column, False)})


def not_negative(column: str) -> sa.CheckConstraint:
    return sa.CheckConstraint(f"{column} >= 0", name=f"{column}_not_negative",
                              info={"minimum": (column, True)})


def in_order(first: str, second: str) -> sa.CheckConstraint:
    """Database guard that `second` (when set) does not come before `first`."""
    return sa.CheckConstraint(
        f"{second} IS NULL OR {first} IS NULL OR {second} >= {first}",
        name=f"{second}_after_{first}", info={"order": (first, second)})
