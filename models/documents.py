"""Issued documents (发文登记簿) and their gapless numbers per prefix and year."""
from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Choices, TimestampMixin, choice_column, db, label, local_now
from .scoping import ByFunction, visible_area_ids

DOCUMENT_STATUSES = Choices("document_status", current="有效", superseded="已作废（已重新出具）")
# Letters without ambiguous characters (no 0/O, 1/I/L), 8 of them: 32^8 ≈ 10^12 codes.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


class DocumentSequence(db.Model):
    """The last number issued for one prefix in one year."""

    __tablename__ = "document_sequence"
    __table_args__ = (sa.UniqueConstraint("prefix", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    prefix: Mapped[str] = mapped_column(sa.String(32), info=label("发文字号前缀"))
    year: Mapped[int] = mapped_column(info=label("年度"))
    last_number: Mapped[int] = mapped_column(default=0, info=label("最后序号"))


def next_number(prefix: str, year: int) -> int:
    """Take the next serial for (prefix, year) inside the caller's transaction.

    The row update locks the sequence until the caller commits, so concurrent issuers queue
    and a rolled-back issue gives its number back: numbers never repeat and leave no gaps.
    """
    dialect = db.session.get_bind().dialect.name
    insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(DocumentSequence)
    db.session.execute(insert.values(prefix=prefix, year=year, last_number=0)
                       .on_conflict_do_nothing(index_elements=["prefix", "year"]))
    return db.session.execute(
        sa.update(DocumentSequence)
        .where(DocumentSequence.prefix == prefix, DocumentSequence.year == year)
        .values(last_number=DocumentSequence.last_number + 1)
        .returning(DocumentSequence.last_number)).scalar_one()


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))


def _document_scope(model, user):
    if user.role == "city":
        return sa.true()
    if user.role == "street":
        return model.street_id == user.street_id
    if user.role == "department":
        return model.addressee_department_id == user.department_id
    ids = visible_area_ids(user)
    return model.area_id.in_(ids)


class IssuedDocument(TimestampMixin, db.Model):
    """One issued document: its number, what it is about, and whether it is still current."""

    __tablename__ = "issued_document"
    __table_args__ = (
        sa.UniqueConstraint("prefix", "year", "serial"),
        sa.CheckConstraint("serial > 0", name="serial_positive"),
        sa.Index("ix_issued_document_record", "doc_type", "record_id"),
    )
    __scope__ = ByFunction(_document_scope)

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(64), unique=True, info=label("文号"))
    prefix: Mapped[str] = mapped_column(sa.String(32), info=label("发文字号前缀"))
    year: Mapped[int] = mapped_column(info=label("年度"))
    serial: Mapped[int] = mapped_column(info=label("序号"))
    doc_type: Mapped[str] = mapped_column(sa.String(40), index=True, info=label("文书类型"))
    title: Mapped[str] = mapped_column(sa.String(200), info=label("标题"))
    record_id: Mapped[int] = mapped_column(info=label("记录编号"))
    addressee: Mapped[str | None] = mapped_column(sa.String(200), info=label("主送"))
    issued_at: Mapped[datetime] = mapped_column(default=local_now, info=label("出具时间"))
    issuing_body: Mapped[str] = mapped_column(sa.String(100), info=label("出具单位"))
    verification_code: Mapped[str] = mapped_column(
        sa.String(16), unique=True, default=new_verification_code, info=label("核验码"))
    status: Mapped[str] = choice_column(DOCUMENT_STATUSES, "状态", default="current")
    street_id: Mapped[int] = mapped_column(sa.ForeignKey("street.id"), index=True,
                                           info=label("街道"))
    area_id: Mapped[int | None] = mapped_column(sa.ForeignKey("management_area.id"),
                                                index=True, info=label("物业管理区域"))
    addressee_department_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("department.id"), index=True, info=label("主送部门"))
    issued_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), info=label("出具人"))
    supersedes_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("issued_document.id"), info=label("替代文书"))

    street = relationship("Street", info=label("街道"))
    area = relationship("ManagementArea", info=label("物业管理区域"))
    addressee_department = relationship("Department", info=label("主送部门"))
    issued_by = relationship("User", info=label("出具人"))
    supersedes = relationship("IssuedDocument", remote_side=[id], info=label("替代文书"))

    def __str__(self) -> str:
        return self.number
