"""Organisations the street works with: city departments, support units, property firms."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import Choices, TimestampMixin, choice_column, db, label
from .scoping import ReferenceData

DEPARTMENT_KINDS = Choices(
    "department_kind",
    governance="物业治理专项办公室",
    enforcement="城市管理行政执法",
    housing="住房和城乡建设",
    court="人民法院",
    fire="消防救援",
    police="公安",
    market="市场监督管理",
    other="其他",
)
FIRM_QUALIFICATIONS = Choices("firm_qualification", grade1="一级", grade2="二级",
                              grade3="三级", none="无资质等级")


class Department(TimestampMixin, db.Model):
    """A city department or body the street reports to or escalates cases to."""

    __tablename__ = "department"
    __scope__ = ReferenceData(own_column="department_id", own_role="department")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True, info=label("部门名称"))
    short_name: Mapped[str | None] = mapped_column(sa.String(32), info=label("简称"))
    kind: Mapped[str] = choice_column(DEPARTMENT_KINDS, "类别", default="other")
    contact: Mapped[str | None] = mapped_column(sa.String(32), info=label("联络人"))
    phone: Mapped[str | None] = mapped_column(sa.String(20), info=label("联系电话", phone=True))
    address: Mapped[str | None] = mapped_column(sa.String(200), info=label("地址"))

    def __str__(self) -> str:
        return self.name


class SupportUnit(TimestampMixin, db.Model):
    """A government unit assigned to help particular complexes (包保单位)."""

    __tablename__ = "support_unit"
    __scope__ = ReferenceData()

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True, info=label("单位名称"))
    contact: Mapped[str | None] = mapped_column(sa.String(32), info=label("联系人"))
    phone: Mapped[str | None] = mapped_column(sa.String(20), info=label("联系电话", phone=True))

    def __str__(self) -> str:
        return self.name


class PropertyFirm(TimestampMixin, db.Model):
    """A property service enterprise (物业服务企业)."""

    __tablename__ = "property_firm"
    __scope__ = ReferenceData(own_column="firm_id", own_role="firm")

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(100), unique=True, info=label("企业名称"))
    credit_code: Mapped[str] = mapped_column(sa.String(18), unique=True,
                                             info=label("统一社会信用代码", uscc=True))
    legal_representative: Mapped[str | None] = mapped_column(sa.String(32),
                                                             info=label("法定代表人"))
    contact: Mapped[str | None] = mapped_column(sa.String(32), info=label("联系人"))
    phone: Mapped[str | None] = mapped_column(sa.String(20), info=label("联系电话", phone=True))
    address: Mapped[str | None] = mapped_column(sa.String(200), info=label("地址"))
    qualification: Mapped[str] = choice_column(FIRM_QUALIFICATIONS, "资质等级", default="none")
    licence_valid_until: Mapped[date | None] = mapped_column(info=label("资质有效期至"))

    def __str__(self) -> str:
        return self.name
