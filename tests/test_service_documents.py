"""The handover filings render from the demo data as official PDFs."""
from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

import reports.documents  # noqa: F401
from models import db
from models.service import HandoverInspection
from models.users import User
from reports.filings import DOCUMENT_TYPES, build_pdf, issue

from .pdf import assert_official_pdf

NUMBER = re.compile(r"^临建办(验|交|退)〔\d{4}〕[1-9]\d*号$")


@pytest.fixture
def demo(app_ctx):
    from demo import load_demo

    load_demo("pw-1234567890")
    db.session.commit()
    return db.session.scalar(sa.select(User).where(User.role == "street"))


def _handover(kind: str) -> HandoverInspection:
    return db.session.scalar(sa.select(HandoverInspection).where(HandoverInspection.kind == kind))


def _issue(key, record, user):
    kind = DOCUMENT_TYPES[key]
    issued = issue(kind, record, user)
    db.session.commit()
    assert NUMBER.match(issued.number), issued.number
    return issued, build_pdf([(kind, record, issued)], user)


def test_handover_inspection_record(demo):
    issued, pdf = _issue("handover_inspection_record", _handover("takeover"), demo)
    assert issued.number.startswith("临建办验〔")
    assert_official_pdf(pdf, "物业承接查验记录", issued.number, "春江景苑",
                        "临江市春江房地产开发有限公司", "临江市安居物业服务有限公司",
                        "查验范围", "1-3号楼屋面及防水层", "3号楼屋面东侧约12㎡防水层空鼓",
                        "2026.6.30", "返修后闭水试验合格", "2号排水泵浮球开关失灵", "未修复",
                        "查验结论", "2026年5月28日", "移交方", "接收方", "见证",
                        issued.verification_code)


def test_handover_record(demo):
    issued, pdf = _issue("handover_record", _handover("takeover"), demo)
    assert issued.number.startswith("临建办交〔")
    assert_official_pdf(pdf, "物业交接记录", issued.number, "一、移交资料明细",
                        "竣工总平面图、单体建筑及设备竣工图", "252份", "原件",
                        "二、共用部位、共用设施设备及钥匙明细", "电梯", "6部", "地下车库集水井",
                        "交接方式", "资料核对、现场查验、设备试运行", "2号楼一单元一楼",
                        "（签章）", "2026年5月28日")


def test_exit_handover_record(demo):
    issued, pdf = _issue("exit_handover_record", _handover("exit"), demo)
    assert issued.number.startswith("临建办退〔")
    assert_official_pdf(pdf, "物业服务企业退出交接记录", issued.number, "春华苑",
                        "原物业服务人", "春华苑业主委员会", "2026年12月31日", "2027年1月15日前",
                        "3号楼一单元一楼", "86.50", "三、费用结算", "预收物业费", "48,620.00",
                        "12,000.00", "23,450.00", "3,180.50", "87,250.50",
                        "电梯维保合同转签", "业主资料清册", "第九百四十九条")


def test_each_record_prints_only_its_own_kind(demo):
    takeover, leaving = _handover("takeover"), _handover("exit")
    assert DOCUMENT_TYPES["handover_inspection_record"].applies_to(takeover)
    assert not DOCUMENT_TYPES["handover_inspection_record"].applies_to(leaving)
    assert not DOCUMENT_TYPES["exit_handover_record"].applies_to(takeover)
    assert DOCUMENT_TYPES["exit_handover_record"].applies_to(leaving)
