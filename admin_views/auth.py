"""Sign-in and sign-out through a real Chinese login page.

Sessions carry the account's epoch and their start and last-use times: they end after
30 minutes idle or 12 hours in all, and when the epoch moves (sign-out, new password,
disabled account). Sign-in is throttled per account and per address.
"""
from __future__ import annotations

import time
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, \
    url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

import models.users
from models import db
from models.audit import bump_epoch, current_epoch, epoch_of, record
from models.base import local_now
from models.users import User
from security import limiter

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "warning"

BAD_CREDENTIALS = "用户名或密码错误，或账号已停用。"
SESSION_EXPIRED = "登录已超时，请重新登录。"
# Refresh the last-use time at most this often, so not every request rewrites the cookie.
SEEN_RESOLUTION = 60
_dummy_hashes: dict[int, str] = {}


@login_manager.user_loader
def load_user(user_id: str):
    # A disabled, revoked or expired session loads as nobody, on its very next request. The
    # account and its epoch come in one statement: this runs before every page.
    try:
        found = db.session.execute(sa.select(User, epoch_of(User.id))
                                   .where(User.id == int(user_id))).first()
    except (TypeError, ValueError):
        return None
    user, epoch = found if found else (None, None)
    if user is None or not user.active or session.get("_epoch", 0) != epoch:
        session.clear()
        return None
    now = time.time()
    # Sessions made before these keys existed start their clock on first use.
    started = session.setdefault("_signed_in_at", now)
    seen = session.get("_seen_at", now)
    config = current_app.config
    if now - seen > config["SESSION_IDLE_SECONDS"] or now - started > config["SESSION_MAX_SECONDS"]:
        session.clear()
        flash(SESSION_EXPIRED, "warning")
        return None
    if now - seen >= SEEN_RESOLUTION or "_seen_at" not in session:
        session["_seen_at"] = now
    return user


def _verify_dummy(password: str) -> None:
    """Spend the time of one password check, so unknown names answer as slowly as known ones."""
    hasher = models.users._hasher
    if id(hasher) not in _dummy_hashes:
        _dummy_hashes[id(hasher)] = hasher.hash("not-a-real-password")
    try:
        hasher.verify(_dummy_hashes[id(hasher)], password)
    except Exception:  # noqa: BLE001 - the outcome is irrelevant, only its cost
        pass


def _posted_username() -> str:
    return "account:" + (request.form.get("username") or "").strip().lower()[:64]


def _failed(response) -> bool:
    # Only refused attempts count towards the limits; a successful sign-in redirects.
    return response.status_code != 302


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[InputRequired("请输入用户名。"), Length(max=64)])
    password = PasswordField("密码", validators=[InputRequired("请输入密码。"), Length(max=128)])


def safe_next(target: str | None) -> str:
    """Only same-site relative paths are followed after sign-in."""
    if not target:
        return url_for("admin.index")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") \
            or "\\" in target:
        return url_for("admin.index")
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ADDRESS"], methods=["POST"],
               deduct_when=_failed, scope="login-address")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_ACCOUNT"], methods=["POST"],
               key_func=_posted_username, deduct_when=_failed, scope="login-account")
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data.strip()
        user = db.session.scalar(sa.select(User).where(User.username == username))
        if user is None:
            _verify_dummy(form.password.data)
        elif user.check_password(form.password.data) and user.active:
            _start_session(user)
            return redirect(safe_next(request.args.get("next")))
        record("login_failed", user=user, username=username[:64] or "（空）",
               detail="账号已停用" if user is not None and not user.active else "用户名或密码错误")
        db.session.commit()
        flash(BAD_CREDENTIALS, "error")
    return render_template("auth/login.html", form=form), 200


def _start_session(user: User) -> None:
    # A fresh session: nothing set before sign-in survives it (no session fixation).
    session.clear()
    login_user(user, remember=False)
    now = time.time()
    session["_epoch"] = current_epoch(user.id)
    session["_signed_in_at"] = now
    session["_seen_at"] = now
    # Bookkeeping, not an edit of the account: no new version, so no clerk's form goes stale.
    db.session.execute(sa.update(User).where(User.id == user.id).values(last_login_at=local_now()))
    record("login", "User", user.id, user=user)
    db.session.commit()


@bp.route("/logout", methods=["POST"])
def logout():
    form = FlaskForm()
    if form.validate_on_submit() and current_user.is_authenticated:
        # Signing out ends this account's sessions in every browser.
        bump_epoch(db.session, current_user.id)
        record("logout", "User", current_user.id)
        db.session.commit()
        logout_user()
        session.clear()
        flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))
