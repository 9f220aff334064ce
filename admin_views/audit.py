"""系统管理 · 操作日志: the audit trail, searchable and read-only on every path."""
from __future__ import annotations

from flask_admin import Admin
from markupsafe import Markup, escape

from models.audit import AuditEntry

from .base import ScopedModelView, _local_time

CATEGORY = "系统管理"


def _views_by_model(view) -> dict:
    return {v.model.__name__: v for v in view.admin._views if isinstance(v, ScopedModelView)}


def _model_name(view, context, entry, name):
    target = _views_by_model(view).get(entry.model)
    return target.name if target is not None else (entry.model or "")


def _changes(view, context, entry, name):
    if not entry.changes:
        return ""
    target = _views_by_model(view).get(entry.model)
    labels = target.column_labels if target is not None else {}
    rows = Markup("").join(
        Markup("<tr><th>{}</th><td>{}</td><td>{}</td></tr>").format(
            labels.get(key, key), "" if before is None else before, "" if after is None else after)
        for key, (before, after) in entry.changes.items())
    return Markup('<table class="table table-sm audit-changes"><tr><th>字段</th><th>修改前</th>'
                  '<th>修改后</th></tr>{}</table>').format(rows)


class AuditEntryView(ScopedModelView):
    """Admin reads every entry, a street office its own accounts' entries; nobody writes."""

    read_roles = frozenset({"admin", "street"})
    write_roles = frozenset()
    export_roles = frozenset({"admin", "street"})
    can_set_page_size = True
    column_list = ("at", "username", "ip", "action", "model", "row_id", "detail")
    column_details_list = ("at", "username", "user_id", "ip", "action", "model", "row_id",
                           "row_version", "path", "detail", "changes")
    column_searchable_list = ("username", "model", "detail")
    column_filters = ("username", "model", "row_id", "action", "at", "ip")
    column_sortable_list = ("at", "username", "action", "model", "row_id")
    column_default_sort = ("id", True)
    column_formatters = {
        "at": lambda v, c, m, n: _local_time(m.at),
        "model": _model_name,
        "changes": _changes,
    }
    column_formatters_detail = {"changes": _changes, "model": _model_name,
                                "at": lambda v, c, m, n: escape(_local_time(m.at))}
    column_labels = {"at": "时间（北京时间）"}
    named_filter_urls = True

    def is_action_allowed(self, name):
        return False


def register(admin: Admin) -> None:
    admin.add_view(AuditEntryView(AuditEntry, name="操作日志", category=CATEGORY,
                                  endpoint="audit"))
