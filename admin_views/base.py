"""The one scoped base view every model screen inherits.

It applies `models.scoping.visible_to` to every path Flask-Admin offers (list, count, details,
edit, delete, actions, export, inline edit, relation choices, ajax look-ups), refuses writes
that would move a row out of the writer's scope, and turns model declarations (labels,
choices, CHECK rules, phone and credit-code columns) into Chinese forms and lists.
"""
from __future__ import annotations

import re
from urllib.parse import quote

import sqlalchemy as sa
from flask import abort, flash, g, redirect, request, url_for
from flask_admin import BaseView, expose
from flask_admin.actions import action
from flask_admin.contrib.sqla import ModelView
from flask_admin.contrib.sqla.ajax import QueryAjaxModelLoader
from flask_admin.contrib.sqla.form import AdminModelConverter
from flask_admin.babel import Translations as AdminTranslations
from flask_admin.babel import gettext as admin_gettext
from flask_admin.contrib.sqla import typefmt as sqla_typefmt
from flask_admin.form import SecureForm
from flask_admin.model import typefmt
from flask_admin.model.template import LinkRowAction
from flask_wtf import FlaskForm
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.exc import StaleDataError
from stdnum.cn import uscc
from wtforms import HiddenField, PasswordField
from wtforms.validators import ValidationError

from models import db
from security import password_problem
from models.audit import AuditEntry, record
from models.scoping import ALL_ROLES, is_visible, visible_to
from models.tallies import row_count

PHONE_PATTERN = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}|\d{3,4}-?\d{7,8}|12345)$")
READ_ROLES = ALL_ROLES - {"department"}
WRITE_ROLES = frozenset({"admin", "street", "community"})
# Personal data leaves the system only in exports by these roles (DOMAIN.md §2).
PERSONAL_EXPORT_ROLES = frozenset({"admin", "street"})

OUT_OF_SCOPE = "只能保存属于您管辖范围的记录，所选的区域、社区或单位超出了您的范围。"
STALE = "保存未成功：您打开此记录后，它已被他人修改。"
STALE_ADVICE = "您的修改没有保存，也没有覆盖他人的修改；请刷新页面查看最新内容后重新填写。"
# Inline list edits post "<id>@<version>" as the row key (see VersionedWidget).
VERSION_SEPARATOR = "@"
# Stands for the row id in a row link built once per page (`ScopedModelView.get_url`); URL-safe,
# so quoting leaves it whole. A link whose other arguments hold it is built in full.
ROW_ID_MARKER = "0rowid0"
MAX_ID = 2**31
MAX_PAGE, MAX_PAGE_SIZE, MAX_SEARCH = 100_000, 500, 200


# A spreadsheet runs a cell starting with one of these as a formula (CSV/formula injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def neutralise_formula(value):
    """Exported text that a spreadsheet would run as a formula, prefixed so it stays text."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES) \
            and not PLAIN_NUMBER.match(value):
        return "'" + value
    return value


def _chinese_filename(response, filename: str):
    # Flask-Admin passes the name through secure_filename, which drops every Chinese
    # character; RFC 6266 filename* keeps it.
    response.headers["Content-Disposition"] = (
        f"attachment; filename*=UTF-8''{quote(filename)}")
    return response


def mask_phone(value: str | None) -> str:
    """138****5678: phones are masked wherever rows are listed."""
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 8 else "****"


def validate_phone(form, field):
    if field.data and not PHONE_PATTERN.match(field.data.strip()):
        raise ValidationError("请输入有效的电话号码：11位手机号或带区号的固定电话。")


def validate_credit_code(form, field):
    if field.data and not uscc.is_valid(field.data.strip().upper()):
        raise ValidationError("统一社会信用代码无效：应为18位，且校验位正确。")


def _minimum_validator(inclusive: bool):
    def check(form, field):
        if field.data is None:
            return
        if field.data < 0 or (not inclusive and field.data == 0):
            raise ValidationError("必须大于或等于0。" if inclusive else "必须大于0。")
    return check


class ScopedAjaxLoader(QueryAjaxModelLoader):
    """Ajax look-ups that offer, and accept, only rows in the user's scope."""

    def get_query(self):
        return super().get_query().filter(visible_to(self.model, current_user))

    def get_one(self, pk):
        # Posted ids arrive as text, which PostgreSQL will not compare with integer keys.
        try:
            number = int(pk)
        except (TypeError, ValueError):
            return None
        if not 0 < number < MAX_ID:
            return None
        with db.session.no_autoflush:
            return self.get_query().filter(self.model.id == number).one_or_none()


