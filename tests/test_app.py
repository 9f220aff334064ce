"""The factory: configuration, secret key guard, database URL."""
from __future__ import annotations

import os

import pytest

from app import create_app


def test_refuses_to_start_with_the_development_secret(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("FLASK_DEBUG", raising=False)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/x.sqlite")
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app()


def test_reads_database_url_and_secret_from_the_environment(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/wuye")
    app = create_app()
    assert app.config["SECRET_KEY"] == "a-real-secret"
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/wuye"


def test_the_server_entry_freezes_start_up_and_collects_less_often_alone(tmp_path):
    """`serve` changes the collector for the whole process, so it is run in one of its own;
    `create_app`, which the tests use, changes nothing."""
    import gc
    import subprocess
    import sys

    before = (gc.get_threshold(), gc.get_freeze_count())
    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})
    assert (gc.get_threshold(), gc.get_freeze_count()) == before
    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/y.sqlite"}
    code = (f"import gc; from app import serve; serve({config!r}); "
            "print(gc.get_threshold()[0], gc.get_freeze_count() > 100000)")
    output = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=os.path.dirname(os.path.dirname(__file__))).stdout
    assert output.split() == ["10000", "True"]


def test_screens_are_in_chinese(world, as_user):
    html = as_user(world.user("street_a")).get("/area/").get_data(as_text=True)
    for text in ("基础信息", "物业管理区域", "创建", "列表", "区域名称", "服务模式"):
        assert text in html
