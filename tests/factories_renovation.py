"""Row factories for renovation projects and their items."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from models.renovation import RenovationItem, RenovationProject

from .factories import add, row_factory, unique


@row_factory(RenovationProject)
def make_renovation_project(world, area, **kw):
    kw.setdefault("department", world.dept_2)
    kw.setdefault("year", 2025)
    kw.setdefault("budget", Decimal("1200000.00"))
    kw.setdefault("start_on", date(2025, 4, 15))
    kw.setdefault("planned_end_on", date(2025, 10, 31))
    return add(RenovationProject(area=area, name=unique("老旧小区改造项目"), **kw))


@row_factory(RenovationItem)
def make_renovation_item(world, area, project=None, **kw):
    kw.setdefault("kind", "gates")
    kw.setdefault("description", "东西南北四门安装电动门及门禁")
    return add(RenovationItem(project=project or make_renovation_project(world, area), **kw))
