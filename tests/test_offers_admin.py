"""Offers in the web admin: created with their facts and German text, checked with the same
sentences as ``kb validate`` (town and fields included), edited and served at once."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from benchmarks.admin import serving
from bot.admin import details, editorial
from bot.admin.accounts import Role
from bot.admin.editorial import EditorialError
from bot.content import load_snapshot
from tests.test_admin_browser import _prepare
from tests.test_admin_http import Browser
from tests.test_admin_workflow import _account, sessions  # noqa: F401  (the fixture)

NEW = {
    "description": "Zwei Wochen in der Werkstatt.",
    "company": "Probe GmbH",
    "town": "Pirna",
    "fields": "metall, elektro",
    "kind": "schulpraktikum",
    "team_languages": "de, ar",
    "contact.person": "Frau Probe",
    "contact.phone": "03501 123456",
    "valid_from": "2027-01-01",
    "valid_until": "2027-06-30",
    "welcome.agreed_on": "2026-11-30",
    "sources": "https://www.example.org/praktikum Angebot der Probe GmbH",
    "checked_on": "2026-12-01",
}


async def test_an_editor_creates_and_edits_an_offer(sessions: async_sessionmaker[AsyncSession]) -> None:  # noqa: F811
    editor = await _account(sessions, "erika", Role.EDITOR)
    async with sessions.begin() as db:
        with pytest.raises(EditorialError) as bad:
            await details.create_item(
                db, editor, "offer", "probe-offer", NEW | {"town": "Pirma", "fields": "metal"}
            )
    assert bad.value.problems == [
        "town: the town 'Pirma' is not one of the district's towns in towns.yaml (did you mean 'Pirna'?); "
        "write its name as listed there",
        "fields → 0: 'metal' is not an occupational field id; use one of bau, dienstleistung, elektro, "
        "gesundheit, it, landwirtschaft, logistik, medien, metall, naturwissenschaften, produktion, "
        "soziales, wirtschaft",
    ]
    async with sessions.begin() as db:
        with pytest.raises(EditorialError, match="lies before valid_from"):
            await details.create_item(db, editor, "offer", "probe-offer", NEW | {"valid_until": "2026-12-31"})
        with pytest.raises(EditorialError, match="the contact has no phone, e-mail or web address"):
            await details.create_item(db, editor, "offer", "probe-offer", NEW | {"contact.phone": ""})
    async with sessions.begin() as db:
        await details.create_item(db, editor, "offer", "probe-offer", NEW)
    async with sessions() as db:
        served = await load_snapshot(db)
        row = await editorial.published_item(db, "offer", "probe-offer")
    assert served is not None
    assert row is not None
    assert row.title == "probe gmbh, pirna"
    offer = served.offers["probe-offer"]
    assert offer.contact.phone == "03501 123456"
    assert offer.welcome is not None
    assert offer.translations["de"].description == "Zwei Wochen in der Werkstatt."

    form = details.form_values("offer", row.body)
    assert form["contact.person"] == "Frau Probe"
    assert form["welcome.agreed_on"] == "2026-11-30"
    async with sessions.begin() as db:
        await details.save_details(
            db,
            editor,
            "offer",
            "probe-offer",
            form | {"contact.phone": "", "contact.email": "praktikum@example.org", "welcome.agreed_on": ""},
        )
    async with sessions() as db:
        served = await load_snapshot(db)
    assert served is not None
    offer = served.offers["probe-offer"]
    assert offer.contact.phone is None
    assert offer.contact.email == "praktikum@example.org"
    assert offer.welcome is None


def test_the_offer_form_in_the_browser(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'admin.db'}"
    asyncio.run(_prepare(url))  # the shipped content and the administrator "chef"
    with serving(url) as base:
        browser = Browser(base)
        browser.sign_in("chef")
        status, page = browser.get("/content/new?kind=offer")
        assert status == 200
        for name in ("team_languages", "contact.phone", "valid_until", "welcome.agreed_on", "schulpraktikum"):
            assert name in page
        form = {"csrf": browser.csrf("/content/new?kind=offer"), "id": "probe-offer"}
        status, page = browser.post("/content/new?kind=offer", form | NEW | {"town": "Atlantis"})
        assert status == 422
        assert "the town &#39;Atlantis&#39; is not one of the district&#39;s towns" in page
        status, page = browser.post("/content/new?kind=offer", form | NEW)
        assert status == 200, page
        assert "Probe GmbH, Pirna" in page
        status, page = browser.get("/content?kind=offer")
        assert "Probe GmbH, Pirna" in page
