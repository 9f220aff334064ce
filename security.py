"""Security policy applied to the whole app: cookies, sign-in throttling, headers, refusals.

`init_security(app)` runs once in the factory, after the admin screens exist.
"""
from __future__ import annotations

import base64
import hashlib
import secrets

from flask import Flask, abort, current_app, g, render_template, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError

limiter = Limiter(key_func=get_remote_address)

MIN_PASSWORD_LENGTH = 10
THROTTLED = "登录尝试过于频繁，请稍后再试。"
STALE_ELSEWHERE = "操作未完成：该记录刚被他人修改，您的操作没有保存。请刷新页面查看最新内容后重试。"
# Pages that may be shown inline; everything else sent as a file is a download.
INLINE_FILE_TYPES = frozenset({"application/pdf"})


def password_problem(password: str, username: str | None = None) -> str | None:
    """Why a new password is refused (in Chinese), or None when it meets the policy."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"密码至少{MIN_PASSWORD_LENGTH}位。"
    classes = [any(c.isdigit() for c in password), any(c.isalpha() for c in password),
               any(not c.isalnum() for c in password)]
    if sum(classes) < 2:
        return "密码须至少包含字母、数字、符号中的两类。"
    if username and username.strip().lower() in password.lower():
        return "密码不能包含用户名。"
    return None


def init_security(app: Flask) -> None:
    """Session cookies, the sign-in limiter, response headers and the audit of refusals."""
    import models.audit  # noqa: F401  (the audit hook and its tables)

    _configure_sessions(app)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "memory://")
    app.config.setdefault("LOGIN_LIMIT_ACCOUNT", "5 per 15 minutes")
    app.config.setdefault("LOGIN_LIMIT_ADDRESS", "30 per 15 minutes")
    limiter.init_app(app)
    admin = app.extensions["workbench_admin"]
    admin.csp_nonce_generator = csp_nonce
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.before_request(_refuse_nul_bytes)
    app.after_request(_security_headers)
    app.after_request(_audit_refusal)
    app.register_error_handler(429, _throttled)
    app.register_error_handler(StaleDataError, _stale)


def _configure_sessions(app: Flask) -> None:
    # Plain-http development and tests switch Secure off; production keeps it on.
    secure = app.config.get("SECURE_COOKIES", not (app.debug or app.testing))
    app.config.update(
        SESSION_COOKIE_SECURE=secure, SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_SECURE=secure, REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )
    app.config.setdefault("SESSION_IDLE_SECONDS", 30 * 60)
    app.config.setdefault("SESSION_MAX_SECONDS", 12 * 3600)


def csp_nonce() -> str:
    """One nonce per response, shared by every inline script the page carries."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def _inline_handlers() -> list[str]:
    """The inline event handlers Flask-Admin's own templates write (list menus, row delete)."""
    from flask_admin.babel import gettext

    admin = current_app.extensions["workbench_admin"]
    names = {name for view in admin._views for name, _ in getattr(view, "_actions", ())}
    return ["return false;",
            "return faHelpers.safeConfirm('"
            + gettext("Are you sure you want to delete this record?") + "');",
            *(f"return modelActions.execute('{name}');" for name in sorted(names))]


def _handler_hashes() -> str:
    # Allow exactly these handlers by hash; any other inline handler stays blocked.
    digests = [base64.b64encode(hashlib.sha256(h.encode()).digest()).decode()
               for h in _inline_handlers()]
    return "'unsafe-hashes' " + " ".join(f"'sha256-{d}'" for d in digests)


def content_security_policy() -> str:
    return "; ".join([
        "default-src 'self'",
        f"script-src 'self' 'nonce-{csp_nonce()}' {_handler_hashes()}",
        # Flask-Admin and Select2 set inline styles from their scripts and templates.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "font-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        # The filing preview frames our own page; no one else may frame us.
        "frame-ancestors 'self'",
    ])


def _refuse_nul_bytes():
    # No field holds a NUL character, and PostgreSQL cannot even compare with one.
    for values in (request.args, request.form):
        if any("\x00" in key or "\x00" in value for key, value in values.items(multi=True)):
            abort(400)


def _security_headers(response):
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    headers.setdefault("Referrer-Policy", "same-origin")
    static = (request.endpoint or "").endswith("static")
    if response.mimetype == "text/html":
        headers.setdefault("Content-Security-Policy", content_security_policy())
    if not static:
        headers["Cache-Control"] = "no-store"
        headers["Pragma"] = "no-cache"
        # A file handed out by a view (an upload) is never rendered by the browser.
        if response.direct_passthrough and response.mimetype not in INLINE_FILE_TYPES:
            disposition = headers.get("Content-Disposition", "attachment")
            headers["Content-Disposition"] = "attachment" + (
                disposition[disposition.index(";"):] if ";" in disposition else "")
    return response


def _audit_refusal(response):
    if response.status_code not in (403, 404):
        return response
    from flask_login import current_user

    from models import db
    from models.audit import record

    if not current_user.is_authenticated:
        return response
    try:
        # Whatever the refused request had started is not kept.
        db.session.rollback()
        record("denied", detail=f"HTTP {response.status_code}")
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
        current_app.logger.exception("拒绝访问的审计记录写入失败")
    return response


def _throttled(error):
    from models import db
    from models.audit import record

    if request.endpoint == "auth.login":
        db.session.rollback()
        record("throttled", username=(request.form.get("username") or "")[:64] or "（空）",
               detail="登录尝试过于频繁")
        db.session.commit()
    return render_template("error.html", code=429, message=THROTTLED), 429


def _stale(error):
    # A save or workflow step raced another clerk's and lost: nothing was written.
    from models import db

    db.session.rollback()
    current_app.logger.info("过期保存被拒绝：%s", error)
    return render_template("error.html", code=409, message=STALE_ELSEWHERE), 409
