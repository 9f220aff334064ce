"""Who may see which rows: one rule per model, one `visible_to(model, user)` for every caller.

Deny by default: a model without a `__scope__` rule is visible to nobody but `admin`.
Every rule returns an SQL condition, so lists, counts, look-ups and documents share it.
"""
from __future__ import annotations

import functools

import sqlalchemy as sa

from .base import Choices, local_today

ROLES = Choices(
    "user_role",
    admin="系统管理员",
    city="市物业治理专项办公室",
    street="街道办事处",
    community="社区（村）",
    firm="物业服务企业",
    department="市直部门",
)
ALL_ROLES = frozenset(ROLES)
# Roles that read the whole city; only `admin` of them writes.
CITY_WIDE = frozenset({"admin", "city"})


@functools.cache
def model_by_name(name: str):
    """A mapped class by name; rules name models as strings to avoid import cycles."""
    from .base import db

    return next(m.class_ for m in db.Model.registry.mappers if m.class_.__name__ == name)


def visible_area_ids(user) -> sa.Select | None:
    """The ids of management areas in the user's scope, or None for every area."""
    area = model_by_name("ManagementArea")
    community = model_by_name("Community")
    if user.role in CITY_WIDE:
        return None
    if user.role == "street":
        return (sa.select(area.id).join(community, area.community_id == community.id)
                .where(community.street_id == user.street_id))
    if user.role == "community":
        return sa.select(area.id).where(area.community_id == user.community_id)
    if user.role == "firm":
        contract = model_by_name("ServiceContract")
        return (sa.select(contract.area_id)
                .where(contract.firm_id == user.firm_id, contract.active_on(local_today())))
    return sa.select(area.id).where(sa.false())


def covers_whole_communities(user) -> bool:
    """Whether the user's areas are whole communities (the city, a street, a community)."""
    return user.role in CITY_WIDE or user.role in ("street", "community")


class Rule:
    """How one model's rows reach a user; subclasses return an SQL condition."""

    def condition(self, model, user) -> sa.ColumnElement[bool]:
        raise NotImplementedError


class ByArea(Rule):
    """Rows that belong to a management area through the column `column`.

    `department` optionally gives the condition for department liaisons (e.g. escalated cases).
    `community` and `street` name columns holding copies of the area's community and street,
    which a community's or street's scope then reads instead of the list of its areas.
    """

    def __init__(self, column: str = "area_id", department=None, community: str | None = None,
                 street: str | None = None):
        self.column = column
        self.department = department
        self.community = community
        self.street = street

    def condition(self, model, user):
        if user.role == "department":
            return self.department(model, user) if self.department else sa.false()
        if user.role == "community" and self.community:
            return getattr(model, self.community) == user.community_id
        if user.role == "street" and self.street:
            return getattr(model, self.street) == user.street_id
        ids = visible_area_ids(user)
        return sa.true() if ids is None else getattr(model, self.column).in_(ids)


class ByParent(Rule):
    """Rows that live inside a parent row (members of a committee, items of a project)."""

    def __init__(self, column: str, parent: str):
        self.column = column
        self.parent = parent

    def condition(self, model, user):
        parent = model_by_name(self.parent)
        return getattr(model, self.column).in_(
            sa.select(parent.id).where(visible_to(parent, user)))


class ReferenceData(Rule):
    """Shared reference rows (firms, departments, support units) every signed-in role may read."""

    def __init__(self, own_column: str | None = None, own_role: str | None = None):
        self.own_column = own_column
        self.own_role = own_role

    def condition(self, model, user):
        if self.own_role and user.role == self.own_role:
            return model.id == getattr(user, self.own_column)
        return sa.true()


class ByFunction(Rule):
    """A rule written as a function of (model, user) for the few models that need one."""

    def __init__(self, function):
        self.function = function

    def condition(self, model, user):
        return self.function(model, user)


def visible_to(model, user) -> sa.ColumnElement[bool]:
    """The SQL condition selecting the rows of `model` that `user` may see."""
    if user is None or not getattr(user, "is_authenticated", False) or not user.active:
        return sa.false()
    if user.role == "admin":
        return sa.true()
    rule: Rule | None = getattr(model, "__scope__", None)
    if rule is None:
        return sa.false()
    return rule.condition(model, user)


def is_visible(row, user) -> bool:
    """Whether one loaded row is inside the user's scope, asked of the database."""
    from .base import db

    model = type(row)
    return db.session.execute(
        sa.select(sa.literal(True)).select_from(model)
        .where(model.id == row.id, visible_to(model, user))).first() is not None
