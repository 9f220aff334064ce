"""Old-complex renovation projects led by the housing bureau, and their work items."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import (
    area_column,
    Choices, TimestampMixin, choice_column, db, in_order, label, not_negative, positive,
)
from .scoping import ByArea, ByParent

PROJECT_STATUSES = Choices(
    "renovation_status",
    planned="计划",
    in_progress="施工中",
    completed="已完工",
    accepted="已验收",
)
ITEM_KINDS = Choices(
    "renovation_item_kind",
    service_room="物业服务用房",
    room_utilities="服务用房水电暖配套",
    gates="四门落锁",
    other="其他",
)
ITEM_STATUSES = Choices(
    "renovation_item_status",
    not_started="未开工",
    in_progress="施工中",
    done="已完成",
)
COMPLETION_WITHOUT_DATE = "状态为“已完工”或“已验收”的项目，必须填写实际完工日期。"
DONE_WITHOUT_DATE = "状态为“已完成”的改造内容，必须填写完成日期。"
NO_ITEMS_TO_ACCEPT = "项目尚未登记改造内容，不能标记为“已验收”。"
UNFINISHED_ITEMS = "以下改造内容尚未完成，项目不能标记为“已验收”：{items}。"
ACCEPTED_PROJECT_ITEM = "项目“{project}”已验收，其改造内容只能是“已完成”状态。"


def acceptance_obstacle(items) -> str | None:
    """Why a project with these items may not be marked 已验收, or None when it may."""
    if not items:
        return NO_ITEMS_TO_ACCEPT
    unfinished = [str(item) for item in items if item.status != "done"]
    return UNFINISHED_ITEMS.format(items="；".join(unfinished)) if unfinished else None


class RenovationProject(TimestampMixin, db.Model):
    """One renovation project of one management area, in one budget year."""

    __tablename__ = "renovation_project"
    __table_args__ = (
        sa.UniqueConstraint("area_id", "name"),
        not_negative("budget"),
        in_order("start_on", "planned_end_on"),
        in_order("start_on", "completed_on"),
        sa.CheckConstraint("year >= 2000 AND year <= 2100", name="year_range"),
        sa.CheckConstraint("status NOT IN ('completed', 'accepted') OR completed_on IS NOT NULL",
                           name="completion_has_date"),
    )
    __scope__ = ByArea()

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = area_column()
    name: Mapped[str] = mapped_column(sa.String(100), info=label("项目名称"))
    department_id: Mapped[int] = mapped_column(sa.ForeignKey("department.id"), index=True,
                                               info=label("牵头部门"))
    year: Mapped[int] = mapped_column(info=label("年度"))
    budget: Mapped[Decimal] = mapped_column(sa.Numeric(14, 2), default=Decimal("0"),
                                            info=label("预算（元）"))
    start_on: Mapped[date | None] = mapped_column(info=label("开工日期"))
    planned_end_on: Mapped[date | None] = mapped_column(info=label("计划完工日期"))
    completed_on: Mapped[date | None] = mapped_column(info=label("实际完工日期"))
    status: Mapped[str] = choice_column(PROJECT_STATUSES, "状态", default="planned")
    notes: Mapped[str | None] = mapped_column(sa.Text, info=label("备注"))

    area = relationship("ManagementArea", info=label("物业管理区域"))
    department = relationship("Department", info=label("牵头部门"))
    items = relationship("RenovationItem", back_populates="project",
                         order_by="RenovationItem.id", info=label("改造内容"))

    @property
    def progress(self) -> tuple[int, int]:
        """(items done, items in the project)."""
        return sum(item.status == "done" for item in self.items), len(self.items)

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"


class RenovationItem(TimestampMixin, db.Model):
    """One piece of work inside a renovation project (service room, four gates, ...)."""

    __tablename__ = "renovation_item"
    __table_args__ = (
        # NULL passes the CHECK: the quantity is optional.
        positive("quantity"),
        sa.CheckConstraint("status <> 'done' OR done_on IS NOT NULL", name="done_has_date"),
    )
    __scope__ = ByParent("project_id", "RenovationProject")

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(sa.ForeignKey("renovation_project.id"), index=True,
                                            info=label("改造项目"))
    kind: Mapped[str] = choice_column(ITEM_KINDS, "改造类别")
    description: Mapped[str] = mapped_column(sa.String(200), info=label("改造内容"))
    quantity: Mapped[Decimal | None] = mapped_column(sa.Numeric(10, 2), info=label("数量"))
    unit: Mapped[str | None] = mapped_column(sa.String(16), info=label("单位"))
    status: Mapped[str] = choice_column(ITEM_STATUSES, "状态", default="not_started")
    done_on: Mapped[date | None] = mapped_column(info=label("完成日期"))
    accepted: Mapped[bool] = mapped_column(default=False, info=label("已验收"))

    project = relationship("RenovationProject", back_populates="items", info=label("改造项目"))

    def __str__(self) -> str:
        return f"{ITEM_KINDS.label(self.kind)}：{self.description}"

