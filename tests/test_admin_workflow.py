"""The editorial workflow and the accounts behind the web admin, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.admin import accounts, editorial
from bot.admin.accounts import Policy, Role
from bot.admin.editorial import EditorialError, NotAllowed
from bot.config import SHIPPED_CONTENT_DIR
from bot.content import import_folder, load_snapshot
from bot.db import migrate
from bot.db.engine import create_engine, create_session_factory
from bot.db.models import AdminAccount, AuditEntry, ContentDraft, ContentVersion

ENTRY = "anerkennung-berufsabschluss"
PASSWORD = "a long enough password"


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(database_url)
    await migrate.upgrade(engine)
    factory = create_session_factory(engine)
    await import_folder(factory, SHIPPED_CONTENT_DIR, author="test")
    try:
        yield factory
    finally:
        await engine.dispose()


async def _account(
    sessions: async_sessionmaker[AsyncSession], name: str, role: Role, languages: tuple[str, ...] = ()
) -> AdminAccount:
    async with sessions.begin() as db:
        return await accounts.create_account(db, name, PASSWORD, role, name.title(), languages)


async def _served(sessions: async_sessionmaker[AsyncSession]) -> dict[str, object]:
    async with sessions() as db:
        snapshot = await load_snapshot(db)
    assert snapshot is not None
    return snapshot.faq[ENTRY].model_dump(mode="json")


def _german(answer: str) -> dict[str, object]:
    return {"question": "Wie lasse ich meinen Berufsabschluss anerkennen?", "answer": answer}


async def test_a_german_change_is_served_only_when_published_and_outdates_the_translations(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    editor = await _account(sessions, "erika", Role.EDITOR)
    before = await _served(sessions)
    revision = before["translations"]["de"]["revision"]  # type: ignore[index]
    async with sessions.begin() as db:
        await editorial.save_draft(db, editor, "faq", ENTRY, "de", _german("Neuer Text: 120 Euro."))
    assert await _served(sessions) == before  # a draft is not served

    async with sessions.begin() as db:
        await editorial.publish(db, editor, "faq", ENTRY, "de")
    after = await _served(sessions)
    german = after["translations"]["de"]  # type: ignore[index]
    assert german["answer"] == "Neuer Text: 120 Euro."
    assert german["revision"] == revision + 1  # counted by the system
    async with sessions() as db:
        state = await editorial.item_state(db, "faq", ENTRY)
        assert state is not None
        assert all(state.languages[lang].outdated for lang in ("en", "ar", "uk"))
        assert await db.scalar(select(func.count()).select_from(ContentDraft)) == 0


async def test_a_minor_german_edit_keeps_the_translations_current(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    editor = await _account(sessions, "erika", Role.EDITOR)
    revision = (await _served(sessions))["translations"]["de"]["revision"]  # type: ignore[index]
    async with sessions.begin() as db:
        await editorial.save_draft(db, editor, "faq", ENTRY, "de", _german("Tippfehler behoben."), minor=True)
        await editorial.publish(db, editor, "faq", ENTRY, "de")
    assert (await _served(sessions))["translations"]["de"]["revision"] == revision  # type: ignore[index]
    async with sessions() as db:
        state = await editorial.item_state(db, "faq", ENTRY)
        assert state is not None
        assert not any(s.outdated for s in state.languages.values())


async def test_a_translator_edits_only_her_languages_and_an_editor_publishes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    editor = await _account(sessions, "erika", Role.EDITOR)
    translator = await _account(sessions, "olena", Role.TRANSLATOR, ("uk",))
    async with sessions.begin() as db:
        await editorial.save_draft(db, editor, "faq", ENTRY, "de", _german("Neu."))
        await editorial.publish(db, editor, "faq", ENTRY, "de")
    uk = {"question": "Як визнати мою професійну освіту?", "answer": "Новий текст."}
    async with sessions.begin() as db:
        with pytest.raises(NotAllowed):
            await editorial.save_draft(db, translator, "faq", ENTRY, "ar", uk)
        await editorial.save_draft(db, translator, "faq", ENTRY, "uk", uk, submit=True, reviewed=True)
    async with sessions.begin() as db:
        with pytest.raises(NotAllowed):
            await editorial.publish(db, translator, "faq", ENTRY, "uk")
    async with sessions.begin() as db:
        state = await editorial.item_state(db, "faq", ENTRY)
        assert state is not None
        assert state.languages["uk"].status is editorial.Status.REVIEW
        await editorial.publish(db, editor, "faq", ENTRY, "uk")
    served = (await _served(sessions))["translations"]
    assert served["uk"]["answer"] == "Новий текст."  # type: ignore[index]
    assert served["uk"]["source_revision"] == served["de"]["revision"]  # type: ignore[index]
    assert served["uk"]["machine_translated"] is False  # type: ignore[index]
    assert served["ar"]["machine_translated"] is True  # type: ignore[index]
    async with sessions() as db:
        state = await editorial.item_state(db, "faq", ENTRY)
        assert state is not None
        assert not state.languages["uk"].outdated
        assert state.languages["ar"].outdated


async def test_machine_translated_stays_until_someone_with_the_language_confirms(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    editor = await _account(sessions, "erika", Role.EDITOR)
    russian = await _account(sessions, "ivan", Role.TRANSLATOR, ("ru",))
    ar = (await _served(sessions))["translations"]["ar"]  # type: ignore[index]
    changed = {"question": ar["question"], "answer": ar["answer"] + " ."}
    async with sessions.begin() as db:
        await editorial.save_draft(db, editor, "faq", ENTRY, "ar", changed)
        await editorial.publish(db, editor, "faq", ENTRY, "ar")
    assert (await _served(sessions))["translations"]["ar"]["machine_translated"] is True  # type: ignore[index]
    async with sessions.begin() as db:
        with pytest.raises(NotAllowed):
            await editorial.confirm_review(db, russian, "faq", ENTRY, "ar")
        await editorial.confirm_review(db, russian, "faq", ENTRY, "ru")
        await editorial.confirm_review(db, editor, "faq", ENTRY, "ar")
    served = (await _served(sessions))["translations"]
    assert served["ar"]["machine_translated"] is False  # type: ignore[index]
    assert served["ru"]["machine_translated"] is False  # type: ignore[index]
    assert served["fa"]["machine_translated"] is True  # type: ignore[index]


async def test_every_version_is_kept_and_an_old_one_can_be_restored(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    editor = await _account(sessions, "erika", Role.EDITOR)
    original = await _served(sessions)
    async with sessions.begin() as db:
        await editorial.save_draft(db, editor, "faq", ENTRY, "de", _german("Zweite Fassung."))
        await editorial.publish(db, editor, "faq", ENTRY, "de")
    async with sessions() as db:
        history = await editorial.history(db, "faq", ENTRY)
    assert [v.number for v in history] == [2, 1]  # the import, then the change
    diff = editorial.diff_texts(
        "faq", editorial.texts(history[1].body, "de"), editorial.texts(history[0].body, "de")
    )
    assert {p.text for p in diff["answer"] if p.op == "ins"} == {"Zweite Fassung."}

    async with sessions.begin() as db:
        await editorial.restore(db, editor, "faq", ENTRY, 1)
    restored = (await _served(sessions))["translations"]
    assert restored["de"]["answer"] == original["translations"]["de"]["answer"]  # type: ignore[index]
    # The German text changed again, so the revision counts on; the restored translations
    # were made from that German text and stay current with it.
    assert restored["de"]["revision"] == original["translations"]["de"]["revision"] + 2  # type: ignore[index]
    assert restored["en"]["source_revision"] == restored["de"]["revision"]  # type: ignore[index]
    async with sessions() as db:
        assert len(await editorial.history(db, "faq", ENTRY)) == 3
        entries = list(await db.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    restore_entry = entries[-1]
    assert (restore_entry.actor, restore_entry.action) == ("erika", "restore")
    assert restore_entry.before is not None
    assert restore_entry.after is not None
    assert restore_entry.before["translations"]["de"]["answer"] == "Zweite Fassung."


async def test_a_bad_draft_names_its_problems_and_saves_nothing(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    editor = await _account(sessions, "erika", Role.EDITOR)
    async with sessions.begin() as db:
        with pytest.raises(EditorialError) as empty:
            await editorial.save_draft(db, editor, "faq", ENTRY, "de", {"question": "Frage?", "answer": "  "})
        with pytest.raises(EditorialError) as long:
            await editorial.save_draft(db, editor, "faq", ENTRY, "de", _german("x" * 3600))
    assert empty.value.problems == ["answer: this field is required; write it before saving"]
    assert any("3600 characters" in p for p in long.value.problems)
    async with sessions() as db:
        assert await db.scalar(select(func.count()).select_from(ContentDraft)) == 0
        assert await db.scalar(select(func.count()).select_from(ContentVersion)) > 0


async def test_an_observer_and_a_manager_cannot_edit_content(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    for name, role in (("otto", Role.OBSERVER), ("mara", Role.MANAGER)):
        person = await _account(sessions, name, role)
        async with sessions.begin() as db:
            with pytest.raises(NotAllowed):
                await editorial.save_draft(db, person, "faq", ENTRY, "de", _german("Nein."))


# ---------------------------------------------------------------- signing in


async def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _account(sessions, "erika", Role.EDITOR)
    policy = Policy(max_failures=5, lockout=dt.timedelta(minutes=15))
    now = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)
    for attempt in range(5):
        async with sessions.begin() as db:
            result = await accounts.sign_in(db, "erika", "wrong password!", policy, now)
        assert result.account is None
        assert (result.locked_until is not None) == (attempt == 4)
    async with sessions.begin() as db:
        locked = await accounts.sign_in(db, "erika", PASSWORD, policy, now + dt.timedelta(minutes=5))
        assert locked.account is None
        assert locked.locked_until is not None
    async with sessions.begin() as db:
        later = await accounts.sign_in(db, "ERIKA ", PASSWORD, policy, now + dt.timedelta(minutes=16))
        assert later.account is not None
        assert later.token is not None


async def test_a_session_ends_on_sign_out_and_after_the_idle_time(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    await _account(sessions, "erika", Role.EDITOR)
    policy = Policy(idle=dt.timedelta(minutes=30))
    now = dt.datetime(2026, 12, 5, 10, 0, tzinfo=dt.UTC)
    async with sessions.begin() as db:
        first = await accounts.sign_in(db, "erika", PASSWORD, policy, now)
        second = await accounts.sign_in(db, "erika", PASSWORD, policy, now)
    async with sessions.begin() as db:
        signed = await accounts.current(db, first.token, policy, now + dt.timedelta(minutes=29))
        assert signed is not None
        assert signed.csrf == first.csrf
        await accounts.sign_out(db, first.token)
    async with sessions.begin() as db:
        assert await accounts.current(db, first.token, policy, now + dt.timedelta(minutes=30)) is None
        # 29 minutes of use kept the other browser's session; 31 idle minutes end it.
        assert await accounts.current(db, second.token, policy, now + dt.timedelta(minutes=31)) is None
        assert await accounts.current(db, "forged-token", policy, now) is None


async def test_passwords_are_hashed_with_argon2_and_accounts_checked(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    account = await _account(sessions, "olena", Role.TRANSLATOR, ("uk",))
    assert account.password_hash.startswith("$argon2id$")
    assert PASSWORD not in account.password_hash
    async with sessions.begin() as db:
        with pytest.raises(accounts.AccountError, match="taken"):
            await accounts.create_account(db, "Olena", PASSWORD, Role.EDITOR)
        with pytest.raises(accounts.AccountError, match="12 characters"):
            await accounts.create_account(db, "kurz", "short", Role.EDITOR)
        with pytest.raises(accounts.AccountError, match="at least one language"):
            await accounts.create_account(db, "tanja", PASSWORD, Role.TRANSLATOR)
        with pytest.raises(accounts.AccountError, match="source language"):
            await accounts.create_account(db, "tanja", PASSWORD, Role.TRANSLATOR, languages=("de",))


async def test_the_content_list_pages_searches_and_filters(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    editor = await _account(sessions, "erika", Role.EDITOR)
    async with sessions() as db:
        everything = await editorial.items_overview(db, "faq")
        second = await editorial.items_overview(db, "faq", page=2)
        found = await editorial.items_overview(db, "faq", search="Berufsabschluss")
    assert len(everything.items) == min(everything.total, editorial.PER_PAGE)
    assert len(second.items) == max(0, min(everything.total - editorial.PER_PAGE, editorial.PER_PAGE))
    assert everything.items[0].item_id < everything.items[-1].item_id
    assert ENTRY in {i.item_id for i in found.items}
    assert found.total < everything.total
    async with sessions.begin() as db:
        await editorial.save_draft(db, editor, "faq", ENTRY, "de", _german("Neu."), submit=True)
    async with sessions() as db:
        waiting = await editorial.items_overview(db, "faq", show="review")
        assert [i.item_id for i in waiting.items] == [ENTRY]
        assert await editorial.items_overview(db, "faq", show="outdated") == editorial.Overview([], 0, 1, 1)
    async with sessions.begin() as db:
        await editorial.publish(db, editor, "faq", ENTRY, "de")
    async with sessions() as db:
        outdated = await editorial.items_overview(db, "faq", show="outdated")
    assert [i.item_id for i in outdated.items] == [ENTRY]


async def test_an_answer_too_long_with_its_contacts_is_refused_like_kb_validate_does(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """3,400 characters pass the answer's own limit, but not with four contact cards and the
    footer."""
    editor = await _account(sessions, "erika", Role.EDITOR)
    long_answer = ("Ein Satz über die Erlaubnis zu arbeiten. " * 100)[:3400]
    texts = {"question": "Brauche ich eine Beschäftigungserlaubnis?", "answer": long_answer}
    async with sessions.begin() as db:
        with pytest.raises(EditorialError) as refused:
            await editorial.save_draft(db, editor, "faq", "beschaeftigungserlaubnis", "de", texts)
    assert len(refused.value.problems) == 1
    assert "one Telegram message holds 4096" in refused.value.problems[0]


async def test_a_german_contact_change_outdates_its_translations(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    editor = await _account(sessions, "erika", Role.EDITOR)
    async with sessions() as db:
        state = await editorial.item_state(db, "contact", "agentur-fuer-arbeit-pirna")
    assert state is not None
    assert not any(s.outdated for s in state.languages.values())
    german = dict(state.languages["de"].published or {})
    german["description"] = str(german["description"]) + " Auch ohne Termin."
    async with sessions.begin() as db:
        await editorial.save_draft(db, editor, "contact", "agentur-fuer-arbeit-pirna", "de", german)
        await editorial.publish(db, editor, "contact", "agentur-fuer-arbeit-pirna", "de")
    async with sessions() as db:
        after = await editorial.item_state(db, "contact", "agentur-fuer-arbeit-pirna")
        served = await load_snapshot(db)
    assert after is not None
    assert served is not None
    assert all(after.languages[lang].outdated for lang in ("en", "uk"))
    assert served.contacts["agentur-fuer-arbeit-pirna"].translations["de"].description.endswith("Termin.")


def test_statistics_periods_are_whole_calendar_months_quarters_or_years() -> None:
    from bot.admin.web import parse_period, period_choices

    today = dt.date(2026, 12, 5)
    assert parse_period("2026-11", today) == (dt.date(2026, 11, 1), dt.date(2026, 11, 30))
    assert parse_period("2026-12", today) == (dt.date(2026, 12, 1), today)
    assert parse_period("2026-Q1", today) == (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    assert parse_period("2025", today) == (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    for bad in ("2027-01", "2026-13", "2026-Q5", "last-30", "", "1999", "2026-02-30"):
        assert parse_period(bad, today) is None, bad
    choices = period_choices(today)
    assert choices[:2] == ["2026-12", "2026-11"]
    assert "2025-12" in choices
    assert "2026-Q4" in choices
    assert choices[-3:] == ["2026", "2025", "2024"]
    assert all(parse_period(c, today) is not None for c in choices)


async def test_facts_are_checked_and_published_and_new_items_served(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    from bot.admin import details

    editor = await _account(sessions, "erika", Role.EDITOR)
    translator = await _account(sessions, "olena", Role.TRANSLATOR, ("uk",))
    async with sessions() as db:
        row = await editorial.published_item(db, "contact", "agentur-fuer-arbeit-pirna")
    assert row is not None
    form = details.form_values("contact", row.body)
    async with sessions.begin() as db:
        with pytest.raises(EditorialError) as bad:
            await details.save_details(
                db, editor, "contact", "agentur-fuer-arbeit-pirna", form | {"phone": "call us"}
            )
        with pytest.raises(NotAllowed):
            await details.save_details(db, translator, "contact", "agentur-fuer-arbeit-pirna", form)
    assert len(bad.value.problems) == 1
    assert "phone" in bad.value.problems[0]
    async with sessions.begin() as db:
        await details.save_details(
            db,
            editor,
            "contact",
            "agentur-fuer-arbeit-pirna",
            form | {"town": "Pirna", "needs_verification": "on"},
        )
    async with sessions() as db:
        served = await load_snapshot(db)
    assert served is not None
    assert served.contacts["agentur-fuer-arbeit-pirna"].needs_verification

    new = {
        "question": "Wo finde ich eine Wohnung?",
        "answer": "Wir helfen bei Ausbildung und Arbeit; bei der Wohnungssuche hilft das Sozialamt.",
        "topic": "counselling",
        "sources": "https://www.landkreis-pirna.de Landratsamt",
        "checked_on": "2026-12-05",
        "review_by": "2027-06-05",
        "contacts": "agentur-fuer-arbeit-pirna",
    }
    async with sessions.begin() as db:
        with pytest.raises(EditorialError, match="small letters"):
            await details.create_item(db, editor, "faq", "Wohnung Suche", new)
        with pytest.raises(EditorialError, match="exists already"):
            await details.create_item(db, editor, "faq", ENTRY, new)
        with pytest.raises(EditorialError, match="the contact 'nirgends' does not exist"):
            await details.create_item(db, editor, "faq", "wohnung", new | {"contacts": "nirgends"})
    async with sessions.begin() as db:
        await details.create_item(db, editor, "faq", "wohnung", new)
    async with sessions() as db:
        served = await load_snapshot(db)
        history = await editorial.history(db, "faq", "wohnung")
    assert served is not None
    assert served.faq["wohnung"].translations["de"].question == "Wo finde ich eine Wohnung?"
    assert served.faq["wohnung"].contacts == ("agentur-fuer-arbeit-pirna",)
    assert [v.note for v in history] == ["create"]


async def test_the_link_check_lists_broken_addresses_where_they_are_used(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    """Real HTTP against a local server: 200, 404, a HEAD refused (405) but GET fine, none."""
    from aiohttp import web

    from bot.admin import details, links

    async def ok(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    async def no_head(request: web.Request) -> web.Response:
        return web.Response(status=405) if request.method == "HEAD" else web.Response(text="ok")

    server = web.Application()
    server.router.add_route("*", "/ok", ok)
    server.router.add_route("*", "/no-head", no_head)
    runner = web.AppRunner(server)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    editor = await _account(sessions, "erika", Role.EDITOR)
    try:
        async with sessions.begin() as db:
            row = await editorial.published_item(db, "contact", "agentur-fuer-arbeit-pirna")
            assert row is not None
            form = details.form_values("contact", row.body) | {
                "website": f"{base}/gone",
                "sources": f"{base}/ok Eine Quelle\n{base}/no-head Noch eine\nhttp://127.0.0.1:9/ Niemand",
            }
            await details.save_details(db, editor, "contact", "agentur-fuer-arbeit-pirna", form)
        results = {
            r.url: r for r in await links.run_check(sessions, per_link_seconds=5, prefix="http://127.0.0.1")
        }
        async with sessions() as db:
            broken, checked = await links.broken_links(db)
    finally:
        await runner.cleanup()
    assert results[f"{base}/ok"].status == 200
    assert results[f"{base}/no-head"].status == 200
    assert results[f"{base}/gone"].status == 404
    assert results["http://127.0.0.1:9/"].status is None
    assert checked == len(results)
    assert {row.url: used for row, used in broken} == {
        f"{base}/gone": ["contact:agentur-fuer-arbeit-pirna"],
        "http://127.0.0.1:9/": ["contact:agentur-fuer-arbeit-pirna"],
    }


async def test_items_stored_before_titles_existed_get_their_title(database_url: str) -> None:
    """Migration 0006 fills the search title of the items a database already holds."""
    import json

    from sqlalchemy import text

    engine = create_engine(database_url)
    try:
        await migrate.upgrade(engine, "0005")
        body = {"id": "probe", "translations": {"de": {"question": "Wie finde ich ein PRAKTIKUM?"}}}
        async with engine.begin() as conn:
            await conn.execute(
                text(
                    "INSERT INTO content_revisions (id, created_at, author, source, changes) "
                    "VALUES (1, :now, 'test', 'test', '{}')"
                ),
                {"now": dt.datetime.now(dt.UTC)},
            )
            await conn.execute(
                text(
                    "INSERT INTO content_items (kind, item_id, body, revision_id) "
                    "VALUES ('faq', 'probe', :body, 1)"
                ),
                {"body": json.dumps(body)},
            )
        await migrate.upgrade(engine)
        async with engine.connect() as conn:
            title = await conn.scalar(text("SELECT title FROM content_items WHERE item_id = 'probe'"))
    finally:
        await engine.dispose()
    assert title == "wie finde ich ein praktikum?"


async def test_an_item_is_removed_kept_in_the_history_and_brought_back(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    from bot.admin import removal

    editor = await _account(sessions, "erika", Role.EDITOR)
    translator = await _account(sessions, "olena", Role.TRANSLATOR, ("uk",))
    before = await _served(sessions)
    contact = before["contacts"][0]  # type: ignore[index]
    async with sessions.begin() as db:
        with pytest.raises(EditorialError, match=f"{ENTRY}.*point to this contact"):
            await removal.remove_item(db, editor, "contact", str(contact))
        with pytest.raises(NotAllowed):
            await removal.remove_item(db, translator, "faq", ENTRY)
        await editorial.save_draft(db, editor, "faq", ENTRY, "de", _german("Ein Entwurf."))
    async with sessions.begin() as db:
        await removal.remove_item(db, editor, "faq", ENTRY)
    async with sessions() as db:
        snapshot = await load_snapshot(db)
        gone = await removal.removed_items(db)
        drafts = await db.scalar(select(func.count()).select_from(ContentDraft))
    assert snapshot is not None
    assert ENTRY not in snapshot.faq
    assert [(r.kind, r.item_id) for r in gone] == [("faq", ENTRY)]
    assert drafts == 0
    async with sessions.begin() as db:
        await removal.bring_back(db, editor, "faq", ENTRY)
    assert await _served(sessions) == before
    async with sessions() as db:
        assert await removal.removed_items(db) == []
        notes = [v.note for v in await editorial.history(db, "faq", ENTRY)]
    assert notes[:2] == ["bring back", "remove"]
