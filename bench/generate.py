"""A city-scale data set: 20 streets, 100 communities, and areas, households, cases in proportion.

Rows go in through bulk inserts in one transaction (executemany of the Core INSERT on SQLite,
COPY on PostgreSQL). Every NOT NULL column without a default that the generator does not set
itself is filled from the table metadata, so columns added to the models need no change here.

    python -m bench.generate --cases 100000 --url sqlite:///bench/data/cases-100000.sqlite
"""
from __future__ import annotations

import argparse
import functools
import hashlib
import os
import random
import sys
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA_DIR = os.path.join(ROOT, "bench", "data")
PASSWORD = "Bench-password-2026"
BATCH = 20_000
STREETS = 20
COMMUNITIES_PER_STREET = 5
EVENTS_PER_CASE = 5
# Case dates run over the three years the system has been in use (today is 2026-11-28).
FIRST_DAY = datetime(2024, 1, 1, 8, 0)
LAST_DAY = datetime(2026, 11, 28, 18, 0)
SPAN_SECONDS = int((LAST_DAY - FIRST_DAY).total_seconds())
NOW = datetime(2026, 11, 28, 9, 0)

# The search term of the benchmark appears in one title pattern in twelve.
SEARCH_TERM = "漏水"
TITLES = ("楼道堆物影响通行", "地下车库漏水", "电梯频繁故障停运", "小区绿化被毁", "物业费收费争议",
          "夜间施工噪音扰民", "违章搭建阳光房", "高空抛物", "消防通道被占用", "垃圾清运不及时",
          "二次供水水质浑浊", "停车收费纠纷")
RESPONDENTS = ("物业服务中心", "楼上住户", "装修施工队", "开发建设单位", "商铺经营者", "停车场管理方")
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华"
STREET_NAMES = ("建国", "解放", "人民", "胜利", "和平", "新华", "长江", "黄河", "东风", "红旗",
                "光明", "友谊", "朝阳", "文化", "振兴", "团结", "幸福", "临江", "滨河", "兴业")
AREA_WORDS = ("花园", "家园", "小区", "公寓", "新村", "苑", "里", "雅居")
FIRM_WORDS = ("安居", "金盾", "恒信", "诚达", "和美", "绿城", "万家", "华宇", "瑞丰", "宏泰")

# (state, weight): most cases of three years are closed; a tenth are open.
CASE_STATES = (("closed", 55), ("resolved", 10), ("in_progress", 10), ("assigned", 10),
               ("received", 5), ("escalated", 3), ("reported_to_street", 2),
               ("closed_unresolved", 2), ("not_in_remit", 2), ("returned", 1))
CLOSED = {"closed", "closed_unresolved"}
SURVEYED = {"resolved", "closed", "closed_unresolved"}
# The timeline of a case: five steps, the last leaving the case in its current state.
TIMELINE = (("receive", None, "received"), ("assign", "received", "assigned"),
            ("start", "assigned", "in_progress"), ("note", None, None))
HAZARD_STATES = ("found", "warned", "contacted", "disposed", "verified")
SERVICE_MODES = ("professional",) * 6 + ("self_managed", "fallback", "fallback", "none")


