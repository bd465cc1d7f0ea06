"""The web admin in a real Chromium (Debian's package, driven by Playwright).

One story, as the network would live it: an administrator creates an editor and a
Ukrainian translator; the editor changes a German answer and publishes it; the bot serves
it at once and the Ukrainian translation shows as outdated; the translator updates only
Ukrainian and cannot open Arabic; after review the machine-translation notice is gone; a
version is restored; an observer cannot edit; five wrong passwords lock an account; a
form without its CSRF token is refused. Screenshots of each step are kept as artifacts.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import re
import shutil
import threading
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest

from bot.admin import accounts
from bot.admin.accounts import Role
from bot.app import build_app
from bot.config import SHIPPED_CONTENT_DIR
from bot.content import import_folder
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from tests.conftest import make_settings
from tests.support.admin_server import admin_server
from tests.support.chat import ChatClient
from tests.support.databases import IN_CI

playwright_sync = pytest.importorskip("playwright.sync_api")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))
ENTRY = "anerkennung-berufsabschluss"
PASSWORD = "a long enough password"
NEW_GERMAN = "Neu geprüft: Die Anerkennung beantragen Sie bei der zuständigen Stelle; wir helfen dabei."
NEW_UKRAINIAN = "Перевірено: заяву на визнання подають до відповідальної установи; ми допомагаємо."

pytestmark = pytest.mark.browser
T = TypeVar("T")


def _need_chromium() -> None:
    if not Path(CHROMIUM).exists():
        message = "Debian's chromium package is not installed, so the browser tests cannot run"
        if IN_CI:
            pytest.fail(message + " (CI must run them)")
        pytest.skip(message)


async def _prepare(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        sessions = create_session_factory(engine)
        await import_folder(sessions, SHIPPED_CONTENT_DIR, author="test")
        async with sessions.begin() as db:
            await accounts.create_account(db, "chef", PASSWORD, Role.ADMIN, "Chefin")
    finally:
        await engine.dispose()


class Bot:
    """The assembled bot on the admin's database, in a thread with its own event loop
    (Playwright's loop holds the test's thread). Each question is a new young person."""

    def __init__(self, url: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.app = self._run(build_app(make_settings(url)))
        self.people = itertools.count(2001)

    def _run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=120)

    def answer(self, language: str) -> str:
        """What a young person gets for the entry now. The content poll of a running bot
        (``ContentService.watch``) is run once, as it runs every CONTENT_POLL_SECONDS."""
        return self._run(self._answer(language))

    async def _answer(self, language: str) -> str:
        await self.app.content.refresh()
        chat = ChatClient(self.app, chat_id=next(self.people))
        await chat.onboard(language)
        await chat.press_data(f"a:{ENTRY}")
        return chat.text

    def close(self) -> None:
        self._run(self.app.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def base_url(tmp_path: Path) -> Iterator[str]:
    _need_chromium()
    url = f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}"
    asyncio.run(_prepare(url))
    with admin_server(url) as base:
        yield base


@pytest.fixture
def browser() -> Iterator[object]:
    _need_chromium()
    with playwright_sync.sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        try:
            yield chromium
        finally:
            chromium.close()


class Person:
    """One browser context: a person signed in on their own device."""

    def __init__(self, browser: object, base: str, name: str, folder: Path) -> None:
        self.context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
        self.page = self.context.new_page()
        self.base, self.name, self.folder = base, name, folder
        self.step = 0

    def shot(self, what: str) -> None:
        self.step += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(
            path=str(self.folder / f"{self.name}-{self.step:02d}-{what}.png"), full_page=True
        )

    def go(self, path: str) -> object:
        return self.page.goto(self.base + path)

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        self.go("/login")
        self.page.fill("#username", username)
        self.page.fill("#password", password)
        self.page.click("button[type=submit]")


def _status_of(page: object, path_part: str) -> int:
    response = page.goto(path_part)  # type: ignore[attr-defined]
    return int(response.status)


def test_the_network_works_in_the_browser(base_url: str, browser: object, tmp_path: Path) -> None:
    shots = ARTIFACTS / "admin-browser"
    shutil.rmtree(shots, ignore_errors=True)
    bot = Bot(f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}")
    try:
        _story(base_url, browser, bot, shots)
    finally:
        bot.close()


def _story(base_url: str, browser: object, bot: Bot, shots: Path) -> None:
    expect = playwright_sync.expect

    # An administrator creates an editor and a Ukrainian translator.
    chef = Person(browser, base_url, "admin", shots)
    chef.sign_in("chef")
    expect(chef.page.locator("h1")).to_contain_text("Hello, Chefin")
    chef.shot("start")
    chef.go("/accounts")
    for username, role, languages in (("erika", "editor", ()), ("olena", "translator", ("uk",))):
        chef.page.fill("#username", username)
        chef.page.fill("#display_name", username.title())
        chef.page.fill("#password", PASSWORD)
        chef.page.select_option("#role", role)
        for code in languages:
            chef.page.check(f"#lang-{code}")
        chef.page.click("text=Create account")
        expect(chef.page.locator("[role=status]")).to_be_visible()
    chef.page.fill("#username", "otto")
    chef.page.fill("#password", PASSWORD)
    chef.page.select_option("#role", "observer")
    chef.page.click("text=Create account")
    expect(chef.page.locator("table")).to_contain_text("olena")
    chef.shot("accounts")

    # The editor changes a German answer and publishes it.
    erika = Person(browser, base_url, "editor", shots)
    erika.sign_in("erika")
    erika.go(f"/content/faq/{ENTRY}/de")
    erika.page.fill("#f-answer", NEW_GERMAN)
    erika.shot("german-edit")
    erika.page.click("button[value=publish]")
    expect(erika.page.locator("[role=status]")).to_contain_text("Published")
    erika.shot("german-published")

    # The bot serves the new German text at once; the Ukrainian translation is outdated.
    assert NEW_GERMAN in (bot.answer("Deutsch"))
    erika.go(f"/content/faq/{ENTRY}")
    uk_row = erika.page.locator("tr", has_text="Українська")
    expect(uk_row).to_contain_text("outdated")
    erika.shot("ukrainian-outdated")

    # The translator sees what changed in German, updates only Ukrainian, cannot open Arabic.
    olena = Person(browser, base_url, "translator", shots)
    olena.sign_in("olena")
    assert _status_of(olena.page, f"{base_url}/content/faq/{ENTRY}/ar") == 403
    olena.shot("arabic-refused")
    olena.go(f"/content/faq/{ENTRY}/uk")
    expect(olena.page.locator("#changes-title")).to_be_visible()
    expect(olena.page.locator(".changes ins").first).to_contain_text("Neu")
    expect(olena.page.locator("button[value=publish]")).to_have_count(0)
    olena.page.fill("#f-answer", NEW_UKRAINIAN)
    olena.page.check("#reviewed")
    olena.shot("ukrainian-edit")
    olena.page.click("button[value=submit]")
    expect(olena.page.locator("[role=status]")).to_contain_text("Submitted for review")
    olena.shot("ukrainian-submitted")

    # The editor publishes the reviewed translation: outdated and machine-translated are gone.
    erika.go("/content?show=review")
    expect(erika.page.locator("tbody tr")).to_have_count(1)
    erika.go(f"/content/faq/{ENTRY}/uk")
    erika.page.click("button[value=publish]")
    expect(erika.page.locator("[role=status]")).to_contain_text("Published")
    erika.go(f"/content/faq/{ENTRY}")
    expect(uk_row).not_to_contain_text("outdated")
    expect(uk_row).not_to_contain_text("MT")
    erika.shot("ukrainian-published")
    ukrainian = bot.answer("Українська")
    assert NEW_UKRAINIAN in ukrainian

    # A version is restored: the imported text is served again.
    erika.page.click("text=Version 1")
    expect(erika.page.locator("h1")).to_contain_text("Version 1")
    erika.shot("version-1")
    erika.page.click("button[value=restore]")
    expect(erika.page.locator("[role=status]")).to_contain_text("restored")
    erika.shot("restored")
    assert NEW_GERMAN not in (bot.answer("Deutsch"))

    # Three more young people read the answer: six in all today, enough to be shown.
    for _ in range(3):
        bot.answer("Deutsch")

    # An observer reads the statistics (a chart, a CSV with the test's numbers), cannot edit.
    otto = Person(browser, base_url, "observer", shots)
    otto.sign_in("otto")
    otto.go("/statistics")  # this month
    expect(otto.page.locator("svg.chart").first).to_be_visible()
    otto.shot("statistics")
    with otto.page.expect_download() as download_info:
        otto.page.click("text=Download CSV")
    csv_text = Path(download_info.value.path()).read_text(encoding="utf-8")
    assert f"entry_views,total,{ENTRY},6" in csv_text.splitlines()
    assert "starts,total,total,6" in csv_text.splitlines()
    assert _status_of(otto.page, f"{base_url}/content/faq/{ENTRY}/de") == 403
    otto.shot("observer-refused")

    # A form without its CSRF token is refused, even from a signed-in browser.
    forged = erika.context.request.post(
        f"{base_url}/content/faq/{ENTRY}/de",
        form={"action": "publish", "answer": "forged"},
        headers={"Accept-Language": "en"},
    )
    assert forged.status == 403
    assert "did not come from this site" in forged.text()

    # An editor removes the entry and brings it back from the history.
    erika.go(f"/content/faq/{ENTRY}")
    erika.page.check("#confirm")
    erika.page.click("form[action$='/remove'] button")
    expect(erika.page.locator("table")).to_contain_text(ENTRY)
    erika.shot("removed")
    erika.page.click("text=Bring back")
    expect(erika.page.locator("[role=status]")).to_contain_text("served again")

    # Five wrong passwords lock the account, even against the right one.
    mallory = Person(browser, base_url, "lockout", shots)
    for _ in range(5):
        mallory.sign_in("olena", "not the password")
    mallory.sign_in("olena")
    expect(mallory.page.locator(".error")).to_contain_text("locked")
    mallory.shot("locked")

    # Signing out ends the session: the old cookie opens nothing.
    erika.page.click("text=Sign out")
    assert re.search(r"/login", erika.page.url)
    assert _status_of(erika.page, f"{base_url}/content") == 200
    assert "/login" in erika.page.url


MAIN_PAGES = (
    "/",
    "/content",
    "/content?kind=contact",
    f"/content/faq/{ENTRY}",
    f"/content/faq/{ENTRY}/de",
    f"/content/faq/{ENTRY}/ar",
    f"/content/faq/{ENTRY}/versions/1",
    "/accounts",
    "/audit",
    "/statistics",
    "/advisors",
    "/cases",
    "/unanswered",
    f"/content/faq/{ENTRY}/details",
    "/content/new?kind=event",
    "/links",
    "/content/removed",
)


def test_main_pages_pass_axe_and_fit_a_phone(base_url: str, browser: object) -> None:
    """axe-core's WCAG 2.1 A and AA rules on the main pages, on a desktop and a phone screen,
    in English and German; and no page is wider than the phone (tables scroll inside)."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found: dict[str, list[str]] = {}
    shots = ARTIFACTS / "admin-pages"
    shots.mkdir(parents=True, exist_ok=True)
    for locale, viewport in (
        ("en-GB", {"width": 1280, "height": 900}),
        ("de-DE", {"width": 390, "height": 844}),
    ):
        # axe is injected by the test; the admin's own policy allows no inline script.
        context = browser.new_context(locale=locale, viewport=viewport, bypass_csp=True)  # type: ignore[attr-defined]
        page = context.new_page()
        page.goto(base_url + "/login")
        results = axe.run(
            page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
        )
        found.update(
            {
                f"/login {locale}: {v['id']}": [n["target"] for n in v["nodes"]]
                for v in results.response["violations"]
            }
        )
        page.fill("#username", "chef")
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(base_url + "/")
        for path in MAIN_PAGES:
            response = page.goto(base_url + path)
            assert response is not None
            assert response.status == 200, path
            results = axe.run(
                page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}
            )
            for violation in results.response["violations"]:
                found[f"{path} {locale}: {violation['id']}"] = [n["target"] for n in violation["nodes"]][:3]
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                found[f"{path} {locale}: wider than the screen"] = [f"{overflow}px"]
            name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "start"
            page.screenshot(path=str(shots / f"{locale}-{viewport['width']}-{name}.png"), full_page=True)
        context.close()
    assert found == {}
