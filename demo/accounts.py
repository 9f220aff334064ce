"""One demo account per role, and per community, firm and department."""
from __future__ import annotations

import sqlalchemy as sa

from models import db
from models.orgs import Department, PropertyFirm
from models.places import Community, Street
from models.users import User

COMMUNITY_LOGINS = {"建国社区": "jianguo", "解放社区": "jiefang", "世纪春社区": "shijichun",
                    "台兴社区": "taixing", "台兴村": "taixingcun"}
DEPARTMENT_LOGINS = {"市城管执法局": "chengguan", "住建局": "zhujian", "市法院": "fayuan",
                     "消防大队": "xiaofang", "建国派出所": "paichusuo", "物业治理办": "wuyeban"}


def _account(username, display_name, role, password, **organisation):
    user = db.session.scalar(sa.select(User).where(User.username == username))
    if user is None:
        user = User(username=username, display_name=display_name, role=role, **organisation)
        db.session.add(user)
    # Re-running the seed leaves an account alone unless its password must change.
    if user.password_hash is None or not user.check_password(password):
        user.set_password(password)
    return user


def load(password):
    street = db.session.scalar(sa.select(Street).where(Street.name == "建国街道"))
    accounts = [
        _account("admin", "系统管理员", "admin", password),
        _account("city", "市物业治理办", "city", password),
        _account("street", "建国街道物业办", "street", password, street_id=street.id),
    ]
    for community in db.session.scalars(sa.select(Community).order_by(Community.id)):
        accounts.append(_account(f"community_{COMMUNITY_LOGINS.get(community.name, community.id)}",
                                 f"{community.name}物业专干", "community", password,
                                 community_id=community.id))
    for index, firm in enumerate(db.session.scalars(sa.select(PropertyFirm).order_by(PropertyFirm.id)), 1):
        accounts.append(_account(f"firm_{index}", f"{firm.name}项目经理", "firm", password,
                                 firm_id=firm.id))
    for department in db.session.scalars(sa.select(Department).order_by(Department.id)):
        login = DEPARTMENT_LOGINS.get(department.short_name, str(department.id))
        accounts.append(_account(f"dept_{login}", f"{department.short_name}联络员", "department",
                                 password, department_id=department.id))
    db.session.flush()
    return accounts
