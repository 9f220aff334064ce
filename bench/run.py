"""The benchmark runner: scoped lists against stock Flask-Admin and bare SQL, statements per
page, the dashboard, filings to PDF, sign-in; prints one table and writes bench/results.json.

    python -m bench.run --sizes 100000              # make bench-quick
    python -m bench.run --sizes 10000,100000,1000000 --postgresql postgresql://postgres@127.0.0.1:5432/bench
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from datetime import datetime

import sqlalchemy as sa

from bench import generate

RESULTS = os.path.join(generate.ROOT, "bench", "results.json")
PAGE_KINDS = ("first", "filtered", "deep", "search")
FILTER_STATE = "closed"
# Peer figures of issue 8 (1M cases, SQLite, 20 rows, median ms): the best peer per page kind.
BEST_PEER_MS = {"first": 38, "deep": 54, "filtered": 31, "search": 235}
STOCK_PEER_MS = {"first": 42, "deep": 127, "filtered": 31, "search": 352}
# Pages that summarise the user's whole scope: the dashboard, then the three boards.
SCOPE_PAGES = {"dashboard": "/", "escalation_board": "/escalation_board/",
               "governance_progress": "/governance_progress/",
               "fee_collection_rate": "/fee_collection_rate/"}


def median_ms(action, runs: int, warmup: int = 1) -> float:
    for _ in range(warmup):
        action()
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1)


class StatementCounter:
    """Counts, and keeps for replay, the SQL statements an engine sends during an action."""

    def __init__(self, engine: sa.Engine):
        self.sent: list[tuple[str, object]] = []
        self.armed = False
        sa.event.listen(engine, "before_cursor_execute", self._seen)

    def _seen(self, connection, cursor, statement, parameters, context, executemany):
        if self.armed:
            self.sent.append((statement, parameters))

    def during(self, action) -> int:
        self.sent, self.armed = [], True
        try:
            action()
        finally:
            self.armed = False
        return len(self.sent)


def replay(engine, statements):
    """The statements a page sent, run bare and fetched in full: its SQL time alone."""
    def run():
        with engine.connect() as connection:
            for statement, parameters in statements:
                connection.exec_driver_sql(statement, parameters).fetchall()
    return run


# -- the applications --------------------------------------------------------------------------

def workbench_app(url: str):
    """Our app as a server process runs it (`app.serve`)."""
    from app import serve

    return serve({"TESTING": True, "SECRET_KEY": "bench-secret",
                  "SQLALCHEMY_DATABASE_URI": url, "RATELIMIT_ENABLED": False})


def stock_app(url: str):
    """Stock Flask-Admin over the same table: the case view's columns, no scoping, no login."""
    from flask import Flask
    from flask_admin import Admin
    from flask_admin.contrib.sqla import ModelView
    from flask_babel import Babel

    from admin_views.cases import CaseView
    from app import _normalise_url
    from models import db
    from models.cases import Case

    class StockCaseView(ModelView):
        column_list = CaseView.column_list
        column_searchable_list = CaseView.column_searchable_list
        column_filters = CaseView.column_filters
        column_sortable_list = CaseView.column_sortable_list
        column_default_sort = CaseView.column_default_sort
        can_set_page_size = True
        page_size = 20

    app = Flask("stock_flask_admin")
    app.config.update(SQLALCHEMY_DATABASE_URI=_normalise_url(url), SECRET_KEY="stock")
    db.init_app(app)
    Babel(app)
    admin = Admin(app, name="stock")
    admin.add_view(StockCaseView(Case, db, name="案件", endpoint="stockcase",
                                 url="/case/"))
    gc.freeze()  # as `app.serve` does for ours: neither pays for collecting start-up objects
    return app, admin._views[-1]


def signed_in(app, username: str, password: str = generate.PASSWORD):
    """A test client signed in through the real login form."""
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    answer = client.post("/login", data={"username": username, "password": password,
                                         "csrf_token": token})
    assert answer.status_code == 302, f"{username} 登录失败"
    return client


def _filter_index(view, table: str, column: str, kinds=("EnumEqualFilter", "FilterEqual")):
    for index, flt in enumerate(view._filters):
        found = getattr(flt, "column", None)
        if found is not None and found.table.name == table and found.key == column \
                and type(flt).__name__ in kinds:
            return index
    raise LookupError(f"no equal filter on {table}.{column}")


