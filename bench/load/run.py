"""Load test: gunicorn with several workers on PostgreSQL, driven on 127.0.0.1 for 60 seconds.

    .venv/bin/python bench/load/run.py [--seconds 60] [--clients 12] [--workers 4]

Clients sign in as the demo street and community accounts and mix list views, details,
saves (read-modify-write of shared buildings, with the version check) and document issues.
Afterwards it checks: no server errors, every acknowledged save counted exactly once (no
lost or doubled write), and document numbers unique and gapless. Not part of the test suite.
"""
from __future__ import annotations

import argparse
import http.cookiejar
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
sys.path.insert(0, ROOT)

PASSWORD = "Load-test-2026"
DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/loadtest"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Client:
    """One clerk's browser: a cookie jar, no redirects followed, loopback only."""

    def __init__(self, base: str):
        assert base.startswith("http://127.0.0.1:")
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    def request(self, path: str, data: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data, doseq=True).encode() if data is not None else None
        try:
            with self.opener.open(self.base + path, body, timeout=30) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8", "replace")

    def token(self, html: str) -> str:
        match = TOKEN.search(html)
        return match.group(1) or match.group(2)

    def sign_in(self, username: str) -> None:
        _, html = self.request("/login")
        status, _ = self.request("/login", {"username": username, "password": PASSWORD,
                                            "csrf_token": self.token(html)})
        assert status == 302, f"sign-in of {username} failed: {status}"


def prepare(url: str) -> dict:
    """A fresh database with the demo data; returns the ids the clients work on."""
    import sqlalchemy as sa

    from app import create_app
    from demo import load_demo
    from models import db
    from models.places import Building

    admin_url = url.rsplit("/", 1)[0] + "/postgres"
    name = url.rsplit("/", 1)[1]
    subprocess.run(["psql", admin_url, "-qc", f'DROP DATABASE IF EXISTS "{name}"'], check=True)
    subprocess.run(["psql", admin_url, "-qc", f'CREATE DATABASE "{name}"'], check=True)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.create_all()
        accounts = load_demo(PASSWORD)
        db.session.commit()
        users = [u.username for u in accounts if u.role in ("street", "community")]
        buildings = db.session.scalars(sa.select(Building).order_by(Building.id).limit(6)).all()
        import reports.documents  # noqa: F401
        from reports.filings import DOCUMENT_TYPES

        documents = []
        for document_type in DOCUMENT_TYPES.values():
            if "street" not in document_type.issuer_roles:
                continue
            ids = db.session.scalars(sa.select(document_type.model_class.id).limit(3)).all()
            documents += [(document_type.key, i) for i in ids]
        targets = {
            "users": users, "documents": documents[:6],
            "buildings": {b.id: b.floors for b in buildings},
            "lists": ["/area/", "/building/", "/household/", "/community/", "/firm/",
                      "/issued_document/"],
        }
        db.engine.dispose()
    return targets


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = Counter()
        self.saves = Counter()
        self.errors: list[str] = []
        self.refusals = Counter()
        self.latencies: list[float] = []

    def add(self, kind: str, status: int, started: float, path: str) -> None:
        with self.lock:
            self.counts[kind] += 1
            self.latencies.append(time.perf_counter() - started)
            if status >= 500:
                self.errors.append(f"{status} {path}")


def clerk(base: str, username: str, targets: dict, deadline: float, tally: Tally) -> None:
    client = Client(base)
    client.sign_in(username)
    rng = random.Random(username)
    street = username == "street"
    while time.time() < deadline:
        roll = rng.random()
        started = time.perf_counter()
        if roll < 0.45:
            path = rng.choice(targets["lists"]) + f"?page={rng.randint(0, 2)}"
            status, _ = client.request(path)
            tally.add("list", status, started, path)
        elif roll < 0.65:
            path = f"/building/details/?id={rng.choice(list(targets['buildings']))}"
            status, _ = client.request(path)
            tally.add("details", status, started, path)
        elif roll < 0.65 + (0.27 if street else 0.0):
            building = rng.choice(list(targets["buildings"]))
            path = f"/building/edit/?id={building}"
            status, html = client.request(path)
            if status != 200:
                tally.add("save-unreachable", status, started, path)
                continue
            fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
            fields.update({m[0]: m[1] for m in re.findall(
                r'<input[^>]*id="([^"]+)"[^>]*value="([^"]*)"', html)})
            area = re.search(r'<option selected value="(\d+)"|<option value="(\d+)" selected', html)
            floors = int(fields["floors"]) + 1
            data = {"area": (area.group(1) or area.group(2)) if area else "",
                    "number": fields.get("number", ""), "address": fields.get("address", ""),
                    "floors": floors, "units": fields.get("units", "1"),
                    "households": fields.get("households", "0"),
                    "floor_area": fields.get("floor_area", ""),
                    "row_version": fields["row_version"], "csrf_token": client.token(html)}
            data["csrf_token"] = re.search(r'id="csrf_token" name="csrf_token" type="hidden" '
                                           r'value="([^"]+)"', html).group(1)
            status, body = client.request(path, data)
            kind = "save" if status == 302 else "save-refused-stale" if "已被他人修改" in body \
                else "save-refused"
            tally.add(kind, status, started, path)
            if kind == "save-refused":
                reasons = re.findall(r'(?:invalid-feedback|alert-danger)[^>]*>\s*([^<]+)', body)
                with tally.lock:
                    tally.refusals.update(r.strip() for r in reasons)
            if status == 302:
                with tally.lock:
                    tally.saves[building] += 1
        elif street and targets["documents"]:
            key, record_id = rng.choice(targets["documents"])
            path = f"/filings/{key}/{record_id}/"
            status, html = client.request(path)
            status, _ = client.request(f"/filings/{key}/{record_id}/issue",
                                       {"csrf_token": client.token(html), "reissue": "1"})
            tally.add("issue" if status == 302 else "issue-refused", status, started, path)


