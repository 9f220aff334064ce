"""Handover filings: the takeover inspection record, the handover record, the exit record."""
from __future__ import annotations

from reports.filings import DocumentType, chinese_date, register


def _money(value) -> str:
    return f"{value:,.2f}" if value is not None else "—"


def _signatures(record) -> list[tuple[str, str, object]]:
    """(who signs, their role on the form, the date signed or None), in signing order."""
    from models.service import INCOMING_KINDS, OUTGOING_KINDS

    return [
        (OUTGOING_KINDS.label(record.outgoing_kind), "移交方",
         record.outgoing_signed_on if record.outgoing_signed else None),
        (INCOMING_KINDS.label(record.incoming_kind), "接收方",
         record.incoming_signed_on if record.incoming_signed else None),
        ("业主委员会（业主代表）", "业主方",
         record.committee_signed_on if record.committee_signed else None),
        ("街道办事处", "见证", record.street_signed_on if record.street_signed else None),
        ("社区居（村）民委员会", "见证",
         record.community_signed_on if record.community_signed else None),
    ]


def _handover_context(record) -> dict:
    """What the three handover documents share: the record, its area and its lines by kind."""
    from models.service import CHECK_METHODS, COPY_KINDS, HANDOVER_CATEGORIES

    items = sorted(record.items, key=lambda item: (item.seq or 0, item.id))
    documents = [i for i in items if i.category == "documents"]
    facilities = [i for i in items if i.category in ("common_parts", "facilities", "keys")]
    funds = [i for i in items if i.category == "funds"]
    return {"handover": record, "area": record.area, "community": record.area.community,
            "lines": items, "documents": documents, "facilities": facilities, "funds": funds,
            "problems": [i for i in items if i.problem],
            "categories": HANDOVER_CATEGORIES, "methods": CHECK_METHODS,
            "copy_kinds": COPY_KINDS,
            "cn": lambda day: chinese_date(day) if day else "",
            "short": lambda day: f"{day.year}.{day.month}.{day.day}" if day else "",
            "money": _money, "signatures": _signatures(record)}


def _exit_context(record) -> dict:
    amounts = (record.prepaid_fees, record.deposits, record.shared_income,
               record.collected_balance)
    total = sum(a for a in amounts if a is not None) if any(a is not None for a in amounts) \
        else None
    return {**_handover_context(record), "settlement_total": total}


register(DocumentType(
    key="handover_inspection_record",
    title="物业承接查验记录",
    template="reports/handover_inspection_record.html",
    model="HandoverInspection",
    prefix_suffix="验",
    context=_handover_context,
    purpose="承接查验时逐项记录查验情况、存在问题和整改复验结果，由交接双方签字。",
    applies_to=lambda record: record.kind == "takeover",
))

register(DocumentType(
    key="handover_record",
    title="物业交接记录",
    template="reports/handover_record.html",
    model="HandoverInspection",
    prefix_suffix="交",
    context=_handover_context,
    purpose="承接查验后移交资料、共用部位和共用设施设备的交接清单，由双方签章。",
    applies_to=lambda record: record.kind == "takeover",
))

register(DocumentType(
    key="exit_handover_record",
    title="物业服务企业退出交接记录",
    template="reports/exit_handover_record.html",
    model="HandoverInspection",
    prefix_suffix="退",
    context=_exit_context,
    purpose="物业服务合同终止后原物业服务人退出时的资料、用房、设施设备和费用结算交接。",
    applies_to=lambda record: record.kind == "exit",
))
