"""The append-only audit trail, and the per-account session epoch that revokes sessions.

Every ORM insert, update and delete of every model is recorded from one session hook, in the
same transaction as the change: a rolled-back change leaves no entry, a committed one always
has its entry. Personal values are redacted before they are stored.
"""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.orm import Mapped, Session, mapped_column

from .base import Choices, choice_column, db, label, utcnow
from .scoping import ByFunction

AUDIT_ACTIONS = Choices(
    "audit_action",
    **{"create": "新增", "update": "修改", "delete": "删除", "export": "导出", "print": "打印",
       "import": "导入", "login": "登录", "login_failed": "登录失败", "logout": "退出",
       "throttled": "登录受限", "denied": "拒绝访问", "stale": "拒绝过期保存"},
)
REDACTED = "［已隐去］"
# Bookkeeping that changes on every request or sign-in and says nothing about the record.
IGNORED_ATTRIBUTES = frozenset({"updated_at", "version", "last_login_at"})


class AuditTamperingError(RuntimeError):
    """Raised when any code path tries to change or delete an audit entry."""


def _audit_scope(model, user):
    # A street office reviews what its own accounts (street and its communities) did.
    if user.role == "street":
        return model.street_id == user.street_id
    return sa.false()


class AuditEntry(db.Model):
    """Who did what to which record, when and from where; never changed once written."""

    __tablename__ = "audit_entry"
    __table_args__ = (sa.Index("ix_audit_entry_record", "model", "row_id"),)
    __scope__ = ByFunction(_audit_scope)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True, info=label("时间"))
    # No foreign keys: an entry outlives the account and the record it mentions.
    user_id: Mapped[int | None] = mapped_column(index=True, info=label("账号编号"))
    username: Mapped[str] = mapped_column(sa.String(64), index=True, info=label("账号"))
    street_id: Mapped[int | None] = mapped_column(index=True, info=label("账号所属街道"))
    ip: Mapped[str | None] = mapped_column(sa.String(45), info=label("来源地址"))
    action: Mapped[str] = choice_column(AUDIT_ACTIONS, "操作")
    model: Mapped[str | None] = mapped_column(sa.String(60), info=label("记录类型"))
    row_id: Mapped[int | None] = mapped_column(info=label("记录编号"))
    row_version: Mapped[int | None] = mapped_column(info=label("记录版本"))
    path: Mapped[str | None] = mapped_column(sa.String(300), info=label("请求地址"))
    detail: Mapped[str | None] = mapped_column(sa.String(500), info=label("说明"))
    changes: Mapped[dict | None] = mapped_column(sa.JSON, info=label("修改内容"))

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {AUDIT_ACTIONS.label(self.action)}"


class SessionEpoch(db.Model):
    """A counter per account; raising it ends every session signed in under the old value."""

    __tablename__ = "session_epoch"
    __scope__ = ByFunction(lambda model, user: sa.false())

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True)
    epoch: Mapped[int] = mapped_column(default=0)


def epoch_of(user_id) -> sa.ColumnElement[int]:
    """The epoch of the account `user_id` (a value or a column) as SQL; 0 if never revoked."""
    return sa.func.coalesce(sa.select(SessionEpoch.epoch)
                            .where(SessionEpoch.user_id == user_id).scalar_subquery(), 0)


def current_epoch(user_id: int) -> int:
    return db.session.scalar(sa.select(epoch_of(user_id)))


def bump_epoch(session: Session, user_id: int) -> int:
    """End all sessions of the account; returns the new epoch."""
    row = session.get(SessionEpoch, user_id)
    if row is None:
        row = SessionEpoch(user_id=user_id, epoch=0)
        session.add(row)
    row.epoch += 1
    return row.epoch


# -- who is acting --------------------------------------------------------------------------

def _actor() -> tuple[int | None, str, int | None]:
    """(user id, username, street id) of the signed-in user; the command line otherwise."""
    if not has_request_context():
        return None, "命令行", None
    from flask_login import current_user

    user = current_user._get_current_object() if current_user else None
    if user is None or not user.is_authenticated:
        return None, "未登录", None
    return user.id, user.username, street_of_user(user)


def street_of_user(user) -> int | None:
    if user.street_id is not None:
        return user.street_id
    if user.community_id is not None:
        from .places import Community

        return db.session.execute(sa.select(Community.street_id).where(
            Community.id == user.community_id)).scalar_one_or_none()
    return None


def client_address() -> str | None:
    return request.remote_addr if has_request_context() else None


def _values(action: str, **fields) -> dict:
    user_id, username, street_id = fields.pop("actor", None) or _actor()
    return {
        "at": utcnow(), "user_id": user_id, "username": username[:64], "street_id": street_id,
        "ip": client_address(), "action": action,
        "path": request.full_path[:300] if has_request_context() else None, **fields,
    }