def list_urls(view, prefix: str, count: int, area_name: str, page_size: int = 20) -> dict:
    state = _filter_index(view, "case_record", "state")
    area = _filter_index(view, "management_area", "name")
    sized = f"page_size={page_size}"
    return {
        "first": f"{prefix}?{sized}",
        "filtered": f"{prefix}?{sized}&flt0_{state}={FILTER_STATE}&flt1_{area}={area_name}",
        "deep": f"{prefix}?{sized}&page={count // 2 // page_size}",
        "search": f"{prefix}?{sized}&search={generate.SEARCH_TERM}",
    }


# -- the floor: the same count and page queries, bare SQLAlchemy Core --------------------------

def floor_queries(metadata, scope: str, count: int, area_name: str, page_size: int = 20):
    case, area = metadata.tables["case_record"], metadata.tables["management_area"]
    community = metadata.tables["community"]
    if scope == "community":
        condition = case.c.area_id.in_(sa.select(area.c.id).where(area.c.community_id == 1))
    elif scope == "street":
        condition = case.c.area_id.in_(
            sa.select(area.c.id).join(community, area.c.community_id == community.c.id)
            .where(community.c.street_id == 1))
    else:
        condition = sa.true()
    joined = case.outerjoin(area, case.c.area_id == area.c.id)
    page = sa.select(case, area.c.name).select_from(joined).order_by(case.c.received_at.desc())
    counted = sa.select(sa.func.count()).select_from(case)
    filtered = sa.and_(case.c.state == FILTER_STATE, area.c.name == area_name)
    searched = case.c.title.like(f"%{generate.SEARCH_TERM}%")
    return {
        "first": (counted.where(condition), page.where(condition).limit(page_size)),
        "filtered": (counted.select_from(joined).where(condition, filtered),
                     page.where(condition, filtered).limit(page_size)),
        "deep": (counted.where(condition),
                 page.where(condition).limit(page_size)
                 .offset(count // 2 // page_size * page_size)),
        "search": (counted.where(condition, searched),
                   page.where(condition, searched).limit(page_size)),
    }


def run_floor(engine, queries):
    def run():
        with engine.connect() as connection:
            connection.execute(queries[0]).scalar()
            connection.execute(queries[1]).all()
    return run


# -- lists -------------------------------------------------------------------------------------

def bench_lists(url: str, runs: int) -> dict:
    """List timings (ms) and statements per page for the community, the street, stock and floor."""
    from models import db
    from models.places import ManagementArea

    metadata = generate.metadata()
    app = workbench_app(url)
    stock, stock_view = stock_app(url)
    with app.app_context():
        ours = StatementCounter(db.engine)
        case_view = next(v for v in app.extensions["workbench_admin"]._views
                         if getattr(v, "endpoint", None) == "case")
        area_name = db.session.get(ManagementArea, 1).name
    with stock.app_context():
        theirs = StatementCounter(db.engine)
    floor_engine = sa.create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    with floor_engine.connect() as connection:
        total = connection.execute(sa.text("SELECT count(*) FROM case_record")).scalar()
    users = generate.bench_usernames(generate.Sizes(total))
    clients = {"community": signed_in(app, users["community"]),
               "street": signed_in(app, users["street"])}
    stock_client = stock.test_client()
    result = {"cases": total, "pages": {}, "statements": {}}
    for scope in ("community", "street", "stock"):
        if scope == "stock":
            client, view, counter, prefix, count = stock_client, stock_view, theirs, "/case/", total
        else:
            client, view, counter, prefix = clients[scope], case_view, ours, "/case/"
            count = _visible_count(floor_engine, metadata, scope)
        urls = list_urls(view, prefix, count, area_name)
        floors = floor_queries(metadata, scope, count, area_name)
        for kind in PAGE_KINDS:
            answer = client.get(urls[kind])
            assert answer.status_code == 200, (scope, kind, answer.status_code)
            key = f"{scope}:{kind}"
            statements = counter.during(lambda: client.get(urls[kind]))
            result["pages"][key] = {
                "ms": median_ms(lambda: client.get(urls[kind]), runs),
                "statements": statements,
                "sql_ms": median_ms(replay(floor_engine, counter.sent), runs),
                "floor_ms": median_ms(run_floor(floor_engine, floors[kind]), runs),
                "rows_in_scope": count,
            }
        for size in (20, 100):
            sized = list_urls(view, prefix, count, area_name, size)["first"]
            result["statements"][f"{scope}:{size}"] = counter.during(lambda: client.get(sized))
    floor_engine.dispose()
    return result


def _visible_count(engine, metadata, scope) -> int:
    queries = floor_queries(metadata, scope, 0, "")
    with engine.connect() as connection:
        return connection.execute(queries["first"][0]).scalar()


# -- dashboard, stats, sign-in -----------------------------------------------------------------

def bench_dashboard(url: str, runs: int) -> dict:
    """The pages over a whole scope, in a process of their own: a fresh server process, not one
    whose heap the list measurements (stock Flask-Admin at 1M rows included) have grown."""
    return _in_own_process("--dashboard-worker", "--url", url, "--runs", str(runs))


def dashboard_worker(url: str, runs: int) -> dict:
    app = workbench_app(url)
    users = generate.bench_usernames(generate.Sizes(0))
    result = {}
    for scope in ("community", "street", "admin"):
        client = signed_in(app, users[scope])
        for name, path in SCOPE_PAGES.items():
            assert client.get(path).status_code == 200, path
            result[f"{name}:{scope}"] = median_ms(lambda: client.get(path), runs)
    runner = app.test_cli_runner()

    def stats(*extra):
        # `flask` pushes an app context for its commands; the test runner does not.
        with app.app_context():
            return runner.invoke(args=["stats", "targets", "--json", *extra])

    probe = stats()
    if probe.exit_code == 0:
        for scope, extra in (("city", ()), ("street", ("--user", users["street"]))):
            result[f"stats targets:{scope}"] = median_ms(lambda: stats(*extra), runs)
    else:
        result["stats targets"] = f"不可用：{(probe.output or repr(probe.exception))[:200]}"
    return result


def bench_login(url: str, runs: int) -> dict:
    app = workbench_app(url)
    username = generate.bench_usernames(generate.Sizes(0))["street"]
    samples = []
    for _ in range(runs + 1):
        client = app.test_client()
        html = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
        started = time.perf_counter()
        answer = client.post("/login", data={"username": username,
                                             "password": generate.PASSWORD, "csrf_token": token})
        samples.append((time.perf_counter() - started) * 1000)
        assert answer.status_code == 302
    median = statistics.median(samples[1:])
    return {"login_ms": round(median, 1), "logins_per_second": round(1000 / median, 2)}


# -- filings: each measured in its own process, for its peak memory ----------------------------

def _memory_mb(field: str) -> float:
    """VmRSS (now) or VmHWM (the peak) of this process, from /proc."""
    with open("/proc/self/status") as status:
        line = next(line for line in status if line.startswith(field + ":"))
    return int(line.split()[1]) / 1024


def _reset_peak_memory() -> None:
    # Linux carries the parent's peak across fork and exec into a child's own figures
    # (ru_maxrss showed the runner's 708 MB as every worker's peak): start it afresh.
    with open("/proc/self/clear_refs", "w") as clear_refs:
        clear_refs.write("5")


def pdf_worker(kind: str, url: str, runs: int) -> dict:
    app = workbench_app(url)
    with app.test_request_context():
        import reports.documents  # noqa: F401
        from models import db
        from models.contracts import ServiceContract
        from models.scoping import visible_to
        from models.users import User
        from reports.filings import DOCUMENT_TYPES, build_pdf
        from reports.render import render_pdf

        # The administrator's scope holds 100 contracts at every size; a street's may not.
        user = db.session.scalar(sa.select(User).where(
            User.username == generate.bench_usernames(generate.Sizes(0))["admin"]))
        contracts = db.session.scalars(sa.select(ServiceContract).where(
            visible_to(ServiceContract, user)).order_by(ServiceContract.id).limit(100)).all()
        filing = DOCUMENT_TYPES["contract_filing"]
        minimal = ("<html><head><style>body{font-family:'Noto Serif CJK SC';}</style></head>"
                   "<body><p>临江市建国街道办事处</p></body></html>")
        actions = {
            "floor": lambda: render_pdf(minimal),
            "single": lambda: build_pdf([(filing, contracts[0], None)], user),
            "batch": lambda: build_pdf([(filing, c, None) for c in contracts], user),
        }
        _reset_peak_memory()
        before = _memory_mb("VmRSS")
        started = time.perf_counter()
        pdf = actions[kind]()
        # The batch is timed once, cold, as a clerk meets it; the others after that warm-up.
        ms = round((time.perf_counter() - started) * 1000, 1) if kind == "batch" \
            else median_ms(actions[kind], runs, warmup=0)
        peak = _memory_mb("VmHWM")
    from pypdf import PdfReader
    import io

    return {"ms": ms, "peak_mb": round(peak), "rss_before_mb": round(before),
            "pages": len(PdfReader(io.BytesIO(pdf)).pages), "documents": len(contracts)
            if kind == "batch" else 1}


def bench_pdf(url: str, runs: int) -> dict:
    return {kind: _in_own_process("--pdf-worker", kind, "--url", url, "--runs", str(runs))
            for kind in ("floor", "single", "batch")}


def _in_own_process(*arguments: str) -> dict:
    """The JSON a worker mode of this module prints, run in a new process."""
    output = subprocess.run([sys.executable, "-m", "bench.run", *arguments],
                            capture_output=True, text=True, cwd=generate.ROOT, check=True)
    return json.loads(output.stdout.strip().splitlines()[-1])


# -- the report --------------------------------------------------------------------------------

def ensure_data(url: str, cases: int) -> dict | None:
    """Generate the data set at `url` unless it is already there for this schema and size."""
    if generate.existing(url, cases):
        return None
    return generate.generate(url, cases)


def verdicts(results: dict) -> list[str]:
    """The targets of issue 8, each met or not, from the largest SQLite data set measured."""
    lines = []
    sizes = sorted(results["sqlite"], key=int)
    largest = results["sqlite"][sizes[-1]]["lists"]
    pages = largest["pages"]
    for kind in PAGE_KINDS:
        stock = pages[f"stock:{kind}"]["ms"]
        drift = stock / STOCK_PEER_MS[kind]
        for scope in ("community", "street"):
            page = pages[f"{scope}:{kind}"]
            ms, sql, floor = page["ms"], page["sql_ms"], page["floor_ms"]
            # The floor is bare SQL, so it is compared with the page's SQL run bare; a whole
            # request also renders a page, which no floor of a fraction of a millisecond allows.
            ok = ms <= stock and ms <= BEST_PEER_MS[kind] * drift and sql <= 2 * floor
            lines.append(f"{'达标' if ok else '未达标'}  列表 {scope}/{kind}: {ms} ms；stock {stock}，"
                         f"同行最优×漂移 {BEST_PEER_MS[kind] * drift:.0f}；"
                         f"SQL {sql} ms，地板×2 {2 * floor:.1f}")
    statements = largest["statements"]
    worst = max(v for k, v in statements.items() if not k.startswith("stock"))
    same = all(statements[f"{s}:20"] == statements[f"{s}:100"] for s in ("community", "street"))
    lines.append(f"{'达标' if worst <= 5 and same else '未达标'}  每页语句数 ≤5 且与每页条数无关："
                 f"{statements}")
    for database, figures in results.get("dashboard", {}).items():
        times = [v for k, v in figures.items() if isinstance(v, float) and k.startswith("dashboard")]
        if times:
            lines.append(f"{'达标' if max(times) < 300 else '未达标'}  首页仪表盘 {database}：最慢 "
                         f"{max(times)} ms（目标 < 300）")
    pdf = results.get("pdf")
    if pdf:
        single, floor, batch = pdf["single"]["ms"], pdf["floor"]["ms"], pdf["batch"]
        lines.append(f"{'达标' if single < 2 * floor else '未达标'}  单份文书 {single} ms "
                     f"（地板 {floor} ms，目标 < 2×）")
        lines.append(f"{'达标' if batch['ms'] < 15000 and batch['peak_mb'] < 600 else '未达标'}  "
                     f"100份批量 {batch['ms'] / 1000:.1f} s，峰值 {batch['peak_mb']} MB")
    if "100000" in results["sqlite"] and "1000000" in results["sqlite"]:
        small = results["sqlite"]["100000"]["lists"]["pages"]
        for key, figures in pages.items():
            if key.startswith("stock"):
                continue
            growth = figures["ms"] / small[key]["ms"]
            lines.append(f"{'达标' if growth < 3 else '未达标'}  增长 100k→1M {key}: ×{growth:.1f}")
    return lines


def print_table(results: dict) -> None:
    out = []
    out.append(f"物业治理工作台基准 {results['date']} {results['machine']}")
    for size, figures in sorted(results["sqlite"].items(), key=lambda p: int(p[0])):
        out.append(_list_table(f"SQLite {int(size):,} 件案件", figures["lists"]))
    for database, figures in results.get("postgresql", {}).items():
        out.append(_list_table(f"PostgreSQL {database}", figures["lists"]))
    out.append("\n仪表盘与统计（中位数 ms）")
    for database, figures in results.get("dashboard", {}).items():
        for key, value in figures.items():
            out.append(f"  {database:24} {key:28} {value}")
    if results.get("pdf"):
        out.append("\n文书 PDF（中位数 ms，进程峰值内存 MB）")
        for kind, figures in results["pdf"].items():
            out.append(f"  {kind:8} {figures['ms']:>9} ms  峰值 {figures['peak_mb']} MB "
                       f"（渲染前 {figures['rss_before_mb']} MB） {figures['pages']} 页")
    if results.get("login"):
        login = results["login"]
        out.append(f"\n登录：每次 {login['login_ms']} ms，约 {login['logins_per_second']} 次/秒（单进程）")
    out.append("\n目标")
    out.extend("  " + line for line in results["verdicts"])
    print("\n".join(out))


def _list_table(title: str, lists: dict) -> str:
    rows = [f"\n{title}（中位数 ms：整页请求（语句数）/ 其 SQL 单独重放 / 地板）"]
    pages = lists["pages"]
    rows.append("  " + "页面".ljust(10) + "".join(
        f"{scope:>28}" for scope in ("社区 community", "街道 street", "stock")))
    for kind in PAGE_KINDS:
        cells = "".join(
            f"{p['ms']:>10} ({p['statements']}) {p['sql_ms']:>7} {p['floor_ms']:>7}"
            for p in (pages[f"{scope}:{kind}"] for scope in ("community", "street", "stock")))
        rows.append(f"  {kind:10}{cells}")
    visible = {s: pages[f"{s}:first"]["rows_in_scope"] for s in ("community", "street", "stock")}
    rows.append(f"  范围内行数 {visible}；每页语句数（20/100 条）{lists['statements']}")
    return "\n".join(rows)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description="城市规模基准测试。")
    parser.add_argument("--sizes", default="100000", help="逗号分隔的案件数")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--postgresql", default=None, help="PostgreSQL 基准库 URL（将被重建）")
    parser.add_argument("--skip-pdf", action="store_true")
    parser.add_argument("--pdf-worker", choices=("floor", "single", "batch"), help=argparse.SUPPRESS)
    parser.add_argument("--dashboard-worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.pdf_worker:
        print(json.dumps(pdf_worker(args.pdf_worker, args.url, args.runs)))
        return
    if args.dashboard_worker:
        print(json.dumps(dashboard_worker(args.url, args.runs), ensure_ascii=False))
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {"date": datetime.now().strftime("%Y-%m-%d %H:%M"),
               "machine": f"{platform.machine()} {os.cpu_count()} 核 {platform.python_version()}",
               "runs": args.runs, "sqlite": {}, "dashboard": {}, "generation": {}}
    for cases in sizes:
        url = generate.default_url(cases)
        generated = ensure_data(url, cases)
        if generated:
            results["generation"][f"sqlite:{cases}"] = generated["seconds"]
        results["sqlite"][str(cases)] = {"lists": bench_lists(url, args.runs)}
        print(f"已测 SQLite {cases} 件", file=sys.stderr)
    largest = generate.default_url(max(sizes))
    results["dashboard"][f"SQLite {max(sizes)}"] = bench_dashboard(largest, args.runs)
    if args.postgresql:
        generated = ensure_data(args.postgresql, max(sizes))
        if generated:
            results["generation"][f"postgresql:{max(sizes)}"] = generated["seconds"]
        results["postgresql"] = {str(max(sizes)): {"lists": bench_lists(args.postgresql,
                                                                        args.runs)}}
        results["dashboard"][f"PostgreSQL {max(sizes)}"] = bench_dashboard(args.postgresql,
                                                                           args.runs)
    if not args.skip_pdf:
        results["pdf"] = bench_pdf(largest, args.runs)
    results["login"] = bench_login(largest, args.runs)
    results["verdicts"] = verdicts(results)
    with open(RESULTS, "w", encoding="utf-8") as handle:
        json.dump(results, handle, ensure_ascii=False, indent=2)
    print_table(results)


if __name__ == "__main__":
    main()
