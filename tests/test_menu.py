"""The navigation menu is rendered once per role and page: the same HTML, never another role's."""
from __future__ import annotations

from flask import render_template_string

from admin_views.base import RoleAccessMixin
from admin_views.home import HomeView
from admin_views.menu import MENU_TEMPLATE, main_menu

from .factories import PERSONA_AREAS


def _views(app):
    return app.extensions["workbench_admin"]._views


def test_every_view_decides_its_menu_entry_by_role_alone(app_ctx):
    """The menu's cache key is the role: a view asking anything else would break it."""
    by_role = {RoleAccessMixin.is_accessible, HomeView.is_accessible}
    for view in _views(app_ctx):
        assert type(view).is_accessible in by_role, view.endpoint
        assert type(view).is_visible in {RoleAccessMixin.is_visible,
                                         HomeView.is_visible}, view.endpoint


def test_the_kept_menu_is_flask_admins_menu_for_each_role_and_page(app_ctx, world):
    pages = [view for view in _views(app_ctx)
             if view.endpoint in ("admin", "case", "user", "management_area")]
    for persona in PERSONA_AREAS:
        user = world.user(persona)
        for view in pages:
            with app_ctx.test_request_context():
                from flask_login import login_user

                login_user(user)
                kept = main_menu(view)
                assert main_menu(view) is kept
                assert kept == render_template_string(MENU_TEMPLATE, admin_view=view)


def test_a_page_shows_the_menu_of_its_own_role_after_another_role_saw_it(world, as_user):
    admin_page = as_user(world.user("admin")).get("/case/").get_data(as_text=True)
    assert 'href="/user/"' in admin_page
    community_page = as_user(world.user("community_a1")).get("/case/").get_data(as_text=True)
    assert "案件" in community_page and 'href="/user/"' not in community_page
    assert 'class="active"' in community_page or "dropdown-item active" in community_page