class ScopedModelConverter(AdminModelConverter):
    """Relation `<select>`s list, and accept, only rows the user may see."""

    def _model_select_field(self, prop, multiple, remote_model, **kwargs):
        # Ajax fields take their rows from ScopedAjaxLoader and accept no query_factory.
        ajax = prop.key in getattr(self.view, "_form_ajax_refs", {})
        if "query_factory" not in kwargs and not ajax:
            kwargs["query_factory"] = lambda: db.session.query(remote_model).filter(
                visible_to(remote_model, current_user))
        return super()._model_select_field(prop, multiple, remote_model, **kwargs)


def _integrity_message(exc: IntegrityError) -> str:
    text = str(exc.orig).lower()
    if "unique" in text or "duplicate" in text:
        return "保存失败：与已有记录重复（名称、编号或房号在同一范围内须唯一）。"
    if "foreign key" in text:
        return "操作失败：关联的记录不存在，或本记录仍被其他记录引用，请先处理引用它的记录。"
    if "not null" in text or "null value" in text:
        return "保存失败：有必填项未填写。"
    return "保存失败：填写的数据不符合规则，请检查数值和日期。"


def _path_label(model, path: str) -> str:
    """“所属社区” for community.name, “楼栋·楼号” for building.number: filter names in Chinese."""
    *relations, leaf = path.split(".")
    parts = []
    for key in relations:
        prop = sa.inspect(model).attrs[key]
        parts.append((prop.info or {}).get("label", key))
        model = prop.mapper.class_
    if leaf != "name":
        column = sa.inspect(model).columns[leaf]
        parts.append((column.info or {}).get("label", leaf))
    return "·".join(parts)


def _out_of_range(value) -> bool:
    text = str(value).strip().lstrip("+-")
    return text.isdigit() and int(text) >= MAX_ID


class VersionField(HiddenField):
    """The version the clerk's form was built from; compared on save, never written back."""

    def populate_obj(self, obj, name):
        pass


class VersionedWidget:
    """Wraps an inline-edit widget so its row key carries the row's version."""

    def __init__(self, widget, version: int):
        self.widget = widget
        self.version = version

    def __call__(self, field, **kwargs):
        kwargs["pk"] = f"{kwargs['pk']}{VERSION_SEPARATOR}{self.version}"
        return self.widget(field, **kwargs)


def _local_time(moment) -> str:
    from datetime import timedelta

    # Stored in UTC; the office reads Beijing time.
    return (moment + timedelta(hours=8)).strftime("%Y-%m-%d %H:%M")


class _ChineseTranslations(AdminTranslations):
    """WTForms' catalogue first, then Flask-Admin's: its relation fields' messages are there."""

    def gettext(self, string):
        text = super().gettext(string)
        return admin_gettext(string) if text == string else text


class ChineseSecureForm(SecureForm):
    """Flask-Admin's CSRF-protected form, with every validation message in Chinese."""

    class Meta(SecureForm.Meta):
        _translations = _ChineseTranslations()


def _yes_no(view, value, name=None):
    return "是" if value else "否"


class PrintRowAction(LinkRowAction):
    """A list row's print button, drawn only on rows the document applies to."""

    def __init__(self, document_type):
        super().__init__("fa fa-print", lambda action, row_id, row: url_for(
            "filings.preview", doc_type=document_type.key, record_id=row_id),
            title=f"打印{document_type.title}")
        self.document_type = document_type

    def render(self, context, row_id, row):
        return super().render(context, row_id, row) if self.document_type.applies_to(row) else ""


class RoleAccessMixin:
    """Access by role for any admin view: strangers go to the sign-in page, others get 403."""

    read_roles: frozenset[str] = READ_ROLES

    def _role_in(self, roles) -> bool:
        return current_user.is_authenticated and current_user.role in roles

    def is_accessible(self):
        return self._role_in(self.read_roles)

    def is_visible(self):
        return self.is_accessible()

    def inaccessible_callback(self, name, **kwargs):
        if not current_user.is_authenticated:
            return redirect(url_for("auth.login", next=request.full_path))
        abort(403)