def verify(url: str, targets: dict, tally: Tally) -> list[str]:
    import sqlalchemy as sa

    from app import create_app
    from models import db
    from models.audit import AuditEntry
    from models.documents import IssuedDocument
    from models.places import Building

    problems = list(tally.errors)
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        for building_id, floors in targets["buildings"].items():
            row = db.session.get(Building, building_id)
            saved = tally.saves[building_id]
            audited = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
                AuditEntry.model == "Building", AuditEntry.row_id == building_id,
                AuditEntry.action == "update"))
            if row.floors != floors + saved or row.version != 1 + saved or audited != saved:
                problems.append(f"楼栋 {building_id}: 确认保存 {saved} 次，层数 {floors}→{row.floors}，"
                                f"版本 {row.version}，审计 {audited} 条")
        rows = db.session.execute(sa.select(IssuedDocument.prefix, IssuedDocument.year,
                                            IssuedDocument.serial, IssuedDocument.number)).all()
        numbers = [r.number for r in rows]
        if len(numbers) != len(set(numbers)):
            problems.append("文号重复")
        by_sequence: dict = {}
        for r in rows:
            by_sequence.setdefault((r.prefix, r.year), []).append(r.serial)
        for key, serials in by_sequence.items():
            if sorted(serials) != list(range(1, len(serials) + 1)):
                problems.append(f"文号不连续：{key}")
        tally.counts["documents-in-register"] = len(rows)
        db.engine.dispose()
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--clients", type=int, default=12)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--database", default=os.environ.get("LOAD_DATABASE_URL", DEFAULT_URL))
    options = parser.parse_args()
    seconds = min(options.seconds, 600)
    targets = prepare(options.database)
    environment = {**os.environ, "LOAD_DATABASE_URL": options.database,
                   "SECRET_KEY": secrets.token_hex(32)}
    server = subprocess.Popen(
        [os.path.join(ROOT, ".venv", "bin", "gunicorn"), "--workers", str(options.workers),
         "--bind", f"127.0.0.1:{options.port}", "--chdir", os.path.dirname(__file__),
         "--log-level", "warning", "wsgi:app"], env=environment)
    base = f"http://127.0.0.1:{options.port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(base + "/login", timeout=2)
                break
            except OSError:
                time.sleep(0.2)
        tally = Tally()
        deadline = time.time() + seconds
        # Half the clients are the street office (saves and documents), half communities.
        communities = [u for u in targets["users"] if u != "street"]
        users = ["street" if i % 2 == 0 else communities[i % len(communities)]
                 for i in range(options.clients)]
        threads = [threading.Thread(target=clerk, args=(base, u, targets, deadline, tally))
                   for u in users]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    problems = verify(options.database, targets, tally)
    latencies = sorted(tally.latencies)
    total = sum(v for k, v in tally.counts.items() if k != "documents-in-register")
    print(f"{seconds} 秒，{options.clients} 个客户端，{options.workers} 个 gunicorn 进程，"
          f"共 {total} 次操作（{total / seconds:.0f} 次/秒）")
    for kind, count in sorted(tally.counts.items()):
        print(f"  {kind:<22} {count}")
    if latencies:
        print(f"  耗时 p50 {latencies[len(latencies) // 2] * 1000:.0f} ms，"
              f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f} ms")
    for reason, count in tally.refusals.most_common(5):
        print(f"  拒绝原因 {count}×：{reason}")
    print("问题：" + ("；".join(problems) if problems else "无（无服务器错误，无丢失或重复的保存，文号唯一且连续）"))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