@dataclass(frozen=True)
class Sizes:
    """Row counts for a data set of `cases` cases; places grow with cases, streets do not."""

    cases: int

    @property
    def streets(self):
        return STREETS

    @property
    def communities(self):
        return STREETS * COMMUNITIES_PER_STREET

    @property
    def areas(self):
        return max(self.communities * 2, self.cases // 100)

    @property
    def buildings(self):
        return self.areas * 2

    @property
    def households(self):
        return max(self.buildings, self.cases // 5)

    @property
    def firms(self):
        return max(20, self.areas // 50)

    @property
    def events(self):
        return self.cases * EVENTS_PER_CASE

    @property
    def hazards(self):
        return self.cases // 10

    @property
    def arrears(self):
        return self.households // 10

    @property
    def escalations(self):
        return self.cases // 50


def community_of_area(area: int, sizes: Sizes) -> int:
    return (area - 1) * sizes.communities // sizes.areas + 1


def street_of_community(community: int) -> int:
    return (community - 1) // COMMUNITIES_PER_STREET + 1


def area_of_building(building: int) -> int:
    return (building - 1) // 2 + 1


def building_of_household(household: int, sizes: Sizes) -> int:
    return (household - 1) * sizes.buildings // sizes.households + 1


def firm_of_area(area: int, sizes: Sizes) -> int:
    return (area - 1) % sizes.firms + 1


def bench_usernames(sizes: Sizes) -> dict[str, str]:
    """The accounts the runner signs in as: the first street and its first community."""
    return {"street": "bench_street_1", "community": "bench_community_1", "admin": "bench_admin"}


# -- filling the columns the generator does not set -------------------------------------------

def _unique_columns(table: sa.Table) -> set[str]:
    names = {c.name for c in table.columns if c.unique}
    for constraint in table.constraints:
        if isinstance(constraint, sa.UniqueConstraint):
            names.update(c.name for c in constraint.columns)
    for index in table.indexes:
        if index.unique:
            names.update(c.name for c in index.columns)
    return names


def _filler(table: sa.Table, column: sa.Column, unique: bool):
    """A function of the row number giving a value for a column the generator leaves out;
    None when the database may fill it (NULL, a server default or the key)."""
    if column.primary_key and column.autoincrement in (True, "auto") and \
            isinstance(column.type, sa.Integer):
        return None
    if column.default is not None:
        arg = column.default.arg
        value = arg(None) if callable(arg) else arg
        return lambda i: value
    if column.server_default is not None or column.nullable:
        return None
    if column.foreign_keys:
        raise SystemExit(f"bench.generate: {table.name}.{column.name} 是新的必填外键，"
                         "请在 bench/generate.py 中为它给出取值。")
    kind = column.type
    if isinstance(kind, sa.Enum):
        value = kind.enums[0]
    elif isinstance(kind, sa.Boolean):
        value = False
    elif isinstance(kind, sa.DateTime):
        value = NOW
    elif isinstance(kind, sa.Date):
        value = NOW.date()
    elif isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        value = Decimal(1)
    elif isinstance(kind, (sa.Integer, sa.Float)):
        if unique:
            return lambda i: i
        value = 1
    else:
        length = getattr(kind, "length", None) or 32
        if unique:
            return lambda i: f"b{i}"[:length]
        value = "基准数据"[:length]
    return lambda i: value


def _sqlite_converter(column: sa.Column):
    """Driver-level value for SQLite, as SQLAlchemy itself would store it."""
    kind = column.type
    if isinstance(kind, sa.DateTime):
        return lambda v: None if v is None else v.isoformat(" ", "microseconds")
    if isinstance(kind, sa.Date):
        return lambda v: None if v is None else v.isoformat()
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Float):
        return lambda v: None if v is None else float(v)
    if isinstance(kind, sa.Boolean):
        return lambda v: None if v is None else int(v)
    return None


class Loader:
    """Bulk-loads rows given as tuples of the named columns, completing the other columns."""

    def __init__(self, connection: sa.Connection, metadata: sa.MetaData):
        self.connection = connection
        self.metadata = metadata
        self.postgresql = connection.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def load(self, name: str, columns: tuple[str, ...], rows) -> int:
        table = self.metadata.tables[name]
        unknown = set(columns) - set(table.c.keys())
        if unknown:
            raise SystemExit(f"bench.generate: {name} 没有列 {sorted(unknown)}")
        unique = _unique_columns(table)
        fillers = [(c.name, f) for c in table.columns if c.name not in columns
                   for f in [_filler(table, c, c.name in unique)] if f is not None]
        names = list(columns) + [n for n, _ in fillers]
        makers = [f for _, f in fillers]
        converters = None
        if not self.postgresql:
            converters = [(i, conv) for i, n in enumerate(names)
                          for conv in [_sqlite_converter(table.c[n])] if conv is not None]
        count = 0
        batch = []
        sql = self._statement(table, names)
        for row in rows:
            count += 1
            if makers:
                row = (*row, *(make(count) for make in makers))
            if converters:
                row = list(row)
                for i, conv in converters:
                    row[i] = conv(row[i])
                row = tuple(row)
            batch.append(row)
            if len(batch) >= BATCH:
                self._write(sql, batch)
                batch = []
        if batch:
            self._write(sql, batch)
        self.counts[name] = self.counts.get(name, 0) + count
        return count

    def _statement(self, table, names):
        if self.postgresql:
            quoted = ", ".join(f'"{n}"' for n in names)
            return f'COPY "{table.name}" ({quoted}) FROM STDIN'
        # Written out rather than compiled: the compiler orders columns by the table, and the
        # tuples are in the order of `names`.
        quote = self.connection.dialect.identifier_preparer.quote
        return (f"INSERT INTO {quote(table.name)} ({', '.join(quote(n) for n in names)}) "
                f"VALUES ({', '.join('?' for _ in names)})")

    def _write(self, sql, batch):
        if self.postgresql:
            cursor = self.connection.connection.driver_connection.cursor()
            with cursor.copy(sql) as copy:
                for row in batch:
                    copy.write_row(row)
        else:
            self.connection.exec_driver_sql(sql, batch)


# -- the data -------------------------------------------------------------------------------

def _name(rnd: random.Random) -> str:
    return rnd.choice(SURNAMES) + rnd.choice(GIVEN) + (rnd.choice(GIVEN) if rnd.random() < .6 else "")


def _phone(rnd: random.Random) -> str:
    return f"13{rnd.randint(0, 9)}{rnd.randint(0, 99999999):08d}"


def _moment(rnd: random.Random) -> datetime:
    return FIRST_DAY + timedelta(seconds=rnd.randrange(SPAN_SECONDS))


def _credit_code(n: int) -> str:
    from stdnum.cn import uscc

    body = f"91320100MA{n:07d}"[:17]
    return body + uscc.calc_check_digit(body)


def _places(load: Loader, sizes: Sizes, rnd: random.Random, password_hash: str) -> None:
    load.load("street", ("id", "name", "office_name", "doc_prefix"),
              ((s, f"{STREET_NAMES[s - 1]}街道", f"临江市{STREET_NAMES[s - 1]}街道办事处",
                f"临{STREET_NAMES[s - 1][0]}办")
               for s in range(1, sizes.streets + 1)))
    load.load("community", ("id", "street_id", "name"),
              ((c, street_of_community(c), f"{STREET_NAMES[street_of_community(c) - 1]}第{c}社区")
               for c in range(1, sizes.communities + 1)))
    load.load("property_firm", ("id", "name", "credit_code"),
              ((f, f"临江市{FIRM_WORDS[f % len(FIRM_WORDS)]}第{f}物业服务有限公司",
                _credit_code(f)) for f in range(1, sizes.firms + 1)))
    load.load("department", ("id", "name", "kind"),
              ((1, "临江市城市管理综合行政执法局", "enforcement"),
               (2, "临江市住房和城乡建设局", "other"), (3, "临江市消防救援支队", "other")))
    load.load("management_area",
              ("id", "community_id", "name", "address", "floor_area", "households",
               "year_built", "is_old_complex", "service_mode"),
              ((a, community_of_area(a, sizes),
                f"{rnd.choice(STREET_NAMES)}{AREA_WORDS[a % len(AREA_WORDS)]}{a}号区",
                f"临江市{STREET_NAMES[street_of_community(community_of_area(a, sizes)) - 1]}路{a}号",
                Decimal(rnd.randint(20_000, 200_000)), sizes.households // sizes.areas,
                rnd.randint(1985, 2022), rnd.random() < .3, rnd.choice(SERVICE_MODES))
               for a in range(1, sizes.areas + 1)))
    load.load("building", ("id", "area_id", "number", "floors", "units", "households"),
              ((b, area_of_building(b), f"{(b - 1) % 2 + 1}号楼", rnd.randint(6, 33), 2,
                sizes.households // sizes.buildings) for b in range(1, sizes.buildings + 1)))
    load.load("household", ("id", "building_id", "room", "owner_name", "owner_phone",
                            "floor_area", "occupied"),
              ((h, building_of_household(h, sizes), f"{h % 30 + 1:02d}{h % 4 + 1:02d}-{h}",
                _name(rnd), _phone(rnd), Decimal(rnd.randint(45, 180)), rnd.random() < .9)
               for h in range(1, sizes.households + 1)))
    load.load("service_contract",
              ("id", "area_id", "firm_id", "kind", "selection_method", "signed_on", "start_on",
               "end_on", "fee_residential", "service_level", "filing_status", "filed_on",
               "status"),
              ((a, a, firm_of_area(a, sizes), "preliminary" if a % 5 == 0 else "ordinary",
                "public_tender", date(2023, 12, 1), date(2024, 1, 1), date(2026, 12, 31),
                Decimal("1.80"), "二级", "filed", date(2023, 12, 20), "active")
               for a in range(1, sizes.areas + 1)))
    users = [(1, "bench_admin", "基准管理员", password_hash, "admin", None, None)]
    users += [(1 + s, f"bench_street_{s}", f"{STREET_NAMES[s - 1]}街道管理员", password_hash,
               "street", s, None) for s in range(1, sizes.streets + 1)]
    users += [(1 + sizes.streets + c, f"bench_community_{c}", f"第{c}社区网格员", password_hash,
               "community", None, c) for c in range(1, sizes.communities + 1)]
    load.load("user_account", ("id", "username", "display_name", "password_hash", "role",
                               "street_id", "community_id"), users)


def _governance(load: Loader, sizes: Sizes, rnd: random.Random) -> None:
    with_committee = [a for a in range(1, sizes.areas + 1) if a % 10 < 6]
    load.load("owners_assembly", ("id", "area_id", "name", "established_on"),
              ((i, a, f"第{a}号区业主大会", date(2022, 6, 1))
               for i, a in enumerate(with_committee, 1)))
    load.load("owners_committee",
              ("id", "area_id", "assembly_id", "session_number", "elected_on", "term_start",
               "term_end", "member_count"),
              ((i, a, i, 1, date(2022, 6, 1), date(2022, 6, 1), date(2027, 5, 31), 7)
               for i, a in enumerate(with_committee, 1)))

    def survey(a):
        answers = [rnd.randint(10, 60), rnd.randint(10, 60), rnd.randint(0, 20), rnd.randint(0, 10)]
        return (a, a, firm_of_area(a, sizes), date(2026, 1, 1), date(2026, 6, 30),
                date(2026, 7, 15), sum(answers), *answers)

    load.load("satisfaction_survey",
              ("id", "area_id", "firm_id", "period_start", "period_end", "surveyed_on",
               "respondents", "very_satisfied", "satisfied", "neutral", "dissatisfied"),
              (survey(a) for a in range(1, sizes.areas + 1)))


def _case_rows(sizes: Sizes, rnd: random.Random, counters: dict[int, int], community_users):
    states = [s for s, w in CASE_STATES for _ in range(w)]
    for case_id in range(1, sizes.cases + 1):
        area = rnd.randint(1, sizes.areas)
        community = community_of_area(area, sizes)
        received = _moment(rnd)
        state = rnd.choice(states)
        source = "hotline" if rnd.random() < .3 else rnd.choice(("visit", "call", "patrol"))
        counters[received.year] = serial = counters.get(received.year, 0) + 1
        assigned_to = None if state == "received" else ("firm" if case_id % 10 < 3 else "community")
        closed_at = received + timedelta(hours=rnd.randint(24, 720)) \
            if state in CLOSED or state == "resolved" else None
        title = f"{TITLES[case_id % len(TITLES)]}（{rnd.randint(1, 30)}号楼）"
        yield (case_id, f"JG-{received.year}-{serial:06d}", "complaint", source,
               f"12345-{received:%Y%m%d}-{case_id}" if source == "hotline" else None,
               title, f"群众反映：{title}，请尽快处理。", area, community,
               street_of_community(community), (area - 1) * 2 + 1,
               _name(rnd), _phone(rnd), rnd.choice(RESPONDENTS), state, assigned_to,
               community if assigned_to == "community" else None,
               firm_of_area(area, sizes) if assigned_to == "firm" else None,
               received + timedelta(days=15), received, closed_at,
               rnd.choice(("satisfied", "basically", "dissatisfied"))
               if state in SURVEYED and closed_at else None,
               received, received)
        at = received
        actor = community_users[community]
        for action, before, after in TIMELINE:
            yield ("event", case_id, at, actor, action, before, after, None)
            at += timedelta(hours=4)
        closing = {"closed": "close", "closed_unresolved": "close_unresolved"}.get(state)
        yield ("event", case_id, at, actor, closing or "note", None, state if closing else None,
               "已回访当事人。")


CASE_COLUMNS = ("id", "number", "case_type", "source", "hotline_ticket", "title", "description",
                "area_id", "community_id", "street_id", "building_id", "complainant_name", "complainant_phone", "respondent",
                "state", "assigned_to", "assigned_community_id", "assigned_firm_id", "deadline",
                "received_at", "closed_at", "satisfaction", "created_at", "updated_at")
EVENT_COLUMNS = ("case_id", "at", "actor_id", "action", "from_state", "to_state", "note")


def _cases(load: Loader, sizes: Sizes, rnd: random.Random) -> None:
    community_users = {c: 1 + sizes.streets + c for c in range(1, sizes.communities + 1)}
    counters: dict[int, int] = {}
    # Cases and their events are produced together and written table by table per chunk,
    # so the timeline never needs the cases read back.
    source = _case_rows(sizes, rnd, counters, community_users)
    chunk = 50_000
    while True:
        cases, events = [], []
        for row in source:
            if row[0] == "event":
                events.append(row[1:])
            else:
                cases.append(row)
                if len(cases) >= chunk:
                    break
        # The last case's events are still to come: hold them for the next chunk.
        tail = []
        if len(cases) >= chunk:
            for _ in range(EVENTS_PER_CASE):
                tail.append(next(source)[1:])
        if not cases:
            break
        load.load("case_record", CASE_COLUMNS, cases)
        load.load("case_event", EVENT_COLUMNS, events + tail)
    load.load("case_number_counter", ("year", "last_value"), sorted(counters.items()))
    load.load("escalation", ("id", "case_id", "department_id", "escalated_at", "reply_due",
                             "state"),
              ((i, i * 50, 1 + i % 3, FIRST_DAY + timedelta(days=i % 1000),
                FIRST_DAY + timedelta(days=i % 1000 + 7), "sent")
               for i in range(1, sizes.escalations + 1)))


def _hazards(load: Loader, sizes: Sizes, rnd: random.Random) -> None:
    def row(h):
        area = rnd.randint(1, sizes.areas)
        found = _moment(rnd)
        status = rnd.choice(HAZARD_STATES)
        category = rnd.choice(("corridor_clutter", "corridor_clutter", "fire_passage",
                               "electrical", "falling_objects", "elevator"))
        reached = HAZARD_STATES.index(status)
        return (h, area, (area - 1) * 2 + 1, category, f"{rnd.randint(1, 30)}号楼{rnd.randint(1, 3)}单元",
                "楼道内堆放杂物，影响疏散。", found, status,
                found + timedelta(days=1) if reached >= 2 else None,
                found + timedelta(days=3) if reached >= 3 else None,
                found + timedelta(days=5) if reached >= 4 else None,
                ("cleared" if reached >= 3 else "not_cleared")
                if category == "corridor_clutter" else None,
                found + timedelta(days=7))

    load.load("hazard", ("id", "area_id", "building_id", "category", "location", "description",
                         "found_at", "status", "contacted_at", "disposed_at", "verified_at",
                         "clearance_status", "deadline"),
              (row(h) for h in range(1, sizes.hazards + 1)))


def _arrears(load: Loader, sizes: Sizes, rnd: random.Random) -> None:
    step = max(1, sizes.households // max(1, sizes.arrears))

    def row(i):
        household = (i - 1) * step + 1
        area = area_of_building(building_of_household(household, sizes))
        return (i, household, area, firm_of_area(area, sizes), date(2025, 1, 1),
                date(2025, 12, 31), Decimal(rnd.randint(600, 4800)), "outstanding")

    load.load("fee_arrear", ("id", "household_id", "area_id", "firm_id", "period_start",
                             "period_end", "amount_owed", "status"),
              (row(i) for i in range(1, sizes.arrears + 1)))
    load.load("collection_action", ("id", "arrear_id", "channel", "acted_on", "actor", "outcome"),
              ((i, i, rnd.choice(("letter", "phone", "door_visit")), date(2026, 3, 1),
                "物业客服", rnd.choice(("refused", "no_answer")))
               for i in range(1, sizes.arrears + 1)))


def schema_fingerprint(metadata: sa.MetaData, dialect) -> str:
    """Changes whenever a table, column, index or constraint changes."""
    from sqlalchemy.schema import CreateIndex, CreateTable

    # A table's indexes are a set: sorted, or each process would see another fingerprint.
    text = "".join(str(CreateTable(t).compile(dialect=dialect)) +
                   "".join(str(CreateIndex(i).compile(dialect=dialect))
                           for i in sorted(t.indexes, key=lambda index: index.name))
                   for t in metadata.sorted_tables)
    digest = hashlib.sha256(text.encode())
    with open(__file__, "rb") as source:
        digest.update(source.read())
    return digest.hexdigest()[:16]


@functools.cache
def metadata():
    """The application's metadata, every model imported (as `db.create_all()` sees it)."""
    sys.path.insert(0, ROOT)
    import reports.documents  # noqa: F401
    from app import create_app
    from models import db

    create_app({"TESTING": True, "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    return db.metadata


def sqlite_path(cases: int) -> str:
    return os.path.join(DATA_DIR, f"cases-{cases}.sqlite")


def default_url(cases: int) -> str:
    return "sqlite:///" + sqlite_path(cases)


def fresh_engine(url: str) -> sa.Engine:
    """An engine on an empty database: a new SQLite file, or a dropped and re-created
    PostgreSQL database (never the `test` one)."""
    url = sa.make_url(url)
    if url.drivername.startswith("postgres"):
        url = url.set(drivername="postgresql+psycopg")
        if url.database in (None, "", "postgres", "test"):
            raise SystemExit("bench.generate: 请使用单独的数据库（例如 bench）。")
        admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
            connection.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
        admin.dispose()
        return sa.create_engine(url)
    path = url.database
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    for suffix in ("", "-wal", "-shm", "-journal"):
        if os.path.exists(path + suffix):
            os.remove(path + suffix)
    engine = sa.create_engine(url)

    @sa.event.listens_for(engine, "connect")
    def _fast_load(dbapi_connection, record):
        # A throw-away file being filled: no journal, no fsync.
        dbapi_connection.execute("PRAGMA journal_mode=OFF")
        dbapi_connection.execute("PRAGMA synchronous=OFF")
        dbapi_connection.execute("PRAGMA cache_size=-400000")

    return engine


def generate(url: str, cases: int, seed: int = 8, quiet: bool = False) -> dict:
    """Build the data set of `cases` cases at `url`; returns row counts and timings."""
    meta = metadata()
    from models.tallies import rebuild as rebuild_tallies
    from models.users import _hasher

    started = time.perf_counter()
    engine = fresh_engine(url)
    meta.create_all(engine)
    sizes = Sizes(cases)
    rnd = random.Random(seed)
    password_hash = _hasher.hash(PASSWORD)
    with engine.begin() as connection:
        load = Loader(connection, meta)
        for step in (lambda: _places(load, sizes, rnd, password_hash),
                     lambda: _governance(load, sizes, rnd),
                     lambda: _cases(load, sizes, rnd),
                     lambda: _hazards(load, sizes, rnd),
                     lambda: _arrears(load, sizes, rnd)):
            step()
        # The loader writes around the ORM, which keeps the monthly tallies: count them once.
        rebuild_tallies(connection)
        if load.postgresql:
            for table in meta.sorted_tables:
                if "id" in table.c and table.name in load.counts and load.counts[table.name]:
                    connection.execute(sa.text(
                        f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                        f"(SELECT max(id) FROM \"{table.name}\"))"))
    if engine.dialect.name == "postgresql":
        # What autovacuum would have done by the time clerks use the data.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(sa.text("VACUUM ANALYZE"))
    else:
        with engine.connect() as connection:
            # The planner's statistics, as `PRAGMA optimize` gathers them on a live database.
            connection.exec_driver_sql("ANALYZE")
            connection.exec_driver_sql("PRAGMA journal_mode=WAL")
    with engine.begin() as connection:
        # Written last: a data set without it is incomplete and is built again.
        connection.execute(sa.text("CREATE TABLE bench_stamp (fingerprint TEXT, cases INTEGER)"))
        connection.execute(sa.text("INSERT INTO bench_stamp VALUES (:fingerprint, :cases)"),
                           {"fingerprint": schema_fingerprint(meta, engine.dialect),
                            "cases": cases})
    engine.dispose()
    seconds = time.perf_counter() - started
    if not quiet:
        print(f"生成 {cases} 件案件的数据集：{seconds:.1f} 秒，{sum(load.counts.values())} 行",
              file=sys.stderr)
    return {"seconds": round(seconds, 1), "rows": load.counts}


def existing(url: str, cases: int) -> bool:
    """Whether `url` holds a complete data set of this size for the current schema."""
    url = sa.make_url(url)
    if url.drivername.startswith("postgres"):
        url = url.set(drivername="postgresql+psycopg")
    elif not os.path.exists(url.database):
        return False
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            stamp = connection.execute(sa.text("SELECT fingerprint, cases FROM bench_stamp")).first()
    except sa.exc.DBAPIError:
        return False
    finally:
        engine.dispose()
    return stamp is not None and tuple(stamp) == (schema_fingerprint(metadata(), engine.dialect),
                                                  cases)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="生成城市规模的基准数据集。")
    parser.add_argument("--cases", type=int, default=100_000, help="案件数（10000、100000、1000000）")
    parser.add_argument("--url", default=None,
                        help="目标数据库；默认 bench/data/cases-N.sqlite。"
                             "PostgreSQL 例：postgresql://postgres@127.0.0.1:5432/bench")
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args(argv)
    result = generate(args.url or default_url(args.cases), args.cases, args.seed)
    for table, count in result["rows"].items():
        print(f"{table:28} {count:>10}")


if __name__ == "__main__":
    main()
