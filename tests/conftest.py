"""Fixtures: one app per database, a clean database per test, one fixture per persona.

The suite runs on SQLite always and, when TEST_DATABASE_URL is set, on PostgreSQL too:
every test that uses the database runs once per database.
"""
from __future__ import annotations

import os
import re

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask.testing import FlaskClient

import models.users
from app import create_app
from models import db

from .factories import World, build_world

DATABASES = ["sqlite"] + (["postgresql"] if os.environ.get("TEST_DATABASE_URL") else [])
PASSWORD = "correct-horse-battery"


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing():
    # Argon2 at production cost would make each test account take ~50 ms to create.
    original = models.users._hasher
    models.users._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    models.users._hasher = original


def _database_url(kind: str, tmp_path_factory) -> str:
    if kind == "postgresql":
        return os.environ["TEST_DATABASE_URL"]
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.sqlite")


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in its own app context, as in production.

    Tests hold an app context for direct database access; without this, requests would
    share its `g` (Flask-Login's cached user) and its database session.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session", params=DATABASES)
def app(request, tmp_path_factory):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "SQLALCHEMY_DATABASE_URI": _database_url(request.param, tmp_path_factory),
        "SERVER_NAME": "localhost",
    })
    app.test_client_class = IsolatedClient
    with app.app_context():
        db.drop_all()
        db.create_all()
    yield app
    with app.app_context():
        db.drop_all()
        db.engine.dispose()


@pytest.fixture
def app_ctx(app):
    """An app context whose database is emptied after the test."""
    with app.app_context():
        yield app
        db.session.rollback()
        db.session.remove()
        _empty_all_tables()


def _empty_all_tables() -> None:
    tables = [t.name for t in reversed(db.metadata.sorted_tables)]
    with db.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(sa.text(
                "TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(sa.text(f'DELETE FROM "{table}"'))


@pytest.fixture
def world(app_ctx) -> World:
    """Two streets with communities, areas, firms under contract, departments and accounts."""
    built = build_world(PASSWORD)
    db.session.commit()
    return built


@pytest.fixture
def client(app_ctx):
    return app_ctx.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Browser:
    """A test client that signs in as a persona and posts forms with their real CSRF token."""

    def __init__(self, client):
        self.client = client

    def login_as(self, user) -> Browser:
        with self.client.session_transaction() as session:
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        return self

    def get(self, url, **kw):
        return self.client.get(url, **kw)

    def csrf_token(self, url: str) -> str:
        html = self.client.get(url).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or \
            re.search(r'name="csrf_token" value="([^"]+)"', html)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def post_form(self, url: str, data: dict, form_url: str | None = None, **kw):
        """Fetch the form page for its token, then post `data` with it."""
        token = self.csrf_token(form_url or url)
        return self.client.post(url, data={**data, "csrf_token": token}, **kw)


@pytest.fixture
def browser(client) -> Browser:
    return Browser(client)


@pytest.fixture
def as_user(app_ctx):
    """as_user(user) -> a Browser signed in as that user, on its own client."""
    def make(user) -> Browser:
        return Browser(app_ctx.test_client()).login_as(user)
    return make
