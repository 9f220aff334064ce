"""Jianguo Street: communities, management areas, buildings, households, organisations."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from models.contracts import ServiceContract
from models.orgs import Department, PropertyFirm, SupportUnit
from models.places import Building, Community, Household, ManagementArea, Street

from . import credit_code, get_or_create

DEPARTMENTS = (
    ("临江市物业治理专项办公室", "物业治理办", "governance"),
    ("临江市城市管理行政执法局", "市城管执法局", "enforcement"),
    ("临江市住房和城乡建设局", "住建局", "housing"),
    ("临江市人民法院", "市法院", "court"),
    ("临江市消防救援大队", "消防大队", "fire"),
    ("临江市公安局建国派出所", "建国派出所", "police"),
)
SUPPORT_UNITS = (("临江市财政局", "孙立新", "0439-5221301"),
                 ("临江市自然资源局", "何建平", "0439-5221785"),
                 ("临江市教育局", "邹红梅", "0439-5223316"),
                 ("临江市林业局", "苗志刚", "0439-5224410"))
FIRMS = (
    ("临江市安居物业服务有限公司", "91220681MA0Y3K5L2", "王立军", "二级"),
    ("临江市鸭绿江物业管理有限公司", "91220681MA14D7QX8", "刘春华", "三级"),
)
COMMUNITIES = (
    ("建国社区", "residents", "建国大街118号", "张秀兰", "0439-5212201"),
    ("解放社区", "residents", "解放路56号", "李国庆", "0439-5212202"),
    ("世纪春社区", "residents", "世纪春路9号", "赵丽华", "0439-5212203"),
    ("台兴社区", "residents", "台兴街21号", "陈志强", "0439-5212204"),
    ("台兴村", "village", "台兴村村部", "孙福林", "0439-5212205"),
)
# name, community, kind, floor area m², households, year built, old complex, firm index or None
AREAS = (
    ("建国花园", "建国社区", "closed", "48600.00", 520, 2009, False, 0),
    ("江畔小区", "建国社区", "closed", "27800.00", 312, 2016, False, 1),
    ("建国大街老旧片区", "建国社区", "open", "35200.00", 438, 1994, True, None),
    ("解放小区", "解放社区", "closed", "41250.00", 466, 2003, True, 0),
    ("解放路独栋楼组团", "解放社区", "standalone", "9800.00", 96, 1998, True, None),
    ("电业家属楼", "解放社区", "closed", "12600.00", 144, 1996, True, None),
    ("世纪春城", "世纪春社区", "closed", "62300.00", 688, 2012, False, 0),
    ("春华苑", "世纪春社区", "closed", "29500.00", 301, 2018, False, 1),
    ("世纪春东片区", "世纪春社区", "open", "31800.00", 402, 1992, True, None),
    ("台兴家园", "台兴社区", "closed", "38900.00", 410, 2010, False, 1),
    ("台兴南区", "台兴社区", "open", "22700.00", 286, 1990, True, None),
    ("林业局家属院", "台兴社区", "closed", "8600.00", 84, 1988, True, None),
    ("台兴新村", "台兴村", "closed", "25400.00", 268, 2015, False, None),
    ("台兴村安置小区", "台兴村", "closed", "18200.00", 210, 2019, False, 0),
    ("江湾独栋楼组团", "台兴村", "standalone", "7600.00", 72, 2001, True, None),
)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("建国", "秀英", "桂兰", "志强", "玉梅", "春生", "丽娟", "国华", "海燕", "德胜",
         "凤英", "立新", "淑珍", "文博", "晓东", "红霞", "长青", "金凤", "永刚", "丽华")


def load(password):
    street = get_or_create(Street, {"name": "建国街道"}, office_name="临江市建国街道办事处",
                           doc_prefix="临建办", address="临江市建国大街100号",
                           phone="0439-5212200")
    for name, short, kind in DEPARTMENTS:
        get_or_create(Department, {"name": name}, short_name=short, kind=kind)
    for name, contact, phone in SUPPORT_UNITS:
        get_or_create(SupportUnit, {"name": name}, contact=contact, phone=phone)
    firms = [get_or_create(PropertyFirm, {"name": name}, credit_code=credit_code(code),
                           legal_representative=rep, contact=rep, phone="13904391" + f"{i:03d}",
                           qualification={"二级": "grade2", "三级": "grade3"}[grade],
                           address="临江市建国大街", licence_valid_until=date(2027, 12, 31))
             for i, (name, code, rep, grade) in enumerate(FIRMS)]
    communities = {name: get_or_create(Community, {"street_id": street.id, "name": name},
                                       kind=kind, address=address, contact=contact, phone=phone)
                   for name, kind, address, contact, phone in COMMUNITIES}
    for index, (name, community, kind, floor_area, households, year, old, firm) in enumerate(AREAS):
        area = get_or_create(
            ManagementArea, {"community_id": communities[community].id, "name": name},
            kind=kind, floor_area=Decimal(floor_area), households=households, year_built=year,
            is_old_complex=old, address=f"临江市{community}{name}",
            boundaries="东至街路，西至邻区围墙，南至江堤路，北至建国大街",
            service_mode="professional" if firm is not None else "none")
        _buildings(area, index)
        if firm is not None:
            get_or_create(
                ServiceContract, {"area_id": area.id, "firm_id": firms[firm].id},
                kind="ordinary", selection_method="assembly", signed_on=date(2023, 12, 20),
                start_on=date(2024, 1, 1), end_on=date(2026, 12, 31) if index % 3 else
                date(2027, 12, 31), fee_residential=Decimal("0.65") if old else Decimal("1.10"),
                fee_commercial=Decimal("1.80"), billing_mode="lump_sum", service_level="二级",
                service_items="公共区域保洁、秩序维护、绿化养护、共用设施设备维修养护",
                publicized_on=date(2023, 12, 25), status="active")


def _buildings(area, seed: int) -> None:
    count = 2 if area.kind == "standalone" else 4
    for b in range(1, count + 1):
        building = get_or_create(Building, {"area_id": area.id, "number": f"{b}号楼"},
                                 address=f"{area.name}{b}号楼", floors=6 if area.is_old_complex else 11,
                                 units=2, households=12, floor_area=Decimal("1080.00"))
        for unit in (1, 2):
            for floor in (1, 2, 3):
                for door in (1, 2):
                    n = seed * 97 + b * 13 + unit * 7 + floor * 3 + door
                    get_or_create(
                        Household, {"building_id": building.id, "room": f"{unit}-{floor}0{door}"},
                        owner_name=SURNAMES[n % len(SURNAMES)] + GIVEN[(n // 3) % len(GIVEN)],
                        owner_phone=f"139{(n * 7919) % 100000000:08d}",
                        floor_area=Decimal("78.50") + (n % 5) * 6, occupied=n % 9 != 0)
