"""The web admin over real HTTP (uvicorn on a port), as a browser without script would use it:
advisors, the case list, permissions, CSRF and the sign-in rate limit."""

from __future__ import annotations

import asyncio
import http.cookiejar
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from benchmarks.admin import serving
from bot.admin import accounts
from bot.admin.accounts import Role
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import Advisor, Case, Feedback, UnansweredQuestion, User
from bot.handoff.service import active_advisor

PASSWORD = "a long enough password"


async def _prepare(url: str) -> None:
    engine = create_engine(url)
    try:
        await migrate.upgrade(engine)
        async with create_session_factory(engine).begin() as db:
            await accounts.create_account(db, "mara", PASSWORD, Role.MANAGER)
            await accounts.create_account(db, "erika", PASSWORD, Role.EDITOR)
            user = User(external_id=555, pseudonym="Blue Heron 12", language="uk")
            db.add(user)
            await db.flush()
            db.add(
                Case(user_id=user.id, reason="menu", topic="training", language="uk", question="secret text")
            )
            for text, lang in (
                ("Wo finde ich eine Wohnung in Pirna?", "de"),
                ("wo finde ich eine wohnung in pirna", "de"),
                ("Where can I find a flat in Pirna?", "en"),
                ("Kann ich mit dem Fahrrad nach Dresden fahren?", "de"),
            ):
                db.add(UnansweredQuestion(text=text, language=lang, written_in=lang, reason="no_match"))
            db.add(Feedback(entry_id="ihk-hwk", language="de", helpful=False))
    finally:
        await engine.dispose()


def _run(coroutine: object) -> object:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()  # type: ignore[arg-type]


@pytest.fixture
def admin(tmp_path: Path) -> Iterator[tuple[str, str]]:
    url = f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}"
    asyncio.run(_prepare(url))
    with serving(url) as base:
        yield base, url


class Browser:
    def __init__(self, base: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path, headers={"Accept-Language": "en"}))

    def post(self, path: str, form: dict[str, str | list[str]]) -> tuple[int, str]:
        data = urllib.parse.urlencode(form, doseq=True).encode()
        return self._open(
            urllib.request.Request(self.base + path, data=data, headers={"Accept-Language": "en"})
        )

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def csrf(self, path: str) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', self.get(path)[1])
        assert found is not None
        return found.group(1)

    def sign_in(self, username: str, password: str = PASSWORD) -> tuple[int, str]:
        return self.post("/login", {"csrf": self.csrf("/login"), "username": username, "password": password})


def test_a_manager_keeps_the_advisors_and_sees_cases_without_their_texts(admin: tuple[str, str]) -> None:
    base, url = admin
    mara = Browser(base)
    assert mara.sign_in("mara")[0] == 200
    form = {
        "telegram_id": "4711",
        "display_name": "Samira",
        "languages": ["ar", "uk"],
        "topics": ["training"],
    }
    assert mara.post("/advisors", form | {"active": "on"})[0] == 403  # no CSRF token
    token = mara.csrf("/advisors")
    status, page = mara.post("/advisors", form | {"active": "on", "csrf": token})
    assert status == 200
    assert "Samira" in page
    assert "ar,uk" in page

    async def advisor_now() -> tuple[Advisor | None, Advisor | None]:
        engine = create_engine(url)
        try:
            async with create_session_factory(engine)() as db:
                stored = await db.get(Advisor, 4711)
                usable = await active_advisor(db, 4711)
                return stored, usable
        finally:
            await engine.dispose()

    stored, usable = _run(advisor_now())  # type: ignore[misc]
    assert stored is not None
    assert usable is not None
    assert (stored.languages, stored.topics) == ("ar,uk", "training")

    mara.post("/advisors", form | {"csrf": token})  # "active" unticked
    stored, usable = _run(advisor_now())  # type: ignore[misc]
    assert stored is not None
    assert not stored.active
    assert usable is None  # a deactivated advisor cannot take or answer cases

    status, cases = mara.get("/cases")
    assert status == 200
    assert "Blue Heron 12" in cases
    assert "secret text" not in cases

    erika = Browser(base)
    erika.sign_in("erika")
    assert erika.get("/advisors")[0] == 403
    assert erika.get("/cases")[0] == 403
    assert erika.get("/accounts")[0] == 403


def test_sign_in_attempts_are_limited_per_address(admin: tuple[str, str]) -> None:
    base, _url = admin
    visitor = Browser(base)
    statuses = [visitor.sign_in(f"nobody{n}", "wrong password!")[0] for n in range(21)]
    assert statuses[:20] == [401] * 20
    assert statuses[20] == 429


def test_signing_out_ends_the_session(admin: tuple[str, str]) -> None:
    base, _url = admin
    mara = Browser(base)
    mara.sign_in("mara")
    assert mara.get("/cases")[0] == 200
    mara.post("/logout", {"csrf": mara.csrf("/cases")})
    status, page = mara.get("/cases")
    assert status == 200
    assert 'id="password"' in page  # back at the sign-in form


def test_the_unanswered_inbox_groups_across_languages_and_marks_handled(admin: tuple[str, str]) -> None:
    base, _url = admin
    erika = Browser(base)
    erika.sign_in("erika")
    status, page = erika.get("/unanswered")
    assert status == 200
    sections = page.split('<section class="cards-one">')[1:]
    flats = [s for s in sections if "wohnung" in s.lower()]
    assert len(flats) == 1
    assert "Where can I find a flat in Pirna?" in flats[0]  # the same question, in English
    assert "3 questions · de, en" in flats[0]
    assert "Fahrrad" not in flats[0]
    assert 'href="/content/faq/ihk-hwk">ihk-hwk</a></th><td>1</td>' in page  # 👎 per entry
    index = sections.index(flats[0])
    token = erika.csrf("/unanswered")
    status, after = erika.post("/unanswered?days=30", {"csrf": token, "group": str(index)})
    assert status == 200
    assert "Marked handled." in after
    assert "wohnung" not in after.lower()
    assert "Fahrrad" in after
