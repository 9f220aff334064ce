"""The app served by gunicorn on the demo data, Debian's Chromium, and a signed-in clerk.

The database is made by the real commands (`flask init-db`, `flask seed-demo`) in a temporary
directory; every clerk signs in through the login page. No browser is ever downloaded.
"""
from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = ROOT / "docs" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PASSWORD = "E2e-" + secrets.token_hex(8)
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
STARTUP_SECONDS = 90
# Harmless and known: the app serves no favicon, and Flask-Admin's menu toggles are
# `href="javascript:void(0)"` links, which the content security policy refuses to run while
# Bootstrap opens the menu anyway.
KNOWN_CONSOLE_ERRORS = ("/favicon.ico", "Running the JavaScript URL violates")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@pytest.fixture(scope="session")
def server(tmp_path_factory):
    """The base URL of the app with the demo data, served until the session ends."""
    workdir = tmp_path_factory.mktemp("e2e")
    env = {**os.environ,
           "DATABASE_URL": f"sqlite:///{workdir / 'jianguo.sqlite'}",
           "SECRET_KEY": secrets.token_hex(32),
           # The office works on Beijing time: the pages' "today" and the workflow's clock
           # must name the same day whatever the test machine's zone is.
           "TZ": "Asia/Shanghai"}
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for command in (["init-db"], ["seed-demo", "--password", PASSWORD]):
        subprocess.run(flask + command, cwd=ROOT, env=env, check=True,
                       stdout=subprocess.DEVNULL)
    port = _free_port()
    log = (workdir / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--timeout", "120",
         "--bind", f"127.0.0.1:{port}", "app:serve()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + STARTUP_SECONDS
    while not _answers(base + "/login"):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            pytest.fail("服务未能启动：\n" + (workdir / "server.log").read_text())
        time.sleep(0.5)
    yield base
    process.terminate()
    process.wait(timeout=30)
    log.close()


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


class Clerk:
    """One signed-in person at one browser window, with the few gestures the screens need."""

    def __init__(self, page: Page, base: str):
        self.page = page
        self.base = base
        self.problems: list[str] = []
        page.on("pageerror", lambda error: self.problems.append(f"脚本错误：{error}"))
        page.on("console", self._console)

    def _console(self, message) -> None:
        if message.type != "error" or any(known in message.location.get("url", "") + message.text
                                           for known in KNOWN_CONSOLE_ERRORS):
            return
        self.problems.append(f"控制台（{self.page.url}）：{message.text}")

    def open(self, path: str) -> None:
        self.page.goto(self.base + path)

    def sign_in(self, username: str) -> None:
        self.open("/login")
        self.page.get_by_label("用户名").fill(username)
        self.page.get_by_label("密码").fill(PASSWORD)
        self.page.get_by_role("button", name="登录").click()
        self.page.wait_for_url(self.base + "/")

    def sign_out(self) -> None:
        self.page.get_by_role("button", name="退出").click()
        self.page.wait_for_url(re.compile(r".*/login.*"))

    def choose(self, field: str, option: str) -> None:
        """Pick `option` in the select2 box of form field `field`, as a person would."""
        self.page.click(f"#s2id_{field} .select2-choice")
        self.page.click(f"#select2-drop .select2-result-label:text-is('{option}')")

    def look_up(self, field: str, search: str, option: str) -> None:
        """Type into an ajax look-up box and pick the result containing `option`."""
        self.page.click(f"#s2id_{field} .select2-choice")
        self.page.fill("#select2-drop .select2-input", search)
        self.page.click(f"#select2-drop .select2-result-label:has-text('{option}')")

    def fill_date(self, field: str, value: str) -> None:
        """Type the date and leave the field with Tab, which closes its calendar pop-up."""
        self.page.fill(f"#{field}", value)
        self.page.keyboard.press("Tab")
        expect(self.page.locator(".daterangepicker:visible")).to_have_count(0)

    def follow(self, element) -> None:
        """Click a link or a form's button and wait for the page it leads to."""
        with self.page.expect_navigation():
            element.click()

    def save(self) -> None:
        self.follow(self.page.get_by_role("button", name="保存", exact=True))

    def flash(self) -> str:
        return " ".join(self.page.locator(".alert").all_inner_texts())

    def list_count(self) -> int:
        """The row count Flask-Admin shows on the list tab ("列表 (N)"; no number when empty)."""
        text = self.page.locator(".nav-tabs .nav-link.active").inner_text()
        number = re.search(r"\((\d+)\)", text)
        if number is None:
            assert not self.column("number") and self.page.locator(
                "table.model-list tbody td[class^='col-']").count() == 0, self.page.url
            return 0
        return int(number.group(1))

    def list_rows(self) -> list[str]:
        return self.page.locator("table.model-list tbody tr").all_inner_texts()

    def column(self, name: str) -> list[str]:
        """The cells of list column `name` (Flask-Admin marks them "col-<name>"), top down."""
        cells = self.page.locator(f"table.model-list tbody td[class~='col-{name}']")
        return [text.strip() for text in cells.all_inner_texts()]

    def details_of(self, row_text: str) -> None:
        """Open the details page of the first list row containing `row_text`."""
        row = self.page.locator("table.model-list tbody tr", has_text=row_text).first
        self.follow(row.get_by_title("查看记录"))

    def open_step(self, action: str):
        """The case page's workflow button `action`, opened (once) to show its form."""
        step = self.page.locator(f"details.case-action[data-action={action}]")
        if step.get_attribute("open") is None:
            step.locator("summary").click()
        return step

    def case_action(self, action: str, note: str = "", **fields: str) -> str:
        """Open the case page's workflow button `action`, fill the form and submit it."""
        step = self.open_step(action)
        form = step.locator("form")
        for name, value in fields.items():
            form.locator(f"select[name={name}]").select_option(label=value)
        if note:
            form.locator("textarea[name=note]").fill(note)
        self.follow(form.locator("button[type=submit]"))
        return self.flash()

    def escalation_action(self, department: str, action: str, note: str = "") -> str:
        row = self.page.locator("table.case-escalations tbody tr", has_text=department)
        step = row.locator("details", has=self.page.locator(f"input[value={action}]"))
        step.locator("summary").click()
        if note:
            step.locator("textarea[name=note]").fill(note)
        self.follow(step.locator("button[type=submit]"))
        return self.flash()

    def shot(self, name: str, until: str | None = None) -> Path:
        """The visible window as docs/screenshots/<name>.png, or the page down to the last
        element matching `until` (the page being scrolled to its top)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        if until is None:
            self.page.screenshot(path=path)
        else:
            box = self.page.locator(until).last.bounding_box()
            self.page.screenshot(path=path, full_page=True, clip={
                "x": 0, "y": 0, "width": self.page.viewport_size["width"],
                "height": box["y"] + box["height"] + 16})
        return path


@pytest.fixture
def clerk_at(server, browser):
    """clerk_at(username, phone=False): a new browser window signed in as `username`.

    Every window must end without script errors or console errors (a refused inline script
    under the content security policy shows up there).
    """
    contexts, clerks = [], []

    def make(username: str | None, phone: bool = False) -> Clerk:
        options = ({"viewport": PHONE, "is_mobile": True, "has_touch": True} if phone
                   else {"viewport": DESKTOP})
        context = browser.new_context(locale="zh-CN", **options)
        contexts.append(context)
        clerk = Clerk(context.new_page(), server)
        clerks.append(clerk)
        if username:
            clerk.sign_in(username)
        return clerk

    yield make
    for context in contexts:
        context.close()
    problems = [problem for clerk in clerks for problem in clerk.problems]
    assert not problems, problems
