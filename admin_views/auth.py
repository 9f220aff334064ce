"""Sign-in and sign-out through a real Chinese login page."""
from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from models import db
from models.base import utcnow
from models.users import User

bp = Blueprint("auth", __name__)
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "warning"

BAD_CREDENTIALS = "用户名或密码错误，或账号已停用。"


@login_manager.user_loader
def load_user(user_id: str):
    # A disabled account loads as nobody, so it loses access on its next request.
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    return user if user is not None and user.active else None


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
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(sa.select(User).where(User.username == form.username.data.strip()))
        if user is not None and user.active and user.check_password(form.password.data):
            login_user(user)
            user.last_login_at = utcnow()
            db.session.commit()
            return redirect(safe_next(request.args.get("next")))
        flash(BAD_CREDENTIALS, "error")
    return render_template("auth/login.html", form=form), 200


@bp.route("/logout", methods=["POST"])
def logout():
    form = FlaskForm()
    if form.validate_on_submit():
        logout_user()
        flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))
