"""老旧小区改造: renovation projects of old complexes and their work items."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask_admin import Admin
from sqlalchemy.orm import joinedload

from models import db
from models.orgs import Department
from models.renovation import (
    ITEM_STATUSES, PROJECT_STATUSES, RenovationItem, RenovationProject,
)

from .base import ScopedModelView, status_badge

CATEGORY = "老旧小区改造"
READERS = frozenset({"admin", "city", "street", "community"})
# The street files the projects the housing bureau leads; communities follow them.
WRITERS = frozenset({"admin", "street"})


def housing_bureau() -> Department | None:
    """The housing bureau (住建局), which leads old-complex renovation by default."""
    return db.session.scalar(sa.select(Department).where(Department.kind == "housing")
                             .order_by(Department.id).limit(1))


class RenovationProjectView(ScopedModelView):
    read_roles = READERS
    write_roles = WRITERS
    column_list = ("area", "name", "department", "year", "budget", "start_on",
                   "planned_end_on", "completed_on", "status")
    column_labels = {"area.name": "物业管理区域", "department.name": "牵头部门"}
    column_searchable_list = ("name", "notes")
    column_filters = ("status", "year", "area.name", "department.name", "start_on",
                      "completed_on")
    column_sortable_list = (("area", "area.name"), "name", ("department", "department.name"),
                            "year", "budget", "start_on", "planned_end_on", "completed_on",
                            "status")
    column_default_sort = ("year", True)
    column_formatters = {"status": status_badge(PROJECT_STATUSES)}
    form_columns = ("area", "name", "department", "year", "budget", "start_on",
                    "planned_end_on", "completed_on", "status", "notes")
    form_args = {"department": {"default": housing_bureau},
                 "year": {"default": lambda: date.today().year}}


class RenovationItemView(ScopedModelView):
    read_roles = READERS
    write_roles = WRITERS
    column_list = ("project", "project.area", "kind", "description", "quantity", "unit",
                   "status", "done_on", "accepted")
    column_labels = {"project.area": "物业管理区域", "project.area.name": "物业管理区域",
                     "project.name": "改造项目"}
    column_searchable_list = ("description",)
    column_filters = ("kind", "status", "accepted", "done_on", "project.name",
                      "project.area.name")
    column_sortable_list = (("project", "project.name"), "kind", "status", "done_on",
                            "accepted")
    column_default_sort = ("id", True)
    column_formatters = {"status": status_badge(ITEM_STATUSES)}
    form_columns = ("project", "kind", "description", "quantity", "unit", "status", "done_on",
                    "accepted")

    def get_query(self):
        return super().get_query().options(
            joinedload(RenovationItem.project).joinedload(RenovationProject.area))


def register(admin: Admin) -> None:
    admin.add_view(RenovationProjectView(RenovationProject, name="改造项目", category=CATEGORY,
                                         endpoint="renovation_project"))
    admin.add_view(RenovationItemView(RenovationItem, name="改造内容", category=CATEGORY,
                                      endpoint="renovation_item"))
