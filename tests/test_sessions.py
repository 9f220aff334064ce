"""Sessions and sign-in: cookie flags, revocation, time limits, throttling, password policy."""
from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

import models.users
from app import create_app
from models import db
from models.users import User
from security import limiter, password_problem

from .conftest import PASSWORD, Browser


@pytest.fixture(autouse=True)
def fresh_limits(app):
    limiter.reset()
    yield
    limiter.reset()


def sign_in(client, user, password=PASSWORD, next_url=None):
    browser = Browser(client)
    url = "/login" + (f"?next={next_url}" if next_url else "")
    return browser.post_form(url, {"username": user.username, "password": password},
                             form_url="/login")


def test_session_cookie_is_httponly_samesite_and_never_remembered(world, client):
    response = sign_in(client, world.user("street_a"))
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
    assert "Expires" not in session_cookie  # ends with the browser, and on the server
    assert not any(c.startswith("remember_token") for c in cookies)


def test_cookies_are_secure_outside_development():
    production = create_app({"SECRET_KEY": "s" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert production.config["SESSION_COOKIE_SECURE"] is True
    local = create_app({"SECRET_KEY": "s" * 32, "SQLALCHEMY_DATABASE_URI": "sqlite://",
                        "SECURE_COOKIES": False})
    assert local.config["SESSION_COOKIE_SECURE"] is False


def test_sign_in_starts_a_new_session(world, client):
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    sign_in(client, world.user("street_a"))
    with client.session_transaction() as session:
        assert "planted" not in session and session["_user_id"] == str(world.user("street_a").id)


def test_signing_out_ends_the_accounts_other_sessions(app_ctx, world):
    user = world.user("street_a")
    office, home = app_ctx.test_client(), app_ctx.test_client()
    sign_in(office, user)
    sign_in(home, user)
    assert home.get("/area/").status_code == 200
    Browser(office).post_form("/logout", {}, form_url="/")
    assert office.get("/area/").status_code == 302
    response = home.get("/area/")
    assert response.status_code == 302 and "/login" in response.location


def test_a_new_password_ends_the_accounts_sessions(app_ctx, world):
    user = world.user("community_a1")
    clerk = app_ctx.test_client()
    sign_in(clerk, user)
    assert clerk.get("/building/").status_code == 200
    admin = Browser(app_ctx.test_client())
    sign_in(admin.client, world.user("admin"))
    url = f"/user/edit/?id={user.id}"
    response = admin.post_form(url, {
        "username": user.username, "display_name": user.display_name, "role": "community",
        "community": user.community_id, "active": "y", "new_password": "Renewed-pass-2026",
        "row_version": user.version}, form_url=url)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert clerk.get("/building/").status_code == 302
    assert admin.get("/user/").status_code == 200  # the admin's own session is untouched
    assert sign_in(app_ctx.test_client(), user, "Renewed-pass-2026").status_code == 302


def test_disabling_ends_sessions_even_after_re_enabling(app_ctx, world):
    user = world.user("firm_a")
    clerk = app_ctx.test_client()
    sign_in(clerk, user)
    user.active = False
    db.session.commit()
    user.active = True
    db.session.commit()
    assert clerk.get("/area/").status_code == 302


@pytest.mark.parametrize("key, age", [("_seen_at", 31 * 60), ("_signed_in_at", 12 * 3600 + 60)])
def test_sessions_expire_idle_and_absolute(world, client, key, age):
    sign_in(client, world.user("street_a"))
    assert client.get("/area/").status_code == 200
    with client.session_transaction() as session:
        session[key] = time.time() - age
        if key == "_signed_in_at":
            session["_seen_at"] = time.time()
    response = client.get("/area/")
    assert response.status_code == 302 and "/login" in response.location


def test_use_keeps_an_idle_session_alive(world, client):
    sign_in(client, world.user("street_a"))
    with client.session_transaction() as session:
        session["_seen_at"] = time.time() - 29 * 60
    assert client.get("/area/").status_code == 200
    with client.session_transaction() as session:
        assert time.time() - session["_seen_at"] < 60


def test_sign_in_is_throttled_per_account(world, app_ctx):
    user = world.user("street_a")
    for _ in range(5):
        assert sign_in(app_ctx.test_client(), user, "wrong-password-x").status_code == 200
    response = sign_in(app_ctx.test_client(), user)  # even the right password waits
    assert response.status_code == 429
    assert "过于频繁" in response.get_data(as_text=True)
    assert sign_in(app_ctx.test_client(), world.user("street_b")).status_code == 302


def test_sign_in_is_throttled_per_address(world, app_ctx):
    for number in range(30):
        sign_in(app_ctx.test_client(), type("U", (), {"username": f"guess{number}"}), "x-y-z-123")
    assert sign_in(app_ctx.test_client(), world.user("street_b")).status_code == 429


def test_unknown_accounts_cost_a_password_check(world, client, monkeypatch):
    calls = []
    hasher = models.users._hasher

    class CountingHasher:
        def hash(self, password):
            return hasher.hash(password)

        def verify(self, stored, password):
            calls.append(stored)
            return hasher.verify(stored, password)

    monkeypatch.setattr(models.users, "_hasher", CountingHasher())
    response = sign_in(client, type("U", (), {"username": "nobody-at-all"}), "some-password-1")
    assert "用户名或密码错误" in response.get_data(as_text=True) and calls


def test_redirect_parameters_stay_on_this_site(world, as_user):
    clerk = as_user(world.user("community_a1"))
    for target in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        response = clerk.post_form(f"/building/new/?url={target}", {
            "area": world.area_a1.id, "number": f"楼{len(target)}", "floors": "6", "units": "1",
            "households": "0"}, form_url="/building/new/")
        assert response.status_code == 302
        assert "evil.example" not in response.location


@pytest.mark.parametrize("password, username, ok", [
    ("short-1", None, False), ("alllettersonly", None, False), ("1234567890123", None, False),
    ("zhang.san-2026", "zhang.san", False), ("Jianguo-street-7", "zhang.san", True),
])
def test_password_policy(password, username, ok):
    assert (password_problem(password, username) is None) is ok


def test_the_account_form_applies_the_password_policy(world, as_user):
    admin = as_user(world.user("admin"))
    for weak in ("abcdefghijkl", "newclerk2026x"):
        response = admin.post_form("/user/new/", {
            "username": "newclerk", "display_name": "新职员", "role": "admin", "active": "y",
            "new_password": weak}, form_url="/user/new/")
        assert response.status_code == 200
        assert "密码" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.username == "newclerk")) is None
