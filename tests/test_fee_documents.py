"""Fee filings rendered from the demo data: reminder, letter to owners, court referral."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

import reports.documents  # noqa: F401
from demo import load_demo
from models import db
from models.fees import CollectionAction, FeeArrear, LitigationReferral
from models.places import Building, Household, ManagementArea
from models.users import User
from reports.documents.fees import OPEN_STATUSES
from reports.filings import DOCUMENT_TYPES, build_pdf, issue

from .conftest import PASSWORD
from .pdf import assert_official_pdf, page_count, pdf_text

NUMBER = r"{}〔\d{{4}}〕[1-9]\d*号"
UTILITY_THREATS = ("停水", "停电", "停暖", "断水", "断电", "停止供暖")


@pytest.fixture
def demo(app_ctx):
    load_demo(PASSWORD)
    db.session.commit()


@pytest.fixture
def street(demo):
    return db.session.scalar(sa.select(User).where(User.username == "street"))


def render(key, record, user):
    kind = DOCUMENT_TYPES[key]
    issued = issue(kind, record, user)
    db.session.commit()
    return issued, build_pdf([(kind, record, issued)], user)


def flat(pdf: bytes) -> str:
    return "".join(pdf_text(pdf).split())


def owner_names(area_id: int) -> list[str]:
    return db.session.scalars(sa.select(Household.owner_name).join(Building)
                              .where(Building.area_id == area_id)).all()


def assert_meant_for_owners(pdf: bytes, area_id: int) -> None:
    text = flat(pdf)
    assert not [name for name in owner_names(area_id) if name in text]
    assert not [word for word in UTILITY_THREATS if word in text]


def test_reminder_addresses_the_room_and_batch_prints(street, as_user):
    arrear = db.session.scalar(sa.select(FeeArrear).where(FeeArrear.status == "refused")
                               .order_by(FeeArrear.id))
    issued, pdf = render("arrears_reminder", arrear, street)
    room = f"{arrear.area.name}{arrear.household.address}室业主："
    assert_official_pdf(pdf, "物业费催缴通知书", issued.number, room,
                        f"尚欠{arrear.balance:.2f}元", "物业服务合同", "15日内", "调解",
                        "提起诉讼", arrear.firm.phone, issued.verification_code)
    assert re.fullmatch(NUMBER.format("临建办催"), issued.number)
    assert issued.addressee == room.rstrip("：")
    assert_meant_for_owners(pdf, arrear.area_id)

    # The arrears list prints a selection of reminders into one PDF.
    arrears = db.session.scalars(sa.select(FeeArrear).where(FeeArrear.status.in_(OPEN_STATUSES))
                                 .order_by(FeeArrear.id).limit(3)).all()
    user = as_user(street)
    response = user.post_form("/filings/batch/arrears_reminder",
                              {"rowid": [a.id for a in arrears]}, form_url="/filings/")
    assert response.mimetype == "application/pdf"
    assert page_count(response.data) >= 3
    text = flat(response.data)
    assert text.count("物业费催缴通知书") == 3
    for arrear in arrears:
        assert f"{arrear.area.name}{arrear.household.address}室业主" in text
        assert_meant_for_owners(response.data, arrear.area_id)
    assert "批量打印文书" in user.get("/fee_arrear/").get_data(as_text=True)


def test_letter_to_owners_lists_rooms_and_amounts_never_names(street):
    area = db.session.scalar(sa.select(ManagementArea).where(ManagementArea.name == "建国花园"))
    issued, pdf = render("owner_letter", area, street)
    open_arrears = db.session.scalars(sa.select(FeeArrear).where(
        FeeArrear.area_id == area.id, FeeArrear.status.in_(OPEN_STATUSES))).all()
    assert open_arrears
    rows = [item for a in open_arrears for item in (a.household.address, f"{a.balance:.2f}")]
    assert_official_pdf(pdf, "致业主的一封信", issued.number, "建国花园全体业主：", "15日内",
                        *rows)
    assert re.fullmatch(NUMBER.format("临建办信"), issued.number)
    assert_meant_for_owners(pdf, area.id)

    # Printed from a collection action by notice board, it says where it was published.
    action = db.session.scalar(sa.select(CollectionAction).where(
        CollectionAction.channel == "notice_board").order_by(CollectionAction.id))
    issued, pdf = render("owner_letter_collection", action, street)
    area = action.arrear.area
    assert_official_pdf(pdf, "致业主的一封信", issued.number, f"{area.name}全体业主：",
                        "发布方式：公告栏")
    assert_meant_for_owners(pdf, area.id)


def test_litigation_referral_is_a_letter_to_the_court(street):
    referral = db.session.scalar(sa.select(LitigationReferral).where(
        LitigationReferral.outcome == "pending"))
    arrear = referral.arrear
    issued, pdf = render("litigation_referral", referral, street)
    text = assert_official_pdf(
        pdf, "物业服务费纠纷诉讼移交函", "临江市人民法院：", issued.number,
        f"原告：{referral.firm.name}", referral.firm.credit_code,
        f"被告：{arrear.household.owner_name}", f"{arrear.household.address}室",
        f"物业服务费{arrear.balance:.2f}元", "证据清单", "催缴通知书及送达凭证",
        "尚需补充：服务记录", "绿色通道", "小额快裁", "合并审理", referral.case_number,
        "临江市建国街道办事处")
    assert re.fullmatch(NUMBER.format("临建办函"), issued.number)
    assert issued.addressee == "临江市人民法院"
    assert "■合并审理" in "".join(text.split())