class ScopedBaseView(RoleAccessMixin, BaseView):
    """Base of custom (non-model) screens; they fetch rows through `visible_to` only."""

    page_size = 100

    @staticmethod
    def chosen(name: str, options, message: str):
        """The option (a key of `options`) named in the query string; anything else is ignored,
        with `message` shown when something was asked for."""
        raw = request.args.get(name, "")
        found = next((key for key in options if str(key) == raw), None)
        if raw and found is None:
            flash(message, "warning")
        return found

    def page_of(self, total: int) -> tuple[int, int]:
        """(page, pages) for `total` rows: the page asked for (from 0), brought within range."""
        pages = max(1, -(-total // self.page_size))
        return min(max(request.args.get("page", 0, type=int), 0), pages - 1), pages


class ScopedModelView(RoleAccessMixin, ModelView):
    """Base of every model screen: role access, row scoping and Chinese forms, declared once."""

    write_roles: frozenset[str] = WRITE_ROLES
    export_roles: frozenset[str] | None = None  # None: every reader; set for personal data
    # The home page counts each list's rows; sub-records (a case's timeline) only link there.
    count_on_home = True

    form_base_class = ChineseSecureForm
    column_type_formatters_detail = {**typefmt.DETAIL_FORMATTERS, bool: _yes_no}
    column_type_formatters_export = {**sqla_typefmt.EXPORT_FORMATTERS, bool: _yes_no}
    model_form_converter = ScopedModelConverter
    can_view_details = True
    can_set_page_size = True
    page_size = 20
    column_display_pk = False
    column_default_sort = ("id", True)
    export_types = ["csv", "xlsx"]
    # Exports carry plain values, not the badges and links the list formatters draw.
    column_formatters_export: dict = {}
    form_excluded_columns = ("created_at", "updated_at")
    column_details_exclude_list = ()
    details_template = "admin/scoped_details.html"

    def __init__(self, model, session=db, **kwargs):
        self._declare_from_model(model)
        super().__init__(model, session, **kwargs)

    # -- declarations read from the model ------------------------------------------------------

    def _declare_from_model(self, model) -> None:
        """Labels, choices, formatters and validators come from the model's column `info`."""
        mapper = sa.inspect(model)
        labels = {"created_at": "创建时间", "updated_at": "更新时间"}
        choices, form_choices, formatters, form_args = {}, {}, {}, {}
        for prop in mapper.attrs:
            info = getattr(prop, "info", None) or {}
            if isinstance(prop, sa.orm.ColumnProperty):
                info = prop.columns[0].info or info
            if "label" in info:
                labels[prop.key] = info["label"]
            if "choices" in info:
                pairs = list(info["choices"].items())
                choices[prop.key] = pairs
                form_choices[prop.key] = pairs
            validators = []
            if info.get("phone"):
                formatters[prop.key] = lambda v, c, m, n: mask_phone(getattr(m, n))
                validators.append(validate_phone)
            if info.get("uscc"):
                validators.append(validate_credit_code)
            if validators:
                form_args[prop.key] = {"validators": validators}
        for constraint in model.__table__.constraints:
            if "minimum" in constraint.info:
                column, inclusive = constraint.info["minimum"]
                key = mapper.get_property_by_column(model.__table__.c[column]).key
                form_args.setdefault(key, {"validators": []})["validators"].append(
                    _minimum_validator(inclusive))
        for path in self.column_filters or ():
            if isinstance(path, str) and "." in path:
                labels.setdefault(path, _path_label(model, path))
        self.column_labels = {**labels, **(self.column_labels or {})}
        self.column_choices = {**choices, **(self.column_choices or {})}
        self.form_choices = {**form_choices, **(self.form_choices or {})}
        self.column_formatters = {**formatters, **(self.column_formatters or {})}
        merged = dict(form_args)
        for key, args in (self.form_args or {}).items():
            merged[key] = {**merged.get(key, {}), **args}
        self.form_args = merged
        if "version" in mapper.columns:
            # Forms laid out by rules must still carry the version they were built from.
            for name in ("form_rules", "form_create_rules", "form_edit_rules"):
                rules = getattr(self, name, None)
                if rules and "row_version" not in rules:
                    setattr(self, name, (*rules, "row_version"))
        hidden = [p.key for p in mapper.column_attrs
                  if (p.columns[0].info or {}).get("hidden") or (p.columns[0].info or {}).get("readonly")]
        self.form_excluded_columns = tuple(
            set(self.form_excluded_columns or ()) | set(hidden)
            - set(getattr(self, "form_columns", None) or ()))

    # -- who may do what ---------------------------------------------------------------------

    @property
    def can_create(self):
        return self._role_in(self.write_roles)

    @property
    def can_edit(self):
        return self._role_in(self.write_roles)

    @property
    def can_delete(self):
        return self._role_in(self.write_roles)

    @property
    def can_export(self):
        return self._role_in(self.export_roles if self.export_roles is not None
                             else self.read_roles)

    # -- every read goes through the scope ----------------------------------------------------

    def scope_condition(self):
        return visible_to(self.model, current_user)

    def get_query(self):
        return super().get_query().filter(self.scope_condition())

    def get_count_query(self):
        # count(*) rather than count('*'): SQLite answers the former from an index.
        return (db.session.query(sa.func.count()).select_from(self.model)
                .filter(self.scope_condition()))

    def home_count(self) -> sa.ScalarSelect:
        """The number of rows the user may see, as a subquery of the home page's one statement:
        from the model's monthly tally where one covers the scope (a city's million cases)."""
        tallied = row_count(self.model, current_user)
        return self.get_count_query().scalar_subquery() if tallied is None else tallied

    def get_list(self, page, sort_column, sort_desc, search, filters, execute=True,
                 page_size=None):
        count, query = super().get_list(page, sort_column, sort_desc, search, filters,
                                         execute=False, page_size=page_size)
        return count, (self.page_rows(query) if execute else query)

    def scaffold_auto_joins(self):
        joins = super().scaffold_auto_joins()
        # A dotted list column ("building.number") reads a related row for every listed row:
        # load it with the page, as Flask-Admin does for the related rows it lists whole.
        relations = sa.inspect(self.model).relationships
        joined = {join.key for join in joins}
        for name in self.column_list or ():
            key = name.split(".")[0] if isinstance(name, str) and "." in name else None
            if key in relations and key not in joined:
                joins.append(getattr(self.model, key))
                joined.add(key)
        return joins

    def _apply_sorting(self, query, joins, sort_column, sort_desc):
        query, joins = super()._apply_sorting(query, joins, sort_column, sort_desc)
        if sort_column is not None:
            field = self._sortable_columns.get(sort_column)
        else:
            field, _, sort_desc = next(self._get_default_order(), (None, None, False))
        if field is self.model.id:
            return query, joins
        # Rows equal in the sorted column keep one order, so pages neither repeat nor skip rows;
        # the key runs the same way as the sort, so an index on the column still serves both.
        return query.order_by(self.model.id.desc() if sort_desc else self.model.id), joins

    def get_url(self, endpoint, **kwargs):
        """Flask-Admin's URL; a row's link is built once per request and endpoint with a marker
        where the row id goes, then filled in: eighty url_for calls cost a tenth of a page."""
        row_id = kwargs.get("id")
        others = tuple(sorted((name, str(value)) for name, value in kwargs.items() if name != "id"))
        if type(row_id) is not int or any(ROW_ID_MARKER in value for _, value in others):
            return super().get_url(endpoint, **kwargs)
        links = g.setdefault("row_links", {})
        key = (self.endpoint, endpoint, others)
        if key not in links:
            links[key] = super().get_url(endpoint, **{**kwargs, "id": ROW_ID_MARKER})
        return links[key].replace(ROW_ID_MARKER, str(row_id))

    def page_rows(self, query) -> list:
        """The rows of one list page, found as ids first (a deferred join).

        OFFSET then skips bare ids, and the related rows the listed columns show are joined to
        the page's rows alone rather than to every row skipped on the way to a deep page.
        """
        page_ids = query.with_entities(self.model.id).subquery()
        return (query.limit(None).offset(None)
                .filter(self.model.id.in_(sa.select(page_ids.c.id))).all())

    def _get_list_value(self, context, model, name, column_formatters, column_type_formatters):
        value = super()._get_list_value(context, model, name, column_formatters,
                                        column_type_formatters)
        # An empty choice column comes back as a bare None, which the page would print.
        return "" if value is None else value

    def get_one(self, id):
        try:
            pk = int(str(id).split(VERSION_SEPARATOR)[0])
        except (TypeError, ValueError):
            return None
        # Keys are 32-bit on PostgreSQL; a larger number names no row on either database.
        row = self.get_query().filter(self.model.id == pk).one_or_none() \
            if 0 < pk < MAX_ID else None
        if row is None:
            # A miss on a scoped fetch is a refused access as far as the audit is concerned.
            db.session.rollback()
            record("denied", self.model.__name__, pk if 0 < pk < MAX_ID else None,
                   f"{self.endpoint}：记录不存在或不在范围内")
            db.session.commit()
        return row

    def _get_list_extra_args(self):
        # Out-of-range pages and sizes would overflow the database's OFFSET and LIMIT.
        args = super()._get_list_extra_args()
        args.page = min(max(args.page or 0, 0), MAX_PAGE)
        args.page_size = min(max(args.page_size or 0, 0), MAX_PAGE_SIZE)
        if args.search:
            args.search = args.search[:MAX_SEARCH]
        return args

    def _get_list_filter_args(self):
        # A whole number beyond 32 bits matches nothing here and overflows the database driver.
        filters = super()._get_list_filter_args()
        return None if filters is None else [
            f for f in filters if not _out_of_range(f[2])]

    def rows_for_ids(self, ids):
        """The scoped query for posted row ids; ids that are not integers match nothing."""
        numbers = [int(i) for i in ids if str(i).isdigit() and 0 < int(i) < MAX_ID]
        return self.get_query().filter(self.model.id.in_(numbers))

    @action("delete", "删除", "确定要删除所选记录吗？")
    def action_delete(self, ids):
        # Flask-Admin binds the posted ids as strings, which PostgreSQL refuses to compare
        # with integer keys; pass integers instead.
        return super().action_delete([int(i) for i in ids
                                      if str(i).isdigit() and 0 < int(i) < MAX_ID])

    # -- printing: documents whose record is this view's model --------------------------------

    def document_types(self, record=None) -> list:
        """The document types printed from this view's model (and applying to `record`)."""
        from reports.filings import DOCUMENT_TYPES

        return [t for t in DOCUMENT_TYPES.values() if t.model == self.model.__name__
                and (record is None or t.applies_to(record))]

    def get_list_row_actions(self):
        actions = list(super().get_list_row_actions())
        for document_type in self.document_types():
            actions.append(PrintRowAction(document_type))
        return actions

    @action("print", "批量打印文书")
    def action_print(self, ids):
        issuable = [t for t in self.document_types() if current_user.role in t.issuer_roles]
        return self.render("admin/batch_print.html", document_types=issuable, ids=ids,
                           form=FlaskForm())

    def is_action_allowed(self, name):
        if name == "print":
            return any(current_user.role in t.issuer_roles for t in self.document_types())
        return super().is_action_allowed(name)

    def _create_ajax_loader(self, name, options):
        remote = getattr(self.model, name).property.mapper.class_
        return ScopedAjaxLoader(name, db, remote, **options)

    # -- exports are audited -----------------------------------------------------------------

    def _handle_view(self, name, **kwargs):
        refused = super()._handle_view(name, **kwargs)
        if refused is None and name == "export" and self.can_export:
            record("export", self.model.__name__, None,
                   f"{self.name}：{request.view_args.get('export_type', '')}")
            db.session.commit()
        return refused

    def get_export_value(self, model, name):
        return neutralise_formula(super().get_export_value(model, name))

    def _export_csv(self, return_url):
        return _chinese_filename(super()._export_csv(return_url), self.get_export_name("csv"))

    def _export_tablib(self, export_type, return_url):
        response = super()._export_tablib(export_type, return_url)
        if response.status_code != 200:
            return response
        return _chinese_filename(response, self.get_export_name(export_type))

    # -- no lost updates: the version the form was built from must still be current ---------

    def _versioned(self) -> bool:
        return "version" in sa.inspect(self.model).columns

    def scaffold_form(self):
        form_class = super().scaffold_form()
        if self._versioned():
            form_class.row_version = VersionField()
        return form_class

    def edit_form(self, obj=None):
        form = super().edit_form(obj)
        if obj is not None and hasattr(form, "row_version") and request.method != "POST":
            form.row_version.data = obj.version
        return form

    def list_form(self, obj=None):
        form = super().list_form(obj)
        if obj is not None and self._versioned():
            for field in form:
                if field.name not in ("list_form_pk", "csrf_token"):
                    field.widget = VersionedWidget(field.widget, obj.version)
        return form

    def _expected_version(self, form) -> int | None:
        posted = form.row_version.data if hasattr(form, "row_version") else None
        if hasattr(form, "list_form_pk"):
            posted = str(form.list_form_pk.data or "").partition(VERSION_SEPARATOR)[2]
        try:
            return int(posted) if posted not in (None, "") else None
        except (TypeError, ValueError):
            return 0

    def stale_message(self, row, expected: int) -> str:
        """What others changed since version `expected`, in Chinese, from the audit trail."""
        entries = db.session.scalars(sa.select(AuditEntry).where(
            AuditEntry.model == type(row).__name__, AuditEntry.row_id == row.id,
            AuditEntry.action == "update", AuditEntry.row_version > expected)
            .order_by(AuditEntry.id)).all()
        changes = []
        for entry in entries:
            fields = "、".join(
                f"{self.column_labels.get(key, key)}（{before if before is not None else '空'}"
                f" → {after if after is not None else '空'}）"
                for key, (before, after) in (entry.changes or {}).items())
            changes.append(f"{entry.username} 于 {_local_time(entry.at)} 修改了{fields}")
        detail = "；".join(changes) if changes else "（修改内容无记录）"
        return f"{STALE}{detail}。{STALE_ADVICE}"

    def version_conflict(self, row, expected) -> str | None:
        """The refusal message when `row` is no longer at version `expected` (None if current).

        Workflow endpoints pass the `row_version` their form posted.
        """
        try:
            expected = int(expected)
        except (TypeError, ValueError):
            expected = 0
        if getattr(row, "version", expected) == expected:
            return None
        record("stale", type(row).__name__, row.id, f"表单版本 {expected}，当前版本 {row.version}")
        return self.stale_message(row, expected)

    def update_model(self, form, model):
        expected = self._expected_version(form)
        if expected is not None:
            message = self.version_conflict(model, expected)
            if message:
                db.session.commit()
                flash(message, "error")
                return False
        return super().update_model(form, model)

    @expose("/ajax/update/", methods=("POST",))
    def ajax_update(self):
        # Flask-Admin answers every refused inline edit with a 500; it is the input's fault.
        answer = super().ajax_update()
        if isinstance(answer, tuple) and answer[1] == 500:
            return answer[0], 409 if STALE in answer[0] else 400
        return answer

    # -- every write stays in the scope ------------------------------------------------------

    def validate_form(self, form):
        valid = super().validate_form(form)
        if request.method != "POST" or not hasattr(form, "_fields"):
            return valid
        username = form["username"].data if "username" in form else None
        for field in form:
            if isinstance(field, PasswordField) and field.data:
                problem = password_problem(field.data, username)
                if problem:
                    field.errors = list(field.errors) + [problem]
                    valid = False
        for constraint in self.model.__table__.constraints:
            first, second = constraint.info.get("order", (None, None))
            if first in form and second in form:
                start, end = form[first].data, form[second].data
                if start and end and end < start:
                    form[second].errors = list(form[second].errors) + [
                        f"“{form[second].label.text}”不能早于“{form[first].label.text}”。"]
                    valid = False
        return valid

    def on_model_change(self, form, model, is_created):
        db.session.flush()
        if not is_visible(model, current_user):
            raise ValidationError(OUT_OF_SCOPE)

    def handle_view_exception(self, exc):
        if isinstance(exc, StaleDataError):
            db.session.rollback()
            flash(f"{STALE}{STALE_ADVICE}", "error")
            return True
        if isinstance(exc, IntegrityError):
            db.session.rollback()
            flash(_integrity_message(exc), "error")
            return True
        if isinstance(exc, ValidationError):
            flash(str(exc), "error")
            return True
        if isinstance(exc, SQLAlchemyError):
            db.session.rollback()
            flash("数据库操作失败，请稍后重试；如反复出现请联系管理员。", "error")
            return True
        return super().handle_view_exception(exc)


def status_badge(choices):
    """A list formatter that shows a choice column as a coloured badge."""
    def format(view, context, model, name):
        code = getattr(model, name)
        return Markup('<span class="badge badge-secondary status-{}">{}</span>').format(
            code or "", choices.label(code))
    return format
