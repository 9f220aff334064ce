"""系统管理: user accounts, managed by admin only."""
from __future__ import annotations

from flask_admin import Admin
from wtforms import PasswordField
from wtforms.validators import Length, Optional, ValidationError

from models.users import ROLE_ORGANISATION, User

from .base import ScopedModelView

CATEGORY = "系统管理"
MIN_PASSWORD_LENGTH = 10

ORGANISATION_LABELS = {"street_id": "所属街道", "community_id": "所属社区",
                       "firm_id": "所属物业企业", "department_id": "所属部门"}


class UserView(ScopedModelView):
    """Accounts: the role decides which one organisation the account must belong to."""

    read_roles = frozenset({"admin"})
    write_roles = frozenset({"admin"})
    column_list = ("username", "display_name", "role", "street", "community", "firm",
                   "department", "active", "last_login_at")
    column_searchable_list = ("username", "display_name")
    column_filters = ("role", "active")
    column_default_sort = "username"
    column_editable_list = ("active",)
    form_columns = ("username", "display_name", "role", "street", "community", "firm",
                    "department", "phone", "active", "new_password")
    form_extra_fields = {
        "new_password": PasswordField(
            "新密码", validators=[Optional(), Length(min=MIN_PASSWORD_LENGTH,
                                                     message=f"密码至少{MIN_PASSWORD_LENGTH}位。")],
            description="新建账号必填；编辑时留空表示不修改。"),
    }
    column_details_exclude_list = ("password_hash",)

    def validate_form(self, form):
        valid = super().validate_form(form)
        if not hasattr(form, "role") or form.role.data is None:
            return valid
        required = ROLE_ORGANISATION.get(form.role.data)
        for column, text in ORGANISATION_LABELS.items():
            field = form[column.removesuffix("_id")]
            if column == required and field.data is None:
                field.errors = list(field.errors) + [f"该角色必须选择{text}。"]
                valid = False
            elif column != required and field.data is not None:
                field.errors = list(field.errors) + [f"该角色不应选择{text}，请留空。"]
                valid = False
        return valid

    def on_model_change(self, form, model, is_created):
        password = form.new_password.data if hasattr(form, "new_password") else None
        if password:
            model.set_password(password)
        elif is_created:
            raise ValidationError("新建账号必须设置密码。")
        super().on_model_change(form, model, is_created)


def register(admin: Admin) -> None:
    admin.add_view(UserView(User, name="用户账号", category=CATEGORY, endpoint="user"))
