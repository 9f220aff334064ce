"""Filings: numbering, issue and reprint, verification, scope, the PDF itself."""
from __future__ import annotations

import os
import re
import threading

import pytest
import sqlalchemy as sa

import reports.documents  # noqa: F401
from models import db
from models.documents import DocumentSequence, IssuedDocument, next_number
from reports.filings import DOCUMENT_TYPES, build_pdf, issue, reissue
from reports import render
from reports.render import _static_fetcher, render_pdf

from .factories import make_contract, make_firm
from .pdf import A4_POINTS, assert_official_pdf, page_count, page_numbers, page_sizes, page_texts

NUMBER_PATTERN = re.compile(r"^.+〔\d{4}〕[1-9]\d*号$")


@pytest.fixture
def contract(world):
    area = world.area_a1
    area.address = "临江市建国大街1号"
    row = make_contract(area, make_firm("临江市安居物业服务有限公司"), kind="preliminary",
                        selection_method="agreement", approval_number="临城执批〔2026〕3号",
                        developer_name="临江市建国房地产开发有限公司")
    db.session.commit()
    return row


def test_harfbuzz_subset_is_installed():
    from weasyprint.text.ffi import harfbuzz_subset

    assert harfbuzz_subset is not None, "install libharfbuzz-subset0: PDFs render 40x slower"


def test_numbers_are_gapless_and_distinct_across_threads(app_ctx):
    results, errors = [], []

    def worker():
        with app_ctx.app_context():
            try:
                for _ in range(5):
                    results.append(next_number("临建办发", 2026))
                    db.session.commit()
            except Exception as error:  # noqa: BLE001 - reported below
                errors.append(error)
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(results) == list(range(1, 31))
    assert db.session.scalar(sa.select(DocumentSequence.last_number)) == 30


def test_a_rolled_back_issue_gives_its_number_back(app_ctx):
    assert next_number("临建办函", 2026) == 1
    db.session.rollback()
    assert next_number("临建办函", 2026) == 1
    db.session.commit()
    assert next_number("临建办函", 2026) == 2


def test_sequences_are_per_prefix_and_year(app_ctx):
    assert [next_number("A", 2025), next_number("A", 2026), next_number("B", 2026),
            next_number("A", 2026)] == [1, 1, 1, 2]


def test_reprint_keeps_the_number_and_reissue_supersedes(world, contract):
    kind = DOCUMENT_TYPES["contract_filing"]
    user = world.user("street_a")
    first = issue(kind, contract, user)
    db.session.commit()
    assert NUMBER_PATTERN.match(first.number) and first.number.startswith("临建办备〔")
    assert issue(kind, contract, user).id == first.id
    corrected = reissue(kind, contract, user)
    db.session.commit()
    assert corrected.number != first.number and corrected.supersedes_id == first.id
    assert first.status == "superseded" and corrected.status == "current"


def test_contract_filing_pdf(world, contract):
    kind = DOCUMENT_TYPES["contract_filing"]
    issued = issue(kind, contract, world.user("street_a"))
    pdf = build_pdf([(kind, contract, issued)], world.user("street_a"))
    assert_official_pdf(pdf, "前期物业服务合同备案表", issued.number, "建国花园",
                        "临江市安居物业服务有限公司", "协议选聘", "临城执批〔2026〕3号",
                        "临江市城市管理行政执法局", issued.verification_code)


def test_agreement_request_is_a_letter_to_the_bureau(world, contract):
    kind = DOCUMENT_TYPES["agreement_request"]
    issued = issue(kind, contract, world.user("street_a"))
    pdf = build_pdf([(kind, contract, issued)], world.user("street_a"))
    assert_official_pdf(pdf, "关于协议选聘前期物业服务企业的请示", "临江市城市管理行政执法局：",
                        "不超过三万平方米", "临江市建国街道办事处", issued.number)
    assert issued.number.startswith("临建办函〔")


def test_print_through_the_screens(world, contract, as_user):
    user = as_user(world.user("street_a"))
    preview = user.get(f"/filings/contract_filing/{contract.id}/")
    assert preview.status_code == 200 and "出具并打印" in preview.get_data(as_text=True)
    assert "前期物业服务合同备案表" in user.get(
        f"/filings/contract_filing/{contract.id}/html").get_data(as_text=True)
    response = user.post_form(f"/filings/contract_filing/{contract.id}/issue", {},
                              form_url=f"/filings/contract_filing/{contract.id}/")
    assert response.status_code == 302
    pdf = user.get(response.location)
    assert pdf.mimetype == "application/pdf"
    issued = db.session.scalar(sa.select(IssuedDocument))
    register = user.get("/issued_document/").get_data(as_text=True)
    assert issued.number in register


