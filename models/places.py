"""Places: street → community → management area → building → household."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    area_column, choice_column, Choices, db, label, not_negative, positive, TimestampMixin,
)
from .scoping import ByArea, ByFunction, ByParent, visible_area_ids

COMMUNITY_KINDS = Choices("community_kind", residents="社区居民委员会", village="村民委员会")
AREA_KINDS = Choices("area_kind", closed="封闭式小区", open="开放式片区", standalone="独栋楼组团")
SERVICE_MODES = Choices(
    "service_mode",
    none="尚无管理",
    professional="专业化物业服务",
    self_managed="业主自治管理",
    fallback="包保单位与社区兜底代管",
)


def _street_scope(model, user):
    if user.role == "city":
        return sa.true()
    if user.role == "street":
        return model.id == user.street_id
    if user.role == "community":
        return model.id.in_(sa.select(Community.street_id)
                            .where(Community.id == user.community_id))
    return sa.false()


def _community_scope(model, user):
    if user.role == "city":
        return sa.true()
    if user.role == "street":
        return model.street_id == user.street_id
    if user.role == "community":
        return model.id == user.community_id
    if user.role == "firm":
        return model.id.in_(sa.select(ManagementArea.community_id)
                            .where(ManagementArea.id.in_(visible_area_ids(user))))
    return sa.false()


class Street(TimestampMixin, db.Model):
    __tablename__ = "street"
    __scope__ = ByFunction(_street_scope)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64), unique=True, info=label("名称"))
    office_name: Mapped[str] = mapped_column(sa.String(64), info=label("办事处全称"))
    doc_prefix: Mapped[str | None] = mapped_column(sa.String(16), info=label("发文机关代字"))
    address: Mapped[str | None] = mapped_column(sa.String(200), info=label("地址"))
    phone: Mapped[str | None] = mapped_column(sa.String(20), info=label("联系电话", phone=True))

    communities = relationship("Community", back_populates="street", info=label("社区"))

    def __str__(self) -> str:
        return self.name


class Community(TimestampMixin, db.Model):
    __tablename__ = "community"
    __table_args__ = (sa.UniqueConstraint("street_id", "name"),)
    __scope__ = ByFunction(_community_scope)

    id: Mapped[int] = mapped_column(primary_key=True)
    street_id: Mapped[int] = mapped_column(sa.ForeignKey("street.id"), index=True,
                                           info=label("所属街道"))
    name: Mapped[str] = mapped_column(sa.String(64), info=label("名称"))
    kind: Mapped[str] = choice_column(COMMUNITY_KINDS, "类型", default="residents")
    address: Mapped[str | None] = mapped_column(sa.String(200), info=label("地址"))
    contact: Mapped[str | None] = mapped_column(sa.String(32), info=label("联系人"))
    phone: Mapped[str | None] = mapped_column(sa.String(20), info=label("联系电话", phone=True))

    street = relationship("Street", back_populates="communities", info=label("所属街道"))
    areas = relationship("ManagementArea", back_populates="community", info=label("物业管理区域"))

    def __str__(self) -> str:
        return self.name


class ManagementArea(TimestampMixin, db.Model):
    """The unit of governance: one owners' assembly, one committee, one service contract."""

    __tablename__ = "management_area"
    __table_args__ = (
        sa.UniqueConstraint("community_id", "name"),
        positive("floor_area"),
        not_negative("households"),
        sa.CheckConstraint("year_built IS NULL OR (year_built >= 1900 AND year_built <= 2100)",
                           name="year_built_range"),
    )
    __scope__ = ByArea("id")

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(sa.ForeignKey("community.id"), index=True,
                                              info=label("所属社区"))
    # Indexed: clerks filter and search lists by area name at city scale.
    name: Mapped[str] = mapped_column(sa.String(100), index=True, info=label("区域名称"))
    kind: Mapped[str] = choice_column(AREA_KINDS, "区域类型", default="closed")
    address: Mapped[str | None] = mapped_column(sa.String(200), info=label("坐落"))
    boundaries: Mapped[str | None] = mapped_column(sa.Text, info=label("四至"))
    floor_area: Mapped[Decimal] = mapped_column(sa.Numeric(12, 2), info=label("总建筑面积（㎡）"))
    households: Mapped[int] = mapped_column(default=0, info=label("户数"))
    year_built: Mapped[int | None] = mapped_column(info=label("建成年份"))
    is_old_complex: Mapped[bool] = mapped_column(default=False, info=label("老旧小区"))
    service_mode: Mapped[str] = choice_column(SERVICE_MODES, "服务模式", default="none")
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    community = relationship("Community", back_populates="areas", info=label("所属社区"))
    buildings = relationship("Building", back_populates="area", info=label("楼栋"))
    mode_changes = relationship("ServiceModeChange", back_populates="area",
                                order_by="ServiceModeChange.changed_on",
                                info=label("服务模式变更"))

    def __str__(self) -> str:
        return self.name


