"""The navigation menu, rendered once per role and page and then reused.

Flask-Admin renders the menu on every page, asking each of some fifty views whether the user
may see it: about 2 ms a page, more than a filtered list's SQL. Every view answers by role
alone (`RoleAccessMixin`, `HomeView`), so the role and the page decide the menu.
"""
from __future__ import annotations

from flask import current_app, render_template_string, request
from flask_login import current_user
from markupsafe import Markup

MENU_TEMPLATE = '{% import "admin/layout.html" as layout with context %}{{ layout.menu() }}'


def main_menu(admin_view) -> Markup:
    """Flask-Admin's menu for the current user's role with `admin_view` marked active."""
    role = current_user.role if current_user.is_authenticated else None
    key = (role, admin_view.endpoint, request.script_root)
    menus = current_app.extensions.setdefault("main_menu", {})
    if key not in menus:
        menus[key] = Markup(render_template_string(MENU_TEMPLATE, admin_view=admin_view))
    return menus[key]
