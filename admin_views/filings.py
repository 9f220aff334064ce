"""文书打印: preview, issue, reprint and re-issue of filings, the register, batch printing.

Every path fetches the record through the user's scope first: no one prints a document
about a record they cannot see.
"""
from __future__ import annotations

from urllib.parse import quote

import sqlalchemy as sa
from flask import Blueprint, Response, abort, flash, redirect, render_template, request, url_for
from flask_admin import Admin, expose
from flask_login import current_user
from flask_wtf import FlaskForm

from models import db
from models.audit import record as audit
from models.documents import IssuedDocument
from models.scoping import visible_to
from reports.filings import (DOCUMENT_TYPES, build_html, build_pdf, current_issue, find_record,
                              issue, reissue)

from .base import ScopedBaseView, ScopedModelView

CATEGORY = "文书打印"
READERS = frozenset({"admin", "city", "street", "community", "firm", "department"})
MAX_BATCH = 300


def _document_type_or_404(key: str):
    document_type = DOCUMENT_TYPES.get(key)
    if document_type is None:
        abort(404)
    return document_type


def _pdf_response(pdf: bytes, filename: str) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(filename)}"
    return response


class IssuedDocumentView(ScopedModelView):
    """发文登记簿: every issued number, read-only."""

    read_roles = READERS
    write_roles = frozenset()
    can_view_details = True
    column_list = ("number", "issued_at", "doc_type", "title", "addressee", "area",
                   "issued_by", "status")
    column_searchable_list = ("number", "title", "addressee", "verification_code")
    column_filters = ("doc_type", "status", "issued_at", "year")
    column_default_sort = ("issued_at", True)
    column_formatters = {
        "doc_type": lambda v, c, m, n: DOCUMENT_TYPES[m.doc_type].title
        if m.doc_type in DOCUMENT_TYPES else m.doc_type,
    }


class FilingsView(ScopedBaseView):
    """Preview, issue and print one document, or a batch of them in one PDF."""

    read_roles = READERS

    @expose("/")
    def index(self):
        """The catalogue: each document type and the list its records are printed from."""
        lists = {view.model.__name__: view for view in self.admin._views
                 if isinstance(view, ScopedModelView) and view.is_accessible()}
        catalogue = [(document_type, lists.get(document_type.model))
                     for document_type in DOCUMENT_TYPES.values()]
        return self.render("admin/filing_catalogue.html", catalogue=catalogue)

    def _record_or_404(self, document_type, record_id):
        record = find_record(document_type, record_id, current_user)
        if record is None:
            abort(404)
        return record

    @expose("/<doc_type>/<record_id>/")
    def preview(self, doc_type, record_id):
        document_type = _document_type_or_404(doc_type)
        record = self._record_or_404(document_type, record_id)
        return self.render("admin/filing_preview.html", document_type=document_type,
                           record=record, issued=current_issue(document_type, record),
                           form=FlaskForm(),
                           can_issue=current_user.role in document_type.issuer_roles)

    @expose("/<doc_type>/<record_id>/html")
    def preview_html(self, doc_type, record_id):
        document_type = _document_type_or_404(doc_type)
        record = self._record_or_404(document_type, record_id)
        return build_html([(document_type, record, current_issue(document_type, record))],
                          current_user, for_pdf=False)

    @expose("/<doc_type>/<record_id>/issue", methods=("POST",))
    def issue_pdf(self, doc_type, record_id):
        document_type = _document_type_or_404(doc_type)
        record = self._record_or_404(document_type, record_id)
        if current_user.role not in document_type.issuer_roles or not FlaskForm().validate():
            abort(403)
        correcting = request.form.get("reissue") == "1"
        issued = (reissue if correcting else issue)(document_type, record, current_user)
        audit("print", document_type.model, record.id, f"{document_type.title} {issued.number}")
        db.session.commit()
        if correcting:
            flash(f"已重新出具，新文号 {issued.number}，原文书已标记作废。", "success")
        return redirect(self.get_url(".document_pdf", document_id=issued.id))

    @expose("/pdf/<int:document_id>")
    def document_pdf(self, document_id):
        issued = db.session.scalar(sa.select(IssuedDocument).where(
            IssuedDocument.id == document_id,
            visible_to(IssuedDocument, current_user)))
        if issued is None or issued.doc_type not in DOCUMENT_TYPES:
            abort(404)
        document_type = DOCUMENT_TYPES[issued.doc_type]
        record = self._record_or_404(document_type, issued.record_id)
        pdf = build_pdf([(document_type, record, issued)], current_user)
        audit("print", document_type.model, record.id, f"{document_type.title} {issued.number}")
        db.session.commit()
        return _pdf_response(pdf, f"{issued.number}.pdf")

    @expose("/batch/<doc_type>", methods=("POST",))
    def batch(self, doc_type):
        document_type = _document_type_or_404(doc_type)
        if current_user.role not in document_type.issuer_roles or not FlaskForm().validate():
            abort(403)
        ids = [i for i in request.form.getlist("rowid") if i.isdigit()][:MAX_BATCH]
        model = document_type.model_class
        records = [record for record in db.session.scalars(sa.select(model).where(
            model.id.in_([int(i) for i in ids]),
            visible_to(model, current_user)).order_by(model.id))
            if document_type.applies_to(record)]
        if not records:
            flash("没有可打印的记录。", "warning")
            return redirect(request.referrer or url_for("admin.index"))
        items = [(document_type, r, issue(document_type, r, current_user)) for r in records]
        for _, row, issued in items:
            audit("print", document_type.model, row.id, f"{document_type.title} {issued.number}")
        db.session.commit()
        return _pdf_response(build_pdf(items, current_user), f"{document_type.title}（{len(items)}份）.pdf")


verify_bp = Blueprint("verify", __name__)


@verify_bp.route("/verify/<code>")
def document(code):
    """Public confirmation of a document: number, date, type, body, status; no personal data."""
    issued = db.session.scalar(sa.select(IssuedDocument).where(
        IssuedDocument.verification_code == code.strip().upper()[:16]))
    if issued is None:
        return render_template("verify.html", issued=None), 404
    return render_template("verify.html", issued=issued,
                           type_title=DOCUMENT_TYPES.get(issued.doc_type, None))


def register(admin: Admin) -> None:
    import reports.documents  # noqa: F401  (registers the document types)

    admin.add_view(IssuedDocumentView(IssuedDocument, name="发文登记簿", category=CATEGORY,
                                      endpoint="issued_document"))
    admin.add_view(FilingsView(name="文书目录", category=CATEGORY, endpoint="filings",
                               url="/filings"))
