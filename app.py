"""The application factory: configuration, extensions, sign-in, the admin screens and CLI."""
from __future__ import annotations

import gc
import os

from flask import Flask, render_template
from flask_admin import Admin
from flask_admin.theme import Bootstrap4Theme
from flask_babel import Babel
from flask_migrate import Migrate
from sqlalchemy import event

DEV_SECRET_KEY = "dev-only-not-secret"
LOCALE = "zh_Hans_CN"


def create_app(test_config: dict | None = None) -> Flask:
    """Build a fully configured app; no module-level state, no data side effects."""
    app = Flask(__name__, instance_relative_config=True, template_folder="admin_views/templates")
    _configure(app, test_config)
    _init_extensions(app)
    _register_auth(app)
    _register_admin(app)
    _register_reports(app)
    _register_errors(app)
    _register_security(app)
    _register_cli(app)
    return app


# Container allocations between youngest-generation collections (CPython's default: 700).
GC_ALLOCATIONS_PER_COLLECTION = 10_000


def serve(test_config: dict | None = None) -> Flask:
    """The app for a long-running server process (gunicorn 'app:serve()').

    What start-up built lives as long as the process, so it is frozen out of the cyclic
    collector: each full collection otherwise walks its 200,000 objects, 80 ms taken from
    whichever request happens to trigger it. Collections are also made rarer: a city's
    dashboard allocates rows by the ten thousand, and at the default rate eight of them ran six
    full collections (200 ms in all); reference counting frees almost everything anyway.
    Tests build many apps and use `create_app`, which changes no process-wide setting."""
    app = create_app(test_config)
    gc.freeze()
    gc.set_threshold(GC_ALLOCATIONS_PER_COLLECTION, *gc.get_threshold()[1:])
    return app


def _configure(app: Flask, test_config: dict | None) -> None:
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_mapping(
        SECRET_KEY=DEV_SECRET_KEY,
        SQLALCHEMY_DATABASE_URI="sqlite:///" + os.path.join(app.instance_path, "jianguo.sqlite"),
        SQLALCHEMY_ENGINE_OPTIONS={"pool_pre_ping": True},
        BABEL_DEFAULT_LOCALE=LOCALE,
        BABEL_DEFAULT_TIMEZONE="Asia/Shanghai",
        FLASK_ADMIN_SWATCH="default",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        MAX_CONTENT_LENGTH=20 * 1024 * 1024,
        # Where the QR codes on printed documents point (the public verification page).
        PUBLIC_BASE_URL="http://127.0.0.1:5000",
        # Document-number prefix per document type; the default is the street's 机关代字 + 类别字.
        DOCUMENT_PREFIXES={},
    )
    if test_config is None:
        app.config.from_pyfile("config.py", silent=True)
        if os.environ.get("DATABASE_URL"):
            app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_url(os.environ["DATABASE_URL"])
        if os.environ.get("SECRET_KEY"):
            app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    else:
        app.config.update(test_config)
    app.config["SQLALCHEMY_DATABASE_URI"] = _normalise_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if app.config["SECRET_KEY"] == DEV_SECRET_KEY and not (app.debug or app.testing
                                                           or os.environ.get("FLASK_DEBUG")):
        raise RuntimeError(
            "拒绝以开发用密钥启动：请在环境变量 SECRET_KEY 或 instance/config.py 中设置随机密钥。")


def _normalise_url(url: str) -> str:
    """postgres:// and postgresql:// both mean psycopg 3 here."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _sqlite_pragmas(dbapi_connection, connection_record):
    # SQLite ignores foreign keys unless each connection asks for them; WAL lets readers
    # go on while a clerk saves.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def _init_extensions(app: Flask) -> None:
    from models import db

    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            event.listen(db.engine, "connect", _sqlite_pragmas)
    Migrate(app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
            render_as_batch=True, compare_type=True)
    # Flask-Admin needs Babel initialised once Flask-Babel is installed; Chinese only.
    Babel(app, locale_selector=lambda: LOCALE)


def _register_auth(app: Flask) -> None:
    from flask_wtf.csrf import generate_csrf

    from admin_views.auth import bp, login_manager

    login_manager.init_app(app)
    app.register_blueprint(bp)
    # Not named csrf_token: Flask-Admin would then add it beside its own form token, and the
    # browser would post the wrong one first.
    app.jinja_env.globals["session_csrf_token"] = generate_csrf


def _register_admin(app: Flask) -> None:
    from admin_views import register_views
    from admin_views.home import HomeView
    from admin_views.menu import main_menu

    app.jinja_env.globals["main_menu"] = main_menu

    admin = Admin(app, name="物业治理工作台", url="/",
                  index_view=HomeView(name="首页", url="/"),
                  theme=Bootstrap4Theme(base_template="admin/app_master.html", fluid=True))
    register_views(admin)
    app.extensions["workbench_admin"] = admin
    from admin_views.filings import verify_bp

    app.register_blueprint(verify_bp)


def _register_reports(app: Flask) -> None:
    from jinja2 import ChoiceLoader, FileSystemLoader

    from reports.render import font_problems

    # Filing templates live with the renderer, beside the screens' templates.
    app.jinja_loader = ChoiceLoader([
        app.jinja_loader, FileSystemLoader(os.path.join(app.root_path, "reports", "templates"))])
    app.jinja_env.globals["font_problems"] = font_problems


def _register_errors(app: Flask) -> None:
    messages = {
        400: "请求无效，请返回重试。",
        403: "您没有权限访问此页面或此记录。",
        404: "页面或记录不存在，或不在您的管辖范围内。",
        405: "不支持此操作方式。",
        413: "上传的文件过大。",
        500: "系统内部错误，已记录日志，请稍后重试。",
    }

    def handler(error):
        code = getattr(error, "code", 500) or 500
        return render_template("error.html", code=code,
                               message=messages.get(code, "请求无法完成。")), code

    for code in messages:
        app.register_error_handler(code, handler)


def _register_security(app: Flask) -> None:
    from security import init_security

    init_security(app)


def _register_cli(app: Flask) -> None:
    from cli import register_commands

    register_commands(app)