def record(action: str, model: str | None = None, row_id: int | None = None,
           detail: str | None = None, *, user=None, username: str | None = None) -> None:
    """Add one entry (export, print, sign-in ...) to the current transaction.

    `user` names the account when no one is signed in yet (sign-in), `username` an
    account that does not exist (failed sign-in).
    """
    actor = None
    if user is not None:
        actor = (user.id, user.username, street_of_user(user))
    elif username is not None:
        actor = (None, username, None)
    db.session.execute(sa.insert(AuditEntry).values(**_values(
        action, model=model, row_id=row_id, detail=detail and detail[:500], actor=actor)))


# -- the hook that records every change ----------------------------------------------------

def _redacted(column) -> bool:
    info = column.info or {}
    return bool(info.get("personal") or info.get("phone") or info.get("hidden"))


def _plain(value):
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def _column_attrs(obj):
    mapper = sa.inspect(obj).mapper
    for prop in mapper.column_attrs:
        if prop.key in IGNORED_ATTRIBUTES or len(prop.columns) != 1:
            continue
        column = prop.columns[0]
        if not isinstance(column, sa.Column):
            continue
        yield prop.key, column


def _snapshot(obj) -> dict:
    state = sa.inspect(obj)
    values = {}
    for key, column in _column_attrs(obj):
        if key not in state.dict:
            continue
        values[key] = REDACTED if _redacted(column) and state.dict[key] is not None \
            else _plain(state.dict[key])
    return values


def _differences(obj) -> dict:
    state = sa.inspect(obj)
    changes = {}
    for key, column in _column_attrs(obj):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if before == after:
            continue
        if _redacted(column):
            before, after = (REDACTED if before is not None else None,
                             REDACTED if after is not None else None)
        changes[key] = [_plain(before), _plain(after)]
    return changes


def _row_id(obj):
    # New rows have their key but no identity yet while after_flush runs.
    key = sa.inspect(obj).mapper.primary_key_from_instance(obj)
    return key[0] if len(key) == 1 and isinstance(key[0], int) else None


def _audited(obj) -> bool:
    return not isinstance(obj, (AuditEntry, SessionEpoch))


@event.listens_for(Session, "before_flush")
def _revoke_sessions_on_credential_change(session, flush_context, instances):
    # A new password or a disabled account ends every session of that account at once.
    from .users import User

    for obj in list(session.dirty):
        if not isinstance(obj, User) or obj.id is None:
            continue
        state = sa.inspect(obj)
        password_changed = bool(state.attrs.password_hash.history.added)
        disabled = state.attrs.active.history.added == [False]
        if password_changed or disabled:
            epoch = bump_epoch(session, obj.id)
            _keep_own_session(obj.id, epoch)


def _keep_own_session(user_id: int, epoch: int) -> None:
    # Whoever changes their own password stays signed in here; their other sessions end.
    if not has_request_context():
        return
    from flask import session as http_session
    from flask_login import current_user

    if current_user and current_user.is_authenticated and current_user.id == user_id:
        http_session["_epoch"] = epoch


@event.listens_for(Session, "after_flush")
def _record_changes(session, flush_context):
    rows = []
    for obj in session.new:
        if _audited(obj):
            rows.append(_values("create", model=type(obj).__name__, row_id=_row_id(obj),
                                row_version=getattr(obj, "version", None),
                                changes={k: [None, v] for k, v in _snapshot(obj).items()}))
    for obj in session.dirty:
        if _audited(obj) and session.is_modified(obj, include_collections=False):
            changes = _differences(obj)
            if changes:
                rows.append(_values("update", model=type(obj).__name__, row_id=_row_id(obj),
                                    row_version=getattr(obj, "version", None), changes=changes))
    for obj in session.deleted:
        if _audited(obj):
            rows.append(_values("delete", model=type(obj).__name__, row_id=_row_id(obj),
                                row_version=getattr(obj, "version", None),
                                changes={k: [v, None] for k, v in _snapshot(obj).items()}))
    if rows:
        session.connection().execute(sa.insert(AuditEntry), rows)


@event.listens_for(AuditEntry, "before_update")
@event.listens_for(AuditEntry, "before_delete")
def _refuse_tampering(mapper, connection, target):
    raise AuditTamperingError("审计记录只能新增，不能修改或删除。")


@event.listens_for(Session, "do_orm_execute")
def _refuse_bulk_tampering(orm_execute_state):
    if (orm_execute_state.is_update or orm_execute_state.is_delete) and any(
            m.class_ is AuditEntry for m in orm_execute_state.all_mappers):
        raise AuditTamperingError("审计记录只能新增，不能修改或删除。")


# PostgreSQL refuses changes below the application too (the migration installs the same).
POSTGRESQL_GUARD = """
CREATE OR REPLACE FUNCTION audit_entry_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit_entry is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_entry_append_only BEFORE UPDATE OR DELETE ON audit_entry
  FOR EACH ROW EXECUTE FUNCTION audit_entry_append_only();
"""
