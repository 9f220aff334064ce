"""The home page: the targets dashboard of the user's scope, then its record counts."""
from __future__ import annotations

import sqlalchemy as sa
from flask import redirect, request, url_for
from flask_admin import AdminIndexView, expose
from flask_login import current_user

from models import db

from .base import ScopedModelView


class HomeView(AdminIndexView):
    """Counts per kind of record, each linking to its list, for what the user may see."""

    def is_accessible(self):
        return current_user.is_authenticated

    def inaccessible_callback(self, name, **kwargs):
        return redirect(url_for("auth.login", next=request.full_path))

    @expose("/")
    def index(self):
        views = [view for view in self.admin._views
                 if isinstance(view, ScopedModelView) and view.is_accessible()]
        counted = [view for view in views if view.count_on_home]
        # Every count in one statement: forty round trips cost more than most of the counts.
        counts = dict(zip(counted, db.session.execute(sa.select(
            *(view.home_count() for view in counted))).one(),
            strict=True)) if counted else {}
        groups: dict[str, list[dict]] = {}
        for view in views:
            groups.setdefault(view.category or "其他", []).append({
                "name": view.name, "count": counts.get(view),
                "url": url_for(f"{view.endpoint}.index_view"),
            })
        from .dashboard import dashboard_context

        return self.render("admin/dashboard.html", groups=groups, **dashboard_context(self.admin))
