"""Factories: a two-street world, and one row factory per scoped model.

`row_factory(Model)` registers a function `(world, area) -> row` that makes one row of
`Model` belonging to `area`; the generic scoping tests use it for every model view.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Callable

from demo import credit_code
from models.base import local_today
from models import db
from models.contracts import ServiceContract
from models.orgs import Department, PropertyFirm
from models.places import Building, Community, Household, ManagementArea, ServiceModeChange, Street
from models.users import User

ROW_FACTORIES: dict[type, Callable] = {}
_counter = iter(range(1, 10**9))


def row_factory(model):
    def register(function):
        ROW_FACTORIES[model] = function
        return function
    return register


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}"


def add(row):
    db.session.add(row)
    db.session.flush()
    return row


def make_street(name=None, **kw):
    return add(Street(name=name or unique("街道"), office_name=kw.pop("office_name", "某街道办事处"),
                      **kw))


def make_community(street, name=None, **kw):
    return add(Community(street=street, name=name or unique("社区"), kind=kw.pop("kind", "residents"),
                         **kw))


def make_area(community, name=None, **kw):
    kw.setdefault("floor_area", Decimal("20000.00"))
    kw.setdefault("households", 100)
    kw.setdefault("kind", "closed")
    return add(ManagementArea(community=community, name=name or unique("小区"), **kw))


def make_firm(name=None, **kw):
    number = next(_counter)
    return add(PropertyFirm(name=name or f"物业公司{number}",
                            credit_code=credit_code(f"91220681MA{number:07d}"), **kw))


def make_department(name=None, **kw):
    return add(Department(name=name or unique("市直部门"), kind=kw.pop("kind", "enforcement"), **kw))


def make_contract(area, firm, **kw):
    today = local_today()
    kw.setdefault("signed_on", today - timedelta(days=400))
    kw.setdefault("start_on", today - timedelta(days=365))
    kw.setdefault("end_on", today + timedelta(days=365))
    kw.setdefault("status", "active")
    kw.setdefault("fee_residential", Decimal("1.00"))
    return add(ServiceContract(area=area, firm=firm, **kw))


def make_user(role, password="correct-horse-battery", **organisation):
    user = User(username=unique(f"{role}_"), display_name=unique("用户"), role=role, **organisation)
    user.set_password(password)
    return add(user)


@dataclass
class World:
    street_a: Street
    street_b: Street
    community_a1: Community
    community_a2: Community
    community_b1: Community
    area_a1: ManagementArea
    area_a2: ManagementArea
    area_b1: ManagementArea
    firm_a: PropertyFirm
    firm_b: PropertyFirm
    dept_1: Department
    dept_2: Department
    users: dict[str, User]

    def user(self, persona: str) -> User:
        return self.users[persona]


# Which areas each persona may see, for the generic scoping tests.
PERSONA_AREAS = {
    "admin": {"area_a1", "area_a2", "area_b1"},
    "city": {"area_a1", "area_a2", "area_b1"},
    "street_a": {"area_a1", "area_a2"},
    "street_b": {"area_b1"},
    "community_a1": {"area_a1"},
    "community_a2": {"area_a2"},
    "community_b1": {"area_b1"},
    "firm_a": {"area_a1"},
    "firm_b": {"area_b1"},
    "dept_1": set(),
}
PERSONA_ROLES = {p: p.split("_")[0] if p not in ("admin", "city") else p for p in PERSONA_AREAS}
PERSONA_ROLES["dept_1"] = "department"


def build_world(password: str) -> World:
    street_a = make_street("建国街道", office_name="临江市建国街道办事处", doc_prefix="临建办")
    street_b = make_street("大湖街道", office_name="临江市大湖街道办事处", doc_prefix="临湖办")
    community_a1 = make_community(street_a, "建国社区")
    community_a2 = make_community(street_a, "解放社区")
    community_b1 = make_community(street_b, "大湖社区")
    area_a1 = make_area(community_a1, "建国花园")
    area_a2 = make_area(community_a2, "解放小区")
    area_b1 = make_area(community_b1, "大湖小区")
    firm_a = make_firm("安居物业")
    firm_b = make_firm("大湖物业")
    make_contract(area_a1, firm_a)
    make_contract(area_b1, firm_b)
    dept_1 = make_department("临江市城市管理行政执法局")
    dept_2 = make_department("临江市住房和城乡建设局", kind="housing")
    users = {
        "admin": make_user("admin", password),
        "city": make_user("city", password),
        "street_a": make_user("street", password, street_id=street_a.id),
        "street_b": make_user("street", password, street_id=street_b.id),
        "community_a1": make_user("community", password, community_id=community_a1.id),
        "community_a2": make_user("community", password, community_id=community_a2.id),
        "community_b1": make_user("community", password, community_id=community_b1.id),
        "firm_a": make_user("firm", password, firm_id=firm_a.id),
        "firm_b": make_user("firm", password, firm_id=firm_b.id),
        "dept_1": make_user("department", password, department_id=dept_1.id),
        "dept_2": make_user("department", password, department_id=dept_2.id),
    }
    return World(street_a, street_b, community_a1, community_a2, community_b1, area_a1, area_a2,
                 area_b1, firm_a, firm_b, dept_1, dept_2, users)


# -- row factories for the models of places and contracts ------------------------------------

@row_factory(ManagementArea)
def _area_row(world, area):
    return area


@row_factory(Building)
def make_building(world, area, **kw):
    kw.setdefault("floors", 6)
    return add(Building(area=area, number=unique("楼"), **kw))


@row_factory(Household)
def make_household(world, area, building=None, **kw):
    building = building or make_building(world, area)
    kw.setdefault("owner_name", "王建国")
    kw.setdefault("owner_phone", "13904391234")
    kw.setdefault("floor_area", Decimal("88.00"))
    return add(Household(building=building, room=unique("1-"), **kw))


@row_factory(ServiceModeChange)
def make_mode_change(world, area, **kw):
    return add(ServiceModeChange(area=area, changed_on=local_today(), from_mode="none",
                                 to_mode="fallback", reason=kw.pop("reason", "兜底代管")))


@row_factory(ServiceContract)
def _contract_row(world, area):
    return make_contract(area, make_firm())


# Row factories of the other areas of the domain register themselves on import.
from . import (factories_cases, factories_fees, factories_governance,  # noqa: E402,F401
               factories_renovation, factories_service)
