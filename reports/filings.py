"""Issuing filings: the document-type registry, numbers, reprints, re-issues and rendering.

A document is issued once per record and type; reprinting returns the same number, a
correction is re-issued under a new number and the old one is marked superseded.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import segno
import sqlalchemy as sa
from flask import current_app, render_template

from models.base import local_today
from models import db
from models.documents import IssuedDocument, next_number
from models.scoping import model_by_name, visible_to

from .render import render_pdf

ISSUER_ROLES = frozenset({"admin", "street", "community"})
FILING_STYLESHEET = "css/filing.css"  # under static/


@dataclass(frozen=True)
class DocumentType:
    """One kind of printed document and how to fill it from its record."""

    key: str
    title: str
    template: str
    model: str
    prefix_suffix: str
    layout: str = "form"  # form | letter | official
    addressee: Callable = lambda record: None
    department: Callable = lambda record: None
    area: Callable = lambda record: getattr(record, "area", None)
    context: Callable = lambda record: {}
    cc: str | None = None
    purpose: str = ""
    # Whether this document can be printed for a given record (e.g. only letter-type actions).
    applies_to: Callable = lambda record: True
    issuer_roles: frozenset = field(default=ISSUER_ROLES)

    @property
    def model_class(self):
        return model_by_name(self.model)


DOCUMENT_TYPES: dict[str, DocumentType] = {}


def register(document_type: DocumentType) -> DocumentType:
    DOCUMENT_TYPES[document_type.key] = document_type
    return document_type


def chinese_date(day: date) -> str:
    """2024年8月29日: Arabic numerals, no padding (GB/T 9704 §7.3.5.4)."""
    return f"{day.year}年{day.month}月{day.day}日"


def format_number(prefix: str, year: int, serial: int) -> str:
    return f"{prefix}〔{year}〕{serial}号"


def find_record(document_type: DocumentType, record_id, user):
    """The record if it exists and the user may see it; None otherwise."""
    try:
        record_id = int(record_id)
    except (TypeError, ValueError):
        return None
    model = document_type.model_class
    record = db.session.scalar(sa.select(model).where(model.id == record_id,
                                                      visible_to(model, user)))
    return record if record is not None and document_type.applies_to(record) else None


def street_of(document_type: DocumentType, record, user):
    area = document_type.area(record)
    if area is not None:
        return area.community.street
    return user.street


def prefix_for(document_type: DocumentType, street) -> str:
    configured = current_app.config.get("DOCUMENT_PREFIXES", {}).get(document_type.key)
    return configured or f"{street.doc_prefix or street.name}{document_type.prefix_suffix}"


def current_issue(document_type: DocumentType, record) -> IssuedDocument | None:
    return db.session.scalar(sa.select(IssuedDocument).where(
        IssuedDocument.doc_type == document_type.key, IssuedDocument.record_id == record.id,
        IssuedDocument.status == "current"))


def issue(document_type: DocumentType, record, user) -> IssuedDocument:
    """The current document for this record, issuing it under a new number if there is none."""
    existing = current_issue(document_type, record)
    return existing or new_issue(document_type, record, user)


def reissue(document_type: DocumentType, record, user) -> IssuedDocument:
    """Issue a corrected document under a new number; the previous one becomes superseded."""
    previous = current_issue(document_type, record)
    if previous is not None:
        previous.status = "superseded"
        db.session.flush()
    return new_issue(document_type, record, user, supersedes=previous)


def new_issue(document_type, record, user, supersedes=None) -> IssuedDocument:
    street = street_of(document_type, record, user)
    prefix = prefix_for(document_type, street)
    today = local_today()
    serial = next_number(prefix, today.year)
    department = document_type.department(record)
    area = document_type.area(record)
    issued = IssuedDocument(
        number=format_number(prefix, today.year, serial), prefix=prefix, year=today.year,
        serial=serial, doc_type=document_type.key, title=document_type.title,
        record_id=record.id, addressee=document_type.addressee(record),
        issuing_body=street.office_name, street_id=street.id,
        area_id=area.id if area is not None else None,
        addressee_department_id=department.id if department is not None else None,
        issued_by_id=user.id if user is not None else None, supersedes=supersedes)
    db.session.add(issued)
    db.session.flush()
    return issued


def verify_url(code: str) -> str:
    return f"{current_app.config['PUBLIC_BASE_URL'].rstrip('/')}/verify/{code}"


def _document_context(document_type, record, issued, user) -> dict:
    street = street_of(document_type, record, user)
    if issued is None:
        number = format_number(prefix_for(document_type, street), local_today().year, 0)
        code, day = "（预览）", local_today()
    else:
        number, code, day = issued.number, issued.verification_code, issued.issued_at.date()
    url = verify_url(code) if issued is not None else verify_url("")
    return {
        "title": document_type.title,
        "template": document_type.template,
        "css_class": document_type.layout,
        "number": number.replace("〕0号", "〕____号"),
        "date_cn": chinese_date(day),
        "date": day,
        "issuing_body": street.office_name,
        "street": street,
        "addressee": document_type.addressee(record),
        "cc": document_type.cc,
        "verification_code": code,
        "verify_url": url,
        "qr_svg": segno.make(url, error="m").svg_inline(scale=2, dark="#000"),
        "preview": issued is None,
        "record": record,
        **document_type.context(record),
    }


def build_html(items, user, for_pdf: bool = True) -> str:
    """One HTML page holding every (document type, record, issued or None) in `items`.

    The page links the filing stylesheet for the browser only: build_pdf applies it to the
    PDF, parsed once per process instead of once per document.
    """
    documents = [_document_context(t, r, i, user) for t, r, i in items]
    return render_template("reports/page.html", documents=documents,
                           stylesheet_url=None if for_pdf else f"/static/{FILING_STYLESHEET}")


def build_pdf(items, user) -> bytes:
    """One PDF of the documents in `items`, each laid out as a document of its own."""
    return render_pdf(*(build_html([item], user) for item in items),
                      stylesheets=(FILING_STYLESHEET,))
