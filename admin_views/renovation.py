"""老旧小区改造: renovation projects of old complexes and their work items."""
from __future__ import annotations


import sqlalchemy as sa
from flask import request
from flask_admin import Admin
from sqlalchemy.orm import joinedload, selectinload

from models.base import local_today
from models import db
from models.orgs import Department
from models.renovation import (
    ACCEPTED_PROJECT_ITEM, COMPLETION_WITHOUT_DATE, DONE_WITHOUT_DATE, ITEM_STATUSES,
    PROJECT_STATUSES, RenovationItem, RenovationProject, acceptance_obstacle,
)

from .base import ScopedModelView, status_badge

CATEGORY = "老旧小区改造"
READERS = frozenset({"admin", "city", "street", "community"})
# The street files the projects the housing bureau leads; communities follow them.
WRITERS = frozenset({"admin", "street"})


def _add_error(field, message: str) -> None:
    field.errors = list(field.errors) + [message]


def progress(view, context, project, name) -> str:
    """“3/4 项已完成”: items done over items in the project."""
    done, total = project.progress
    return f"{done}/{total} 项已完成"


def housing_bureau() -> Department | None:
    """The housing bureau (住建局), which leads old-complex renovation by default."""
    return db.session.scalar(sa.select(Department).where(Department.kind == "housing")
                             .order_by(Department.id).limit(1))


class RenovationProjectView(ScopedModelView):
    """Projects per area, with their progress; 已验收 only once every item is done."""

    read_roles = READERS
    write_roles = WRITERS
    column_list = ("area", "name", "department", "year", "budget", "start_on",
                   "planned_end_on", "completed_on", "status", "progress")
    column_details_list = ("area", "name", "department", "year", "budget", "start_on",
                           "planned_end_on", "completed_on", "status", "progress", "items",
                           "notes", "created_at", "updated_at")
    column_labels = {"area.name": "物业管理区域", "department.name": "牵头部门",
                     "progress": "改造进度"}
    column_searchable_list = ("name", "notes")
    column_filters = ("status", "year", "area.name", "department.name", "start_on",
                      "completed_on")
    column_sortable_list = (("area", "area.name"), "name", ("department", "department.name"),
                            "year", "budget", "start_on", "planned_end_on", "completed_on",
                            "status")
    column_default_sort = ("year", True)
    column_formatters = {"status": status_badge(PROJECT_STATUSES), "progress": progress}
    form_columns = ("area", "name", "department", "year", "budget", "start_on",
                    "planned_end_on", "completed_on", "status", "notes")
    form_args = {"department": {"default": housing_bureau},
                 "year": {"default": lambda: local_today().year}}

    def get_query(self):
        # The items of a whole page come in one more query, for the progress column.
        return super().get_query().options(joinedload(RenovationProject.area),
                                           joinedload(RenovationProject.department),
                                           selectinload(RenovationProject.items))

    def validate_form(self, form):
        valid = super().validate_form(form)
        if "status" not in form:
            return valid
        if form.status.data in ("completed", "accepted") and not form.completed_on.data:
            _add_error(form.completed_on, COMPLETION_WITHOUT_DATE)
            valid = False
        if form.status.data == "accepted":
            project = self.get_one(request.args.get("id")) \
                if request.endpoint == f"{self.endpoint}.edit_view" else None
            obstacle = acceptance_obstacle(project.items if project is not None else [])
            if obstacle:
                _add_error(form.status, obstacle)
                valid = False
        return valid


class RenovationItemView(ScopedModelView):
    """Work items; an accepted project's items stay done."""

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

    def validate_form(self, form):
        valid = super().validate_form(form)
        if "status" not in form:
            return valid
        if form.status.data == "done" and not form.done_on.data:
            _add_error(form.done_on, DONE_WITHOUT_DATE)
            valid = False
        project = form.project.data
        if project is not None and project.status == "accepted" and form.status.data != "done":
            _add_error(form.status, ACCEPTED_PROJECT_ITEM.format(project=project))
            valid = False
        return valid


def register(admin: Admin) -> None:
    admin.add_view(RenovationProjectView(RenovationProject, name="改造项目", category=CATEGORY,
                                         endpoint="renovation_project"))
    admin.add_view(RenovationItemView(RenovationItem, name="改造内容", category=CATEGORY,
                                      endpoint="renovation_item"))
