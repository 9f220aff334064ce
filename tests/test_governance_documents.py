"""The governance filings render from the demo data as official PDFs."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

import reports.documents  # noqa: F401
from models import db
from models.governance import OwnersCommittee, PreparatoryGroup
from models.users import User
from reports.filings import DOCUMENT_TYPES, build_pdf, issue

from .pdf import assert_official_pdf

NUMBER = re.compile(r"^临建办[^〔]*〔\d{4}〕[1-9]\d*号$")


@pytest.fixture
def demo(app_ctx):
    from demo import load_demo

    load_demo("pw-1234567890")
    db.session.commit()
    return db.session.scalar(sa.select(User).where(User.role == "street"))


def _issue(key, record, user):
    kind = DOCUMENT_TYPES[key]
    issued = issue(kind, record, user)
    db.session.commit()
    assert NUMBER.match(issued.number), issued.number
    return issued, build_pdf([(kind, record, issued)], user)


def _group():
    return db.session.scalar(sa.select(PreparatoryGroup).where(PreparatoryGroup.status == "formed"))


def test_preparatory_notice(demo):
    issued, pdf = _issue("preparatory_notice", _group(), demo)
    assert issued.number.startswith("临建办发〔")
    text = assert_official_pdf(pdf, "筹备组成立公告", issued.number, "电业家属楼全体业主：",
                               "临江市建国街道办事处", "刘建华", "组长", "139****2375",
                               "2027年1月18日前", issued.verification_code)
    assert "13904392375" not in text


def test_preparatory_publicity(demo):
    issued, pdf = _issue("preparatory_publicity", _group(), demo)
    assert_official_pdf(pdf, "筹备事项公示", issued.number, "草拟管理规约、业主大会议事规则",
                        "2027年1月9日上午9时", "解放社区党群服务中心二楼会议室", "书面征求意见",
                        "自2026年11月25日至2027年1月8日", "0439-5212202",
                        "电业家属楼首次业主大会会议筹备组")


def test_committee_filing(demo):
    committee = db.session.scalar(sa.select(OwnersCommittee).where(
        OwnersCommittee.filing_status == "submitted"))
    issued, pdf = _issue("committee_filing", committee, demo)
    assert issued.number.startswith("临建办业备〔")
    text = assert_official_pdf(pdf, "业主委员会备案表", issued.number, "春华苑",
                               "临江市建国街道春华苑业主大会", "第1届", "委员人数", "主任",
                               "139****", "委员身份与权属证明", "街道办事处意见",
                               "物业主管部门意见", "参与表决")
    assert "1390439" not in text
