"""Accounts: one role each, tied by the database to the one organisation the role belongs to."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import TimestampMixin, choice_column, db, label
from .scoping import ROLES, ByFunction

# Argon2id with the RFC 9106 "low memory" profile (64 MiB, 3 passes).
_hasher = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=4)

# Which organisation column each role requires; the others must stay empty.
ROLE_ORGANISATION = {
    "street": "street_id",
    "community": "community_id",
    "firm": "firm_id",
    "department": "department_id",
}


def _role_checks():
    checks = []
    for role, column in ROLE_ORGANISATION.items():
        checks.append(sa.CheckConstraint(
            f"(role = '{role}' AND {column} IS NOT NULL) OR (role <> '{role}' AND {column} IS NULL)",
            name=f"{role}_has_{column}"))
    return checks


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "user_account"
    __table_args__ = tuple(_role_checks())
    # Accounts are managed by admin only; nobody else lists them.
    __scope__ = ByFunction(lambda model, user: sa.false())

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True, info=label("用户名"))
    display_name: Mapped[str] = mapped_column(sa.String(64), info=label("姓名"))
    password_hash: Mapped[str] = mapped_column(sa.String(255), info=label("密码", hidden=True))
    role: Mapped[str] = choice_column(ROLES, "角色")
    active: Mapped[bool] = mapped_column(default=True, info=label("启用"))
    phone: Mapped[str | None] = mapped_column(sa.String(20), info=label("联系电话", phone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(info=label("最近登录", readonly=True))

    street_id: Mapped[int | None] = mapped_column(sa.ForeignKey("street.id"), index=True,
                                                  info=label("所属街道"))
    community_id: Mapped[int | None] = mapped_column(sa.ForeignKey("community.id"), index=True,
                                                     info=label("所属社区"))
    firm_id: Mapped[int | None] = mapped_column(sa.ForeignKey("property_firm.id"), index=True,
                                                info=label("所属物业企业"))
    department_id: Mapped[int | None] = mapped_column(sa.ForeignKey("department.id"), index=True,
                                                      info=label("所属部门"))

    # Loaded with the account: every page shows the user's organisation.
    street = relationship("Street", lazy="joined", info=label("所属街道"))
    community = relationship("Community", lazy="joined", info=label("所属社区"))
    firm = relationship("PropertyFirm", lazy="joined", info=label("所属物业企业"))
    department = relationship("Department", lazy="joined", info=label("所属部门"))

    def set_password(self, password: str) -> None:
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def organisation(self):
        """The street, community, firm or department this account acts for (None for admin/city)."""
        column = ROLE_ORGANISATION.get(self.role)
        return getattr(self, column.removesuffix("_id")) if column else None

    @property
    def role_label(self) -> str:
        return ROLES.label(self.role)

    def __str__(self) -> str:
        return f"{self.display_name}（{self.username}）"