def test_no_one_prints_a_record_they_cannot_see(world, contract, as_user):
    kind = DOCUMENT_TYPES["contract_filing"]
    issued = issue(kind, contract, world.user("street_a"))
    db.session.commit()
    for persona in ("community_b1", "street_b", "firm_b"):
        user = as_user(world.user(persona))
        assert user.get(f"/filings/contract_filing/{contract.id}/").status_code == 404
        assert user.get(f"/filings/contract_filing/{contract.id}/html").status_code == 404
        assert user.get(f"/filings/pdf/{issued.id}").status_code == 404
        assert issued.number not in user.get("/issued_document/").get_data(as_text=True)


def test_batch_prints_one_pdf_and_skips_foreign_rows(world, as_user):
    contracts = [make_contract(world.area_a1, make_firm()) for _ in range(3)]
    foreign = make_contract(world.area_b1, make_firm())
    db.session.commit()
    user = as_user(world.user("street_a"))
    ids = [c.id for c in contracts] + [foreign.id]
    response = user.post_form("/filings/batch/contract_filing", {"rowid": ids},
                              form_url="/filings/")
    assert response.mimetype == "application/pdf"
    assert page_count(response.data) == 3
    issued = db.session.scalars(sa.select(IssuedDocument.record_id)).all()
    assert sorted(issued) == sorted(c.id for c in contracts)


def test_a_batch_binds_each_document_as_printed_alone(world, contract):
    """Each document keeps its own pages, text and page numbers inside a batch PDF: letters
    show none on their first page, forms start at 1, and numbering restarts per document."""
    user = world.user("street_a")
    letter, form = DOCUMENT_TYPES["agreement_request"], DOCUMENT_TYPES["contract_filing"]
    long_form = make_contract(world.area_a1, make_firm(),
                              service_items="保洁、绿化养护、秩序维护、共用设施设备日常运行维护。" * 60)
    db.session.commit()
    items = [(letter, contract, issue(letter, contract, user)),
             (form, long_form, issue(form, long_form, user)),
             (letter, contract, None)]
    alone = [build_pdf([item], user) for item in items]
    assert [page_numbers(pdf) for pdf in alone] == [[None, 2], [1, 2, 3], [None, 2]]
    batch = build_pdf(items, user)
    assert page_texts(batch) == [text for pdf in alone for text in page_texts(pdf)]


def test_verification_page_shows_status_without_personal_data(world, contract, client):
    kind = DOCUMENT_TYPES["contract_filing"]
    first = issue(kind, contract, world.user("street_a"))
    db.session.commit()
    page = client.get(f"/verify/{first.verification_code}").get_data(as_text=True)
    assert first.number in page and "有效" in page and "临江市建国街道办事处" in page
    assert world.user("street_a").display_name not in page
    reissue(kind, contract, world.user("street_a"))
    db.session.commit()
    assert "已作废" in client.get(f"/verify/{first.verification_code}").get_data(as_text=True)
    assert client.get("/verify/NOSUCHCODE").status_code == 404


def test_fetcher_serves_only_static_files():
    fetcher = _static_fetcher()
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/hostname")
    with pytest.raises(ValueError):
        fetcher.fetch("http://127.0.0.1:5000/")
    import os
    from reports.render import STATIC_DIR
    response = fetcher.fetch("file://" + os.path.join(STATIC_DIR, "css", "filing.css"))
    assert response.headers["Content-Type"] == "text/css"


def test_an_edited_stylesheet_applies_without_a_restart(monkeypatch, tmp_path):
    monkeypatch.setattr(render, "STATIC_DIR", os.path.realpath(tmp_path))
    sheet = tmp_path / "print.css"
    sheet.write_text("@page { size: A5 }")
    assert page_sizes(render_pdf("<p>临江</p>", stylesheets=("print.css",))) == {(420, 595)}
    sheet.write_text("@page { size: A4 }")
    later = sheet.stat().st_mtime_ns + 1_000_000_000
    os.utime(sheet, ns=(later, later))
    assert page_sizes(render_pdf("<p>临江</p>", stylesheets=("print.css",))) == {A4_POINTS}


def test_cli_lists_and_renders(world, contract, runner, tmp_path):
    listed = runner.invoke(args=["filings", "list"])
    assert "contract_filing" in listed.output
    output = tmp_path / "out.pdf"
    result = runner.invoke(args=["filings", "render", "contract_filing", str(contract.id),
                                 "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert_official_pdf(output.read_bytes(), "前期物业服务合同备案表")
