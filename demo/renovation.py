"""Renovation of four old complexes, 2024-2026: service rooms and four gates with locks."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa

from models import db
from models.orgs import Department
from models.places import ManagementArea
from models.renovation import RenovationItem, RenovationProject

from . import get_or_create

HOUSING_BUREAU = "临江市住房和城乡建设局"
# area, year, budget, start, planned end, completed, status, notes
PROJECTS = (
    ("建国大街老旧片区", 2024, "2860000.00", date(2024, 4, 22), date(2024, 10, 31),
     date(2024, 10, 18), "accepted",
     "纳入2024年度城镇老旧小区改造计划，2024年11月联合验收合格，专业化物业已具备进驻条件"),
    ("解放小区", 2025, "1980000.00", date(2025, 4, 15), date(2025, 10, 15),
     date(2025, 10, 9), "accepted", "改造后物业服务用房移交业主委员会，由物业服务企业使用"),
    ("台兴南区", 2026, "2350000.00", date(2026, 4, 20), date(2026, 10, 31),
     date(2026, 10, 26), "completed", "已完工，待住建局组织竣工验收"),
    ("电业家属楼", 2026, "960000.00", date(2026, 5, 6), date(2026, 11, 30), None,
     "in_progress", "冬季施工受限，室外门岗工程计划于封冻前完成"),
)
# kind, description, quantity, unit
ITEMS = (
    ("service_room", "新建（改建）物业服务用房", Decimal("60.00"), "㎡"),
    ("room_utilities", "物业服务用房接通水、电、暖，满足入驻条件", Decimal("1"), "项"),
    ("gates", "四门落锁：设置门岗、电动伸缩门及门禁系统", Decimal("4"), "处"),
    ("other", "院内道路修补及楼道照明更换", Decimal("1"), "项"),
)


def load(password):
    bureau = db.session.scalar(sa.select(Department).where(Department.name == HOUSING_BUREAU))
    for area_name, year, budget, start, planned_end, completed, status, notes in PROJECTS:
        area = db.session.scalar(sa.select(ManagementArea).where(ManagementArea.name == area_name))
        project = get_or_create(
            RenovationProject, {"area_id": area.id, "name": f"{area_name}{year}年老旧小区改造"},
            department_id=bureau.id, year=year, budget=Decimal(budget), start_on=start,
            planned_end_on=planned_end, completed_on=completed, status=status, notes=notes)
        for order, (kind, description, quantity, unit) in enumerate(ITEMS):
            done = status in ("completed", "accepted") or order == 0
            get_or_create(
                RenovationItem, {"project_id": project.id, "kind": kind},
                description=description, quantity=quantity, unit=unit,
                status="done" if done else "in_progress",
                done_on=(completed or date(2026, 9, 18)) if done else None,
                accepted=status == "accepted")
    return []