class ServiceModeChange(TimestampMixin, db.Model):
    """One entry in the history of an area's service mode."""

    __tablename__ = "service_mode_change"
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = area_column()
    changed_on: Mapped[date] = mapped_column(info=label("变更日期"))
    from_mode: Mapped[str] = choice_column(SERVICE_MODES, "原模式")
    to_mode: Mapped[str] = choice_column(SERVICE_MODES, "新模式")
    reason: Mapped[str] = mapped_column(sa.String(200), info=label("变更原因"))

    area = relationship("ManagementArea", back_populates="mode_changes", info=label("物业管理区域"))

    def __str__(self) -> str:
        return f"{self.changed_on} {SERVICE_MODES.label(self.to_mode)}"


class Building(TimestampMixin, db.Model):
    __tablename__ = "building"
    __table_args__ = (
        sa.UniqueConstraint("area_id", "number"),
        positive("floors"),
        positive("units"),
        not_negative("households"),
        sa.CheckConstraint("floor_area IS NULL OR floor_area > 0", name="floor_area_positive"),
    )
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = area_column()
    number: Mapped[str] = mapped_column(sa.String(32), info=label("楼号"))
    address: Mapped[str | None] = mapped_column(sa.String(200), info=label("地址"))
    floors: Mapped[int] = mapped_column(info=label("层数"))
    units: Mapped[int] = mapped_column(default=1, info=label("单元数"))
    households: Mapped[int] = mapped_column(default=0, info=label("户数"))
    floor_area: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2),
                                                       info=label("建筑面积（㎡）"))

    # A building is shown with its area's name (__str__): load the area with the building.
    area = relationship("ManagementArea", back_populates="buildings", lazy="joined",
                        info=label("物业管理区域"))
    household_list = relationship("Household", back_populates="building", info=label("房屋"))

    def __str__(self) -> str:
        return f"{self.area.name} {self.number}" if self.area else self.number


class Household(TimestampMixin, db.Model):
    """A unit and its owner: personal data, seen only by the roles that need it."""

    __tablename__ = "household"
    __table_args__ = (
        sa.UniqueConstraint("building_id", "room"),
        sa.CheckConstraint("floor_area > 0", name="floor_area_positive"),
    )
    __scope__ = ByParent("building_id", "Building")

    id: Mapped[int] = mapped_column(primary_key=True)
    building_id: Mapped[int] = mapped_column(sa.ForeignKey("building.id"), index=True,
                                             info=label("楼栋"))
    room: Mapped[str] = mapped_column(sa.String(32), info=label("房号"))
    owner_name: Mapped[str] = mapped_column(sa.String(64), info=label("业主姓名", personal=True))
    owner_phone: Mapped[str | None] = mapped_column(
        sa.String(20), info=label("联系电话", phone=True, personal=True))
    floor_area: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2), info=label("专有面积（㎡）"))
    occupied: Mapped[bool] = mapped_column(default=True, info=label("已入住"))

    building = relationship("Building", back_populates="household_list", info=label("楼栋"))

    @property
    def address(self) -> str:
        """Building and room, the only identification used on group notices."""
        return f"{self.building.number}{self.room}" if self.building else self.room

    def __str__(self) -> str:
        return f"{self.building} {self.room}" if self.building else self.room
