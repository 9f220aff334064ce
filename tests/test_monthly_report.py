"""统计月报: one numbered report per street and month, the street's figures, printable."""
from __future__ import annotations

import re

import sqlalchemy as sa

from demo import load_demo
from models import db
from models.documents import IssuedDocument
from models.users import User

from .conftest import PASSWORD
from .pdf import assert_official_pdf


def _user(username):
    return db.session.scalar(sa.select(User).where(User.username == username))


def test_monthly_report_is_issued_per_month_and_prints(app_ctx, as_user):
    load_demo(PASSWORD)
    db.session.commit()
    street = _user("street")
    browser = as_user(street)
    page = browser.get("/monthly-report/?month=2026-10")
    assert page.status_code == 200 and "2026年10月" in page.get_data(as_text=True)

    html = browser.get(f"/filings/monthly_report/{street.street_id}/html?month=2026-10")
    text = html.get_data(as_text=True)
    assert "建国街道2026年10月物业管理工作统计月报" in text
    for heading in ("工作目标完成情况", "本月案件办理情况", "本月隐患排查处置情况",
                    "物业服务费欠费清缴情况", "业主满意度测评情况", "台兴村", "<svg"):
        assert heading in text
    assert "<script" not in text

    form = {"street": str(street.street_id), "month": "2026-10"}
    first = browser.post_form("/monthly-report/issue", form,
                              form_url="/monthly-report/?month=2026-10")
    assert first.status_code == 302
    again = browser.post_form("/monthly-report/issue", form,
                              form_url="/monthly-report/?month=2026-10")
    assert again.headers["Location"] == first.headers["Location"]
    november = browser.post_form("/monthly-report/issue", {**form, "month": "2026-11"},
                                 form_url="/monthly-report/")
    assert november.headers["Location"] != first.headers["Location"]
    db.session.expire_all()
    issued = db.session.scalars(sa.select(IssuedDocument).where(
        IssuedDocument.doc_type == "monthly_report").order_by(IssuedDocument.id)).all()
    assert [d.title for d in issued] == ["物业管理工作统计月报（2026年10月）",
                                         "物业管理工作统计月报（2026年11月）"]

    pdf = browser.get(first.headers["Location"]).data
    assert_official_pdf(pdf, "2026年10月物业管理工作统计月报", issued[0].number, "临江市物业治理专项办公室")


def test_only_the_street_city_and_admin_open_it(world, as_user):
    assert as_user(world.user("community_a1")).get("/monthly-report/").status_code == 403
    assert as_user(world.user("city")).get("/monthly-report/").status_code == 200
    street_b = world.street_b.id
    browser = as_user(world.user("street_a"))
    assert browser.get(f"/monthly-report/?street={street_b}").status_code == 404
    page = browser.post_form("/monthly-report/issue",
                             {"street": str(street_b), "month": "2026-10"},
                             form_url="/monthly-report/")
    assert page.status_code == 404
    city = as_user(world.user("city"))
    refused = city.post_form("/monthly-report/issue",
                             {"street": str(world.street_a.id), "month": "2026-10"},
                             form_url="/monthly-report/")
    assert refused.status_code == 403
    assert re.search("预览", city.get("/monthly-report/").get_data(as_text=True))
