"""Sign-in through the real form, disabled accounts, redirects and CSRF."""
from __future__ import annotations

import re

import sqlalchemy as sa

from models import db
from models.places import Building

from .conftest import PASSWORD


def sign_in(browser, username, password, next_url=None):
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return browser.post_form(url, {"username": username, "password": password}, form_url="/login")


def test_login_page_is_chinese(client):
    html = client.get("/login").get_data(as_text=True)
    assert "登录" in html and "用户名" in html and "密码" in html
    assert 'lang="zh-CN"' in html


def test_sign_in_through_the_form_and_see_the_home_page(world, browser):
    user = world.user("community_a1")
    response = sign_in(browser, user.username, PASSWORD)
    assert response.status_code == 302
    home = browser.get("/").get_data(as_text=True)
    assert user.display_name in home and "建国社区" in home
    assert "物业管理区域" in home


def test_wrong_password_is_refused_in_chinese(world, browser):
    response = sign_in(browser, world.user("street_a").username, "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert browser.get("/area/").status_code == 302


def test_unknown_user_gets_the_same_message(world, browser):
    response = sign_in(browser, "nobody-here", "whatever-password")
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_disabled_account_cannot_sign_in(world, browser):
    user = world.user("street_a")
    user.active = False
    db.session.commit()
    response = sign_in(browser, user.username, PASSWORD)
    assert response.status_code == 200
    assert "已停用" in response.get_data(as_text=True)


def test_disabling_ends_access_on_the_next_request(world, browser):
    user = world.user("street_a")
    sign_in(browser, user.username, PASSWORD)
    assert browser.get("/area/").status_code == 200
    user.active = False
    db.session.commit()
    assert browser.get("/area/").status_code == 302


def test_next_parameter_stays_on_this_site(world, browser):
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example"):
        browser.client.cookie_jar.clear() if hasattr(browser.client, "cookie_jar") else None
        response = sign_in(browser, world.user("admin").username, PASSWORD, next_url=target)
        assert response.location in ("/", "http://localhost/"), target
        browser.post_form("/logout", {}, form_url="/")
    response = sign_in(browser, world.user("admin").username, PASSWORD, next_url="/area/")
    assert response.location.endswith("/area/")


def test_logout_needs_a_post_with_token(world, browser):
    sign_in(browser, world.user("admin").username, PASSWORD)
    assert browser.get("/logout").status_code == 405
    browser.client.post("/logout", data={})
    assert browser.get("/area/").status_code == 200
    browser.post_form("/logout", {}, form_url="/")
    assert browser.get("/area/").status_code == 302


def test_admin_forms_refuse_a_post_without_csrf_token(world, as_user):
    user = as_user(world.user("community_a1"))
    response = user.client.post("/building/new/", data={
        "area": world.area_a1.id, "number": "7号楼", "floors": "6", "units": "1",
        "households": "0"})
    assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count(Building.id))) == 0
    html = response.get_data(as_text=True)
    assert re.search("CSRF|令牌|csrf", html)


def test_passwords_are_hashed_with_argon2(world):
    user = world.user("admin")
    assert user.password_hash.startswith("$argon2id$")
    assert user.check_password(PASSWORD) and not user.check_password("nope")


def test_admin_forms_carry_exactly_one_csrf_token(world, as_user):
    """A browser posts every field; a second token would be read first and fail the check."""
    user = as_user(world.user("community_a1"))
    for url in ("/building/new/", "/area/", "/patrol/new/"):
        html = user.get(url).get_data(as_text=True)
        for form in html.split("<form")[1:]:
            assert form.count('name="csrf_token"') <= 1, url
